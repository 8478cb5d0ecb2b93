"""What every command of the ``channelxl`` command line shares: the options that say where
it works, the quarter and month options parsed once, the progress bar, and the one place
refusals become messages and exit codes (2: refused; 70: unexpected, one line, never a
traceback; ``CHANNELXL_DEBUG=1`` shows details)."""

from __future__ import annotations

import functools
import os
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import click

from channelxl.errors import ChannelxlError, ProgramInvalid
from channelxl.ledger.store import DEFAULT_LOCK_TIMEOUT
from channelxl.synth.sizes import Sizes

DEMO = Sizes()  # the demo's channel: the defaults of --distributors, --resellers ...
DEMO_FOLDER = "channelxl-demo"

EXIT_REFUSED = 2
EXIT_HELD = 3  # ingest: nothing refused, but a report waits for the analyst's decision
EXIT_UNANSWERED = 4  # ingest: a file's feedback could not be written; its sender waits
EXIT_PARTLY = 3  # calc: the workbook written, but some formulas could not be computed
EXIT_INTERNAL = 70


def _echo_issues(issues, limit: int = 50) -> None:
    for issue in issues[:limit]:
        click.echo(f"  {issue}", err=True)
    if len(issues) > limit:
        click.echo(f"  ... and {len(issues) - limit} more", err=True)


def machine_problem(exc: Exception, where: Where | None = None) -> ChannelxlError | None:
    """An error the machine caused, that no part of channelxl turned into a refusal on its
    way up: a file or folder that could not be written (the file named by the error), a
    full or read-only disk, or the ledger failing under a command (damaged, its disk
    full). None for anything else: that is a bug, reported as an internal error."""
    import duckdb

    from channelxl.errors import cannot_write
    from channelxl.ledger.store import ledger_problem

    if isinstance(exc, duckdb.Error):
        ledger = where.ledger_path if where is not None else Path("the ledger")
        return ledger_problem(exc, ledger)
    if isinstance(exc, OSError):
        named = exc.filename or "a file"
        return cannot_write(
            exc, named, "Files already written are whole; the ledger keeps what was committed."
        )
    return None


def friendly(fn):
    """Turn channelxl refusals into messages and exit codes, never tracebacks."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ProgramInvalid as exc:
            click.echo(f"error: {exc}", err=True)
            _echo_issues([i for i in exc.issues if i.severity == "error"])
            click.echo(
                "Fix these cells in the program workbook and run the command again.", err=True
            )
            sys.exit(EXIT_REFUSED)
        except ChannelxlError as exc:  # a file refused, a folder missing, a bad option value
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_REFUSED)
        except KeyboardInterrupt:
            click.echo("interrupted; the ledger keeps only what was committed before", err=True)
            sys.exit(130)
        except Exception as exc:  # the last line of defence: one line, not a traceback
            if os.environ.get("CHANNELXL_DEBUG"):
                raise
            problem = machine_problem(exc, kwargs.get("where"))
            if problem is not None:  # the machine, not channelxl: say what and what to do
                click.echo(f"error: {problem}", err=True)
                sys.exit(EXIT_REFUSED)
            click.echo(
                f"internal error: {type(exc).__name__}: {exc}\n"
                "Run again with CHANNELXL_DEBUG=1 for details and report it.",
                err=True,
            )
            sys.exit(EXIT_INTERNAL)

    return wrapper


def parse_quarter(ctx, param, value):
    """--quarter as it is typed (``2026Q3`` or ``FY2027Q1``), checked here once for its form:
    the command gets a ``QuarterLabel``, or None for the last quarter that has ended. Which
    months it means depends on the program's fiscal year: :func:`resolve_quarter`."""
    from channelxl.core.periods import QuarterLabel

    if value is None:
        return None
    try:
        return QuarterLabel.parse(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def resolve_quarter(label, ledger):
    """The ``Quarter`` --quarter names in this program's calendar (Fiscal Year Start Month,
    ``Ledger.settings()``), for every quarterly command; no --quarter: the last quarter of
    that calendar that has ended. A calendar label (2026Q3) in a fiscal program is refused,
    naming the fiscal quarter(s) those months are in."""
    from channelxl.core.periods import latest_complete_quarter

    start = ledger.settings().fiscal_year_start_month
    if label is None:
        return latest_complete_quarter(date.today(), start)
    try:
        return label.resolve(start)
    except ValueError as exc:
        raise ChannelxlError(f"--quarter {label}: {exc}") from None


def parse_month(ctx, param, value):
    """--period as a month (YYYY-MM), parsed here once: the command gets a Month."""
    from channelxl.core.periods import Month

    try:
        return Month.parse(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def quarter_options(what: str):
    """--quarter, --distributor and --out, as every quarterly command takes them."""

    def decorate(fn):
        fn = click.option(
            "--out",
            "out_dir",
            type=click.Path(file_okay=False, path_type=Path),
            help=f"Folder for the {what} (default: DIR/reports/QUARTER).",
        )(fn)
        fn = click.option(
            "--distributor", "distributors", multiple=True, help="Only these (repeatable)."
        )(fn)
        return click.option(
            "--quarter",
            callback=parse_quarter,
            help="2026Q3, or FY2027Q1 when the program's fiscal year starts in another "
            "month than January (default: the last quarter that has ended).",
        )(fn)

    return decorate


def parse_formats(ctx, param, value):
    """--format html,pdf as a tuple, checked as it is typed."""
    from channelxl.reports.batch import FORMATS

    chosen = tuple(dict.fromkeys(f.strip().lower() for f in value.split(",") if f.strip()))
    bad = [f for f in chosen if f not in FORMATS]
    if bad or not chosen:
        raise click.BadParameter(f"{', '.join(bad) or 'nothing'}: choose html, pdf or html,pdf")
    return chosen


@dataclass(frozen=True)
class Where:
    """Where a command works: the --dir, --program, --ledger and --lock-timeout given."""

    root: Path | None
    program: Path | None
    ledger: Path | None
    lock_timeout: float

    @property
    def program_path(self) -> Path:
        from channelxl.workspace import PROGRAM

        return self.program or Path(self.root or ".") / PROGRAM

    @property
    def ledger_path(self) -> Path:
        from channelxl.workspace import LEDGER

        return self.ledger or Path(self.root or ".") / LEDGER

    def workspace(self):
        """The working folder (``Workspace.find``); refused when it has no program workbook."""
        from channelxl.workspace import Workspace

        return Workspace.find(
            self.root, program=self.program, ledger=self.ledger, lock_timeout=self.lock_timeout
        )


_WORKSPACE_OPTIONS = (
    click.option(
        "--dir",
        "root",
        type=click.Path(file_okay=False, path_type=Path),
        help="Working folder (default: the current directory).",
    ),
    click.option(
        "--program",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Program workbook (default: DIR/program.xlsx).",
    ),
    click.option(
        "--ledger",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Ledger file (default: DIR/channel.duckdb).",
    ),
    click.option(
        "--lock-timeout",
        type=float,
        default=DEFAULT_LOCK_TIMEOUT,
        show_default=True,
        help="Seconds to wait while another channelxl process uses the ledger.",
    ),
)


def workspace_options(fn):
    """The four workspace options, handed to the command as one ``where`` (:class:`Where`)."""

    @functools.wraps(fn)
    def wrapper(*args, root, program, ledger, lock_timeout, **kwargs):
        return fn(*args, where=Where(root, program, ledger, lock_timeout), **kwargs)

    for option in reversed(_WORKSPACE_OPTIONS):
        wrapper = option(wrapper)
    return wrapper


class Progress:
    """A progress bar on a terminal; one line per report otherwise (logs, schedulers)."""

    def __init__(self):
        self.bar = None

    def start(self, total: int) -> None:
        if sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="report", file=sys.stderr, dynamic_ncols=True)

    def update(self, result: dict, done: int, total: int) -> None:
        if self.bar is not None:
            self.bar.total = total
            self.bar.update(1)
            self.bar.set_postfix_str(f"{result['distributor_id']} {result['status']}")
        else:
            took = f" {result['seconds']:.1f} s" if result.get("seconds") is not None else ""
            click.echo(f"  [{done}/{total}] {result['distributor_id']} {result['status']}{took}")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def not_into_outbox(ws, out_dir, distributors) -> None:
    """Refuse ``--out`` inside the outbox for an output of several distributors."""
    from channelxl.io.atomic import not_into_outbox as refuse

    if out_dir is not None:
        refuse(out_dir, ws.outbox, len(distributors), "elsewhere (leave out --out: reports/)")

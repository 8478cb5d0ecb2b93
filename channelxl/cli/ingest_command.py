"""``channelxl ingest``: load received files, one line per file, with a progress bar on a
terminal (its own module, registered on the ``channelxl`` group by ``cli.main``)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from channelxl.cli.options import (
    EXIT_HELD,
    EXIT_REFUSED,
    EXIT_UNANSWERED,
    friendly,
    workspace_options,
)
from channelxl.cli.progress import Bars


@click.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--distributor", help="Distributor a report is for, when the file does not say.")
@click.option("--period", help="Month a report is for (YYYY-MM), when the file does not say.")
@click.option(
    "--received-at",
    type=click.DateTime(),
    help="When the files came in (default: a saved e-mail's date, a workbook's own save "
    "time when plausible, else the file's modification time; see channelxl received).",
)
@click.option("--strict", is_flag=True, help="Refuse a whole file if any line has an error.")
@click.option("--quiet", "-q", is_flag=True, help="Only the totals, refused and held files.")
@click.option(
    "--no-progress",
    is_flag=True,
    help="No progress bar (it is drawn only when stderr is a terminal).",
)
@workspace_options
@friendly
def ingest(files, distributor, period, received_at, strict, quiet, no_progress, where):
    """Validate and load received files into the ledger (default: every file in inbox/).

    Recognises ERP shipment exports, distributor sell-through and inventory reports,
    certification and activity exports (CSV or xlsx; layouts in docs/LAYOUTS.md). Each
    file is one transaction; the same file twice changes nothing. Lines with errors are
    quarantined and the rest loaded (--strict refuses the file instead).

    A report that would replace the report in force for its distributor and month is HELD
    for your decision, nothing replaced, when it has fewer than half its lines (an empty
    sheet included) or was received before it; see channelxl held.

    Each file in inbox/ is answered once, then moves to inbox/processed/, inbox/refused/
    or inbox/held/ (files that are not reports are refused). Files named from elsewhere
    stay where they are.

    A saved e-mail (.eml) is opened: each attached file is loaded as a file of its own,
    received when the mail came in. Each file's received date and how it is known are
    shown; correct one with channelxl received N --on DATE --reason TEXT.

    On a terminal a progress bar shows the files done (on stderr; --no-progress turns it
    off); in a log or a pipe there is none.

    Exit code 0 when every file was accepted or unchanged and no report is held; 2 when
    any file was refused; 4 when none was, but a file's feedback could not be written (its
    sender is not answered: the cause is said, send the problems yourself); 3 when a
    report is held for your decision (from this run or an earlier one).

    \b
    Examples:
      channelxl ingest                       # every file waiting in inbox/
      channelxl ingest exports/shipments-2026-10.csv
      channelxl ingest st.csv --distributor D004 --period 2026-10
    """
    from channelxl.commands.ingest import ingest as ingest_files

    bars = Bars(enabled=not no_progress)
    echo = bars.echo
    bar = bars.open(0, "file", "")  # opened for real once the files are counted

    def start(total: int) -> None:
        nonlocal bar
        bar = bars.open(total, "file", "Ingesting")

    def show(result):
        loud = result.status in ("refused", "held")  # on stderr, even with --quiet
        if not quiet or loud:
            echo(result.summary(), err=loud)
            found = result.issues[len(result.held) :]  # the hold notes are the sender's copy
            shown = [i for i in found if i.severity == "error"] if quiet else found
            for issue in shown[:10]:
                echo(f"    {issue}", err=loud)
            if len(shown) > 10:
                echo(f"    ... {len(shown) - 10} more (channelxl export submission_issues)")
        if result.status == "held":
            sid = result.submission_id
            echo(
                f"    decide: channelxl held accept {sid} (put it in force) or "
                f"channelxl held reject {sid} (keep the report in force)",
                err=True,
            )
        first = result.issues[0] if result.status == "refused" and result.issues else None
        if first and first.code == "COLUMN" and first.column in ("Distributor ID", "Period"):
            # the sender's message cannot name options; the analyst loading it can use them
            echo(
                "    or load it saying whose and which month it is: channelxl ingest FILE "
                "--distributor D001 --period 2026-10",
                err=True,
            )
        if result.moved_to and loud:
            echo(f"    moved to {result.moved_to}", err=True)
        if result.move_error:
            echo(f"    {result.move_error}", err=True)
        if result.feedback:
            echo(f"    feedback for the sender: {result.feedback}")
        if result.feedback_error:
            echo(f"    {result.feedback_error}", err=True)
        bar.update(f"{Path(result.path).name} {result.status}")

    ws = where.workspace()
    try:
        with ws.open_ledger() as led:
            run = ingest_files(
                led,
                list(files) or None,  # none named: every file waiting in the inbox
                inbox=ws.inbox,
                distributor=distributor,
                period=period,
                received_at=received_at,
                strict=strict,
                on_start=start,
                progress=show,
                feedback_dir=ws.outbox,
                vendor_feedback_dir=ws.vendor_feedback,
                feedback_workers="auto",  # in background processes for a long run
            )
    finally:
        bar.close()
    if run.results:
        click.echo(run.summary())
    else:
        click.echo(f"Nothing new to load in {ws.inbox}.")
    if run.waiting:
        click.echo(
            f"{len(run.waiting)} report(s) held, waiting for your decision: "
            "channelxl held (lists them), then channelxl held accept N or channelxl held reject N",
            err=True,
        )
    if run.refused:
        sys.exit(EXIT_REFUSED)
    if any(r.feedback_error for r in run.results):
        sys.exit(EXIT_UNANSWERED)
    if run.waiting:
        sys.exit(EXIT_HELD)

"""The ``channelxl`` commands: a thin layer over the library.

Every command parses its options, calls its one library call (``channelxl.commands``) and
prints the result's summary. Shared options and error handling: ``cli.options``.
"""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path

import click

from channelxl import __version__
from channelxl.cli.addin_command import addin
from channelxl.cli.approve_command import approve
from channelxl.cli.calc_command import calc
from channelxl.cli.empty_option import allow_empty_option
from channelxl.cli.ingest_command import ingest
from channelxl.cli.options import (
    DEMO,
    DEMO_FOLDER,
    EXIT_REFUSED,
    Progress,
    friendly,
    not_into_outbox,
    parse_formats,
    parse_month,
    quarter_options,
    resolve_quarter,
    workspace_options,
)
from channelxl.cli.received_command import received
from channelxl.reports.limits import DEFAULT_MAX_REVIEWS, DEFAULT_TIMEOUT
from channelxl.synth.sizes import DEFAULT_SEED, Sizes


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="channelxl")
def main():
    """channelxl: run distributor programs from the workbooks you already exchange.

    \b
    Start with:   channelxl demo            (a synthetic channel, end to end)
    Your own:     channelxl init myprogram  (then edit myprogram/program.xlsx)
    """


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@friendly
def init(directory: Path):
    """Create a working folder: program.xlsx, inbox/, outbox/, reports/ and the ledger.

    \b
    Example:
      channelxl init acme-channel
      cd acme-channel && channelxl check
    """
    from channelxl.workspace import PROGRAM
    from channelxl.workspace import init as make

    kept = (directory / PROGRAM).exists()  # a lost ledger: init keeps the analysts' workbook
    ws = make(directory)
    click.echo(f"Working folder ready: {ws.root}")
    said = (
        "kept as it was; load the received files again"
        if kept
        else "example rows: replace them with yours"
    )
    click.echo(f"  program workbook  {ws.program}  ({said})")
    click.echo(f"  ledger            {ws.ledger_path}")
    click.echo(f"  inbox / outbox / reports  {ws.inbox}, {ws.outbox}, {ws.reports}")


@main.command()
@workspace_options
@friendly
def check(where):
    """Validate the program workbook and list every problem with its sheet and cell.

    \b
    Example:
      channelxl check --program program.xlsx
    """
    from channelxl.commands.check import check_program_workbook

    run = check_program_workbook(where.program_path)
    for issue in run.issues:
        click.echo(f"  {issue}")
    click.echo(run.summary(), err=not run.valid)
    if not run.valid:
        sys.exit(EXIT_REFUSED)


@main.command()
@click.argument("action", type=click.Choice(["list", "accept", "reject"]), default="list")
@click.argument("submissions", nargs=-1, type=int)
@workspace_options
@friendly
def held(action, submissions, where):
    """List the reports held for your decision; accept or reject them by submission number.

    A report is held, instead of replacing the report in force for its distributor and
    month, when it has fewer than half its lines (an empty sheet included) or was
    received before it. Accepting puts it in force exactly as a normal load would;
    rejecting keeps the report in force and the file as history. Its file moves from
    inbox/held/ to inbox/processed/ or inbox/rejected/. Exit code 2 when a number is not
    a held report.

    \b
    Examples:
      channelxl held                 # what waits, and why
      channelxl held accept 14
      channelxl held reject 14 15
    """
    from channelxl.commands.held import accept_held, list_held, reject_held
    from channelxl.errors import ChannelxlError

    if action == "list" and submissions:
        raise ChannelxlError("to decide, say accept or reject: channelxl held accept 14")
    if action != "list" and not submissions:
        raise ChannelxlError(
            f"which report? give its submission number: channelxl held {action} 14"
        )
    ws = where.workspace()
    failed = False
    with ws.open_ledger() as led:
        if action == "list":
            click.echo(list_held(led).summary())
            return
        call = accept_held if action == "accept" else reject_held
        for sid in dict.fromkeys(submissions):
            try:
                click.echo(call(led, sid, inbox=ws.inbox).summary())
            except ChannelxlError as exc:  # the others are still decided
                click.echo(f"error: {exc}", err=True)
                failed = True
        left = len(list_held(led).files)
    if left:
        click.echo(f"{left} report(s) still held: channelxl held")
    if failed:
        sys.exit(EXIT_REFUSED)


@main.command()
@click.argument("table")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="FILE.csv or FILE.xlsx",
)
@click.option("--period", help="A month (2026-10) or a quarter (2026Q3).")
@click.option("--distributor", help="One distributor id.")
@workspace_options
@friendly
def export(table, out, period, distributor, where):
    """Write ledger data to CSV or xlsx: sell_through, shipments, inventory, submissions...

    \b
    Examples:
      channelxl export sell_through --period 2026Q3 --out st-2026Q3.xlsx
      channelxl export shipments --distributor D004 --out d004-shipments.csv
      channelxl export submission_issues --out issues.csv
    """
    from channelxl.commands.export import export_table

    ws = where.workspace()
    with ws.open_ledger() as led:
        run = export_table(
            led, table, out, period=period, distributor=distributor, outbox=ws.outbox
        )
    click.echo(run.summary())


@main.command()
@quarter_options("statement")
@allow_empty_option("statement")
@workspace_options
@friendly
def rebates(quarter, distributors, out_dir, allow_empty, where):
    """Evaluate the rebate programs for a quarter; write the statement workbook and CSV.

    Every amount is explained column by column: measure, tier, rate, tier rebate,
    scorecard payout, cap, gates (money withheld and why), inventory-loading hold (money
    held), amount (rounded once, half-up, to the cent), accruals at the expected payout
    and true-up, MDF. A quarter with no sell-through at all is refused (it names the last
    quarter that has data) unless --allow-empty.

    \b
    Examples:
      channelxl rebates --quarter 2026Q3
      channelxl rebates --quarter 2026Q3 --distributor D004 --out statements/
    """
    from channelxl.commands.statement import rebate_statement

    call = partial(rebate_statement, allow_empty=allow_empty)
    _quarterly(call, "statement", quarter, distributors, out_dir, where)


def _quarterly(call, what: str, quarter, distributors, out_dir, where) -> None:
    """A quarterly command: its one library call, its summary, the workbook and CSV written."""
    ws = where.workspace()
    not_into_outbox(ws, out_dir, distributors)
    with ws.open_ledger() as led:
        quarter = resolve_quarter(quarter, led)  # in the program's calendar
        run = call(
            led,
            quarter,
            out_dir or ws.quarter_folder(quarter),
            distributors=list(distributors) or None,
        )
    click.echo(run.summary())
    for label, path in ((what, run.xlsx), ("csv", run.csv)):
        click.echo(f"  {label:<{len(what) + 1}} {path}")


@main.command()
@quarter_options("workbook")
@allow_empty_option("workbook")
@workspace_options
@friendly
def reconcile(quarter, distributors, out_dir, allow_empty, where):
    """Reconcile sell-in, sell-through and inventory; write the exception workbook and CSV.

    Per distributor x SKU x month: opening, sell-in, returns, sell-through, expected and
    reported closing, variance and flags (VAR, NEG, MISSING, NOOPEN, DUP, NOSHIP, FLOOR,
    UNKSKU, UNKRES, UNAUTH), plus inventory-loading signals per distributor. A quarter with
    no sell-through at all is refused unless --allow-empty.

    \b
    Examples:
      channelxl reconcile --quarter 2026Q3
      channelxl reconcile --quarter 2026Q3 --distributor D004
    """
    from channelxl.commands.reconciliation import reconcile as reconcile_quarter

    call = partial(reconcile_quarter, allow_empty=allow_empty)
    _quarterly(call, "workbook", quarter, distributors, out_dir, where)


@main.command()
@quarter_options("workbook")
@allow_empty_option("workbook")
@workspace_options
@friendly
def territory(quarter, distributors, out_dir, allow_empty, where):
    """Check every sell-through line against the territories; list exclusive conflicts and
    free-riding resellers; write the exception workbook and CSV. A quarter with no
    sell-through at all is refused unless --allow-empty.

    \b
    Examples:
      channelxl territory --quarter 2026Q3
    """
    from channelxl.commands.territory_check import check_territory

    call = partial(check_territory, allow_empty=allow_empty)
    _quarterly(call, "workbook", quarter, distributors, out_dir, where)


@main.command()
@click.option(
    "--period", required=True, callback=parse_month, help="The month the report covers, YYYY-MM."
)
@click.option("--distributor", "distributors", multiple=True, help="Only these (repeatable).")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the templates (default: DIR/outbox).",
)
@workspace_options
@friendly
def template(period, distributors, out_dir, where):
    """Write each distributor's monthly report template (sell-through and inventory).

    One workbook per distributor, with instructions and the due date, drop-downs of its
    authorized resellers and the active SKUs, and the distributor and period stored in
    the file so a returned template says what it is.

    \b
    Examples:
      channelxl template --period 2026-10
      channelxl template --period 2026-10 --distributor D004 --distributor D007
    """
    from channelxl.commands.template import write_templates

    ws = where.workspace()
    with ws.open_ledger() as led:
        run = write_templates(
            led, period, out_dir or ws.outbox, distributors=list(distributors) or None
        )
    click.echo(run.summary())


@main.command()
@quarter_options("reports, notebooks, index.html and manifest.json")
@click.option(
    "--format",
    "formats",
    default="html",
    callback=parse_formats,
    show_default=True,
    help="html, pdf or html,pdf (the PDF is printed from the HTML).",
)
@click.option(
    "--jobs",
    type=click.IntRange(1),
    help="Reports made at once on this machine (default: one per CPU core).",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="Run on a Dask cluster instead (tcp://host:8786); its workers need channelxl "
    "and the --out folder.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Seconds one report may take.",
)
@click.option("--run-timeout", type=click.FloatRange(min=1), help="Seconds the whole run may take.")
@click.option("--resume", is_flag=True, help="Make only the reports missing or failed last time.")
@click.option(
    "--notebook",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Your own report notebook (default: channelxl's notebooks/qbr.ipynb).",
)
@click.option("--kernel", help="Jupyter kernel name (default: this Python).")
@click.option(
    "--kernel-reviews",
    type=click.IntRange(0),
    default=DEFAULT_MAX_REVIEWS,
    show_default=True,
    help="Reviews one kernel makes before a fresh one replaces it (it is put back between "
    "reviews); 0: a fresh kernel for every review.",
)
@allow_empty_option("reviews")
@workspace_options
@friendly
def qbr(
    quarter,
    distributors,
    out_dir,
    formats,
    jobs,
    scheduler,
    timeout,
    run_timeout,
    resume,
    notebook,
    kernel,
    kernel_reviews,
    allow_empty,
    where,
):
    """Make each distributor's quarterly business review (HTML, PDF) from the ledger.

    Reads the quarter's facts once for every distributor, then runs the report notebook
    once per distributor. A report that fails or runs out of time does not stop the others:
    it is listed with its error in index.html and manifest.json, its partly executed
    notebook kept, and the command exits 1. --resume then makes only those. A quarter with
    no sell-through at all is refused unless --allow-empty.

    \b
    Examples:
      channelxl qbr --quarter 2026Q3
      channelxl qbr --quarter 2026Q3 --format html,pdf --jobs 4
      channelxl qbr --quarter 2026Q3 --distributor D004 --distributor D007 --out review/
      channelxl qbr --quarter 2026Q3 --resume
      channelxl qbr --quarter 2026Q3 --scheduler tcp://10.0.0.5:8786
    """
    from channelxl.commands.qbr import quarterly_reviews
    from channelxl.reports.kernel import OWN_KERNEL

    ws = where.workspace()
    not_into_outbox(ws, out_dir, distributors)
    with ws.open_ledger() as led:  # the program's calendar says which months --quarter means
        quarter = resolve_quarter(quarter, led)
    progress = Progress()
    try:
        run = quarterly_reviews(
            ws.open_ledger,  # held only while the facts are read
            quarter,
            out_dir or ws.quarter_folder(quarter),
            distributors=list(distributors) or None,
            formats=formats,
            jobs=jobs,
            scheduler=scheduler,
            timeout=timeout,
            run_timeout=run_timeout,
            resume=resume,
            notebook=notebook,
            kernel=kernel or OWN_KERNEL,
            kernel_reviews=kernel_reviews,
            allow_empty=allow_empty,
            on_reading=lambda: click.echo(
                f"Reading {quarter} from the ledger for every distributor ..."
            ),
            on_start=progress.start,
            on_done=progress.update,
        )
    finally:
        progress.close()
    for note in run.notes:
        click.echo(f"note: {note}")
    click.echo(run.summary())
    for d in run.failed:
        r = run.reports[d]
        click.echo(f"  {d} {r['status']}: {r['error']}", err=True)
        if r.get("notebook"):
            click.echo(f"    notebook: {run.out_dir / r['notebook']}", err=True)
    click.echo(f"  index     {run.index}")
    click.echo(f"  manifest  {run.manifest}")
    if run.failed:
        click.echo("Fix the cause, then run again with --resume to make only those.", err=True)
        sys.exit(1)


@main.command()
@click.option("--markdown", is_flag=True, help="Print docs/FUNCTIONS.md instead.")
@friendly
def functions(markdown: bool):
    """List the Excel functions (CHX_...), their arguments and an example of each.

    \b
    Example:
      channelxl functions
    """
    import channelxl.excel  # noqa: F401  (registers every function)
    from channelxl.excel.registry import functions_markdown, functions_text

    click.echo(functions_markdown() if markdown else functions_text())


@main.command()
@click.option(
    "--dir",
    "root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(DEMO_FOLDER),
    show_default=True,
    help="Folder to build it in.",
)
@click.option(
    "--seed", type=int, default=DEFAULT_SEED, show_default=True, help="Same seed, same channel."
)
@click.option(
    "--distributors", type=click.IntRange(6), default=DEMO.distributors, show_default=True
)
@click.option("--resellers", type=click.IntRange(4), default=DEMO.resellers, show_default=True)
@click.option("--skus", type=click.IntRange(10), default=DEMO.skus, show_default=True)
@click.option("--months", type=click.IntRange(1, 120), default=DEMO.months, show_default=True)
@click.option(
    "--lines",
    type=click.IntRange(10),
    default=DEMO.lines,
    show_default=True,
    help="Sell-through lines over all months.",
)
@click.option(
    "--no-progress", is_flag=True, help="No progress bars (drawn only when stderr is a terminal)."
)
@friendly
def demo(root: Path, seed: int, distributors, resellers, skus, months, lines, no_progress):
    """Run the main job end to end on a synthetic channel and print where everything is.

    Generates a two-tier channel (by default 40 distributors, 2,000 resellers, 160 SKUs,
    8 quarters), writes it as real files (program workbook, ERP exports, monthly
    distributor reports and returned templates), ingests them into a fresh ledger, then
    makes the latest quarter's statement, exception workbooks and reviews.

    \b
    Example:
      channelxl demo --dir /tmp/channel --seed 42
    """
    from channelxl.cli.progress import Bars
    from channelxl.demo import run_demo

    if resellers < distributors:
        raise click.BadParameter(
            "needs at least one reseller per distributor", param_hint="--resellers"
        )
    sizes = Sizes(
        distributors=distributors, resellers=resellers, skus=skus, months=months, lines=lines
    )
    bars = Bars(enabled=not no_progress)
    run_demo(root, seed=seed, sizes=sizes, echo=bars.echo, bars=bars.open)


main.add_command(ingest)  # cli/ingest_command.py
main.add_command(received)  # cli/received_command.py
main.add_command(approve)  # cli/approve_command.py
main.add_command(addin)  # cli/addin_command.py
main.add_command(calc)  # cli/calc_command.py

if __name__ == "__main__":  # pragma: no cover
    main()

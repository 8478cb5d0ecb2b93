"""``channelxl demo``: the main job, end to end, on a synthetic channel."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from channelxl.commands.approve import approve_quarter
from channelxl.commands.export import export_table
from channelxl.commands.ingest import ingest
from channelxl.commands.qbr import quarterly_reviews
from channelxl.commands.reconciliation import reconcile
from channelxl.commands.statement import rebate_statement
from channelxl.commands.template import write_templates
from channelxl.commands.territory_check import check_territory
from channelxl.errors import WorkspaceError
from channelxl.schema import EXPORT_TABLES
from channelxl.synth import DEFAULT_SEED, Sizes, generate, write_channel
from channelxl.synth.corrections import late_correction
from channelxl.synth.returns import process_context, simulate_returns
from channelxl.workspace import init

MARKER = ".channelxl-demo"
WORKERS = 2  # processes filling the returned templates


def prepare_folder(root: Path) -> None:
    """An empty folder, or a previous demo's folder (which is cleared); nothing else."""
    if root.exists() and any(root.iterdir()):
        if not (root / MARKER).exists():
            raise WorkspaceError(
                f"{root} exists and is not a channelxl demo folder; choose an "
                "empty or new folder with --dir"
            )
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)
    (root / MARKER).write_text("made by channelxl demo; the demo clears this folder when rerun\n")


class _NoBar:
    """A step's progress where none is shown."""

    shown = False

    def update(self, text: str = "") -> None:
        pass

    def close(self) -> None:
        pass


def _no_bars(total: int, unit: str, desc: str) -> _NoBar:
    return _NoBar()


def make_channel(root: Path, seed: int, sizes: Sizes | None):
    """The demo's channel, written: its workspace (program, ledger) in ``root``, every month
    but the last as reports in the inbox (CSV; EDI from a few distributors:
    ``synth.edi_styles``), the last as templates sent to the outbox and returned filled
    (``synth.returns``). Returns (channel, workspace, files written, templates, returns,
    the fiscal year's first month)."""
    channel = generate(seed, sizes)
    ws = init(root, rows=channel.program, settings=channel.settings)
    last_month = channel.months[-1]
    # The reports (from the channel alone) are written by a second process while this one
    # writes the templates from the ledger; the templates are then filled by two processes.
    # The same files as one after another: nothing here draws from a shared random state.
    with ProcessPoolExecutor(1, mp_context=process_context()) as pool:
        writing = pool.submit(
            write_channel, channel, root, program=False, skip={str(last_month)}, edi=True
        )
        with ws.open_ledger() as ledger:
            templates = write_templates(ledger, last_month, ws.outbox).paths
            fiscal_start = ledger.settings().fiscal_year_start_month  # the program's quarters
        files = writing.result()
    returns = simulate_returns(channel, templates, ws.inbox, seed=seed, workers=WORKERS)
    return channel, ws, files, templates, returns, fiscal_start


def run_demo(
    root: Path,
    *,
    seed: int = DEFAULT_SEED,
    sizes: Sizes | None = None,
    echo: Callable[[str], None] = print,
    bars: Callable[[int, str, str], Any] | None = None,
) -> dict:
    """Generate a channel, send and receive its files, and run every command on it, in the
    order an analyst would: ingest, export, rebates, approve, a late correction, reconcile,
    territory, qbr. Each step's lines are printed as it ends, before the next begins.

    ``bars(total, unit, description)`` opens a progress bar for a long step (the ingest's
    files, the reviews), an object with ``update(text)``, ``close()`` and ``shown`` (False:
    none is drawn, and the reviews are counted in lines instead); ``echo`` must then print
    above it (``cli.progress.Bars``). Default: none.
    """
    bars = bars or _no_bars
    started = time.perf_counter()
    root = Path(root).resolve()
    prepare_folder(root)
    echo(f"Generating a synthetic channel (seed {seed}) ...")
    channel, ws, files, templates, returns, fiscal_start = make_channel(root, seed, sizes)
    last_month = channel.months[-1]

    n_files = 3 + len(files["reports"])
    echo(
        f"  {len(channel.program['distributors'])} distributors, "
        f"{len(channel.program['resellers']):,} resellers, {len(channel.program['products'])} SKUs, "
        f"{len(channel.months)} months; {n_files:,} files written to {ws.inbox}"
    )
    echo(
        f"  {len(templates)} templates for {last_month} sent to {ws.outbox}; "
        f"{len(returns['returned'])} came back, {len(returns['careless'])} with mistakes, "
        f"one corrected later"
    )
    echo("Ingesting the inbox ...")
    last = last_month.quarter_in(fiscal_start)
    out = ws.quarter_folder(last)
    with ws.open_ledger() as ledger:
        bar = _NoBar()

        def start(total: int) -> None:
            nonlocal bar
            bar = bars(total, "file", "Ingesting")

        try:
            received = ingest(
                ledger,
                inbox=ws.inbox,
                feedback_dir=ws.outbox,
                vendor_feedback_dir=ws.vendor_feedback,
                feedback_workers="auto",  # spawned: run as a program (__main__ guarded)
                on_start=start,
                progress=lambda r: bar.update(f"{Path(r.path).name} {r.status}"),
            )
        finally:
            bar.close()
        counts = {t: ledger.count(t) for t in (*(table.name for table in EXPORT_TABLES),)}
        _said_ingest(echo, received, counts, files, returns, ws.outbox)
        # Every distributor's lines and every sender's issues are for the vendor's analysts:
        # they go with the quarter's reports, never into outbox/, which is sent out.
        exported = export_table(
            ledger, "sell_through", out / f"sell_through_{last}.xlsx", period=str(last)
        )
        issues = export_table(ledger, "submission_issues", ws.reports / "ingest_issues.csv")
        echo(f"Evaluating rebate programs for {last} ...")
        statement = rebate_statement(ledger, last, out)
        echo(f"  {statement.summary().splitlines()[0]}")
        if statement.mdf:
            echo(f"  {statement.mdf.summary()}")
        # the quarter before is approved; then a distributor re-sends one of its months
        echo(f"Approving {last + -1} ...")
        approval = approve_quarter(
            ledger, last + -1, "demo analyst", out_dir=out.parent / str(last + -1)
        )
        echo(f"  {approval.summary().splitlines()[0]}")
        paid = next(  # a distributor whose reports are CSV files: its correction is one
            r
            for r in approval.results
            if r.status == "earned"
            and r.measure_name == "revenue"
            and r.distributor_id not in files["edi"]
        )
        month = (last + -1).months[1]
        late = late_correction(
            ws.inbox / "processed" / f"sellthrough_{paid.distributor_id}_{month}.csv", ws.inbox
        )
        echo(f"A late correction to {last + -1} comes in: {late.name} ...")
        corrected = ingest(ledger, inbox=ws.inbox, feedback_dir=ws.outbox)
        statement = rebate_statement(ledger, last, out)  # now with the prior-period adjustment
        echo(
            f"  {corrected.count('accepted')} accepted: "
            + "; ".join(
                f"{r['distributor_id']} {r['program_id']} {r['quarter_adjusted']}: approved "
                f"{r['approved_amount']:,.2f}, recomputed {r['recomputed_amount']:,.2f}, "
                f"difference {r['difference']:+,.2f} ({r['what_changed']})"
                for r in statement.tables.adjustments or []
            )
            + f"; carried as a prior-period adjustment in {last}'s statement"
        )
        echo(f"Reconciling and checking territories for {last} ...")
        recon_run = reconcile(ledger, last, out)
        terr_run = check_territory(ledger, last, out)
    recon, terr = recon_run.reconciliation, terr_run.check
    results = received.results
    echo(
        f"  reconciliation: {len(recon.flagged):,} flagged rows, {len(recon.lines):,} flagged lines, "
        f"loading inventory: {', '.join(recon.loaders) or 'none'}; territory: "
        f"{len(terr.exceptions):,} lines out of territory, {len(terr.conflicts)} exclusive "
        f"conflict(s), {len(terr.free_riders)} free-riding reseller(s)"
    )
    echo(f"Making the quarterly business reviews for {last} (one notebook per distributor) ...")
    review_bar = _NoBar()

    def review_start(total: int) -> None:
        nonlocal review_bar
        review_bar = bars(total, "review", "Reviews")

    def progress(result: dict, done: int, total: int) -> None:
        if result["status"] != "ok":
            echo(f"  {result['distributor_id']} {result['status']}: {result['error']}")
        if not review_bar.shown and (done % 10 == 0 or done == total):
            echo(f"  {done}/{total} reports")  # where no bar is shown (logs)
        review_bar.update(f"{result['distributor_id']} {result['status']}")

    try:
        qbr = quarterly_reviews(ws.open_ledger, last, out, on_start=review_start, on_done=progress)
    finally:
        review_bar.close()
    echo(
        f"  {qbr.count('ok')} of {len(qbr.reports)} reports made"
        + (f"; not made: {', '.join(qbr.failed)}" if qbr.failed else "")
    )
    planted = channel.planted
    echo("Planted for the checks to find (planted.json):")
    conflict = planted["exclusive_conflict"]
    echo(
        f"  exclusive-territory conflict {' and '.join(conflict['distributors'])} in "
        f"{conflict['country']} from {conflict['overlap_from']} to {conflict['overlap_to']} "
        "(a quarter's territory check counts it only if the quarter overlaps it); "
        "inventory loaders "
        f"{', '.join(planted['inventory_loaders'])}; {len(planted['out_of_territory'])} "
        f"out-of-territory lines; {len(planted['below_floor'])} below floor; "
        f"{len(planted['duplicate_lines'])} duplicate lines; late report "
        f"{planted['late_report']['distributor_id']} {planted['late_report']['period']}"
    )
    outputs = {
        "folder": root,
        "program workbook": ws.program,
        "ledger": ws.ledger_path,
        "received files": ws.inbox,
        f"sell-through {last}": exported.path,
        f"ingest issues ({issues.rows})": issues.path,
        f"rebate statement {last}": statement.xlsx,
        f"reconciliation {last}": recon_run.xlsx,
        f"territory check {last}": terr_run.xlsx,
        f"QBR index {last}": qbr.index,
        "planted anomalies": files["planted"],
    }
    echo("Outputs:")
    for label, path in outputs.items():
        echo(f"  {label:<26} {path}")
    echo(f"Done in {time.perf_counter() - started:.1f} s. Open the reviews: {qbr.index}")
    echo(
        f"Then try: cd {root} && channelxl qbr --quarter {last} --distributor "
        f"{sorted(qbr.reports)[0]} --format html,pdf"
    )
    return {
        "results": results,
        "counts": counts,
        "outputs": outputs,
        "channel": channel,
        "rows_exported": exported.rows,
        "issues": issues.rows,
        "qbr": qbr,
    }


def _said_ingest(echo, received, counts: dict, files: dict, returns: dict, outbox: Path) -> None:
    """What the ingest of the inbox did: files, lines, refusals, EDI, the careless returns."""
    results = received.results
    echo(
        f"  {received.count('accepted'):,} files accepted, {len(received.refused)} refused; "
        "ledger now holds "
        + ", ".join(f"{v:,} {k.replace('_', '-')}" for k, v in counts.items())
        + " lines"
    )
    for r in received.refused:
        echo(f"  {r.summary()}")
    if files["edi"]:
        senders = ", ".join(f"{d} ({style})" for d, style in sorted(files["edi"].items()))
        acks = sum(len(r.acks) for r in results)
        edi = sum(1 for r in results if r.kind == "edi")
        echo(f"  EDI from {senders}: {edi} files loaded, {acks} acknowledgements in {outbox}")
    for r in results:
        if Path(r.path).name in returns["careless"] or r.path == str(returns["resubmitted"]):
            echo(f"  {r.summary()}")
            if r.feedback:
                echo(f"    feedback for the distributor: {r.feedback}")

"""``channelxl approve``: freeze a quarter's statement in the ledger; ``--list`` shows what
is approved.

One library call each: :func:`approve_quarter` and :func:`list_approvals`. An approval
records the statement as computed now (its files byte for byte, every row of every table
with each Decimal as its exact text, each distributor-program's amount and steps, the
total), the submissions in force for each distributor's inputs, who, when (UTC), the
channelxl version and the program workbook's SHA-256; and the prior-period adjustments
this quarter carries, which are settled with it (``commands.approved``).

An approval is never withdrawn: a quarter approved has been paid on. A later change to its
inputs is settled by a prior-period adjustment in the next open quarter, with what changed
and why; approving the wrong quarter by mistake is corrected the same way (or, before
anything is paid, by an analyst restoring the ledger from its backup).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from channelxl.commands.statement import StatementRun, empty_quarter, rebate_statement
from channelxl.core.periods import Quarter
from channelxl.errors import ChannelxlError
from channelxl.io.approved_files import frozen_xlsx
from channelxl.io.atomic import write_atomically
from channelxl.ledger.adjustments import awaiting, result_steps
from channelxl.ledger.approvals import (
    Approval,
    ApprovalRecord,
    approval_of,
    approvals,
    held_reports,
    inputs_in_force,
    record_approval,
)
from channelxl.ledger.store import Ledger

ZERO = Decimal(0)


def channelxl_version() -> str:
    """The installed channelxl's version (recorded with an approval)."""
    try:
        return version("channelxl")
    except PackageNotFoundError:
        return "unknown"


@dataclass
class ApprovalRun:
    """A quarter approved: its record and the approved files written to the out folder."""

    approval: Approval
    files: list[Path]
    evaluations: int
    adjustments: int  # prior-period adjustment lines frozen with it
    results: list = field(default_factory=list)  # the evaluations frozen (RebateResult)
    held: list[str] = field(default_factory=list)  # undecided held reports of its months
    mdf_adjustments: list[dict] = field(default_factory=list)  # MDF lines frozen with it

    def summary(self) -> str:
        a = self.approval
        lines = [
            f"{a.quarter} {a.said()}: {self.evaluations} program evaluations frozen, total "
            f"{a.currency} {a.total:,.2f}"
            + (
                f"; {self.adjustments} prior-period adjustment line(s), {a.currency} "
                f"{a.adjustments:,.2f}, settled with it; total payable {a.currency} "
                f"{a.total_payable:,.2f}"
                if self.adjustments
                else ""
            )
            + "."
        ]
        if self.mdf_adjustments:
            net = sum((r["difference"] for r in self.mdf_adjustments), ZERO)
            lines.append(
                f"{len(self.mdf_adjustments)} prior-period MDF adjustment line(s), "
                f"{a.currency} {net:,.2f}, settled with it (in its MDF funds)."
            )
        if a.note:
            lines.append(f"Note: {a.note}")
        if self.held:
            lines.append(
                f"WARNING: approved without {len(self.held)} report(s) of its months held for "
                "your decision, undecided: " + "; ".join(self.held) + ". Decide them "
                "('channelxl held'); accepting one now is paid as a prior-period adjustment "
                "in the next open quarter."
            )
        lines.append(
            f"'channelxl rebates --quarter {a.quarter}' now writes this statement as approved; "
            "a later change to its inputs is carried as a prior-period adjustment by the next "
            "open quarter."
        )
        lines += [f"  {p}" for p in self.files]
        return "\n".join(lines)


@dataclass
class ApprovalList:
    approvals: list[Approval]

    def summary(self) -> str:
        if not self.approvals:
            return "No quarter is approved yet ('channelxl approve --quarter Q --by NAME')."
        lines = [f"{len(self.approvals)} approved quarter(s):"]
        for a in self.approvals:
            adjusted = (
                f"; adjustments {a.currency} {a.adjustments:,.2f}, payable "
                f"{a.currency} {a.total_payable:,.2f}"
                if a.adjustments
                else ""
            )
            note = f" ({a.note})" if a.note else ""
            lines.append(
                f"  {a.quarter}: {a.said()}{note}; total {a.currency} {a.total:,.2f}{adjusted}; "
                f"channelxl {a.version}, program {a.program_sha256[:12]}"
            )
        return "\n".join(lines)


def list_approvals(ledger: Ledger) -> ApprovalList:
    """Every approved quarter, oldest first."""
    return ApprovalList(approvals(ledger))


def refusal(ledger: Ledger, quarter: Quarter, by: str, today: date) -> str:
    """Why ``quarter`` may not be approved now; "" when it may."""
    if not by.strip():
        return "say who approves: --by NAME (it is recorded with the approval)."
    done = approval_of(ledger, str(quarter))
    if done is not None:
        return (
            f"{quarter} is already {done.said()}"
            + (f" ({done.note})" if done.note else "")
            + ". An approved statement never changes: a later correction of its data is "
            "carried as a prior-period adjustment in the next open quarter's statement. See "
            "'channelxl approve --list'."
        )
    if quarter.last_day >= today:
        last = quarter.months[-1]
        return (
            f"{quarter} has not ended: its last month, {last}, ends on "
            f"{quarter.last_day:%Y-%m-%d}. Approve it after that, once its reports are in."
        )
    # until its last month's reports are due, a report not in yet is not late: approving
    # would freeze it as missing, the on-time gate failed and the money withheld
    last = quarter.months[-1]
    due = last.report_due(ledger.settings().report_due_day)
    if due >= today:
        return (
            f"the reports for {last} are due until {due:%Y-%m-%d} (Report Due Day on the "
            "Settings sheet): a distributor whose report is not in yet is not late, and "
            "approving now would withhold its money as if it were. Approve it after "
            f"{due:%Y-%m-%d}."
        )
    empty = empty_quarter(ledger, quarter, None)
    if empty:
        return f"{empty} There is nothing to approve."
    return ""


def approve_quarter(
    ledger: Ledger,
    quarter: Quarter,
    by: str,
    *,
    note: str = "",
    out_dir: str | os.PathLike | None = None,
    now: datetime | None = None,
) -> ApprovalRun:
    """Approve ``quarter``: evaluate and write its statement as ``channelxl rebates`` would,
    with the workbook's times set to the approval time (UTC, to the second), and record it
    all in the ledger in one transaction (``ledger.approvals.record_approval``). The
    approved files are also written into ``out_dir`` when given."""
    now = (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None, microsecond=0)
    why = refusal(ledger, quarter, by, now.date())
    if why:
        raise ChannelxlError(f"cannot approve {quarter}: {why}")
    pending = awaiting(ledger, quarter)
    with tempfile.TemporaryDirectory(prefix="channelxl-approve-") as tmp:
        run = rebate_statement(ledger, quarter, tmp)
        files = {}
        for path in sorted(Path(tmp).iterdir()):
            data = path.read_bytes()
            files[path.name] = frozen_xlsx(data, now) if path.suffix == ".xlsx" else data
    if not isinstance(run, StatementRun) or run.tables is None:  # approved meanwhile
        raise ChannelxlError(f"cannot approve {quarter}: it was approved meanwhile.")
    record = _record(ledger, quarter, by, note, now, run, files, pending)
    record_approval(ledger, record)
    written = []
    if out_dir is not None:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        written = [write_atomically(out / name, data) for name, data in files.items()]
    carried = run.tables.adjustments or []
    return ApprovalRun(
        approval_of(ledger, str(quarter)),
        written,
        len(run.results),
        len(carried),
        run.results,
        held_reports(ledger, quarter),
        (run.tables.mdf.adjustments or []) if run.tables.mdf is not None else [],
    )


def _record(ledger, quarter, by, note, now, run: StatementRun, files, pending) -> ApprovalRecord:
    tables = run.tables
    rows = {
        "statement": tables.rows,
        "summary": tables.summary,
        "accruals": tables.accruals,
        "adjustments": tables.adjustments or [],
    }
    if tables.mdf is not None:  # the MDF sheets: every list of rows it holds
        for name, value in vars(tables.mdf).items():
            if isinstance(value, list):
                rows[f"mdf.{name}"] = value
    inputs = {str(quarter): inputs_in_force(ledger, quarter)}
    made = []
    mdf_adjusted = (tables.mdf.adjustments or []) if tables.mdf is not None else []
    if tables.adjustments or mdf_adjusted:
        # the adjusted quarters' inputs now: what the next adjustment of them starts from
        # (a rebate or an MDF adjustment settles the distributor's inputs alike)
        adjusted = {
            (r["quarter_adjusted"], r["distributor_id"])
            for r in [*(tables.adjustments or []), *mdf_adjusted]
        }
        for a, q in pending:
            now_in = inputs_in_force(ledger, q)
            inputs[a.quarter] = {
                d: pairs for d, pairs in now_in.items() if (a.quarter, d) in adjusted or d == "*"
            }
        made = [
            (
                r["quarter_adjusted"],
                r["distributor_id"],
                r["program_id"],
                r["recomputed_amount"],
                r["difference"],
                r.get("steps", {}),
            )
            for r in tables.adjustments or []
        ]
    adjusted_total = tables.totals.get("prior_period_adjustments", ZERO)
    return ApprovalRecord(
        quarter=quarter,
        approved_by=by.strip(),
        approved_at=now,
        note=note.strip(),
        version=channelxl_version(),
        program_sha256=ledger.meta("program_sha256") or "",
        currency=run.currency,
        total=run.total,
        adjustments=adjusted_total,
        total_payable=run.total + adjusted_total,
        results=[
            (r.distributor_id, r.program_id, r.amount, r.status, result_steps(r))
            for r in run.results
        ],
        rows=rows,
        inputs=inputs,
        adjustments_made=made,
        files=files,
    )

"""Approved quarters in the statement: an approved quarter's files as approved, and the
prior-period adjustments an open quarter carries.

- :func:`approved_rerun`: ``channelxl rebates`` for an approved quarter writes its approved
  files from the ledger, byte for byte, and says what would differ today.
- :func:`carry_adjustments`: an open quarter Q carries the adjustments of each approved
  quarter P whose first quarter after it that is not approved is Q. For each distributor-
  program of P: Difference = P evaluated on today's ledger (its Amount, rounded once) -
  settled (the approved amount + adjustments already frozen in later approvals); a line
  for each non-zero difference. When Q is approved the lines are frozen with it
  (``ledger.approvals``), so the next open quarter carries only what changes after that.
- The same for the MDF accrued of each approved quarter (:class:`MdfDifference`): Difference
  = MDF accrued evaluated today - settled (approved + MDF adjustments frozen since); the
  lines go on the statement's MDF Adjustments sheet and into the fund of the quarter
  carrying them (``ledger.mdf``), never into the approved quarter's.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from channelxl.core.periods import Quarter
from channelxl.errors import ChannelxlError
from channelxl.io.atomic import write_atomically
from channelxl.ledger.adjustments import (
    ZERO,
    Difference,
    MdfDifference,
    awaiting,
    differences,
    next_open,
)
from channelxl.ledger.approvals import Approval, approval_of, approved_files
from channelxl.ledger.store import Ledger

CENTS = Decimal("0.00")  # a fund without adjustment shows 0.00, as its other amounts
LISTED = 6  # submissions named in a line before "and N more"


def _listed(items: list[str]) -> str:
    more = len(items) - LISTED
    return "; ".join(items[:LISTED]) + (f"; and {more} more" if more > 0 else "")


@dataclass
class Carried:
    """The adjustments an open quarter carries, as rows and as what an approval freezes."""

    rows: list[dict]
    lines: list[Difference]
    inputs: dict[str, dict[str, set]]  # adjusted quarter -> distributor -> inputs now
    mdf_lines: list[MdfDifference] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((x.difference for x in self.lines), ZERO)


def carry_adjustments(
    ledger: Ledger, quarter: Quarter, tables, names: dict[str, str], distributors=None
) -> Carried | None:
    """Add the prior-period adjustments ``quarter`` carries to the statement ``tables``
    (``io.statement_workbook.StatementTables``): the lines, and on the summary each
    distributor's Prior-Period Adjustments and Total Payable = Amount + adjustments (and
    their totals). None (no adjustments sheet) when no approved quarter awaits this one."""
    pending = awaiting(ledger, quarter)
    mdf_lines: list[MdfDifference] = []
    lines, inputs = differences(ledger, pending, distributors, mdf=mdf_lines)
    currency = tables.currency or ledger.settings().reporting_currency
    carry_mdf_adjustments(tables.mdf, mdf_lines, names, currency, bool(pending))
    rows = [
        {
            "distributor_id": x.distributor_id,
            "distributor": names.get(x.distributor_id, ""),
            "program_id": x.program_id,
            "program": x.program,
            "quarter_adjusted": x.approval.quarter,
            "approved": x.approval.said(),
            "currency": currency,
            "approved_amount": x.approved_amount,
            "earlier_adjustments": x.earlier_adjustments,
            "recomputed_amount": x.recomputed_amount,
            "difference": x.difference,
            "what_changed": x.what_changed,
            "new_submissions": _listed(x.new),
            "replaced_submissions": _listed(x.replaced),
            "steps": x.steps,  # not a column: what an approval freezes as settled
        }
        for x in lines
    ]
    by_distributor: dict[str, Decimal] = {}
    for x in lines:
        by_distributor[x.distributor_id] = by_distributor.get(x.distributor_id, ZERO) + x.difference
    seen = set()
    for s in tables.summary:
        d = s["distributor_id"]
        seen.add(d)
        s["prior_period_adjustments"] = by_distributor.get(d, ZERO)
        s["total_payable"] = s["amount"] + s["prior_period_adjustments"]
    for d in sorted(set(by_distributor) - seen):  # adjusted, with nothing this quarter
        tables.summary.append(
            {
                "distributor_id": d,
                "distributor": names.get(d, ""),
                "programs": 0,
                "amount": ZERO,
                "prior_period_adjustments": by_distributor[d],
                "total_payable": by_distributor[d],
            }
        )
    adjusted = sum(by_distributor.values(), ZERO)
    tables.totals["prior_period_adjustments"] = adjusted
    tables.totals["total_payable"] = tables.total + adjusted
    if not pending:
        return None
    tables.adjustments = rows
    return Carried(rows, lines, inputs, mdf_lines)


def mdf_adjustment_row(x: MdfDifference, names: dict[str, str], currency: str) -> dict:
    """A line of the MDF Adjustments sheet (``schema.outputs.MDF_ADJUSTMENTS``)."""
    return {
        "distributor_id": x.distributor_id,
        "distributor": names.get(x.distributor_id, ""),
        "program_id": x.program_id,
        "program": x.program,
        "quarter_adjusted": x.approval.quarter,
        "approved": x.approval.said(),
        "currency": currency,
        "approved_mdf": x.approved_amount,
        "earlier_adjustments": x.earlier_adjustments,
        "recomputed_mdf": x.recomputed_amount,
        "difference": x.difference,
        "what_changed": x.what_changed,
        "new_submissions": _listed(x.new),
        "replaced_submissions": _listed(x.replaced),
        "revenue": x.revenue,  # not a column: what an approval freezes as settled
    }


def carry_mdf_adjustments(
    mdf, lines: list[MdfDifference], names: dict[str, str], currency: str, awaited: bool
) -> None:
    """Put the MDF adjustments an open quarter carries on its MDF sheets
    (``io.mdf_workbook.MdfTables``): the lines, and each fund's Prior-Period Adjustments
    (the sum of its lines; they are in its Accrued and Remaining already, ``ledger.mdf``).
    No lines sheet when no approved quarter awaits this one (``awaited`` False)."""
    if mdf is None:
        return
    by_distributor: dict[str, Decimal] = {}
    for x in lines:
        by_distributor[x.distributor_id] = by_distributor.get(x.distributor_id, ZERO) + x.difference
    for f in mdf.funds:
        f["prior_period_adjustments"] = by_distributor.get(f["distributor_id"], CENTS)
    if awaited:
        mdf.adjustments = [mdf_adjustment_row(x, names, currency) for x in lines]


@dataclass
class ApprovedRun:
    """``channelxl rebates`` for an approved quarter: its files as approved, and what the
    ledger would give today (the differences the next open quarter carries)."""

    quarter: str
    currency: str
    approval: Approval
    files: list[Path]
    xlsx: Path
    csv: Path
    differences: list[Difference]
    carried_in: str  # the open quarter that carries the differences
    results: list = field(default_factory=list)  # none evaluated: the statement is frozen
    mdf_differences: list[MdfDifference] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return self.approval.total

    def count(self, status: str) -> int:
        return 0

    def _differ(self, lines: list, verb: str) -> str:
        """``2 distributor-program(s) would differ today (net EUR -1.00: D001 P-ST -2.00, ...)``"""
        net = sum((x.difference for x in lines), ZERO)
        where = ", ".join(
            f"{x.distributor_id} {x.program_id} {x.difference:+,.2f}" for x in lines[:5]
        )
        more = len(lines) - 5
        return (
            f"{len(lines)} distributor-program(s) {verb} today (net {self.currency} {net:+,.2f}: "
            + where
            + (f", and {more} more" if more > 0 else "")
            + ")"
        )

    def summary(self) -> str:
        a = self.approval
        lines = [
            f"{self.quarter}: {a.said()}; figures frozen. The files written are the approved "
            f"statement, byte for byte: total {self.currency} {a.total:,.2f}"
            + (
                f", prior-period adjustments {self.currency} {a.adjustments:,.2f}, total "
                f"payable {self.currency} {a.total_payable:,.2f}"
                if a.adjustments
                else ""
            )
            + "."
        ]
        if not self.differences and not self.mdf_differences:
            lines.append("The ledger's inputs today give the same amounts.")
            return "\n".join(lines)
        if self.differences:
            lines.append(
                f"Inputs have changed since: {self._differ(self.differences, 'would differ')}. "
                f"They are carried as prior-period adjustments in {self.carried_in}'s "
                f"statement ('channelxl rebates --quarter {self.carried_in}'); this one stays "
                "as approved."
            )
        if self.mdf_differences:
            lines.append(
                f"MDF accrued: {self._differ(self.mdf_differences, 'would accrue differently')}."
                f" Carried as MDF prior-period adjustments in {self.carried_in}'s statement "
                "(sheet MDF Adjustments); this quarter's MDF stays as approved."
            )
        return "\n".join(lines)


def approved_rerun(
    ledger: Ledger, quarter: Quarter, out_dir: str | os.PathLike, *, distributors=None
) -> ApprovedRun | None:
    """For an approved ``quarter``: write its approved files into ``out_dir`` as they were
    approved and say what differs today; None when ``quarter`` is not approved."""
    a = approval_of(ledger, str(quarter))
    if a is None:
        return None
    if distributors:
        raise ChannelxlError(
            f"{quarter} is {a.said()}: its statement is frozen and covers every distributor. "
            f"Run 'channelxl rebates --quarter {quarter}' without --distributor to write it; "
            "each distributor has its own sheet in it."
        )
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = approved_files(ledger, a.approval_id)
    written = [write_atomically(out / name, content) for name, content, _ in files]
    by_name = {p.name: p for p in written}
    mdf_lines: list[MdfDifference] = []
    lines, _ = differences(ledger, [(a, quarter)], mdf=mdf_lines)
    return ApprovedRun(
        str(quarter),
        a.currency,
        a,
        written,
        by_name.get(f"rebates_{quarter}.xlsx", out / f"rebates_{quarter}.xlsx"),
        by_name.get(f"rebates_{quarter}.csv", out / f"rebates_{quarter}.csv"),
        lines,
        str(next_open(ledger, quarter)),
        mdf_differences=mdf_lines,
    )

"""``channelxl rebates``: evaluate every rebate program for a quarter and write the statement.

One library call, :func:`rebate_statement`; the rows of the statement are made here from
the engine's results (``statement_tables``) and written by ``io.statement_workbook``.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from channelxl.commands.approved import approved_rerun, carry_adjustments
from channelxl.commands.empty_quarter import (  # noqa: F401 (empty_quarter: approve)
    REBATES,
    check_quarter_has_data,
    empty_quarter,
    waiting_adjustments,
)
from channelxl.core.money import money_arithmetic
from channelxl.core.periods import Quarter
from channelxl.core.rebates import RebateResult
from channelxl.excel import chx_program
from channelxl.io.recompute_sheet import RecomputeCells
from channelxl.io.statement_workbook import StatementTables, write_statement
from channelxl.ledger.figures import QuarterFigures
from channelxl.ledger.mdf import MdfFund, mdf_fund
from channelxl.ledger.program_cells import arguments, statement_cells
from channelxl.ledger.programs import evaluate_quarter
from channelxl.ledger.store import Ledger

ZERO = Decimal(0)


@dataclass
class StatementRun:
    """A quarter's rebate statement: every evaluation, the files written, the total paid."""

    quarter: str
    currency: str
    results: list[RebateResult]
    xlsx: Path
    csv: Path
    total: Decimal
    mdf: MdfFund | None = None  # the MDF funds and claims (ledger.mdf), on sheet MDF
    warning: str = ""  # an empty quarter written because it was asked for (allow_empty)
    tables: StatementTables | None = None  # what was written (an approval freezes it)

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    def summary(self) -> str:
        """Counts by status, and the money paid, withheld and held, in one line (then the
        MDF funds, then any warning)."""
        withheld = sum((r.withheld_amount for r in self.results), ZERO)
        held = sum((r.held_amount for r in self.results), ZERO)
        lines = [
            f"{self.quarter}: {len(self.results)} program evaluations for "
            f"{len({r.distributor_id for r in self.results})} distributors; total "
            f"{self.currency} {self.total:,.2f}; {self.count('held')} held "
            f"({self.currency} {held:,.2f}), {self.count('withheld')} withheld "
            f"({self.currency} {withheld:,.2f}), {self.count('capped')} capped, "
            f"{self.count('no payout')} no payout, {self.count('no baseline')} without baseline."
        ]
        if self.mdf:
            lines.append(self.mdf.summary())
        if self.tables is not None and self.tables.adjustments is not None:
            adjusted = self.tables.totals.get("prior_period_adjustments", ZERO)
            lines.append(
                f"Prior-period adjustments: {len(self.tables.adjustments)} line(s), "
                f"{self.currency} {adjusted:,.2f}; total payable {self.currency} "
                f"{self.total + adjusted:,.2f}."
            )
        mdf_lines = self.tables.mdf.adjustments if self.tables and self.tables.mdf else None
        if mdf_lines:  # approved quarters' MDF changed since (commands.approved)
            net = sum((r["difference"] for r in mdf_lines), ZERO)
            lines.append(
                f"Prior-period MDF adjustments: {len(mdf_lines)} line(s), {self.currency} "
                f"{net:,.2f}, in the MDF funds (sheet MDF Adjustments)."
            )
        if self.warning:
            lines.append(self.warning)
        return "\n".join(lines)


def rebate_statement(
    ledger: Ledger,
    quarter: Quarter,
    out_dir: str | os.PathLike,
    *,
    distributors: list[str] | None = None,
    allow_empty: bool = False,
) -> StatementRun:
    """Evaluate ``quarter`` and write the statement workbook and CSV into ``out_dir``.

    A quarter without any sell-through (for ``distributors``, or anyone) is refused unless
    ``allow_empty``: its statement would withhold or pay nothing for want of data, not for
    anything a distributor did. Allowed, the run carries the same words as a warning.
    """
    if distributors:
        ledger.distributors(distributors)  # refuses unknown ids first
    approved = approved_rerun(ledger, quarter, out_dir, distributors=distributors)
    if approved is not None:  # frozen: its files as approved (commands.approved)
        return approved
    warning = check_quarter_has_data(  # refused when empty, naming adjustments waiting
        ledger,
        quarter,
        distributors,
        REBATES,
        allow_empty=allow_empty,
        waiting=lambda: waiting_adjustments(ledger, quarter, distributors),
    )
    results, figures = evaluate_quarter(ledger, quarter, distributors=distributors)
    names = dict(ledger.con.execute("SELECT distributor_id, name FROM distributors").fetchall())
    tables = statement_tables(results, figures, names, calendar=quarter.calendar)
    fund = mdf_fund(ledger, quarter, distributors=distributors)
    tables.mdf = fund.tables(names)
    carry_adjustments(ledger, quarter, tables, names, distributors)  # approved quarters
    tables.recompute = recompute_cells(ledger, results, figures)
    xlsx, csv_path = write_statement(tables, out_dir, str(quarter))
    currency = ledger.settings().reporting_currency
    return StatementRun(
        quarter=str(quarter),
        currency=currency,
        results=results,
        xlsx=xlsx,
        csv=csv_path,
        total=tables.total,
        mdf=fund,
        tables=tables,
        warning=warning,
    )


def recompute_cells(
    ledger: Ledger, results: list[RebateResult], figures: dict[str, QuarterFigures]
) -> RecomputeCells:
    """Each statement line's cells (``ledger.program_cells``) and what CHX_PROGRAM computes
    from them: the Recompute sheet's inputs and the values its formula cells show."""
    blocks = statement_cells(ledger, figures, [(r.distributor_id, r.program_id) for r in results])
    values = {
        (line.distributor_id, program.program_id): chx_program(*arguments(program, line))
        for program, lines in blocks
        for line in lines
    }
    return RecomputeCells(blocks, values)


def _gates(r: RebateResult) -> str:
    return "; ".join(f"{g.name}: {g.value} (needs {g.required}) {g.verdict}" for g in r.gates)


def rate_unit(r: RebateResult, currency: str) -> str:
    """What the Rate column's number is: a share of the basis, or money per unit."""
    return f"{currency} per unit" if r.measure_name == "units" else "% of basis"


@money_arithmetic  # the totals are sums of cents: exact in 34 digits below 10**32
def statement_tables(
    results: list[RebateResult],
    figures: dict[str, QuarterFigures],
    names: dict[str, str],
    *,
    calendar: str = "",
) -> StatementTables:
    """The statement's rows (``schema.outputs``) from the results and the figures behind them.

    Each row is a plain, complete description of one result: every step's amount, the
    reason for any money withheld or held, and how the accruals were made.
    """
    rows = []
    for r in results:
        f = figures[r.distributor_id]
        rows.append(
            {
                "distributor_id": r.distributor_id,
                "distributor": names.get(r.distributor_id, ""),
                "program_id": r.program_id,
                "program": r.program_name,
                "quarter": r.quarter,
                "currency": f.currency,
                "measure": r.measure_name,
                "measure_value": r.measure,
                "method": r.method,
                "tier": r.tier,
                "tier_label": r.tier_label,
                "rate": r.rate,
                "rate_unit": rate_unit(r, f.currency),
                "basis": r.base,
                "tier_rebate": r.base_amount,
                "score": r.score,
                "payout": r.payout,
                "after_scorecard": r.after_scorecard,
                "capped": "Y" if r.cap_applied else "N",
                "cap_reduction": r.capped_amount,
                "gates": _gates(r),
                "waivers": "; ".join(f"{g.name}: {g.waiver}" for g in r.gates if g.waiver),
                "withheld_amount": r.withheld_amount,
                "withheld_reason": r.withheld_reason,
                "hold": r.hold_reason if r.held else "",
                "held_amount": r.held_amount,
                "amount": r.amount,
                "status": r.status,
                "next_tier_gap": r.next_tier_gap,
                "mdf_accrued": r.mdf_accrued,
                "accrued": r.accrued,
                "accrued_held": r.accrued_held,
                "true_up": r.true_up,
                "held_true_up": r.held_true_up,
                "accrual_basis": r.accrual_basis,
                "notes": "; ".join(r.notes),
            }
        )
    by_distributor = defaultdict(list)
    for r in results:
        by_distributor[r.distributor_id].append(r)
    summary = []
    for d, rs in by_distributor.items():
        f = figures[d]
        summary.append(
            {
                "distributor_id": d,
                "distributor": names.get(d, ""),
                "type": f.distributor_type,
                "sell_through_revenue": f.revenue,
                "programs": len(rs),
                **{k: sum((getattr(r, attr) for r in rs), ZERO) for k, attr in SUMMED.items()},
                "statuses": ", ".join(f"{r.program_id} {r.status}" for r in rs),
            }
        )
    accruals = []
    for r in results:
        months = [str(m) for m in r.quarter.months]
        for a in r.accruals:
            accruals.append(
                {
                    "distributor_id": r.distributor_id,
                    "program_id": r.program_id,
                    "month": months[a.month - 1],
                    "to_date": a.to_date,
                    "forecast": a.forecast,
                    "forecast_tier_rebate": a.tier_rebate,
                    "payout_to_date": a.payout,
                    "expected": a.expected,
                    "expected_held": a.expected_held,
                    "rate_booked": a.rate,
                    "booked": a.booked,
                    "accrued_to_date": a.cumulative,
                    "held_booked": a.held_booked,
                    "held_to_date": a.held_cumulative,
                    "basis": a.basis,
                }
            )
        accruals.append(
            {
                "distributor_id": r.distributor_id,
                "program_id": r.program_id,
                "month": "true-up",
                "accrued_to_date": r.amount,
                "booked": r.true_up,
                "held_booked": r.held_true_up,
                "held_to_date": r.held_amount,
                "basis": f"at quarter end: {r.status}",
            }
        )
    total = sum((s["amount"] for s in summary), ZERO)
    totals = {k: sum((s[k] for s in summary), ZERO) for k in ("sell_through_revenue", *SUMMED)}
    currency = next(iter(figures.values())).currency if figures else ""
    return StatementTables(
        rows, summary, accruals, total, totals=totals, currency=currency, calendar=calendar
    )


# Summary columns that add up a distributor's programs: column field -> result attribute
SUMMED = {
    "amount": "amount",
    "withheld_amount": "withheld_amount",
    "held_amount": "held_amount",
    "mdf_accrued": "mdf_accrued",
    "accrued": "accrued",
    "true_up": "true_up",
}

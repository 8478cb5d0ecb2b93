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

from channelxl.core.money import money_arithmetic
from channelxl.core.periods import Quarter
from channelxl.core.rebates import RebateResult
from channelxl.io.statement_workbook import StatementTables, write_statement
from channelxl.ledger.figures import QuarterFigures
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

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    def summary(self) -> str:
        return (
            f"{self.quarter}: {len(self.results)} program evaluations for "
            f"{len({r.distributor_id for r in self.results})} distributors; total "
            f"{self.currency} {self.total:,.2f}; {self.count('held')} held, "
            f"{self.count('withheld')} withheld, {self.count('capped')} capped, "
            f"{self.count('no baseline')} without baseline."
        )


def rebate_statement(
    ledger: Ledger,
    quarter: Quarter,
    out_dir: str | os.PathLike,
    *,
    distributors: list[str] | None = None,
) -> StatementRun:
    """Evaluate ``quarter`` and write the statement workbook and CSV into ``out_dir``."""
    results, figures = evaluate_quarter(ledger, quarter, distributors=distributors)
    names = dict(ledger.con.execute("SELECT distributor_id, name FROM distributors").fetchall())
    tables = statement_tables(results, figures, names)
    xlsx, csv_path = write_statement(tables, out_dir, str(quarter))
    currency = ledger.settings().reporting_currency
    return StatementRun(
        quarter=str(quarter),
        currency=currency,
        results=results,
        xlsx=xlsx,
        csv=csv_path,
        total=tables.total,
    )


def _gates(r: RebateResult) -> str:
    return "; ".join(
        f"{g.name}: {g.value} (needs {g.required}) {'pass' if g.passed else 'FAIL'}"
        for g in r.gates
    )


@money_arithmetic  # the totals are sums of cents: exact in 34 digits below 10**32
def statement_tables(
    results: list[RebateResult], figures: dict[str, QuarterFigures], names: dict[str, str]
) -> StatementTables:
    """The statement's rows (``schema.outputs``) from the results and the figures behind them."""
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
                "basis": r.base,
                "tier_rebate": r.base_amount,
                "score": r.score,
                "payout": r.payout,
                "gates": _gates(r),
                "hold": r.hold_reason if r.held else "",
                "held_amount": r.held_amount,
                "capped": "Y" if r.cap_applied else "N",
                "amount": r.amount,
                "next_tier_gap": r.next_tier_gap,
                "mdf_accrued": r.mdf_accrued,
                "accrued": r.accruals[-1].cumulative if r.accruals else ZERO,
                "true_up": r.true_up,
                "status": r.status,
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
                "amount": sum((r.amount for r in rs), ZERO),
                "held_amount": sum((r.held_amount for r in rs), ZERO),
                "mdf_accrued": sum((r.mdf_accrued for r in rs), ZERO),
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
                    "accrued_to_date": a.cumulative,
                    "booked": a.booked,
                }
            )
        accruals.append(
            {
                "distributor_id": r.distributor_id,
                "program_id": r.program_id,
                "month": "true-up",
                "accrued_to_date": r.amount,
                "booked": r.true_up,
            }
        )
    total = sum((s["amount"] for s in summary), ZERO)
    return StatementTables(rows, summary, accruals, total)

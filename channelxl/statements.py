"""Rebate statements: a workbook (summary, one sheet per distributor, accruals, how to read
it) and a CSV, with every step of every amount in its own column.

The statement's columns are declared once here; the workbook sheets and the CSV both
come from that declaration.
"""

from __future__ import annotations

import os
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook

from channelxl.core.rebates import RebateResult
from channelxl.facts import QuarterFacts
from channelxl.io.csvfile import write_csv
from channelxl.io.workbook import save_atomically, write_table_sheet, write_text_sheet, write_value
from channelxl.schema import Column, Table

C = Column
MONEY = "#,##0.00"

STATEMENT = Table(
    "rebate_statement",
    "Statement",
    "One row per distributor and program.",
    (
        C("Distributor ID", "id", "Distributor."),
        C("Distributor", "text", "Distributor name."),
        C("Program ID", "id", "Program."),
        C("Program", "text", "Program name."),
        C("Quarter", "quarter", "Quarter evaluated."),
        C("Currency", "currency", "Reporting currency of every amount."),
        C("Measure", "text", "revenue (sell-through, reporting currency), units or growth."),
        C(
            "Measure Value",
            "decimal",
            "The measure: revenue, units, or growth as a fraction.",
            format="#,##0.00####",
        ),
        C(
            "Method",
            "text",
            "retroactive: the rate reached x the whole basis; incremental: each "
            "band's rate x the part inside it.",
        ),
        C("Tier", "int", "Tier reached, 1 for the first row of the tier table; blank below it."),
        C("Tier Label", "text", "Its label."),
        C("Rate", "decimal", "Rate of the tier reached (fraction, or amount per unit).", scale=6),
        C(
            "Basis",
            "decimal",
            "What the rate applies to: revenue, units, or the growth increment.",
            format=MONEY,
        ),
        C(
            "Tier Rebate",
            "decimal",
            "Tier table applied to the basis, before the steps below.",
            format=MONEY,
        ),
        C(
            "Score",
            "decimal",
            "Scorecard score (sum of weight x capped attainment).",
            format="0.0%",
        ),
        C("Payout", "decimal", "Share of the tier rebate the score earns.", format="0%"),
        C("Gates", "text", "Each gate: value, requirement, pass or FAIL.", width=40),
        C("Hold", "text", "Inventory-loading hold and its reason.", width=30),
        C("Held Amount", "decimal", "Amount held back for inventory loading.", format=MONEY),
        C("Capped", "bool", "Y when the quarterly cap applied."),
        C(
            "Amount",
            "decimal",
            "Paid: after scorecard, gates, hold and cap; rounded once, half-up, to the cent.",
            format=MONEY,
        ),
        C(
            "Next Tier Gap",
            "decimal",
            "Measure still needed to reach the next tier.",
            format="#,##0.00####",
        ),
        C(
            "MDF Accrued",
            "decimal",
            "Market development funds: MDF rate x sell-through revenue.",
            format=MONEY,
        ),
        C("Accrued", "decimal", "Accrued over the quarter at the forecast tier.", format=MONEY),
        C("True-Up", "decimal", "Amount - Accrued: booked at quarter end.", format=MONEY),
        C("Status", "text", "earned, capped, held, withheld or no baseline."),
        C("Notes", "text", "Anything a person checking the figure should know.", width=60),
    ),
)

SUMMARY = Table(
    "rebate_summary",
    "Summary",
    "One row per distributor.",
    (
        C("Distributor ID", "id", "Distributor."),
        C("Distributor", "text", "Distributor name."),
        C("Type", "text", "Distributor type."),
        C(
            "Sell-Through Revenue",
            "decimal",
            "Quarter sell-through, reporting currency.",
            format=MONEY,
        ),
        C("Programs", "int", "Programs that apply."),
        C("Amount", "decimal", "Sum of the amounts paid.", format=MONEY),
        C("Held Amount", "decimal", "Sum held for inventory loading.", format=MONEY),
        C("MDF Accrued", "decimal", "Sum of MDF accrued.", format=MONEY),
        C("Statuses", "text", "Status of each program."),
    ),
)

ACCRUALS = Table(
    "rebate_accruals",
    "Accruals",
    "Monthly accruals and the quarter-end true-up.",
    (
        C("Distributor ID", "id", "Distributor."),
        C("Program ID", "id", "Program."),
        C("Month", "text", "Month of the quarter, or true-up."),
        C("To Date", "decimal", "Measure to date (revenue or units).", format="#,##0.00"),
        C(
            "Forecast",
            "decimal",
            "Quarter forecast at the run rate: to date x 3 / months.",
            format="#,##0.00",
        ),
        C(
            "Accrued To Date",
            "decimal",
            "Forecast quarter's tier rebate x months / 3.",
            format=MONEY,
        ),
        C("Booked", "decimal", "This month's accrual (or the true-up).", format=MONEY),
    ),
)

HOW_TO_READ = """# How to read this statement
Each row of a distributor's sheet is one program. Read it left to right: the measure, the \
tier it reached and its rate, the tier rebate on the basis, then the scorecard payout, the \
gates, the inventory-loading hold and the cap, and finally the Amount paid.
Amounts are in the reporting currency. Sell-through in other currencies is converted \
line by line with the FX rate of the invoice month from the program workbook.
Rounding: every figure keeps full precision until the Amount, which is rounded once, \
half-up (0.005 -> 0.01), to the cent. The total is the sum of those cents.
Accruals: after each month the quarter is forecast at the run rate; the accrual to date is \
that forecast's tier rebate pro rata. The true-up at quarter end is Amount minus Accrued.
Status: earned; capped; held (inventory loading: weeks of supply or sell-in / sell-through \
above the program's limit); withheld (a gate failed); no baseline (a growth program with \
no sell-through a year earlier).""".split("\n")


def _gates(r: RebateResult) -> str:
    return "; ".join(
        f"{g.name}: {g.value} (needs {g.required}) {'pass' if g.passed else 'FAIL'}"
        for g in r.gates
    )


def statement_rows(
    results: list[RebateResult], facts: dict[str, QuarterFacts], names: dict[str, str]
) -> list[dict]:
    rows = []
    for r in results:
        f = facts[r.distributor_id]
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
                "accrued": r.accruals[-1].cumulative if r.accruals else Decimal(0),
                "true_up": r.true_up,
                "status": r.status,
                "notes": "; ".join(r.notes),
            }
        )
    return rows


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def write_statement(
    results: list[RebateResult],
    facts: dict[str, QuarterFacts],
    names: dict[str, str],
    out_dir: str | os.PathLike,
    quarter: str,
) -> tuple[Path, Path, Decimal]:
    """Write rebates_<quarter>.xlsx and .csv into ``out_dir``; return both paths and the total."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = statement_rows(results, facts, names)
    by_distributor: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_distributor[row["distributor_id"]].append(row)
    results_by = defaultdict(list)
    for r in results:
        results_by[r.distributor_id].append(r)
    summary = []
    for d, rs in results_by.items():
        f = facts[d]
        summary.append(
            {
                "distributor_id": d,
                "distributor": names.get(d, ""),
                "type": f.distributor_type,
                "sell_through_revenue": f.revenue,
                "programs": len(rs),
                "amount": sum((r.amount for r in rs), Decimal(0)),
                "held_amount": sum((r.held_amount for r in rs), Decimal(0)),
                "mdf_accrued": sum((r.mdf_accrued for r in rs), Decimal(0)),
                "statuses": ", ".join(f"{r.program_id} {r.status}" for r in rs),
            }
        )
    total = sum((s["amount"] for s in summary), Decimal(0))
    accrual_rows = []
    for r in results:
        months = [str(m) for m in _quarter_months(r.quarter)]
        for a in r.accruals:
            accrual_rows.append(
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
        accrual_rows.append(
            {
                "distributor_id": r.distributor_id,
                "program_id": r.program_id,
                "month": "true-up",
                "accrued_to_date": r.amount,
                "booked": r.true_up,
            }
        )

    wb = Workbook()
    wb.remove(wb.active)
    n = write_table_sheet(wb, SUMMARY, summary, validation=False)
    ws = wb["Summary"]
    ws.cell(row=n + 3, column=1, value="Total")
    cell = ws.cell(row=n + 3, column=6)
    write_value(cell, total)
    cell.number_format = MONEY
    for d in sorted(by_distributor):
        write_table_sheet(wb, STATEMENT, by_distributor[d], title=d[:31], validation=False)
    write_table_sheet(wb, ACCRUALS, accrual_rows, validation=False)
    write_text_sheet(wb, "How to read", HOW_TO_READ)
    xlsx = out_dir / f"rebates_{quarter}.xlsx"
    save_atomically(wb, xlsx)

    csv_path = write_csv(
        out_dir / f"rebates_{quarter}.csv",
        [c.name for c in STATEMENT.columns],
        ([_cell_text(row[c.field]) for c in STATEMENT.columns] for row in rows),
    )
    return xlsx, csv_path, total


def _quarter_months(quarter: str):
    from channelxl.core.periods import Quarter

    return Quarter.parse(quarter).months

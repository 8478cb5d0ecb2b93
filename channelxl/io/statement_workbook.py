"""The rebate statement as files: a workbook (summary, one sheet per distributor, accruals,
how to read it) and a CSV, with every step of every amount in its own column.

The columns are declared once (``schema.outputs``: ``STATEMENT``, ``STATEMENT_SUMMARY``,
``ACCRUALS``); the workbook sheets and the CSV both come from those declarations. This
module writes rows it is given (``commands.statement`` makes them from the results).
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook

from channelxl.io.csvfile import write_csv
from channelxl.io.table_sheets import (
    save_atomically,
    write_table_sheet,
    write_text_sheet,
    write_value,
)
from channelxl.schema.outputs import ACCRUALS, MONEY, STATEMENT, STATEMENT_SUMMARY

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


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


@dataclass
class StatementTables:
    """The statement's rows, keyed by column field: one per result, one per distributor,
    the accrual lines, and the total paid."""

    rows: list[dict]
    summary: list[dict]
    accruals: list[dict]
    total: Decimal


def write_statement(
    tables: StatementTables, out_dir: str | os.PathLike, quarter: str
) -> tuple[Path, Path]:
    """Write rebates_<quarter>.xlsx and .csv into ``out_dir``; return both paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    by_distributor: dict[str, list[dict]] = defaultdict(list)
    for row in tables.rows:
        by_distributor[row["distributor_id"]].append(row)
    wb = Workbook()
    wb.remove(wb.active)
    n = write_table_sheet(wb, STATEMENT_SUMMARY, tables.summary, validation=False)
    ws = wb[STATEMENT_SUMMARY.title]
    ws.cell(row=n + 3, column=1, value="Total")
    cell = ws.cell(row=n + 3, column=STATEMENT_SUMMARY.fields.index("amount") + 1)
    write_value(cell, tables.total)
    cell.number_format = MONEY
    for d in sorted(by_distributor):
        write_table_sheet(wb, STATEMENT, by_distributor[d], title=d, validation=False)
    write_table_sheet(wb, ACCRUALS, tables.accruals, validation=False)
    write_text_sheet(wb, "How to read", HOW_TO_READ)
    xlsx = save_atomically(wb, out_dir / f"rebates_{quarter}.xlsx")
    csv_path = write_csv(
        out_dir / f"rebates_{quarter}.csv",
        [c.name for c in STATEMENT.columns],
        ([_cell_text(row[c.field]) for c in STATEMENT.columns] for row in tables.rows),
    )
    return xlsx, csv_path

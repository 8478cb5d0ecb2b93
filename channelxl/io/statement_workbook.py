"""The rebate statement as files: a workbook (summary, one sheet per distributor, accruals,
how to read it) and a CSV, with every step of every amount in its own column.

The columns are declared once (``schema.outputs``: ``STATEMENT``, ``STATEMENT_SUMMARY``,
``ACCRUALS``); the workbook sheets and the CSV both come from those declarations. This
module writes rows it is given (``commands.statement`` makes them from the results).
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from channelxl.io.approved_files import adjustments_reading, write_adjustments
from channelxl.io.atomic import atomic_path
from channelxl.io.cached_values import store_values
from channelxl.io.csvfile import write_csv
from channelxl.io.mdf_workbook import MdfTables, mdf_reading, write_mdf
from channelxl.io.recompute_sheet import TITLE as RECOMPUTE
from channelxl.io.recompute_sheet import RecomputeCells, write_recompute
from channelxl.io.table_sheets import (
    print_pages_across,
    save_atomically,
    write_table_sheet,
    write_text_sheet,
    write_value,
)
from channelxl.schema.outputs import ACCRUALS, MONEY, STATEMENT, STATEMENT_SUMMARY


def how_to_read(currency: str, calendar: str, *, recompute: bool = False) -> list[str]:
    """The statement's "How to read" sheet: the header facts, then how each column reads
    (and the Recompute sheet, when the statement has one)."""
    lines = f"""# How to read this statement
Currency: every amount is in {currency or "the reporting currency"}, with two decimals. \
Sell-through in other currencies is converted line by line with the FX rate of the invoice \
month from the program workbook.
Calendar: {calendar or "calendar quarters"}.
## The steps
Each row of a distributor's sheet is one program. Read it left to right: the measure, the \
tier it reached and its rate (a percentage of the basis, or money per unit for a units \
program), the tier rebate; x the scorecard payout = after scorecard; the cap (what it took \
away); the gates; the inventory-loading hold; and the Amount paid.
Withheld Amount: forgone because a gate failed (its reason beside it); never paid for this \
quarter. Held Amount: kept back for inventory loading, released when the stock comes down. \
The amount due is exactly one of Amount, Withheld Amount or Held Amount.
Rounding: every figure keeps full precision until the amount paid, withheld or held, which \
is rounded once, half-up (0.005 -> 0.01), to the cent. The totals are sums of those cents.
Status: earned; capped; held; withheld; no payout (nothing to pay: below the first paying \
tier, no growth, or a 0 % scorecard payout); no baseline (a growth program with no \
sell-through a year earlier).
## Accruals (sheet Accruals)
Basis: each month is accrued at its last day at the payout the quarter was then expected to \
make. The quarter is forecast at the run rate (volume to date x months in the quarter / \
months to date); expected = the forecast's tier rebate x the scorecard payout on the \
figures to date (targets pro rata), capped; nothing when a gate had failed by that day \
(only reports already due count as late), into the held bucket when a hold stood. The \
month's volume is booked at expected / forecast; earlier months are not revalued.
Where a figure could not be had on that day (e.g. no inventory report for the month: no \
weeks-of-supply hold), the Accrual Basis column says what the accrual assumed.
True-up at quarter end = Amount - Accrued (held bucket: Held Amount - Accrued Held).
## Printing
Each distributor sheet prints landscape in three pages across: the measure, tier and \
scorecard (tier rebate x payout = after scorecard); the cap, gates, hold and amount; the \
accruals and notes. The program columns and the header row repeat on every page, the \
distributor and the quarter head it; long text wraps within its column.""".split("\n")
    return lines + (RECOMPUTE_READING if recompute else [])


RECOMPUTE_READING = f"""## Recomputing a line (sheet {RECOMPUTE})
Every line of the statement stands there with its inputs as cells, one block per program: \
its Rebate Programs row (names and values), its Rebate Tiers and Scorecard Payouts; below \
it one block per distributor: the figures of the quarter (names above values: revenue, \
units, prior-year revenue, certification rate, late and missing reports, weeks of supply, \
sell-in ratio, waivers) and the scorecard (metric, weight, actual, target).
CHX_PROGRAM, beside the statement's Amount, computes the line from those cells with the \
same steps and the same rounding; Agree says yes when the two are equal to the cent. The \
number shown is the one channelxl computed when it wrote this file, so it shows anywhere. \
With the channelxl functions installed (docs/EXCEL.md), change an input and the line \
recomputes: what a different revenue, target or cap would have paid. Without them a \
spreadsheet that recalculates shows #NAME? in that column; the statement is unchanged.
Figures are shown rounded (revenue to the cent, rates as percentages); each cell holds the \
full figure the statement was computed on.""".split("\n")


# Distributor sheets print in pages of columns that read together (the first field of each
# page after the first); the columns before "quarter" repeat on every page.
PERCENT = "0.00%"
PER_UNIT = '#,##0.00" per unit"'


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


@dataclass
class StatementTables:
    """The statement's rows, keyed by column field: one per result, one per distributor,
    the accrual lines, the total paid; the totals of the summary's money columns, the
    currency and the calendar for the header."""

    rows: list[dict]
    summary: list[dict]
    accruals: list[dict]
    total: Decimal
    mdf: MdfTables | None = None  # the MDF sheets (io.mdf_workbook), when given
    totals: dict[str, Decimal] = field(default_factory=dict)  # summary field -> total
    currency: str = ""
    calendar: str = ""
    # prior-period adjustments carried (commands.approved); None: no approved quarter awaits
    adjustments: list[dict] | None = None
    # every line's inputs for the Recompute sheet (io.recompute_sheet); None: no such sheet
    recompute: RecomputeCells | None = None


def _money_headers(ws, table, currency: str) -> None:
    """The currency in the header of every money column: "Amount (EUR)"."""
    if not currency:
        return
    for j, column in enumerate(table.columns, start=1):
        if column.format == MONEY:
            header = ws.cell(row=1, column=j)
            header.value = f"{column.name} ({currency})"
            # the header in full (bold, with the filter button): wider than the figures
            dimension = ws.column_dimensions[get_column_letter(j)]
            dimension.width = max(dimension.width or 0, len(header.value) + 4)


def _per_row_formats(ws, table, rows: list[dict]) -> None:
    """Growth and rates as percentages, a units program's rate as money per unit, revenue
    with its cents."""
    fields = table.fields
    for i, row in enumerate(rows, start=2):
        growth, units = row.get("measure") == "growth", row.get("measure") == "units"
        if "measure_value" in fields and growth:
            for name in ("measure_value", "next_tier_gap"):
                ws.cell(row=i, column=fields.index(name) + 1).number_format = "0.0%"
        if "measure_value" in fields and units:
            for name in ("measure_value", "next_tier_gap"):
                ws.cell(row=i, column=fields.index(name) + 1).number_format = "#,##0"
        if "measure_value" in fields and row.get("measure") == "revenue":  # money: cents
            for name in ("measure_value", "next_tier_gap"):
                ws.cell(row=i, column=fields.index(name) + 1).number_format = MONEY
        for name in ("rate", "rate_booked"):
            if name in fields:
                cell = ws.cell(row=i, column=fields.index(name) + 1)
                cell.number_format = PER_UNIT if units else PERCENT


PRINT_TITLE = ("program_id", "program")  # repeated at the left of every page
# Column widths (characters) on a distributor sheet: narrow enough that the sheet prints in
# three pages across at 80 % or more (in Excel's default font), money to 99,999,999.99;
# long text wraps in its column, never running on into the next one (nor onto the next
# page, under another column's header).
PRINT_WIDTHS = {
    "distributor_id": 10,
    "distributor": 18,
    "program_id": 9,
    "program": 15,
    "quarter": 8,
    "currency": 9,
    "measure": 8,
    "measure_value": 14,
    "method": 10,
    "tier": 5,
    "tier_label": 8,
    "rate": 13,
    "rate_unit": 10,
    "basis": 13,
    "tier_rebate": 13,
    "score": 7,
    "payout": 7,
    "after_scorecard": 14,
    "capped": 8,
    "cap_reduction": 13,
    "gates": 22,
    "waivers": 14,
    "withheld_amount": 14,
    "withheld_reason": 18,
    "hold": 14,
    "held_amount": 13,
    "amount": 14,
    "status": 9,
    "next_tier_gap": 13,
    "mdf_accrued": 13,
    "accrued": 13,
    "accrued_held": 13,
    "true_up": 13,
    "held_true_up": 13,
    "accrual_basis": 32,
    "notes": 22,
}


LINE_PT = 15  # the height of a line of the default 11-point font, in points
# characters of a column's width a line of text takes up: a column's width counts digits of
# Excel's default font; text in a wider substitute font (LibreOffice without Calibri),
# and bold headers, fill a line sooner
TEXT_FILL, BOLD_FILL = 1.0, 0.85


def wrapped_lines(text: str, width: int, *, bold: bool = False) -> int:
    """Lines ``text`` wraps into, broken between words, in a column ``width`` wide (a word
    longer than a line breaks inside)."""
    room = max(1, int(width * (BOLD_FILL if bold else TEXT_FILL)))
    lines = 0
    for paragraph in text.split("\n"):
        lines, used = lines + 1, 0
        for word in paragraph.split(" "):
            if used and used + 1 + len(word) > room:
                lines, used = lines + 1, 0
            used += (1 if used else 0) + len(word)
            while used > room:  # a word longer than the line
                lines, used = lines + 1, used - room
    return lines


def _wrap_rows(ws, table, rows: list[dict], widths: dict[str, int]) -> None:
    """Columns ``widths`` wide (characters), headers and text wrapped in their columns, each
    row as tall as its longest text (its height set: not every spreadsheet fits wrapped
    rows when it opens a file)."""
    fields = table.fields
    for name, width in widths.items():
        ws.column_dimensions[get_column_letter(fields.index(name) + 1)].width = width
    text = {j for j, c in enumerate(table.columns, start=1) if c.type in ("text", "id")}
    lines = [1] * (len(rows) + 2)  # the lines each row's tallest cell wraps into
    for j, name in enumerate(fields, start=1):
        width = widths[name]
        header = ws.cell(row=1, column=j)
        header.alignment = Alignment(vertical="bottom", wrap_text=True)
        lines[1] = max(lines[1], wrapped_lines(str(header.value), width, bold=True))
        for i in range(2, len(rows) + 2):
            cell = ws.cell(row=i, column=j)
            cell.alignment = Alignment(vertical="top", wrap_text=j in text)
            if j in text and cell.value:
                lines[i] = max(lines[i], wrapped_lines(str(cell.value), width))
    for i in range(1, len(rows) + 2):
        ws.row_dimensions[i].height = lines[i] * LINE_PT


def _print_in_pages(ws, table, rows: list[dict], quarter: str) -> None:
    """A distributor sheet as it prints: landscape, pages across as the columns need
    (``io.table_sheets.print_pages_across``), the header row and the program on every page,
    the distributor and the quarter in the page header instead of their columns (the same
    on every row of the sheet); text and headers wrapped in their columns (``_wrap_rows``)."""
    fields = table.fields
    _wrap_rows(ws, table, rows, PRINT_WIDTHS)
    first, last = (fields.index(f) + 1 for f in PRINT_TITLE)
    print_pages_across(ws, len(fields), (first, last), start=first)
    ws.print_title_rows = "1:1"
    ws.page_setup.pageOrder = "overThenDown"  # a block of rows across, then the next
    who = f"{ws.title} {rows[0].get('distributor') or ''}" if rows else ws.title
    ws.oddHeader.left.text = who.strip().replace("&", "&&")
    ws.oddHeader.center.text = f"Rebate statement {quarter}"
    ws.oddHeader.right.text = "Page &P of &N"


# The Accruals sheet's widths: its figures to 99,999,999.99, the Basis wrapped, so it
# prints two pages across at a readable size rather than every column shrunk onto one.
ACCRUAL_WIDTHS = {
    **{c.field: 13 for c in ACCRUALS.columns if c.format == MONEY},
    "distributor_id": 12,
    "program_id": 9,
    "month": 8,
    "payout_to_date": 8,
    "rate_booked": 17,  # a units program's rate: "EUR 1.50 per unit"
    "basis": 40,
}


def _print_accruals(ws, rows: list[dict], quarter: str) -> None:
    """The Accruals sheet as it prints: landscape, the header row and the distributor,
    program and month on every page, the Basis wrapped in its column."""
    _wrap_rows(ws, ACCRUALS, rows, ACCRUAL_WIDTHS)
    print_pages_across(ws, len(ACCRUALS.columns), (1, 3))
    ws.print_title_rows = "1:1"
    ws.page_setup.pageOrder = "overThenDown"
    ws.oddHeader.left.text = "Accruals"
    ws.oddHeader.center.text = f"Rebate statement {quarter}"
    ws.oddHeader.right.text = "Page &P of &N"


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
    _money_headers(ws, STATEMENT_SUMMARY, tables.currency)
    ws.cell(row=n + 3, column=1, value="Total").font = Font(bold=True)
    totals = {"amount": tables.total, **tables.totals}
    for name, value in totals.items():
        cell = ws.cell(row=n + 3, column=STATEMENT_SUMMARY.fields.index(name) + 1)
        write_value(cell, value)
        cell.number_format, cell.font = MONEY, Font(bold=True)
    for d in sorted(by_distributor):
        write_table_sheet(wb, STATEMENT, by_distributor[d], title=d, validation=False)
        ws = wb.worksheets[-1]
        _money_headers(ws, STATEMENT, tables.currency)
        _per_row_formats(ws, STATEMENT, by_distributor[d])
        _print_in_pages(ws, STATEMENT, by_distributor[d], quarter)
    write_table_sheet(wb, ACCRUALS, tables.accruals, validation=False)
    ws = wb.worksheets[-1]
    _money_headers(ws, ACCRUALS, tables.currency)
    units = {(r["distributor_id"], r["program_id"]) for r in tables.rows if r["measure"] == "units"}
    _per_row_formats(
        ws,
        ACCRUALS,
        [
            {"measure": "units" if (a["distributor_id"], a["program_id"]) in units else ""}
            for a in tables.accruals
        ],
    )
    _print_accruals(ws, tables.accruals, quarter)
    write_mdf(wb, tables.mdf, out_dir, quarter)
    write_adjustments(wb, tables.adjustments, out_dir, quarter, tables.currency)
    recompute, stored = RECOMPUTE, {}
    if tables.recompute is not None:
        recompute, stored = write_recompute(wb, tables.recompute, tables.rows, tables.currency)
    reading = how_to_read(tables.currency, tables.calendar, recompute=tables.recompute is not None)
    reading += adjustments_reading(tables.adjustments) + mdf_reading(tables.mdf)
    write_text_sheet(wb, "How to read", reading)
    xlsx = out_dir / f"rebates_{quarter}.xlsx"
    with atomic_path(xlsx) as draft:  # the values stored before the file takes its name
        save_atomically(wb, draft)
        if stored:
            store_values(draft, {recompute: stored})
    csv_path = write_csv(
        out_dir / f"rebates_{quarter}.csv",
        [c.name for c in STATEMENT.columns],
        ([_cell_text(row[c.field]) for c in STATEMENT.columns] for row in tables.rows),
    )
    return xlsx, csv_path

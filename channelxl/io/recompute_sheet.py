"""The statement's *Recompute* sheet: every statement line recomputed in a cell.

For each line the inputs stand as cells and ``=CHX_PROGRAM(program, tiers, figures,
scorecard, payouts)`` (``excel.program_function``) reads them, beside the statement's
Amount and a cell saying whether the two agree to the cent. The cells are those
``ledger.program_cells`` reads from the ledger; this module only lays them out:

- one block per program: its *Rebate Programs* row as name, value pairs (columns A:B), its
  *Rebate Tiers* (F:H) and *Scorecard Payouts* (J:K), each under a header; the lines of
  that program refer to them;
- one block per line below it: a header row, then the distributor, the statement's Amount
  (B), the formula (C), Agree (D), the figures, names above values (F:N), and the
  scorecard, one row per metric (P:S).

Each formula cell also carries the value channelxl computed for it when the file was
written (:func:`stored_values`, stored by ``io.cached_values``), so the number shows in a
spreadsheet without the channelxl functions and in any viewer; where the functions are
installed, changing an input recomputes the line. The layout depends only on the lines
given, in the order given: the same statement gives the same sheet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

from channelxl.io.table_sheets import BAD_FILL, print_pages_across, sheet_title, write_value
from channelxl.schema.outputs import MONEY

TITLE = "Recompute"
AGREE, DISAGREE = "yes", "NO"
CENT = Decimal("0.01")

# columns (1-based): the line's distributor, amounts and verdict; figures; scorecard
DISTRIBUTOR, AMOUNT, FORMULA, VERDICT = 1, 2, 3, 4
FIGURES, SCORECARD = 6, 16  # F:N (nine figures), P:S (metric, weight, actual, target)
TIERS, PAYOUTS = 6, 10  # a program's tiers in F:H, payouts in J:K
WIDTHS = {
    "A": 26, "B": 16, "C": 16, "D": 8, "E": 2,
    "F": 15, "G": 9, "H": 15, "I": 13, "J": 11, "K": 11, "L": 10, "M": 10, "N": 14,
    "O": 2, "P": 15, "Q": 8, "R": 17, "S": 12,
}  # fmt: skip
FIGURE_FORMATS = {  # by figure name: how a person reads it (the value keeps every digit)
    "Revenue": MONEY,
    "Units": "#,##0",
    "Prior Revenue": MONEY,
    "Certification Rate": "0.0%",
    "Weeks of Supply": "0.0",
    "Sell-In Ratio": "0.00",
}
CAPTION_FONT = Font(bold=True, size=12)
HEAD_FONT = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
NOTE_FONT = Font(italic=True, color="595959")
INTRO = (
    "CHX_PROGRAM reads each line's cells and computes its Amount as the statement does.",
    "The value shown is the one channelxl computed when it wrote this file.",
    "Agree: yes when it equals the statement's Amount to the cent. See How to read.",
)
# A4 landscape less 0.75 in margins each side, in pixels at 96 dpi; printed at 80 % or more


@dataclass
class RecomputeCells:
    """What the sheet shows: each program's cells with its lines' cells
    (``ledger.program_cells.statement_cells``), and by (distributor id, program id) the value
    CHX_PROGRAM returned for the line's cells when the statement was written (a number, or
    the function's message)."""

    blocks: list  # (ProgramCells, [LineCells])
    values: dict[tuple[str, str], object] = field(default_factory=dict)


def _ref(col: int, row: int, fixed: bool = False) -> str:
    d = "$" if fixed else ""
    return f"{d}{get_column_letter(col)}{d}{row}"


def _range(c1: int, r1: int, c2: int, r2: int, fixed: bool = False) -> str:
    return f"{_ref(c1, r1, fixed)}:{_ref(c2, r2, fixed)}"


def _head(ws, row: int, col: int, texts, *, tall: bool = False) -> None:
    if tall:  # two lines: "Statement Amount (EUR)" wraps
        ws.row_dimensions[row].height = 30
    for j, text in enumerate(texts):
        c = ws.cell(row=row, column=col + j, value=text)
        c.font, c.fill = HEAD_FONT, HEAD_FILL
        c.alignment = Alignment(wrap_text=True, vertical="top")


def _rows(ws, row: int, col: int, rows) -> None:
    for i, values in enumerate(rows):
        for j, value in enumerate(values):
            write_value(ws.cell(row=row + i, column=col + j), value)


def agrees(value: object, amount: Decimal) -> bool:
    """Whether CHX_PROGRAM's value equals the statement's Amount to the cent."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    return Decimal(repr(value)).quantize(CENT) == Decimal(amount).quantize(CENT)


def _program_block(ws, row: int, program) -> tuple[int, dict[str, str]]:
    """The program's caption and tables from ``row``; the row after it and the ranges of
    its rules, tiers and payouts."""
    caption = ws.cell(row=row, column=1)
    write_value(caption, f"Program {program.program_id}: {program.name}".strip(": "))
    caption.font = CAPTION_FONT
    ws.cell(row=row + 1, column=1, value="Rebate Programs row").font = HEAD_FONT
    ws.cell(row=row + 1, column=TIERS, value="Rebate Tiers").font = HEAD_FONT
    top = row + 2
    _rows(ws, top, 1, program.rules)
    for i in range(len(program.rules)):
        ws.cell(row=top + i, column=1).fill = HEAD_FILL
    _head(ws, top, TIERS, program.tiers[0])
    _rows(ws, top + 1, TIERS, program.tiers[1:])
    ranges = {
        "rules": _range(1, top, 2, top + len(program.rules) - 1, fixed=True),
        "tiers": _range(TIERS, top, TIERS + 2, top + len(program.tiers) - 1, fixed=True),
    }
    height = max(len(program.rules), len(program.tiers))
    if program.payouts:
        ws.cell(row=row + 1, column=PAYOUTS, value="Scorecard Payouts").font = HEAD_FONT
        _head(ws, top, PAYOUTS, program.payouts[0])
        _rows(ws, top + 1, PAYOUTS, program.payouts[1:])
        last = top + len(program.payouts) - 1
        ranges["payouts"] = _range(PAYOUTS, top, PAYOUTS + 1, last, fixed=True)
        height = max(height, len(program.payouts))
    return top + height + 1, ranges


def _line_block(ws, row: int, line, name: str, amount, ranges, currency: str) -> int:
    """A line's header and cells from ``row``; the row of its formula and verdict."""
    money = f" ({currency})" if currency else ""
    names, values = line.figures
    _head(
        ws, row, DISTRIBUTOR, ["Distributor", f"Statement Amount{money}", "CHX_PROGRAM"], tall=True
    )
    _head(ws, row, VERDICT, ["Agree"])
    _head(ws, row, FIGURES, names)
    data = row + 1
    write_value(ws.cell(row=data, column=DISTRIBUTOR), line.distributor_id)
    note = ws.cell(row=data + 1, column=DISTRIBUTOR)
    write_value(note, name)
    note.font = NOTE_FONT
    cell = ws.cell(row=data, column=AMOUNT)
    write_value(cell, amount)
    cell.number_format = MONEY
    for j, (figure, value) in enumerate(zip(names, values, strict=True)):
        cell = ws.cell(row=data, column=FIGURES + j)
        write_value(cell, value)
        cell.number_format = FIGURE_FORMATS.get(figure, "General")
    args = [ranges["rules"], ranges["tiers"], _range(FIGURES, row, FIGURES + len(names) - 1, data)]
    if line.scorecard:
        _head(ws, row, SCORECARD, line.scorecard[0])
        _rows(ws, data, SCORECARD, line.scorecard[1:])
        last = row + len(line.scorecard) - 1
        args.append(_range(SCORECARD, row, SCORECARD + 3, last))
        if "payouts" in ranges:
            args.append(ranges["payouts"])
    formula = ws.cell(row=data, column=FORMULA, value=f"=CHX_PROGRAM({','.join(args)})")
    formula.number_format = MONEY
    c, b = _ref(FORMULA, data), _ref(AMOUNT, data)
    ws.cell(
        row=data,
        column=VERDICT,
        value=f'=IF(ISNUMBER({c}),IF(ROUND({c}-{b},2)=0,"{AGREE}","{DISAGREE}"),"{DISAGREE}")',
    ).alignment = Alignment(horizontal="center")
    return data


def write_recompute(wb, cells: RecomputeCells, rows: list[dict], currency: str) -> tuple[str, dict]:
    """The Recompute sheet in ``wb`` for the statement ``rows`` (``schema.outputs.STATEMENT``
    fields); returns its title (``Recompute (2)`` when a distributor's sheet took the name)
    and the values its formula cells show (cell reference -> value), to store in the saved
    file (``io.cached_values.store_values``)."""
    ws = wb.create_sheet(sheet_title(wb, TITLE))
    for letter, width in WIDTHS.items():
        ws.column_dimensions[letter].width = width
    by_line = {(r["distributor_id"], r["program_id"]): r for r in rows}
    title = ws.cell(row=1, column=1, value="Every statement line recomputed from its inputs")
    title.font = Font(bold=True, size=14)
    for i, text in enumerate(INTRO, start=2):
        ws.cell(row=i, column=1, value=text).font = NOTE_FONT
    values: dict[str, object] = {}
    row = 2 + len(INTRO) + 1
    if not cells.blocks:
        ws.cell(row=row, column=1, value="The statement has no lines.")
    for k, (program, lines) in enumerate(cells.blocks):
        if k:  # each program starts a printed page
            ws.row_breaks.append(Break(id=row - 1))
        row, ranges = _program_block(ws, row, program)
        for line in lines:
            key = (line.distributor_id, line.program_id)
            statement = by_line[key]
            data = _line_block(
                ws, row, line, statement["distributor"], statement["amount"], ranges, currency
            )
            value = cells.values.get(key)
            values[_ref(FORMULA, data)] = value
            agree = agrees(value, statement["amount"])
            values[_ref(VERDICT, data)] = AGREE if agree else DISAGREE
            row += max(3, len(line.scorecard)) + 1
    first = 2 + len(INTRO) + 1
    verdicts = _range(VERDICT, first, VERDICT, max(row - 1, first))
    ws.conditional_formatting.add(
        verdicts, CellIsRule(operator="equal", formula=[f'"{DISAGREE}"'], fill=BAD_FILL)
    )
    _print_across(ws)
    return ws.title, values


def _print_across(ws) -> None:
    """The distributor and amounts (A:D) on every page, pages across as the columns need
    (``io.table_sheets.print_pages_across``); each program starts a page (row breaks)."""
    print_pages_across(ws, len(WIDTHS), (1, VERDICT))

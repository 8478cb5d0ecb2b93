"""Writing workbook sheets people open: tables with typed columns, drop-downs, frozen headers.

One function writes a declared :class:`~channelxl.schema.Table` as an Excel table sheet
(number formats from ``Column.excel_format``); the program workbook, the statement, the
exception workbooks, the templates, the feedback and every export are built from it. Text that came from outside
(distributors, ERP exports) is always written as text, never as a formula.
"""

from __future__ import annotations

import io
import re
import tempfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table as XlTable
from openpyxl.worksheet.table import TableStyleInfo

from channelxl.errors import FILE_KEPT, CannotWrite, cannot_write
from channelxl.io.atomic import write_atomically
from channelxl.io.cells import country_codes, currency_codes
from channelxl.io.csvfile import FORMULA_START
from channelxl.schema import Column, Table

HEADER_RGB, HEADER_TEXT_RGB = "1F4E78", "FFFFFF"  # a table's header: white on dark blue
HEADER_FILL = PatternFill("solid", fgColor=HEADER_RGB)
HEADER_FONT = Font(bold=True, color=HEADER_TEXT_RGB)
HEADER_HEIGHT = 20  # points
HEADER_NOTE_SIZE = {"width": 300, "height": 90}  # a header cell's note, in pixels
TEXT_WIDTH = 110  # characters: a text sheet's one column
VALIDATION_ROWS = 2000  # rows below the header that carry drop-downs for rows still to be typed


def typed(value, column: Column):
    """``value`` as the type its column declares, so numbers land in Excel as numbers."""
    if isinstance(value, str) and value.strip():
        if column.type == "decimal":
            return Decimal(value)
        if column.type == "int":
            return int(value)
        if column.type == "date":
            return date.fromisoformat(value)
    if isinstance(value, float) and column.type == "decimal":
        return Decimal(repr(value))
    return value


def write_value(cell, value) -> None:
    """Write ``value`` into an openpyxl cell; text is text even when it starts with '='."""
    if value is None or (isinstance(value, float) and value != value):  # None, NaN
        return
    if hasattr(value, "tolist") and not isinstance(value, str):  # numpy array from a list column
        value = value.tolist()
    if isinstance(value, tuple | list):
        value = ";".join(map(str, value))
    if isinstance(value, str):
        cell.value = value
        if value.startswith(FORMULA_START):
            # openpyxl would store "=..." as a formula; force a plain string and show it as typed.
            cell.data_type = "s"
            cell.quotePrefix = True
        return
    if isinstance(value, bool | int | float | Decimal | date | datetime):
        cell.value = value
        return
    cell.value = str(value)


def _table_name(title: str) -> str:
    return re.sub(r"[^0-9A-Za-z_]", "", title.title().replace(" ", "")) or "Table"


MAX_SHEET_NAME = 31  # characters Excel allows in a sheet name
_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f]")
# An Excel name that reads as a cell reference (D004, XFD1, R1C1, R, C) is refused by Excel
_LIKE_A_REFERENCE = re.compile(r"([A-Za-z]{1,3}\d+|[RrCc]\d*|[Rr]\d*[Cc]\d*)")


def sheet_title(wb, text: str) -> str:
    """``text`` as the name of a new sheet of ``wb`` (anything with ``sheetnames``: an
    openpyxl workbook, ``io.built_workbook``'s), whatever it holds: the characters
    Excel refuses in sheet names (``[]:*?/\\``, control characters) as ``_``, no apostrophe
    at either end, at most 31 characters, not Excel's reserved "History", and unique in
    the workbook ignoring case (as Excel compares them) by a " (2)", " (3)" suffix."""
    name = _NOT_IN_SHEET_NAMES.sub("_", str(text))[:MAX_SHEET_NAME].strip("'") or "Sheet"
    if name.casefold() == "history":
        name = "History_"
    taken = {n.casefold() for n in wb.sheetnames}
    candidate, k = name, 1
    while candidate.casefold() in taken:
        k += 1
        suffix = f" ({k})"
        candidate = name[: MAX_SHEET_NAME - len(suffix)].rstrip("'") + suffix
    return candidate


def unique_table_name(taken: Iterable[str], title: str) -> str:
    """An Excel table name from ``title``: letters, digits and ``_``, starting with a
    letter, not readable as a cell reference, unique among the workbook's tables
    ``taken`` ignoring case."""
    name = _table_name(title)
    if not name[0].isalpha() or _LIKE_A_REFERENCE.fullmatch(name):
        name = "T_" + name
    taken = {t.casefold() for t in taken}
    candidate, k = name, 1
    while candidate.casefold() in taken:
        k += 1
        candidate = f"{name}_{k}"
    return candidate


def write_lists_sheet(wb: Workbook, tables: Sequence[Table]) -> dict[str, str]:
    """A hidden sheet of allowed values; returns list name -> absolute range for drop-downs."""
    ws = wb.create_sheet("Lists")
    lists: dict[str, Sequence[str]] = {
        "Countries": sorted(country_codes()),
        "Currencies": sorted(currency_codes()),
    }
    for t in tables:
        for c in t.columns:
            if c.allowed:
                lists.setdefault(_table_name(c.name) + "Values", c.allowed)
    ranges = {}
    for col, (name, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(col)
        ws.cell(row=1, column=col, value=name).font = Font(bold=True)
        for row, v in enumerate(values, start=2):
            ws.cell(row=row, column=col, value=v)
        ref = f"Lists!${letter}$2:${letter}${len(values) + 1}"
        ranges[name] = ref
        wb.defined_names[name] = DefinedName(name, attr_text=ref)
    ws.sheet_state = "hidden"
    return ranges


def _list_for(column: Column, lists: dict[str, str], id_sources: dict[str, str]) -> str | None:
    if column.type == "country":
        return lists.get("Countries")
    if column.type == "currency":
        return lists.get("Currencies")
    if column.allowed:
        return lists.get(_table_name(column.name) + "Values")
    if column.references and column.type == "id":
        return id_sources.get(column.references)
    return None


def header_note(column: Column) -> str:
    """The note on a table sheet's header cell: what the column holds."""
    return column.help + ("" if column.required else " (optional)")


def column_width(column: Column) -> float:
    """A table sheet column's width in characters: declared, or fitting its header."""
    return column.width or max(len(column.name) + 4, 12 if column.type != "text" else 24)


def write_table_sheet(
    wb: Workbook,
    table: Table,
    rows: Iterable[dict],
    *,
    lists: dict[str, str] | None = None,
    id_sources: dict[str, str] | None = None,
    title: str | None = None,
    validation: bool = True,
) -> int:
    """Write ``rows`` (dicts keyed by column field) as an Excel table; return the row count.

    Headers carry the column help as a comment and as the drop-down prompt, the header
    row is frozen, columns get number formats and widths, and enumerated columns get a
    drop-down list that also covers rows still to be typed.
    """
    ws = wb.create_sheet(sheet_title(wb, title or table.title))
    columns = table.columns
    for j, column in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=j, value=column.name)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(vertical="center")
        cell.comment = Comment(header_note(column), "channelxl", **HEADER_NOTE_SIZE)
    n = 0
    formats = [c.excel_format for c in columns]
    for i, row in enumerate(rows, start=2):
        n += 1
        for j, column in enumerate(columns, start=1):
            cell = ws.cell(row=i, column=j)
            write_value(cell, typed(row.get(column.field), column))
            if formats[j - 1]:
                cell.number_format = formats[j - 1]
    last_row = max(n + 1, 2)
    last_col = get_column_letter(len(columns))
    taken = [t for sheet in wb.worksheets for t in sheet.tables]
    xt = XlTable(displayName=unique_table_name(taken, ws.title), ref=f"A1:{last_col}{last_row}")
    xt.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(xt)
    ws.freeze_panes = "A2"
    lists = lists or {}
    id_sources = id_sources or {}
    for j, column in enumerate(columns, start=1):
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = column_width(column)
        span = f"{letter}2:{letter}{max(VALIDATION_ROWS, n + 1)}"
        if not validation:  # a report: nothing to type, so no drop-downs
            continue
        source = _list_for(column, lists, id_sources)
        dv = None
        if source and column.type != "idlist":
            dv = DataValidation(type="list", formula1=f"={source}", allow_blank=not column.required)
            dv.error = f"Pick a value from the list ({column.help})"
            dv.errorTitle = column.name
        elif column.type == "date":
            dv = DataValidation(type="date", operator="greaterThan", formula1="1")
            dv.error = "Type a date, e.g. 2026-10-31"
        elif column.type in ("int", "decimal") and column.minimum is not None:
            kind = "whole" if column.type == "int" else "decimal"
            if column.maximum is not None:
                dv = DataValidation(
                    type=kind,
                    operator="between",
                    formula1=str(column.minimum),
                    formula2=str(column.maximum),
                )
            else:
                dv = DataValidation(
                    type=kind, operator="greaterThanOrEqual", formula1=str(column.minimum)
                )
            dv.error = column.help
        if dv is not None:
            dv.promptTitle = column.name[:32]
            dv.prompt = column.help[:255]
            dv.showErrorMessage = True
            dv.showInputMessage = True
            ws.add_data_validation(dv)
            dv.add(span)
    ws.row_dimensions[1].height = HEADER_HEIGHT
    # printed: landscape, all columns on one page width, the header on every page
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    return n


def text_row(line: str) -> tuple[str, int | None, float]:
    """How a text sheet shows ``line``: (its text, the heading's font size or None for a
    paragraph, the row's height in points). ``# `` starts a heading, ``## `` a smaller one."""
    if line.startswith("#"):
        return line.lstrip("# "), 14 if line.startswith("# ") else 12, 22
    # wrapped text does not grow its row in every program: size it (~95 chars a line)
    return line, None, 15 * max(1, -(-len(line) // 95))


def write_text_sheet(wb: Workbook, title: str, lines: Sequence[str], *, index: int | None = None):
    """A sheet of plain-language text, one paragraph per row (headings in bold)."""
    ws = wb.create_sheet(title, index)
    ws.column_dimensions["A"].width = TEXT_WIDTH
    for i, line in enumerate(lines, start=1):
        cell = ws.cell(row=i, column=1)
        text, size, height = text_row(line)
        write_value(cell, text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if size is not None:
            cell.font = Font(bold=True, size=size)
        ws.row_dimensions[i].height = height
    # printed: the paragraphs one page wide
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    return ws


BAD_RGB = "F8CBAD"  # a problem cell
BAD_FILL = PatternFill("solid", fgColor=BAD_RGB)


def highlight(ws, table: Table, column_name: str, rows: int, ok_value: str) -> None:
    """Conditional formatting: a ``column_name`` cell other than ``ok_value`` turns red
    (and stays right when the analyst edits or sorts)."""
    from openpyxl.formatting.rule import FormulaRule

    if rows <= 0:
        return
    j = [c.name for c in table.columns].index(column_name)
    letter = get_column_letter(j + 1)
    ws.conditional_formatting.add(
        f"{letter}2:{letter}{rows + 1}",
        FormulaRule(formula=[f'AND({letter}2<>"",{letter}2<>"{ok_value}")'], fill=BAD_FILL),
    )


def save_atomically(wb: Workbook, path) -> Path:
    """Save whole or not at all (``io.atomic``): no half-written workbook.

    The workbook is built in memory and then written in one go: when the disk refuses the
    write, nothing is left half open (openpyxl writing to a file leaves its zip open on an
    error, and the zip's own clean-up then fails again with a traceback on the way out)."""
    buffer = io.BytesIO()
    try:
        wb.save(buffer)
    except OSError as exc:  # openpyxl writes each sheet to a temporary file first
        problem = cannot_write(exc, path)
        if problem is None:
            raise
        raise CannotWrite(
            str(path),
            problem.reason,
            f"{problem.detail} (in the temporary folder {tempfile.gettempdir()}, where each "
            "sheet is written first)",
            FILE_KEPT,
        ) from exc
    return write_atomically(path, buffer.getvalue())


# A4 landscape less openpyxl's default margins (0.75 in each side), in pixels at 96 dpi
PRINTABLE_PX = (297 - 2 * 0.75 * 25.4) / 25.4 * 96
PRINT_SCALE = 80  # percent: the smallest print a controller reads without a glass


def column_px(ws, j: int) -> float:
    """A column's printed width in pixels: Excel's character width (7 px) + padding."""
    width = ws.column_dimensions[get_column_letter(j)].width or 8.43
    return width * 7 + 5


def print_pages_across(ws, columns: int, titles: tuple[int, int], *, start: int = 1) -> None:
    """Landscape A4, columns ``titles`` (first, last; 1-based) repeated at the left of every
    page, and as many pages across as the sheet's columns ``start`` to ``columns`` need at
    about ``PRINT_SCALE`` percent, counted in whole columns: pages read left to right
    instead of every column shrunk onto one. "Fit to N pages wide" rather than manual
    breaks, so a program whose fonts are wider than Excel's still breaks between columns.
    Columns before ``start`` are not printed (the print area begins at ``start``)."""
    first, last = titles
    room = PRINTABLE_PX * 100 / PRINT_SCALE
    title = sum(column_px(ws, j) for j in range(first, last + 1))
    pages, used = 1, 0.0
    if start > 1:
        rows = max(ws.max_row, 2)
        ws.print_area = f"{get_column_letter(start)}1:{get_column_letter(columns)}{rows}"
    for j in range(start, columns + 1):
        px = column_px(ws, j)
        if used and used + px > room:
            pages, used = pages + 1, title
        used += px
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = pages, 0
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.print_title_cols = f"{get_column_letter(first)}:{get_column_letter(last)}"

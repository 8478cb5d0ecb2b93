"""A workbook built from nothing and written in one go by XlsxWriter.

openpyxl keeps every cell as an object and writes each through ElementTree: the feedback
on a month's report (a CSV of 40 lines laid out on a sheet, its Issues sheet) took about
25 ms to build and save, most of a small file's answer (``bench/small_files.py``).
XlsxWriter writes what it is given, about 5 ms. It cannot open a workbook, so a sender's
own workbook, marked where its problems are, stays with openpyxl (``io.feedback_workbook``).

The sheets look as ``io.table_sheets`` writes them with openpyxl: the same header colours,
notes, widths, table style and print set-up (from the same helpers; a test writes the
Issues sheet both ways and compares what it reads back), values written by the same rules
(text is always text, never a formula; no value, nothing written).
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import xlsxwriter

from channelxl.io.atomic import write_atomically
from channelxl.io.csvfile import FORMULA_START
from channelxl.io.table_sheets import (
    HEADER_HEIGHT,
    HEADER_NOTE_SIZE,
    HEADER_RGB,
    HEADER_TEXT_RGB,
    TEXT_WIDTH,
    column_width,
    header_note,
    sheet_title,
    text_row,
    typed,
    unique_table_name,
)
from channelxl.schema import Table

# openpyxl's number formats for the date and time types (what the copy showed before)
_DATE_FORMATS = (
    (datetime, "yyyy-mm-dd h:mm:ss"),
    (date, "yyyy-mm-dd"),
    (time, "h:mm:ss"),
    (timedelta, "[h]:mm:ss"),
)


def _excel_date(value) -> bool:
    """Whether ``value`` is written as a date or time: without a time zone, which Excel
    cannot hold, and on or after 1900-03-01 (before Excel's first day a date is an error;
    before its 29 February 1900, which never was, programs read the days differently)."""
    if isinstance(value, datetime | time) and value.tzinfo is not None:
        return False
    if isinstance(value, datetime):
        value = value.date()
    return not isinstance(value, date) or value >= _FIRST_DAY


_FIRST_DAY = date(1900, 3, 1)


class BuiltWorkbook:
    """A new workbook, its sheets in the order made, saved whole or not at all."""

    def __init__(self):
        self._buffer = io.BytesIO()
        # in memory: no temporary files; write_string and friends are called by type, so
        # no text is ever read as a number, formula or link
        self.book = xlsxwriter.Workbook(self._buffer, {"in_memory": True})
        self.sheetnames: list[str] = []  # sheet_title reads them
        self._tables: list[str] = []
        self._formats: dict[tuple, object] = {}

    def sheet(self, text: str):
        """A new sheet named after ``text`` (``table_sheets.sheet_title``'s rules)."""
        title = sheet_title(self, text)
        self.sheetnames.append(title)
        return self.book.add_worksheet(title)

    def format(self, **props):
        """One format object per distinct set of properties (XlsxWriter keeps each)."""
        key = tuple(sorted(props.items()))
        found = self._formats.get(key)
        if found is None:
            found = self._formats[key] = self.book.add_format(props)
        return found

    def write(self, ws, row: int, col: int, value, **props) -> None:
        """``value`` into the cell (0-based ``row``, ``col``) as ``table_sheets.write_value``
        writes it with openpyxl; ``props``: the cell's format (a fill, bold), written even on
        a cell without a value."""
        if hasattr(value, "tolist") and not isinstance(value, str):  # a numpy array
            value = value.tolist()
        if isinstance(value, tuple | list):
            value = ";".join(map(str, value))
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            try:
                if not math.isfinite(float(value)):
                    value = None if value != value else str(value)  # NaN: nothing; inf: text
            except (ArithmeticError, ValueError):  # beyond a float's range; a signalling NaN
                value = str(value)
        elif isinstance(value, datetime | date | time | timedelta):
            if _excel_date(value):
                shown = next(f for kind, f in _DATE_FORMATS if isinstance(value, kind))
                props = {**props, "num_format": shown}
            else:  # too early for a spreadsheet's calendar, or with a time zone: as text
                value = value.isoformat()
        elif isinstance(value, str) and value.startswith(FORMULA_START):
            props = {**props, "quote_prefix": True}  # shown as typed, never run
        look = self.format(**props) if props else None
        if value is None or value == "":
            if look is not None:
                ws.write_blank(row, col, None, look)
        elif isinstance(value, str):
            ws.write_string(row, col, value, look)
        elif isinstance(value, bool):
            ws.write_boolean(row, col, value, look)
        elif isinstance(value, int | float | Decimal):
            ws.write_number(row, col, float(value), look)
        elif isinstance(value, datetime | date | time | timedelta):
            ws.write_datetime(row, col, value, look)
        else:
            ws.write_string(row, col, str(value), look)

    def table_sheet(self, table: Table, rows: Iterable[dict], *, title: str | None = None) -> int:
        """``rows`` (dicts keyed by column field) as an Excel table sheet, as
        ``table_sheets.write_table_sheet(..., validation=False)`` writes a report's; returns
        the row count."""
        ws = self.sheet(title or table.title)
        columns = table.columns
        header = self.format(
            bold=True,
            font_color=f"#{HEADER_TEXT_RGB}",
            pattern=1,
            bg_color=f"#{HEADER_RGB}",
            valign="vcenter",
        )
        numbers = [{"num_format": c.excel_format} if c.excel_format else {} for c in columns]
        n = 0
        for i, row in enumerate(rows, start=1):
            n += 1
            for j, column in enumerate(columns):
                self.write(ws, i, j, typed(row.get(column.field), column), **numbers[j])
        name = unique_table_name(self._tables, ws.name)
        self._tables.append(name)
        ws.add_table(
            0,
            0,
            max(n, 1),
            len(columns) - 1,
            {
                "name": name,
                "style": "Table Style Medium 2",
                "columns": [{"header": c.name, "header_format": header} for c in columns],
            },
        )
        for j, column in enumerate(columns):
            ws.write_comment(0, j, header_note(column), {"author": "channelxl", **HEADER_NOTE_SIZE})
            ws.set_column(j, j, column_width(column))
        ws.freeze_panes(1, 0)
        ws.set_row(0, HEADER_HEIGHT)
        # printed: landscape, all columns on one page width, the header on every page
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(0)
        return n

    def text_sheet(self, title: str, lines: Sequence[str]):
        """A sheet of plain-language text, as ``table_sheets.write_text_sheet`` writes it."""
        ws = self.sheet(title)
        ws.set_column(0, 0, TEXT_WIDTH)
        for i, line in enumerate(lines):
            text, size, height = text_row(line)
            look = {"text_wrap": True, "valign": "top"}
            if size is not None:
                look.update(bold=True, font_size=size)
            self.write(ws, i, 0, text, **look)
            ws.set_row(i, height)
        ws.fit_to_pages(1, 0)
        return ws

    def save(self, path: str | os.PathLike) -> Path:
        """The workbook at ``path``, whole or not at all (``io.atomic``)."""
        self.book.close()
        return write_atomically(Path(path), self._buffer.getvalue())

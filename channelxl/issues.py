"""Problems found in input, as data.

Every reader and validator in channelxl reports what it finds as :class:`Issue`
records (after frictionless and beancount: a code, a severity, a location and a plain
message) and goes on to find the rest, instead of stopping at the first. Callers
decide what to refuse; nothing here raises.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import NamedTuple

ERROR = "error"
WARNING = "warning"

# Every issue code channelxl emits, with what it means in words: the data-quality classes
# of received lines (after the resale validation classes in docs/CHECKS.md) and the
# problems of a file or of the program workbook as a whole. Reports and feedback show
# these instead of the bare code; a test fails when an emitted code is missing here.
# An EDI problem is located in the issue records' own fields: ``sheet`` holds the
# interchange and message ("interchange 000000101, message 0001"), ``cell`` the segment
# ("segment 13 (QTY)"), ``column`` the element ("QTY02"), ``line`` the segment's place in
# the file (``ledger.load_edi``).
EDI_PLACE = "interchange "

CODES = {
    "DATE": "date outside the period, in the future or unreadable",
    "DUPL": "duplicate invoice line or file",
    "PART": "reseller unknown or not authorized",
    "PROD": "SKU unknown or inactive",
    "PRIC": "price missing, negative or below the floor",
    "QUAN": "quantity zero, fractional or absurd",
    "DOCU": "document number missing",
    "TERR": "outside the distributor's territory",
    "FX": "no exchange rate for the currency and month",
    "REF": "unknown distributor or reference",
    "TYPE": "value of the wrong type or not allowed",
    "SCOPE": "line for another distributor or period than the file's",
    "TOTAL": "totals row left in the data",
    "FILE": "problem with the file as a whole",
    "COLUMN": "column missing, renamed or not part of the layout",
    "SHEET": "sheet missing, hidden, or more than one holding a table",
    "TIER": "tier or payout table out of order or missing",
    "RANGE": "rate or weight outside what it may be",
    "OVERLAP": "territory rows that overlap in time",
    "SETTING": "setting missing from the Settings sheet",
    "MDF": "MDF claim or decision the fund cannot take as it is (activity, amount, reason)",
    "EDI": "EDI envelope or syntax: control numbers and counts, a segment out of place",
}
# What a person reads in place of a code, in a sentence or a table's first column (a
# review, a feedback note), the meaning in CODES beside it where there is room. A code
# without a label here reads as its meaning (``label``), never as the bare code.
LABELS = {
    "DATE": "Date",
    "DUPL": "Duplicate",
    "PART": "Reseller",
    "PROD": "Product",
    "PRIC": "Price",
    "QUAN": "Quantity",
    "DOCU": "Document number",
    "TERR": "Territory",
    "FX": "Exchange rate",
    "REF": "Unknown reference",
    "TYPE": "Wrong value",
    "SCOPE": "Another distributor or period",
    "TOTAL": "Totals row",
    "FILE": "The file",
    "COLUMN": "Column",
    "SHEET": "Sheet",
    "TIER": "Tier table",
    "RANGE": "Out of range",
    "OVERLAP": "Overlapping territory",
    "SETTING": "Missing setting",
    "MDF": "MDF claim",
    "EDI": "EDI syntax",
}


def label(code: str) -> str:
    """A code as people read it: its label, else its meaning, else the code itself."""
    meaning = CODES.get(code)
    return LABELS.get(code) or (meaning[:1].upper() + meaning[1:] if meaning else code)


class Issue(NamedTuple):
    """One problem, located.

    ``code`` is a short class (``DUPL``, ``REF``, ``DATE``...); ``sheet``/``cell`` locate it
    in a workbook (``cell`` in A1 form), ``line``/``column`` in a text file.

    A named tuple, so immutable, and made at C speed where a file has a warning on nearly
    every line (100,000 issues: ``tuple.__new__(Issue, fields)`` in ``ledger.line_checks``),
    and stored a column at a time (``zip(*issues)``). ``replace`` gives a changed copy.
    """

    code: str
    message: str
    severity: str = ERROR
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    line: int | None = None
    column: str | None = None

    def replace(self, **changes) -> Issue:
        """A copy with ``changes`` (field=value) made."""
        return self._replace(**changes)

    @property
    def where(self) -> str:
        """Human location: ``program.xlsx, sheet Products, cell C7`` or ``x.csv, line 12``."""
        parts = []
        if self.file:
            parts.append(self.file)
        if self.sheet and self.sheet.startswith(EDI_PLACE):  # an EDI file: its own words
            parts.append(self.sheet)
            if self.cell:
                parts.append(self.cell)
            if self.column:  # an element (QTY02, LIN03-2), or the layout's column it fills
                element = re.fullmatch(r"[A-Z][A-Z0-9]{1,2}\d{2}(-\d+)?", self.column)
                parts.append(f"element {self.column}" if element else self.column)
            return ", ".join(parts)
        if self.sheet:
            parts.append(f"sheet {self.sheet}")
        if self.cell:
            parts.append(f"cell {self.cell}")
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.column:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where
        return (
            f"{self.severity.upper()} {self.code} {where}: {self.message}"
            if where
            else (f"{self.severity.upper()} {self.code}: {self.message}")
        )

    def to_dict(self) -> dict:
        return {k: v for k, v in self._asdict().items() if v is not None}


def errors(issues: Iterable[Issue]) -> list[Issue]:
    return [i for i in issues if i.severity == ERROR]


@cache  # a sheet has few columns and a file may locate 100,000 problems in them
def column_letter(index: int) -> str:
    """0-based column index -> Excel letters (0 -> A, 25 -> Z, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def a1(row: int, col: int) -> str:
    """0-based (row, col) -> A1 reference: a1(0, 0) == "A1"."""
    return f"{column_letter(col)}{row + 1}"

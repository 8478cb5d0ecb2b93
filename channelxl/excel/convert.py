"""From the values Excel passes to Python values, and back: in one place.

What arrives (xlwings, ``ndim=2`` on every range argument):

- Windows Excel (COM): a scalar or a 2-D list; numbers as ``float``; blanks as ``None``
  (``''`` for a cell holding an empty string); dates as ``datetime``.
- Office.js (xlwings Server / Lite): a 2-D list; numbers as ``int`` or ``float``; blanks
  as ``''`` or ``0``; dates as serial numbers (days since 1899-12-30).

A table may or may not start with a header row; a generously selected range has blank
rows at the bottom, which are dropped. What goes back: a scalar, or a 2-D list that
spills as a dynamic array (a table has a header row). Bad input raises
:class:`ExcelError`, which :func:`guard` turns into the text a cell shows, such as
``#VALUE! tier thresholds must ascend (row 3)`` -- never a traceback.
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime
from decimal import Decimal

from channelxl.core.money import D
from channelxl.io.cells import excel_serial_to_date, is_blank
from channelxl.schema import normalize_header


class ExcelError(Exception):
    """Bad input for an Excel function; ``str()`` is what the cell shows."""

    def __init__(self, reason: str, kind: str = "#VALUE!"):
        super().__init__(reason)
        self.kind = kind
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.kind} {self.reason}"


def guard(fn):
    """Run an Excel function; return an error string instead of raising, always."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ExcelError as exc:
            return str(exc)
        except Exception as exc:  # a cell must never show a traceback
            return f"#VALUE! {type(exc).__name__}: {exc}"

    return wrapper


def grid(value: object) -> list[list]:
    """Any argument as a 2-D list (a scalar is 1x1; a 1-D list is a column)."""
    if isinstance(value, list | tuple):
        if not value:
            return []
        if isinstance(value[0], list):  # what xlwings passes: rows of cells (not copied)
            return value if set(map(type, value)) == {list} else [list(r) for r in value]
        if all(isinstance(r, list | tuple) for r in value):
            return [list(r) for r in value]
        return [[v] for v in value]
    return [[value]]


def drop_blank_tail(rows: list[list], *, zero_is_blank: bool = False) -> list[list]:
    """Drop trailing rows with no value (Office.js sends blanks as 0 where told so)."""

    def blank(v):
        return is_blank(v) or (zero_is_blank and isinstance(v, int | float) and v == 0)

    end = len(rows)
    while end and all(blank(v) for v in rows[end - 1]):
        end -= 1
    return rows[:end]


_NUMBER_TEXT = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?%?$")


def looks_numeric(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float | Decimal | datetime | date):
        return True
    return isinstance(value, str) and bool(_NUMBER_TEXT.match(value.strip().replace(" ", "")))


def number(value: object, what: str) -> Decimal:
    """An exact Decimal from a cell; ``what`` names it in the error (e.g. 'measure in row 4')."""
    if is_blank(value):
        raise ExcelError(f"{what} is blank")
    if isinstance(value, bool):
        raise ExcelError(f"{what} is TRUE/FALSE, not a number")
    if isinstance(value, str):
        text = value.strip().replace(" ", "")
        if not _NUMBER_TEXT.match(text):
            raise ExcelError(f"{what} is not a number ({value!r})")
        percent = text.endswith("%")
        result = D(text.rstrip("%").replace(",", ""))
        return result / 100 if percent else result
    if isinstance(value, datetime | date):
        raise ExcelError(f"{what} is a date, not a number")
    try:
        return D(value)
    except ValueError:
        raise ExcelError(f"{what} is not a number ({value!r})") from None


def text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def to_date(value: object, what: str) -> date:
    """A date from a datetime (Windows), a serial number (Office.js) or ISO text."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2958466:
        return excel_serial_to_date(value)
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            pass
    raise ExcelError(f"{what} is not a date ({value!r})")


def has_header(rows: list[list]) -> bool:
    """A first row holding any text that is not a number is a header."""
    return bool(rows) and any(
        isinstance(v, str) and v.strip() and not looks_numeric(v) for v in rows[0]
    )


def table(
    value: object,
    what: str,
    *,
    min_columns: int,
    max_columns: int,
    zero_is_blank: bool = False,
) -> tuple[list[str] | None, list[list], int]:
    """Split a table argument into (header or None, data rows, Excel row offset).

    The offset is 1 when a header row was found, so data row i is table row i + offset + 1
    (1-based), the number an error message names.
    """
    rows = drop_blank_tail(grid(value), zero_is_blank=zero_is_blank)
    if not rows:
        raise ExcelError(f"{what} is empty")
    width = len(rows[0])
    if width < min_columns or width > max_columns:
        need = str(min_columns) if min_columns == max_columns else f"{min_columns} to {max_columns}"
        raise ExcelError(f"{what} needs {need} columns, got {width}")
    header = None
    offset = 0
    if has_header(rows):
        header = [text(v) for v in rows[0]]
        rows = rows[1:]
        offset = 1
    if not rows:
        raise ExcelError(f"{what} has a header but no rows")
    return header, rows, offset


def column(value: object, what: str, *, numeric: bool = True) -> tuple[list, bool]:
    """A single value or a column of values; returns (values, was_a_range).

    For a numeric column a text cell on top is a header and is dropped; a text column
    cannot tell, so ``numeric=False`` keeps every cell (the caller decides).
    """
    rows = grid(value)
    scalar = len(rows) == 1 and len(rows[0]) == 1
    rows = drop_blank_tail(rows)
    if not rows:
        raise ExcelError(f"{what} is empty")
    if set(map(len, rows)) != {1}:
        if len(rows) == 1:  # a row of values is read as a list too
            return list(rows[0]), True
        raise ExcelError(f"{what} must be one value or one column")
    values = [r[0] for r in rows]
    if (
        numeric
        and values
        and isinstance(values[0], str)
        and not looks_numeric(values[0])
        and len(values) > 1
    ):
        values = values[1:]  # a header cell on top of the column
    return values, not scalar


def named_columns(
    header: list[str], wanted: dict[str, tuple[str, ...]], what: str
) -> dict[str, int]:
    """Positions of the wanted columns in a header, names matched ignoring case and spaces.

    ``wanted`` maps a key to the accepted names; raises naming what is missing.
    """
    keys = [normalize_header(h) for h in header]
    found = {}
    for key, names in wanted.items():
        for name in names:
            if normalize_header(name) in keys:
                found[key] = keys.index(normalize_header(name))
                break
    missing = [names[0] for key, names in wanted.items() if key not in found]
    if missing:
        raise ExcelError(f"{what} has no column {', '.join(missing)}")
    return found


def out(value: object):
    """A result as Excel takes it: Decimal -> float, date stays, None -> ''."""
    if isinstance(value, Decimal):
        return float(value)
    if value is None:
        return ""
    return value


def spill(values: list, as_column: bool):
    """One value, or a column that spills."""
    if not as_column:
        return out(values[0])
    return [[out(v)] for v in values]

"""From the values Excel passes to Python values, and back: in one place.

What arrives (xlwings, ``ndim=2`` on every range argument):

- Windows Excel (COM): a scalar or a 2-D list; numbers as ``float``; blanks as ``None``
  (``''`` for a cell holding an empty string); dates as ``datetime``.
- Office.js (xlwings Server / Lite): a 2-D list; numbers as ``int`` or ``float``; blanks
  as ``''`` or ``0``; dates as serial numbers (days since 1899-12-30).
- An error shown by another cell (``#N/A``, or a ``CHX_`` function's own ``#VALUE! ...``
  text) arrives as that text: it is passed on with its kind (``#N/A`` gives ``#N/A``).

Blank cells, the rules (one place, every function):

- A generously selected range has blank rows at the bottom and blank columns at the right:
  they are dropped (:func:`trim`), so it gives the answer of the exact range.
- Office.js sends a blank cell as ``0``. JSON and Pyodide turn an integral JS number into a
  Python ``int``, and Windows sends every number as a ``float``; so a trailing ``int`` 0 is
  a blank (:func:`office_blank`) and a trailing ``0.0`` is a zero someone typed. Where a
  row of zeros means nothing (a territory, a reconciliation line, a scorecard metric with
  no target and no weight) any zero counts as blank (:func:`blank_or_zero`).

A table may or may not start with a header row. What goes back: a scalar, or a 2-D list
that spills as a dynamic array (a table has a header row). Bad input raises
:class:`ExcelError`, which :func:`guard` turns into the text a cell shows, such as
``#VALUE! tier thresholds must ascend (row 3)`` -- never a traceback or a Python name.
"""

from __future__ import annotations

import functools
import logging
import math
import re
from datetime import date, datetime
from decimal import Decimal

from channelxl.core.cell_values import excel_serial_to_date, is_blank
from channelxl.core.money import D
from channelxl.schema import normalize_header

_log = logging.getLogger("channelxl.excel")

# What Excel shows for an error value; Office.js (and xlwings with err_to_str) passes it on
# as this text. A CHX_ function's own error text starts with one of them and a space.
EXCEL_ERRORS = frozenset(
    {
        "#N/A",
        "#VALUE!",
        "#REF!",
        "#DIV/0!",
        "#NUM!",
        "#NAME?",
        "#NULL!",
        "#SPILL!",
        "#CALC!",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
        "#GETTING_DATA",
        "#PYTHON!",
        "#TIMEOUT!",
    }
)
SHEET_ROWS = 1_048_576  # the most rows a result can spill into


class ExcelError(Exception):
    """Bad input for an Excel function; ``str()`` is what the cell shows."""

    def __init__(self, reason: str, kind: str = "#VALUE!"):
        super().__init__(reason)
        self.kind = kind
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.kind} {self.reason}"


def guard(fn):
    """Run an Excel function; return an error string instead of raising, always.

    An unexpected exception is logged (for whoever maintains channelxl) and the cell says,
    in words, that the arguments could not be read: never a Python class name.
    """
    name = fn.__name__.upper()

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ExcelError as exc:
            return str(exc)
        except ArithmeticError:  # decimal overflow and the like: numbers beyond any use
            _log.exception("%s: arithmetic failed", name)
            return f"#NUM! {name} got a number too large or too small to compute with"
        except Exception:  # a cell must never show a traceback
            _log.exception("%s: unexpected input", name)
            return f"#VALUE! {name} could not read its arguments; check each one"

    return wrapper


# ------------------------------------------------------------------------------ cells


def office_blank(value: object) -> bool:
    """A blank cell as either Excel sends it: None, '' (or spaces), or Office.js's int 0."""
    return is_blank(value) or (type(value) is int and value == 0)


def blank_or_zero(value: object) -> bool:
    """Blank, or any zero: for rows where zeros carry no information."""
    return is_blank(value) or (
        isinstance(value, int | float) and not isinstance(value, bool) and value == 0
    )


def excel_error(value: object) -> str | None:
    """The error code an error cell (or a CHX_ error text) shows, else None."""
    if not isinstance(value, str) or not value.startswith("#"):
        return None
    code = value.split(" ", 1)[0].upper()
    return code if code in EXCEL_ERRORS else None


def shown(value: object) -> str:
    """A cell's value as an error message quotes it: short, and never a Python type."""
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float | Decimal | datetime | date):
        return str(value)
    return "a value that is no cell"


_NUMBER_TEXT = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?%?$")
_SPACES = str.maketrans("", "", " \u00a0\u202f")  # thousands separated by (no-break) spaces


def looks_numeric(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float | Decimal | datetime | date):
        return True
    return isinstance(value, str) and bool(_NUMBER_TEXT.match(value.translate(_SPACES)))


def is_label(value: object) -> bool:
    """Text that is not a number and not an error: a header or a label."""
    return (
        isinstance(value, str)
        and bool(value.strip())
        and not looks_numeric(value)
        and excel_error(value) is None
    )


def check_error(value: object, what: str) -> None:
    """Pass on an error from another cell, with its own kind."""
    code = excel_error(value)
    if code:
        raise ExcelError(f"{what} comes from a cell showing {code}", code)


def number(value: object, what: str) -> Decimal:
    """An exact Decimal from a cell; ``what`` names it in the error (e.g. 'measure in row 4')."""
    if is_blank(value):
        raise ExcelError(f"{what} is blank")
    if isinstance(value, bool):
        raise ExcelError(f"{what} is TRUE/FALSE, not a number")
    check_error(value, what)
    if isinstance(value, str):
        text_ = value.translate(_SPACES)
        if not _NUMBER_TEXT.match(text_):
            raise ExcelError(f"{what} is not a number ({shown(value)})")
        percent = text_.endswith("%")
        result = D(text_.rstrip("%").replace(",", ""))
        return result / 100 if percent else result
    if isinstance(value, datetime | date):
        raise ExcelError(f"{what} is a date, not a number")
    if isinstance(value, list | tuple):
        raise ExcelError(f"{what} must be one cell, not a range")
    if not isinstance(value, int | float | Decimal):
        raise ExcelError(f"{what} is not a number ({shown(value)})")
    try:
        return D(value)
    except ValueError:
        raise ExcelError(f"{what} is not a finite number ({shown(value)})", "#NUM!") from None


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
    if is_blank(value):
        raise ExcelError(f"{what} is blank")
    check_error(value, what)
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2958466:
        return excel_serial_to_date(value)
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            pass
    raise ExcelError(f"{what} is not a date ({shown(value)})")


def scalar(value: object, what: str) -> object:
    """A one-cell argument; a range of one value (plus blanks) is that value."""
    if not isinstance(value, list | tuple):
        return value
    rows = trim(grid(value), office_blank)
    if not rows:
        return None
    if len(rows) > 1 or len(rows[0]) > 1:
        raise ExcelError(f"{what} must be one cell, not a range")
    return rows[0][0]


# ------------------------------------------------------------------------------ ranges


def grid(value: object) -> list[list]:
    """Any argument as a rectangular 2-D list (a scalar is 1x1; a 1-D list is a column)."""
    if isinstance(value, list | tuple):
        if not value:
            return []
        if isinstance(value[0], list) and set(map(type, value)) == {list}:
            rows = value  # what xlwings passes: rows of cells (not copied)
        elif all(isinstance(r, list | tuple) for r in value):
            rows = [list(r) for r in value]
        else:
            return [[v] for v in value]
        lengths = set(map(len, rows))
        if len(lengths) > 1:  # never from Excel; from a Python caller
            width = max(lengths)
            rows = [list(r) + [None] * (width - len(r)) for r in rows]
        return rows
    return [[value]]


def trim(
    rows: list[list], blank=is_blank, *, blank_columns=None, keep_columns: int = 1
) -> list[list]:
    """Drop trailing blank rows and columns (``blank`` says what a blank cell is; for
    columns ``blank_columns``, by default the same).

    Cells that are blank only as Office.js zeros never trim a range to nothing (its first
    row stays), nor below ``keep_columns`` columns: a column of zeros may be the data.
    """
    blank_columns = blank_columns or blank
    end = len(rows)
    while end and all(blank(v) for v in rows[end - 1]):
        if end == 1 and not all(is_blank(v) for v in rows[0]):
            break
        end -= 1
    rows = rows[:end]
    width = len(rows[0]) if rows else 0
    cut = width
    while cut and all(blank_columns(r[cut - 1]) for r in rows):
        if cut <= keep_columns and not all(is_blank(r[cut - 1]) for r in rows):
            break
        cut -= 1
    if not cut:
        return []
    return rows if cut == width else [r[:cut] for r in rows]


def has_header(rows: list[list], columns: tuple[int, ...] | None = None) -> bool:
    """A first row holding a label (text that is not a number) in ``columns`` (all by
    default) is a header."""
    if not rows:
        return False
    first = rows[0] if columns is None else [rows[0][j] for j in columns if j < len(rows[0])]
    return any(is_label(v) for v in first)


def table(
    value: object,
    what: str,
    *,
    min_columns: int,
    max_columns: int,
    numeric_columns: tuple[int, ...] | None = None,
    blank=is_blank,
) -> tuple[list[str] | None, list[list], int]:
    """Split a table argument into (header or None, data rows, Excel row offset).

    The offset is 1 when a header row was found, so data row i is table row i + offset + 1
    (1-based), the number an error message names. A header is told apart by a label in
    ``numeric_columns`` (a label in a text column is data).
    """
    rows = trim(grid(value), blank, blank_columns=office_blank, keep_columns=min_columns)
    if not rows:
        raise ExcelError(f"{what} is empty")
    width = len(rows[0])
    if width < min_columns or width > max_columns:
        need = str(min_columns) if min_columns == max_columns else f"{min_columns} to {max_columns}"
        raise ExcelError(f"{what} needs {need} columns, got {width}")
    header = None
    offset = 0
    if has_header(rows, numeric_columns):
        header = [text(v) for v in rows[0]]
        rows = rows[1:]
        offset = 1
    if not rows:
        raise ExcelError(f"{what} has a header but no rows")
    return header, rows, offset


def positions(value: object, what: str, *, numeric: bool = True) -> tuple[list, str, bool]:
    """The cells of a one-value, one-column or one-row argument, blanks kept.

    Returns (cells, orientation, had a header): orientation ``"column"`` or ``"row"`` (a
    single cell is a column of one). Functions that line several such arguments up (a
    scorecard's actuals, targets and weights; a territory check's lines) compare these
    untrimmed lengths, so ranges of the same size agree even where one ends in blanks. For
    numbers, a label on top of a column (or left of a row), or a header row above a row,
    is a header and is dropped; a text column cannot tell, so ``numeric=False`` keeps every
    cell (the caller decides).
    """
    rows = grid(value)
    content = trim(rows)
    if not content:
        raise ExcelError(f"{what} is empty")
    if len(content) > 1 and len(content[0]) > 1:  # Office.js blanks (0) around one line?
        content = trim(content, office_blank)
    height, width = len(content), len(content[0])
    if width == 1 and (height > 1 or len(rows) > 1 or len(rows[0]) == 1):
        cells, orientation = [r[0] for r in rows], "column"
    elif height == 1:
        cells, orientation = list(rows[0]), "row"
    elif numeric and height == 2 and all(is_label(v) or is_blank(v) for v in content[0]):
        return list(rows[1]), "row", True  # a header row above a row of numbers
    else:
        raise ExcelError(f"{what} must be one value or one column")
    if numeric and len(cells) > 1 and is_label(cells[0]):
        return cells[1:], orientation, True
    return cells, orientation, False


def vector(value: object, what: str, *, blank=office_blank) -> tuple[list, str]:
    """One number, a column or a row of numbers: returns (values, shape).

    Trailing blanks (``blank``: by default Office.js's 0 too, but never the first value)
    are dropped. ``shape`` is ``"value"`` when what is left of the range is one cell (a
    scalar, a 1x1 range, or one value in a generously selected range), else ``"column"``
    or ``"row"``; the result of a per-item function takes the same shape.
    """
    cells, orientation, had_header = positions(value, what)
    end = len(cells)
    while end and blank(cells[end - 1]) and (end > 1 or is_blank(cells[0])):
        end -= 1
    if not end:
        raise ExcelError(f"{what} has a header but no values")
    return cells[:end], ("value" if end == 1 and not had_header else orientation)


def line_up(given: list[tuple[str, list]], *, broadcast: bool, blank=blank_or_zero) -> int:
    """The number of items several position lists share, checked.

    ``given``: (name, cells) pairs, cells from :func:`positions`. With ``broadcast`` a list of one
    cell is one value for every item. Trailing positions blank in every list are no item
    (generously selected ranges); a list that ends before the items do is a range of the
    wrong size.
    """
    longest = max(len(cells) for _, cells in given)
    many = [cells for _, cells in given if len(cells) > 1 or not broadcast]
    n = longest
    while n > 1 and all(len(cells) < n or blank(cells[n - 1]) for cells in many):
        n -= 1
    if any(len(cells) < n for cells in many):
        lengths = ", ".join(str(min(len(cells), n)) for _, cells in given)
        names = [name for name, _ in given]
        names = ", ".join(names[:-1]) + " and " + names[-1]
        raise ExcelError(f"{names} need the same length ({lengths})")
    return n


def item_name(what: str, shape: str, i: int) -> str:
    """How an error names item i (1-based) of a vector: 'measure in row 3'."""
    if shape == "value":
        return what
    return f"{what} in {'row' if shape == 'column' else 'column'} {i}"


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
    if missing and not found:
        expected = ", ".join(names[0] for names in wanted.values())
        raise ExcelError(f"{what} needs a header row naming its columns: {expected}")
    if missing:
        raise ExcelError(f"{what} has no column {', '.join(missing)}")
    return found


# ------------------------------------------------------------------------------ results


def out(value: object):
    """A result as Excel takes it: Decimal -> float, date stays, None -> ''.

    A number Excel cannot hold (beyond about 1.8e308, or not a number at all) is refused.
    """
    if isinstance(value, Decimal | float):
        result = float(value)
        if not math.isfinite(result):
            raise ExcelError("the result is too large for Excel", "#NUM!")
        return result
    if value is None:
        return ""
    return value


def spill(values: list, shape: str):
    """One value, or a column or a row that spills; items are already cell values."""
    if shape == "value":
        return values[0]
    if shape == "row":
        return [list(values)]
    return [[v] for v in values]

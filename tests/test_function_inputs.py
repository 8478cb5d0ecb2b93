"""Every CHX_ function answers every input shape Excel can pass (hypothesis).

Each registered function (``channelxl.excel.REGISTRY``) is fed random Excel-shaped values:
scalars and ranges (1x1, rows, columns, 2-D, empty, all blank, with and without a header),
numbers as Windows sends them (floats, None for blanks, datetimes) and as Office.js does
(ints, 0 or '' for blanks, serial dates), text numbers, booleans, errors passed in from
other cells ('#N/A') and long ranges. It must return a value of its declared shape
(``Function.shape``) or an error text that starts with an Excel error code and names no
Python class -- and never raise.
"""

from __future__ import annotations

import math
from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channelxl.excel import REGISTRY
from channelxl.excel.convert import EXCEL_ERRORS

PYTHON_NAMES = (
    "Error:",
    "Exception",
    "Traceback",
    "object",
    "<class",
    "datetime.",
    "Decimal(",
    "numpy",
    "None",
)
ERROR_TEXTS = ["#N/A", "#VALUE!", "#DIV/0!", "#REF!", "#NAME?", "#NUM! measure in row 2 is blank"]
WORDS = [
    "Threshold",
    "Rate",
    "Tier",
    "Base",
    "Month",
    "SKU",
    "Quantity",
    "On Hand",
    "Distributor",
    "Country",
    "Segment",
    "Exclusive",
    "Valid From",
    "Valid To",
    "Invoice Date",
    "D001",
    "D002",
    "A-1",
    "DE",
    "FR",
    "smb",
    "*",
    "Y",
    "N",
    "incremental",
    "retroactive",
    "2026-01",
    "2026-13",
    "2026-02-30",
    "2026-03-01",
    "9999-12-31",
    "1,001",
    "0.5%",
    "-12",
    "12",
    "2%",
    "n/a",
    "1e5",
]
# Random text from letters that cannot spell a Python name the assertions look for.
SAFE_TEXT = st.text(alphabet="ABCDFGHIJKLMNPQRSUVWXYZ0123456789 -.,%/:#*", max_size=12)

blanks = st.sampled_from([None, "", "  ", 0])
numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1e9, max_value=1e9).map(lambda x: round(x, 2)),
    st.sampled_from([0.0, 1.0, 0.02, 100000.0, 1e308, -1e308, 5e-324, -0.0, 1e15 + 0.5]),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.integers(min_value=1, max_value=2958465),  # Office.js dates as serial numbers
)
dates = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(9999, 12, 31))
texts = st.one_of(
    st.sampled_from(WORDS), st.sampled_from(ERROR_TEXTS), SAFE_TEXT, st.just("A" * 5000)
)
cells = st.one_of(blanks, numbers, st.booleans(), dates, texts)


def grids(cell=cells, max_rows=6, max_columns=7):
    return st.integers(1, max_rows).flatmap(
        lambda rows: st.integers(1, max_columns).flatmap(
            lambda cols: st.lists(
                st.lists(cell, min_size=cols, max_size=cols), min_size=rows, max_size=rows
            )
        )
    )


HEADERS = [w for w in WORDS if w[0].isupper() and not w[1:2].isdigit()]


def tables():
    """A header row of known column names over rows of random cells."""
    return st.integers(1, 7).flatmap(
        lambda cols: st.tuples(
            st.lists(st.sampled_from(HEADERS), min_size=cols, max_size=cols),
            st.lists(st.lists(cells, min_size=cols, max_size=cols), min_size=0, max_size=5),
        ).map(lambda t: [t[0], *t[1]])
    )


# Past 64 plain numbers the rebate functions take their float64 path: columns of numbers
# only (NaN, infinities and 1e308 included) reach it; mixed ones test the cell path.
long_columns = st.one_of(
    st.lists(numbers, min_size=65, max_size=200),
    st.lists(st.one_of(numbers, blanks, texts), min_size=65, max_size=200),
).map(lambda values: [[v] for v in values])

arguments = st.one_of(
    cells,
    grids(),
    tables(),
    long_columns,
    st.sampled_from([[], [[]], [[None]], [[None, None], [None, None]], [[0, 0], ["", ""]]]),
)


@st.composite
def mutated(draw, example):
    """An example argument changed the way a careless (or hostile) sender would: a few
    cells replaced, blank or random rows and columns added, the header dropped, the range
    turned on its side, a value given as a range -- so most inputs get past the first
    check and reach the arithmetic."""
    if not isinstance(example, list):
        how = draw(st.sampled_from(["keep", "number", "cell", "1x1", "generous", "column"]))
        if how == "keep":
            return example
        if how == "number":
            return draw(numbers)
        if how == "cell":
            return draw(cells)
        if how == "1x1":
            return [[example]]
        if how == "generous":
            return [[example]] + [[draw(blanks)] for _ in range(draw(st.integers(1, 3)))]
        return draw(long_columns)
    rows = [list(r) for r in example]
    for _ in range(draw(st.integers(0, 3))):
        r = draw(st.integers(0, len(rows) - 1))
        c = draw(st.integers(0, len(rows[r]) - 1))
        rows[r][c] = draw(cells)
    how = draw(
        st.sampled_from(
            ["keep", "keep", "rows", "rows", "columns", "no header", "transpose", "random"]
        )
    )
    width = len(rows[0])
    if how == "rows":
        filler = draw(
            st.one_of(
                blanks.map(lambda b: [b] * width), st.lists(cells, min_size=width, max_size=width)
            )
        )
        rows += [list(filler) for _ in range(draw(st.integers(1, 3)))]
    elif how == "columns":
        filler = draw(blanks)
        rows = [r + [filler] * draw(st.integers(1, 2)) for r in rows][:]
        rows = [r[: width + 1] + [filler] * (len(rows[0]) - width - 1) for r in rows]
    elif how == "no header" and len(rows) > 1:
        rows = rows[1:]
    elif how == "transpose":
        rows = [list(col) for col in zip(*rows, strict=True)]
    elif how == "random":
        rows = draw(arguments)
    return rows


def calls(f, count: int):
    """Arguments for ``f``: its example with one argument changed (most inputs then reach
    the arithmetic), every argument changed, or every argument random."""
    examples = (list(f.example_args) + [None] * len(f.args))[:count]
    one = st.integers(0, count - 1).flatmap(
        lambda k: mutated(examples[k]).map(
            lambda changed: [*examples[:k], changed, *examples[k + 1 :]]
        )
    )
    every = st.tuples(*[mutated(e) for e in examples]).map(list)
    random = st.tuples(*[arguments for _ in examples]).map(list)
    return st.one_of(one, one, every, random)


def well_formed_error(text: str) -> bool:
    code = text.split(" ", 1)[0]
    return code in EXCEL_ERRORS and not any(name in text for name in PYTHON_NAMES)


def is_cell_value(value) -> bool:
    """What Excel can show in a cell: a finite number, text, a date; an error text well formed."""
    if isinstance(value, str):
        return not value.startswith("#") or well_formed_error(value)
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, datetime | date)


def has_declared_shape(result, shape: str) -> bool:
    if isinstance(result, str) and result.startswith("#"):
        return well_formed_error(result)
    if shape == "value":
        return not isinstance(result, list) and is_cell_value(result)
    if not isinstance(result, list):
        return shape == "item" and is_cell_value(result)
    if not result or not all(isinstance(row, list) and row for row in result):
        return False
    width = len(result[0])
    if any(len(row) != width for row in result):
        return False
    if not all(is_cell_value(v) for row in result for v in row):
        return False
    if shape == "item":  # a column or a row
        return width == 1 or len(result) == 1
    return all(isinstance(v, str) and v for v in result[0])  # a table: its header first


@pytest.mark.parametrize("name", sorted(REGISTRY))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_function_answers_every_input(name, data):
    f = REGISTRY[name]
    required = [a for a in f.args if not a.optional]
    count = data.draw(st.integers(len(required), len(f.args)), label="arguments given")
    args = data.draw(calls(f, count), label="arguments")
    result = f.fn(*args)
    assert has_declared_shape(result, f.shape), result


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_declared_shapes_hold_for_the_examples(name):
    f = REGISTRY[name]
    assert has_declared_shape(f.fn(*f.example_args), f.shape)


# ------------------------------------------------------------------ generous == exact
@st.composite
def generously_selected(draw, example, arg):
    """An example range as a generous selection passes it: blank rows below and blank
    columns right, blank as Windows (None), as an empty string, or as Office.js (0)."""
    if not arg.range:
        return example
    rows = [list(r) for r in example] if isinstance(example, list) else [[example]]
    blank = draw(st.sampled_from([None, "", 0]))
    extra_rows, extra_columns = draw(st.integers(0, 3)), draw(st.integers(0, 2))
    width = len(rows[0]) + extra_columns
    rows = [r + [blank] * extra_columns for r in rows]
    return rows + [[blank] * width for _ in range(extra_rows or (not extra_columns))]


@pytest.mark.parametrize("name", sorted(REGISTRY))
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_a_generous_selection_gives_the_exact_answer(name, data):
    f = REGISTRY[name]
    args = [
        data.draw(generously_selected(example, arg), label=arg.name)
        for example, arg in zip(f.example_args, f.args, strict=False)
    ]
    assert f.fn(*args) == f.example_result

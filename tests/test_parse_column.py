"""A sheet's column parsed at once (``parse_column``) gives exactly what parsing each cell
gives: the same values, of the same type and written the same way, and a CellError when
any cell cannot be read."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from channelxl.io.cells import CellError, column_parser, parse_column
from channelxl.schema import Column

COLUMNS = [
    Column("Name", "text", ""),
    Column("ID", "id", ""),
    Column("Qty", "int", ""),
    Column("Price", "decimal", ""),
    Column("Day", "date", ""),
    Column("Country", "country", ""),
    Column("Kind", "enum", "", allowed=("shipment", "return")),
]
cells = st.one_of(
    st.none(),
    st.text(max_size=6),
    st.sampled_from([" de ", "FR", "Return", "shipment", "1.234,50", "2026-10-31", " x", "\t"]),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 1, 1)),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1)),
)


def _cell_by_cell(parse, values):
    try:
        return ("ok", [(type(v), repr(v)) for v in map(parse, values)])
    except CellError:
        return ("error", None)


def _at_once(parse, column, values):
    try:
        return ("ok", [(type(v), repr(v)) for v in parse_column(parse, column, values)])
    except CellError:
        return ("error", None)


@pytest.mark.parametrize("column", COLUMNS, ids=lambda c: c.name)
@pytest.mark.parametrize("locale", [None, "de_DE"])
@settings(max_examples=150, deadline=None)
@given(
    pool=st.lists(cells, min_size=1, max_size=5),
    picks=st.lists(st.integers(0, 4), min_size=1, max_size=30),
)
def test_a_column_at_once_equals_cell_by_cell(column, locale, pool, picks):
    values = [pool[i % len(pool)] for i in picks]  # repeated values, as in a real sheet
    parse = column_parser(column, locale)
    assert _at_once(parse, column, values) == _cell_by_cell(parse, values)


def test_repeated_and_blank_cells():
    column = Column("Reseller", "id", "", required=False)
    parse = column_parser(column)
    assert parse_column(parse, column, [" R1", "R1 ", None, "R2", "R1"]) == [
        "R1",
        "R1",
        None,
        "R2",
        "R1",
    ]
    qty = Column("Qty", "int", "", required=False)
    assert parse_column(column_parser(qty), qty, [3, 3, 3, None]) == [3, 3, 3, None]
    with pytest.raises(CellError):
        parse_column(column_parser(qty), qty, [3, "three", 3, 3])

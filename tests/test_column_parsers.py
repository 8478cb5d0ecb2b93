"""The per-column fast parsers give exactly what parse_cell gives, errors included."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from channelxl.io.cells import CellError, column_parser, parse_cell
from channelxl.schema import Column

COLUMNS = [
    Column("Name", "text", ""),
    Column("ID", "id", ""),
    Column("Qty", "int", ""),
    Column("Qty Min", "int", "", minimum=1),
    Column("Price", "decimal", ""),
    Column("Price Min", "decimal", "", minimum=0),
    Column("Day", "date", ""),
    Column("Country", "country", ""),
    Column("Currency", "currency", ""),
    Column("Kind", "enum", "", allowed=("shipment", "return", "Return")),
    Column("Needed", "text", "", required=True),
]
values = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.sampled_from(
        [
            " de ",
            "usd",
            "EUR",
            "Shipment ",
            "RETURN",
            "1.234,50",
            "31.10.2026",
            "2026-10-31",
            "-",
            "",
        ]
    ),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 1, 1)),
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)),
)


def _outcome(fn, value):
    try:
        return ("ok", fn(value))
    except CellError as exc:
        return ("error", str(exc))


@pytest.mark.parametrize("column", COLUMNS, ids=lambda c: c.name)
@pytest.mark.parametrize("locale", [None, "de_DE"])
@settings(max_examples=300, deadline=None)
@given(value=values)
def test_fast_parser_equals_parse_cell(column, locale, value):
    fast = column_parser(column, locale)
    assert _outcome(fast, value) == _outcome(lambda v: parse_cell(v, column, locale), value)


@pytest.mark.parametrize("text", ["NaN", "nan", "Infinity", "-Infinity"])
def test_not_a_number_typed_as_text_is_refused_in_every_locale(text):
    for locale in (None, "de_DE", "en_US"):
        with pytest.raises(CellError, match="is not a number"):
            parse_cell(text, Column("Price", "decimal", ""), locale)

"""The per-column fast parsers give exactly what parse_cell gives, errors included; a
number typed as text is read by its locale or the plain form, never as another number;
numbers outside the ledger's range are named too large."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from babel.numbers import format_decimal, get_decimal_symbol
from hypothesis import given, settings
from hypothesis import strategies as st

from channelxl.io.cells import CellError, column_parser, locale_number, parse_cell, plain_number
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


# ---------------------------------------------------------------- numbers typed as text
DEC = Column("Unit Price", "decimal", "", required=False)
INT = Column("Quantity", "int", "", required=False)


def _read(value, column, locale):
    """The value read, or the message saying why not."""
    try:
        return parse_cell(value, column, locale)
    except CellError as exc:
        return str(exc)


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("1999,50", "en_US", "'1999,50' is not a number like 1234.50 (read as en_US)"),
        ("1999,50", None, "'1999,50' is not a number like 1234.50"),
        ("1999,50", "de_DE", Decimal("1999.50")),
        ("1,00,000", "de_DE", "'1,00,000' is not a number like 1234,50 (read as de_DE)"),
        ("1,00,000", "en_US", "'1,00,000' is not a number like 1234.50 (read as en_US)"),
        ("1,00,000", "en_IN", Decimal("100000")),
        ("1,00,000", None, "'1,00,000' is not a number like 1234.50"),
        ("1.234,50", "de_DE", Decimal("1234.50")),
        ("1.234,50", "en_US", "'1.234,50' is not a number like 1234.50 (read as en_US)"),
        ("1,234.50", "en_US", Decimal("1234.50")),
        ("1,234.50", "de_DE", Decimal("1234.50")),  # the plain form
        ("1,234,567.50", None, Decimal("1234567.50")),
        (" -1,234.5 ", None, Decimal("-1234.5")),
        ("1 234,5", "fr_FR", Decimal("1234.5")),  # a plain space where fr_FR groups
        ("1 000", "en_US", "'1 000' is not a number like 1234.50 (read as en_US)"),
        ("1,2345", None, "'1,2345' is not a number like 1234.50"),
        ("1e5", "en_US", "'1e5' is not a number like 1234.50 (read as en_US)"),
        ("1_000", None, "'1_000' is not a number like 1234.50"),
        ("12.5%", None, Decimal("0.125")),
    ],
)
def test_a_text_number_is_read_by_its_locale_or_the_plain_form_only(text, locale, expected):
    assert _read(text, DEC, locale) == expected


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("1.000", "de_DE", 1000),
        ("1,000", "en_US", 1000),
        ("1,000", None, 1000),
        ("12.00", None, 12),
        ("1,5", "de_DE", "'1,5' is not a whole number"),
        ("1.5", "de_DE", "'1.5' is not a whole number"),
        ("1,5", "en_US", "'1,5' is not a whole number (read as en_US)"),
        ("1,00,000", "de_DE", "'1,00,000' is not a whole number (read as de_DE)"),
        ("ten", None, "'ten' is not a whole number"),
    ],
)
def test_a_text_whole_number_follows_the_same_rule(text, locale, expected):
    assert _read(text, INT, locale) == expected


LOCALES = ["en_US", "en_GB", "de_DE", "de_AT", "fr_FR", "es_MX", "pt_BR", "en_IN", "sv_SE", "de_CH"]
amounts = st.decimals(
    min_value=Decimal("-99999999999.99"), max_value=Decimal("99999999999.99"), places=2
).filter(lambda d: d.is_finite())


@settings(max_examples=300, deadline=None)
@given(amount=amounts, locale=st.sampled_from(LOCALES))
def test_a_number_formatted_by_its_locale_reads_back_the_same(amount, locale):
    text = format_decimal(amount, format="#,##0.00", locale=locale)
    assert parse_cell(text, DEC, locale) == amount
    whole = amount.to_integral_value()
    assert parse_cell(format_decimal(whole, locale=locale), INT, locale) == whole


@settings(max_examples=300, deadline=None)
@given(
    whole=st.integers(0, 10**9),
    fraction=st.sampled_from(["5", "25", "05", "1234", "50"]),  # never three digits
    locale=st.sampled_from(LOCALES),
)
def test_a_decimal_separator_the_locale_does_not_use_is_never_another_number(
    whole, fraction, locale
):
    number = Decimal(f"{whole}.{fraction}")
    other = "," if get_decimal_symbol(locale) == "." else "."
    for text in (
        f"{whole}{other}{fraction}",
        f"{whole:,}".replace(",", " ") + f"{other}{fraction}",
    ):
        got = _read(text, DEC, locale)
        assert isinstance(got, str) or got == number, (text, locale, got)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789,. -+'", min_size=1, max_size=12), st.sampled_from(LOCALES))
def test_no_text_is_read_as_a_number_neither_its_locale_nor_the_plain_form_means(text, locale):
    got = _read(text, DEC, locale)
    if not isinstance(got, str):
        assert got in (locale_number(text, locale), plain_number(text))


# ---------------------------------------------------------------- the ledger's range
@pytest.mark.parametrize(
    ("value", "column"),
    [
        (1e20, DEC),
        ("100000000000000", DEC),  # 10^14: DECIMAL(18,4) holds less
        (Decimal("99999999999999.99995"), DEC),  # rounds up to 10^14 at four decimals
        (2**63, INT),
        (-(2**63), INT),
        (1e19, INT),
        ("99999999999999999999", INT),
    ],
)
def test_a_number_outside_the_ledger_is_too_large(value, column):
    for locale in (None, "de_DE"):
        with pytest.raises(CellError, match="is too large"):
            parse_cell(value, column, locale)
        with pytest.raises(CellError, match="is too large"):
            column_parser(column, locale)(value)
    assert parse_cell(Decimal("99999999999999.9999"), DEC) == Decimal("99999999999999.9999")
    assert parse_cell(2**63 - 1, INT) == 2**63 - 1


EDGE_COLUMNS = [
    Column("Qty", "int", "", required=False),
    Column("Price", "decimal", "", required=False),
    Column("Rate", "decimal", "", required=False, scale=8),
    Column("Name", "text", "", required=False),
    Column("Country", "country", "", required=False),
    Column("Kind", "enum", "", required=False, allowed=("shipment", "return")),
]
edge_values = st.one_of(
    st.integers(-(2**64), 2**64),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([2**63 - 1, -(2**63), 9.3e18, -9.3e18, 1e14, 99999999999999.99, 1e10]),
    st.text(alphabet="0123456789,.-+ eE%\x01\x7f\x85\t", max_size=14),
    st.sampled_from(["de", "DE\x1f", " shipment ", "ship\x00ment", "return\x85"]),
)


@pytest.mark.parametrize("column", EDGE_COLUMNS, ids=lambda c: c.name)
@pytest.mark.parametrize("locale", [None, "de_DE", "en_US"])
@settings(max_examples=200, deadline=None)
@given(value=edge_values)
def test_the_fast_parsers_agree_at_the_edges_of_range_and_text(column, locale, value):
    fast = column_parser(column, locale)
    assert _outcome(fast, value) == _outcome(lambda v: parse_cell(v, column, locale), value)

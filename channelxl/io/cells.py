"""Turning one spreadsheet cell into a typed value, per column type.

Cells arrive as python-calamine (and openpyxl) give them: ``str``, ``float``, ``int``,
``bool``, ``date``/``datetime`` or ``None``/``""`` for a blank. Each parser returns the
typed value or raises :class:`CellError` with a plain message saying what was expected.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache

import pycountry
from babel import Locale, UnknownLocaleError

from channelxl.core.money import D
from channelxl.core.periods import Month, Quarter
from channelxl.schema import Column


class CellError(ValueError):
    """A cell that does not hold what its column expects."""


_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01 (Excel's 1900 leap-year bug absorbed)


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@cache
def country_codes() -> frozenset[str]:
    return frozenset(c.alpha_2 for c in pycountry.countries)


@cache
def currency_codes() -> frozenset[str]:
    return frozenset(c.alpha_3 for c in pycountry.currencies)


@cache
def _locale(text: str) -> str:
    try:
        return str(Locale.parse(text.replace("-", "_")))
    except (UnknownLocaleError, ValueError, TypeError):
        raise CellError(
            f"{text!r} is not a locale; write language_REGION, e.g. de_DE or en_US"
        ) from None


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # an id typed as a number: 1001.0 -> "1001"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def parse_id(value: object, column: Column) -> str:
    return _text(value)


def parse_text(value: object, column: Column) -> str:
    return _text(value)


def parse_enum(value: object, column: Column) -> str:
    text = _text(value)
    for allowed in column.allowed:
        if text.casefold() == allowed.casefold():
            return allowed
    raise CellError(f"{text!r} is not one of: {', '.join(column.allowed)}")


_TRUE = {"y", "yes", "true", "1", "x"}
_FALSE = {"n", "no", "false", "0"}


def parse_bool(value: object, column: Column) -> str:
    if isinstance(value, bool):
        return "Y" if value else "N"
    text = _text(value).casefold()
    if text in _TRUE:
        return "Y"
    if text in _FALSE:
        return "N"
    raise CellError(f"{_text(value)!r} is not Y or N")


def parse_int(value: object, column: Column) -> int:
    if isinstance(value, bool):
        raise CellError(f"{value!r} is not a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise CellError(f"{value!r} is not a whole number")
    text = _text(value).replace(" ", "").replace(",", "")
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    raise CellError(f"{_text(value)!r} is not a whole number")


def parse_decimal(value: object, column: Column) -> Decimal:
    if isinstance(value, bool):
        raise CellError(f"{value!r} is not a number")
    if isinstance(value, str):
        value = value.strip().replace(" ", "").replace(",", "")
        if value.endswith("%"):
            try:
                return D(value[:-1]) / 100
            except ValueError:
                raise CellError(f"{value!r} is not a number") from None
    try:
        return D(value)
    except ValueError:
        raise CellError(f"{_text(value)!r} is not a number") from None


def excel_serial_to_date(serial: float) -> date:
    """Excel 1900-system serial number -> date (serial 45931 = 2025-10-01)."""
    return _EXCEL_EPOCH + timedelta(days=int(serial))


def parse_date(value: object, column: Column) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # 1900-01-01 .. 9999-12-31
            return excel_serial_to_date(value)
        raise CellError(f"{value!r} is not a date")
    text = _text(value)
    try:
        return date.fromisoformat(text[:10]) if re.match(r"\d{4}-\d{2}-\d{2}", text) else _bad(text)
    except ValueError:
        raise CellError(f"{text!r} is not a date; write it as YYYY-MM-DD") from None


def _bad(text: str):
    raise ValueError(text)


def parse_month(value: object, column: Column) -> str:
    # Excel turns "2026-10" typed in a cell into the date 2026-10-01: accept both.
    if isinstance(value, datetime | date):
        return str(Month.of(value))
    try:
        return str(Month.parse(_text(value)))
    except ValueError as exc:
        raise CellError(str(exc)) from None


def parse_quarter(value: object, column: Column) -> str:
    try:
        return str(Quarter.parse(_text(value)))
    except ValueError as exc:
        raise CellError(str(exc)) from None


def parse_country(value: object, column: Column) -> str:
    text = _text(value).upper()
    if text not in country_codes():
        raise CellError(
            f"{_text(value)!r} is not an ISO 3166-1 alpha-2 country code (DE, US, GB...)"
        )
    return text


def parse_currency(value: object, column: Column) -> str:
    text = _text(value).upper()
    if text not in currency_codes():
        raise CellError(f"{_text(value)!r} is not an ISO 4217 currency code (EUR, USD...)")
    return text


def parse_locale(value: object, column: Column) -> str:
    return _locale(_text(value))


def parse_idlist(value: object, column: Column) -> tuple[str, ...]:
    items = tuple(x for x in re.split(r"[;,\s]+", _text(value)) if x)
    if not items:
        raise CellError("list is empty")
    return items


PARSERS = {
    "id": parse_id,
    "text": parse_text,
    "enum": parse_enum,
    "bool": parse_bool,
    "int": parse_int,
    "decimal": parse_decimal,
    "date": parse_date,
    "month": parse_month,
    "quarter": parse_quarter,
    "country": parse_country,
    "currency": parse_currency,
    "locale": parse_locale,
    "idlist": parse_idlist,
}


def parse_localized(value: str, column: Column, locale: str):
    """Dates and numbers typed as text the way the distributor's locale writes them
    (31.10.2026 and 1.234,50 in de_DE; 10/31/2026 and 1,234.50 in en_US)."""
    from babel.dates import parse_date as babel_date
    from babel.numbers import NumberFormatError
    from babel.numbers import parse_decimal as babel_decimal

    text = value.strip()
    try:
        if column.type == "date":
            return babel_date(text, locale=locale)
        number = babel_decimal(
            text.replace(" ", "").replace("\u00a0", ""), locale=locale, strict=True
        )
    except (NumberFormatError, ValueError, IndexError, TypeError):
        raise CellError(f"{value!r} is not {_EXPECTED[column.type]} (read as {locale})") from None
    if not number.is_finite():  # babel reads "NaN" and "Infinity" as numbers; a cell may not
        raise CellError(f"{value!r} is not {_EXPECTED[column.type]}")
    if column.type == "int":
        if number != number.to_integral_value():
            raise CellError(f"{value!r} is not a whole number")
        return int(number)
    return number


_EXPECTED = {"date": "a date", "int": "a whole number", "decimal": "a number"}


def parse_cell(value: object, column: Column, locale: str | None = None):
    """Typed value of ``value`` for ``column``; ``None`` for a blank optional cell.

    Raises CellError for a blank required cell, a value of the wrong type or one out of
    the column's range. With ``locale``, dates and numbers typed as text that the plain
    parsers refuse are read the way that locale writes them.
    """
    if is_blank(value):
        if column.required:
            raise CellError(f"{column.name} is required")
        return None
    localized = bool(locale) and isinstance(value, str) and column.type in _EXPECTED
    if localized and column.type != "date":
        # numbers as text follow the locale first: 1.234,50 is 1234.50 in de_DE
        try:
            result = parse_localized(value, column, locale)
        except CellError:
            result = PARSERS[column.type](value, column)
    else:
        try:
            result = PARSERS[column.type](value, column)  # ISO dates first: unambiguous
        except CellError:
            if not localized:
                raise
            result = parse_localized(value, column, locale)
    if column.minimum is not None and result < column.minimum:
        raise CellError(f"{_text(value)} is below the minimum {column.minimum:g}")
    if column.maximum is not None and result > column.maximum:
        raise CellError(f"{_text(value)} is above the maximum {column.maximum:g}")
    return result


def column_parser(column: Column, locale: str | None = None):
    """``parse_cell`` for one column, as a one-argument function with fast paths.

    Reading a sheet calls this once per cell, so the values cells usually hold (text in a
    text column, a number in a number column, a date in a date column) are converted
    directly; anything else (text numbers, locale formats, blanks, errors, bounds) goes
    through ``parse_cell``. Same results and same errors either way (a property test
    compares them).
    """

    def slow(value):
        return parse_cell(value, column, locale)

    kind = column.type
    bounded = column.minimum is not None or column.maximum is not None

    if kind in ("id", "text"):

        def parse(value):
            if type(value) is str:
                text = value.strip()
                if text:
                    return text
            return slow(value)

    elif kind == "int" and not bounded:

        def parse(value):
            if type(value) is int:
                return value
            if type(value) is float and value.is_integer():
                return int(value)
            return slow(value)

    elif kind == "decimal" and not bounded:

        def parse(value):
            if type(value) is float and value == value and value not in (_INF, -_INF):
                return Decimal(int(value)) if value.is_integer() else Decimal(repr(value))
            if type(value) is int:
                return Decimal(value)
            return slow(value)

    elif kind == "date":

        def parse(value):
            if type(value) is datetime:
                return value.date()
            if type(value) is date:
                return value
            return slow(value)

    elif kind in ("country", "currency"):
        codes = country_codes() if kind == "country" else currency_codes()

        def parse(value):
            if type(value) is str:
                code = value.strip().upper()
                if code in codes:
                    return code
            return slow(value)

    elif kind == "enum":
        spelled: dict[str, str] = {}
        for allowed in column.allowed:
            spelled.setdefault(allowed.casefold(), allowed)  # the first spelling wins

        def parse(value):
            if type(value) is str:
                found = spelled.get(value.strip().casefold())
                if found is not None:
                    return found
            return slow(value)

    else:
        parse = slow
    return parse


_INF = float("inf")

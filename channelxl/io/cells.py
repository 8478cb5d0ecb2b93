"""Turning one spreadsheet cell into a typed value, per column type.

Cells arrive as python-calamine (and openpyxl) give them: ``str``, ``float``, ``int``,
``bool``, ``date``/``datetime`` or ``None``/``""`` for a blank. Each parser returns the
typed value or raises :class:`CellError` with a plain message saying what was expected.

Rules every format shares (``ledger.load_csv`` applies them to CSV values):

- **A number typed as text is never read as a different number.** It is read the way the
  distributor's locale writes numbers (babel, strict: ``1.234,50`` in de_DE); otherwise
  only the plain form is accepted (:func:`plain_number`: ``1,234,567.50``, grouping by
  commas in threes, a point before the decimals). A decimal comma the locale does not use
  (``1999,50`` in en_US) or grouping it cannot produce (``1,00,000`` in de_DE) is a
  problem of that cell, not 199950 or 100000.
- **A whole number is whole:** ``1.5`` is not 2.
- **Numbers fit the ledger** (``Column.duck_type``): BIGINT for whole numbers, DECIMAL(18,
  scale) for decimals; a larger one is named too large (:func:`too_large`).
- **Text holds no control character** (U+0000-U+001F but tab, line feed and carriage
  return; U+007F; U+0080-U+009F): :func:`control_character` says which, in text columns.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, localcontext
from functools import cache

import pycountry
from babel import Locale, UnknownLocaleError

from channelxl.core import gs1

# is_blank and excel_serial_to_date live in core (pure, so the Excel functions can run in
# xlwings Lite without babel and pycountry); here for the file readers that import them.
from channelxl.core.cell_values import excel_serial_to_date, is_blank
from channelxl.core.money import D
from channelxl.core.periods import Month, QuarterLabel
from channelxl.schema import Column


class CellError(ValueError):
    """A cell that does not hold what its column expects."""


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


# C0 controls but tab, line feed and carriage return; DEL; the C1 controls. No one types
# them: they come with a paste from another program or a damaged export, are invisible, and
# would make two equal-looking values differ (and a workbook that holds one unreadable).
# Written so that both Python's re and DuckDB's RE2 read it.
CONTROL_CHARACTERS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
_CONTROL = re.compile(CONTROL_CHARACTERS)


def control_character(text: str) -> str | None:
    """The problem of text holding a control character (which one), or None."""
    found = _CONTROL.search(text)
    if found is None:
        return None
    return f"contains the control character U+{ord(found.group()):04X}; retype the value"


# ---------------------------------------------------------------- numbers and their range
# BIGINT; its smallest value, -2**63, is left out: the range is symmetric, and the CSV
# loader uses that value to mark a whole number that is not one (``load_csv.UNREADABLE``)
WHOLE_MAX = 2**63 - 1


def number_limit(column: Column) -> Decimal:
    """The largest magnitude ``column`` holds in the ledger: BIGINT, or DECIMAL(18, scale)."""
    if column.type == "int":
        return Decimal(WHOLE_MAX)
    return Decimal(10) ** (18 - column.scale) - Decimal(1).scaleb(-column.scale)


def fits(number: Decimal, column: Column) -> bool:
    """``number`` (finite) fits the ledger's column once rounded to the column's scale."""
    if column.type == "decimal":
        if number.adjusted() > 18:  # far too large, and too large to round
            return False
        with localcontext() as exact:
            exact.prec = 40  # 18 digits and the scale, whatever the caller's context
            number = number.quantize(Decimal(1).scaleb(-column.scale), ROUND_HALF_UP)
    return abs(number) <= number_limit(column)


def too_large(shown: str, column: Column) -> str:
    """What to say of a number (``shown`` as typed) that ``column`` cannot hold."""
    limit = number_limit(column)
    return f"{shown} is too large: {column.name} must be between -{limit:,} and {limit:,}"


# A number in the one form no locale reads differently: digits, grouped by commas in
# threes or not at all, a point before the decimals, a sign; ASCII digits only.
_PLAIN = re.compile(r"[+-]?(?:(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]*)?|\.[0-9]+)")


def plain_number(text: str) -> Decimal | None:
    """``text`` (spaces around it allowed) in the plain form (``1,234,567.50``, ``-12``,
    ``0.5``), or None."""
    text = text.strip()
    return Decimal(text.replace(",", "")) if _PLAIN.fullmatch(text) else None


def _checked(number: Decimal, shown: str, column: Column) -> int | Decimal:
    """``number`` read from ``shown``, as the column's type: whole and within range."""
    if not number.is_finite():
        raise CellError(f"{shown} is not a number")
    if column.type == "int":
        if number != number.to_integral_value():
            raise CellError(f"{shown} is not a whole number")
        if not fits(number, column):
            raise CellError(too_large(shown, column))
        return int(number)
    if not fits(number, column):
        raise CellError(too_large(shown, column))
    return number


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


def _plain_text(text: str, column: Column) -> Decimal | None:
    """A number typed as text in the plain form, for a whole-number or decimal column (a
    decimal may end in %: ``12.5%`` is 0.125)."""
    text = text.strip()
    if column.type == "decimal" and text.endswith("%"):
        number = plain_number(text[:-1])
        return None if number is None else number / 100
    return plain_number(text)


def parse_int(value: object, column: Column) -> int:
    """A whole number: a number cell, or text in the plain form (``1,234``; ``12.00``)."""
    if isinstance(value, bool):
        raise CellError(f"{value!r} is not a whole number")
    if isinstance(value, int):
        return _checked(Decimal(value), str(value), column)
    if isinstance(value, float):
        if not value.is_integer():  # 1.5, and also NaN and infinity
            raise CellError(f"{value!r} is not a whole number")
        return _checked(Decimal(int(value)), repr(value), column)
    text = _text(value)
    number = _plain_text(text, column)
    if number is None:
        raise CellError(f"{text!r} is not a whole number")
    return _checked(number, repr(text), column)


def parse_decimal(value: object, column: Column) -> Decimal:
    """A number: a number cell, or text in the plain form (``1,234.50``; ``12.5%``)."""
    if isinstance(value, bool):
        raise CellError(f"{value!r} is not a number")
    if isinstance(value, str):
        text = value.strip()
        number = _plain_text(text, column)
        if number is None:
            raise CellError(f"{text!r} is not a number like 1234.50")
        return _checked(number, repr(text), column)
    try:
        number = D(value)
    except ValueError:
        raise CellError(f"{_text(value)!r} is not a number") from None
    return _checked(number, _text(value), column)


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
        # as typed (2026Q3, FY2027Q1): which months it means needs the program's calendar
        return str(QuarterLabel.parse(_text(value)))
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


def _identifier(value: object, normal, width: int) -> str:
    """A GS1 or D-U-N-S number (``normal`` from ``core.gs1``). A number cell lost its
    leading zeros in Excel: they are put back (up to ``width`` digits) before checking."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not Decimal(value).is_finite() or value < 0 or value != int(value):
            raise CellError(f"{value!r} is not a code of digits")
        value = str(int(value)).zfill(width)
    try:
        return normal(_text(value))
    except ValueError as exc:
        raise CellError(str(exc)) from None


def parse_gtin(value: object, column: Column) -> str:
    """A GTIN (8, 12, 13 or 14 digits, GS1 check digit), as GTIN-14."""
    return _identifier(value, gs1.normal_gtin, 14)


def parse_gln(value: object, column: Column) -> str:
    """A GLN (13 digits, GS1 check digit)."""
    return _identifier(value, gs1.normal_gln, gs1.GLN_LENGTH)


def parse_duns(value: object, column: Column) -> str:
    """A DUNS number (9 digits)."""
    return _identifier(value, gs1.normal_duns, gs1.DUNS_LENGTH)


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
    "gtin": parse_gtin,
    "gln": parse_gln,
    "duns": parse_duns,
}


class NotInLocale(CellError):
    """Text that is not a number as the locale writes numbers (the plain form may read it)."""


_SPACES = " \u00a0\u202f"  # a space, the no-break space and the narrow one (fr_FR groups)


@cache
def _number_symbols(locale: str) -> tuple[str, str, frozenset[str]]:
    """(decimal symbol, group symbol, every character a number may hold) in ``locale``."""
    from babel.numbers import (
        get_decimal_symbol,
        get_group_symbol,
        get_minus_sign_symbol,
        get_plus_sign_symbol,
    )

    decimal, group = get_decimal_symbol(locale), get_group_symbol(locale)
    signs = {"+", "-", get_minus_sign_symbol(locale), get_plus_sign_symbol(locale)}
    return decimal, group, frozenset("0123456789" + decimal + group + "".join(signs))


def locale_number(text: str, locale: str) -> Decimal | None:
    """``text`` as a number written the way ``locale`` writes one (``1.234,50`` in de_DE,
    ``1 234,50`` in fr_FR, ``1,00,000`` in en_IN), strictly: the locale's digits,
    symbols and grouping only (no exponent, no NaN); None when it is not one."""
    from babel.numbers import NumberFormatError
    from babel.numbers import parse_decimal as babel_decimal

    _, group, allowed = _number_symbols(locale)
    text = text.strip()
    if group in _SPACES:  # people type a plain space where the locale groups with another
        text = re.sub(f"[{_SPACES}]", group, text)
    if not text or not set(text) <= allowed:
        return None
    try:
        number = babel_decimal(text, locale=locale, strict=True)
    except (NumberFormatError, ArithmeticError, ValueError, IndexError, TypeError):
        return None
    return number if number.is_finite() else None


def parse_localized(value: str, column: Column, locale: str):
    """Dates and numbers typed as text the way the distributor's locale writes them
    (31.10.2026 and 1.234,50 in de_DE; 10/31/2026 and 1,234.50 in en_US). A number the
    locale does not read raises :class:`NotInLocale`, saying how it was read."""
    from babel.dates import parse_date as babel_date

    if column.type == "date":
        try:
            return babel_date(value.strip(), locale=locale)
        except (ValueError, IndexError, TypeError):
            raise CellError(f"{value!r} is not a date (read as {locale})") from None
    number = locale_number(value, locale)
    if number is None:
        if column.type == "int":
            expected = "a whole number"
        else:  # the plain example, with the locale's decimal symbol
            expected = f"a number like 1234{_number_symbols(locale)[0]}50"
        raise NotInLocale(f"{value!r} is not {expected} (read as {locale})")
    return _checked(number, repr(value), column)


_LOCALIZED = ("date", "int", "decimal")  # the types a locale writes its own way


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
    if column.kind.text and isinstance(value, str):
        problem = control_character(value)
        if problem:
            raise CellError(problem)
    localized = bool(locale) and isinstance(value, str) and column.type in _LOCALIZED
    if localized and column.type != "date":
        # numbers as text follow the locale first: 1.234,50 is 1234.50 in de_DE; what the
        # locale cannot read may still be in the plain form, else the locale's word stands
        try:
            result = parse_localized(value, column, locale)
        except NotInLocale:
            if _plain_text(value, column) is None:
                raise
            result = PARSERS[column.type](value, column)  # its own word: not whole, too large
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
            # printable: no control character (nor tab or no-break space: the slow path)
            if type(value) is str and value.isprintable():
                text = value.strip()
                if text:
                    return text
            return slow(value)

    elif kind == "int" and not bounded:

        def parse(value):
            if type(value) is int and -WHOLE_MAX <= value <= WHOLE_MAX:
                return value
            if type(value) is float and value.is_integer() and -_TWO_63 < value < _TWO_63:
                return int(value)
            return slow(value)

    elif kind == "decimal" and not bounded:
        # well inside the range, whatever rounding to the scale does (else: the slow path)
        safe = 10 ** (17 - column.scale)

        def parse(value):
            if type(value) is float and -safe < value < safe:  # NaN and infinity are not
                return Decimal(int(value)) if value.is_integer() else Decimal(repr(value))
            if type(value) is int and -safe < value < safe:
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
            if type(value) is str and value.isprintable():
                code = value.strip().upper()
                if code in codes:
                    return code
            return slow(value)

    elif kind == "enum":
        spelled: dict[str, str] = {}
        for allowed in column.allowed:
            spelled.setdefault(allowed.casefold(), allowed)  # the first spelling wins

        def parse(value):
            if type(value) is str and value.isprintable():
                found = spelled.get(value.strip().casefold())
                if found is not None:
                    return found
            return slow(value)

    else:
        parse = slow
    return parse


def agreed_parser(column: Column, locales: tuple[str | None, ...]):
    """``column_parser`` for a sheet whose rows name distributors that write numbers and
    dates differently (``locales``: theirs, two or more; None for one with no locale).

    A number or date typed as text is taken when every locale that reads it reads the same
    value (``12``, ``2026-10-31``, ``1.234,50`` where only de_DE reads it); text they read
    differently (``1,999``: 1999 in en_US, 1.999 in pt_BR) is a problem of its cell, never
    a guess. A cell that is not text (a number, a date) is read as ``column_parser`` reads
    it: no locale changes it.
    """
    plain = column_parser(column)
    if column.type not in _LOCALIZED:
        return plain
    each = [(locale, column_parser(column, locale)) for locale in locales]

    def parse(value):
        if type(value) is not str:
            return plain(value)
        read: dict = {}  # value -> the locales reading it so
        problem = None
        for locale, parse_as in each:
            try:
                read.setdefault(parse_as(value), []).append(locale or "no locale")
            except CellError as exc:
                problem = problem or exc
        if len(read) == 1:
            return next(iter(read))
        if not read:
            raise problem
        ways = "; ".join(
            f"{v.isoformat() if isinstance(v, date) else v} in {', '.join(names)}"
            for v, names in read.items()
        )
        raise CellError(
            f"{value.strip()!r} reads differently in the number and date formats of the "
            f"distributors this sheet names ({ways}): type it as a number or date, not as "
            "text, or send each distributor's report in a file of its own"
        )

    return parse


_TWO_63 = 2.0**63  # the smallest float above the whole numbers the ledger holds

# The value types a column of cells is parsed once per distinct value for: equal values of
# one of these types parse alike (floats only in number columns: 0.0 and -0.0 are equal).
_MEMO_TYPES = (str, int, Decimal, date, datetime)  # Decimal: EDI prices
_NONE = type(None)


def parse_column(parse, column: Column, values) -> list:
    """``[parse(v) for v in values]`` for a :func:`column_parser` ``parse`` of ``column``,
    sooner: a text column of printable text is stripped in one pass; a column of one cell
    type (blanks aside) with repeated values parses each distinct value once. Raises the
    CellError of a value that cannot be read (which one is unspecified: the caller goes
    cell by cell to locate each).
    """
    types = set(map(type, values))
    if types == {str} and column.type in ("id", "text") and "".join(values).isprintable():
        out = list(map(str.strip, values))  # parse's own fast path, value for value
        if all(out):
            return out
    kinds = types - {_NONE}
    # a number column reads 0.0 and -0.0 alike (0), so its floats may share a memo too
    memo_types = {*_MEMO_TYPES, float} if column.type in ("int", "decimal") else _MEMO_TYPES
    if len(kinds) <= 1 and kinds <= set(memo_types):
        distinct = set(values)
        if 2 * len(distinct) <= len(values):
            memo = {v: parse(v) for v in distinct}
            return list(map(memo.__getitem__, values))
    return list(map(parse, values))

"""Values as EANCOM writes them: whole quantities with their sign, decimal amounts with
either decimal mark, and DTM dates in the format codes distributors use."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation


def parse_quantity(text: str) -> tuple[int | None, str | None, str | None]:
    """A whole quantity with its sign: (value, problem text, CONTRL error code).
    EDIFACT numbers may use '.' or ',' as the decimal mark and a leading '-'."""
    if text.isascii() and text.isdigit():
        return int(text), None, None
    body = text[1:] if text.startswith("-") else text
    if body.isascii() and body.isdigit():
        return -int(body), None, None
    try:
        value = Decimal(body.replace(",", "."))
    except InvalidOperation:
        value = None
    if not body or value is None or not value.is_finite() or "e" in body.lower():
        return None, f"quantity {text!r} is not a number", "37"
    if value != value.to_integral_value():
        return None, f"quantity {text} is not a whole number of units", None
    whole = int(value)
    return (-whole if text.startswith("-") else whole), None, None


def parse_decimal(text: str) -> Decimal | None:
    body = text[1:] if text.startswith("-") else text
    if not body or "e" in body.lower():
        return None
    try:
        value = Decimal(body.replace(",", "."))
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    return -value if text.startswith("-") else value


def _ymd(text: str) -> date:
    if len(text) != 8 or not (text.isascii() and text.isdigit()):
        raise ValueError
    return date(int(text[:4]), int(text[4:6]), int(text[6:8]))


def _hhmm(text: str) -> None:
    if not (text.isascii() and text.isdigit()) or int(text[:2]) > 23 or int(text[2:4]) > 59:
        raise ValueError


DATE_FORMATS = {
    "102": "CCYYMMDD",
    "101": "YYMMDD",
    "203": "CCYYMMDDHHMM",
    "204": "CCYYMMDDHHMMSS",
    "718": "CCYYMMDD-CCYYMMDD",
    "610": "CCYYMM",
    "616": "CCYYWW",
}


def parse_period(text: str, fmt: str) -> tuple[date, date]:
    """DTM 2380 in format 2379 as (first day, last day); a single date gives it twice.
    Raises ValueError when the text does not fit the format or is no calendar date."""
    if fmt == "102" or (fmt == "" and len(text) == 8):
        d = _ymd(text)
        return d, d
    if fmt == "101":
        if len(text) != 6:
            raise ValueError
        d = _ymd("20" + text)  # YYMMDD: this century, as the files the project reads are
        return d, d
    if fmt in ("203", "204"):
        if len(text) != (12 if fmt == "203" else 14):
            raise ValueError
        _hhmm(text[8:12])
        d = _ymd(text[:8])
        return d, d
    if fmt == "718":
        # EANCOM's own examples write the two dates without the hyphen (16 digits)
        if len(text) == 17 and text[8] == "-":
            text = text[:8] + text[9:]
        if len(text) != 16:
            raise ValueError
        start, end = _ymd(text[:8]), _ymd(text[8:])
        if end < start:
            raise ValueError
        return start, end
    if fmt == "610":
        if len(text) != 6 or not (text.isascii() and text.isdigit()):
            raise ValueError
        year, month = int(text[:4]), int(text[4:])
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    if fmt == "616":
        if len(text) != 6 or not (text.isascii() and text.isdigit()):
            raise ValueError
        monday = date.fromisocalendar(int(text[:4]), int(text[4:]), 1)
        return monday, monday + timedelta(days=6)
    raise KeyError(fmt)

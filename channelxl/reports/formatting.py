"""How figures read in a report: money, percentages, counts.

Every figure is formatted in the money context (34 digits, ``core.money``), so the largest
amounts a ledger holds show as they are. Money is rounded half-up to the cent
(``core.money.round_cents``) before it is shown, so a
report never shows a cent the statement does not; babel only adds the currency symbol and
digit grouping (``locale``, British English by default). Values arrive as the exact decimal
strings of the facts files, or as numbers; None shows as an en dash.
"""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency, format_decimal

from channelxl.core.money import D, money_arithmetic, round_cents

NONE = "–"
LOCALE = "en_GB"


def dec(value) -> Decimal | None:
    return None if value is None else D(value)


@money_arithmetic
def money(value, currency: str, *, cents: bool = True, locale: str = LOCALE) -> str:
    """``€1,234,567.89`` (or ``€1,234,568`` without cents), half-up."""
    if value is None:
        return NONE
    amount = round_cents(D(value))
    if not cents:
        amount = amount.quantize(Decimal(1), rounding="ROUND_HALF_UP")
        return format_currency(
            amount, currency, format="¤#,##0", locale=locale, currency_digits=False
        )
    return format_currency(amount, currency, locale=locale, decimal_quantization=False)


@money_arithmetic
def money_short(value, currency: str, *, locale: str = LOCALE) -> str:
    """``€1.23M``, ``€456.8k``: for chart labels, never for amounts paid."""
    if value is None:
        return NONE
    x = D(value)
    for size, suffix in ((Decimal("1e9"), "bn"), (Decimal("1e6"), "M"), (Decimal("1e3"), "k")):
        if abs(x) >= size:
            scaled = (x / size).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
            body = format_currency(
                scaled, currency, format="¤#,##0.##", locale=locale, currency_digits=False
            )
            return body + suffix
    return money(x, currency, cents=False, locale=locale)


@money_arithmetic
def pct(value, places: int = 1, *, signed: bool = False) -> str:
    """A fraction as a percentage: ``0.1234`` -> ``12.3%`` (``+12.3%`` when signed)."""
    if value is None:
        return NONE
    x = (D(value) * 100).quantize(Decimal(1).scaleb(-places), rounding="ROUND_HALF_UP")
    sign = "+" if signed and x > 0 else ""
    return f"{sign}{x:,.{places}f}%"


@money_arithmetic
def number(value, places: int = 0, *, locale: str = LOCALE) -> str:
    """A count or quantity with digit grouping: ``12,345`` (``12.3`` with places)."""
    if value is None:
        return NONE
    x = D(value).quantize(Decimal(1).scaleb(-places), rounding="ROUND_HALF_UP")
    return format_decimal(x, format="#,##0" + ("." + "0" * places if places else ""), locale=locale)


def rate(value, rate_unit: str, currency: str, *, locale: str = LOCALE) -> str:
    """A tier's rate: ``€1.50 per unit`` for a units program (every decimal the rate has,
    at least the cent), else a percentage of the basis with two places: ``3.00%``."""
    if value is None:
        return NONE
    if rate_unit != "per unit":
        return pct(value, 2)
    x = D(value).normalize()
    if x.as_tuple().exponent > -2:  # fewer than two decimals: show the cents
        x = x.quantize(Decimal("0.01"))
    body = format_currency(x, currency, locale=locale, decimal_quantization=False)
    return f"{body} per unit"


def measure(value, unit: str, currency: str) -> str:
    """A figure in its unit: ``money``, ``percent``, ``count`` or ``growth``."""
    if unit == "money":
        return money(value, currency)
    if unit in ("percent", "growth"):
        return pct(value, signed=unit == "growth")
    return number(value)

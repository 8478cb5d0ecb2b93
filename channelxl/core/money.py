"""Exact money.

Every amount is a :class:`decimal.Decimal`; binary floats never carry money. Values
that arrive as floats (Excel cells, calamine reads) are converted through their
shortest round-trip representation, so a rate typed in Excel as ``0.005`` is exactly
``Decimal("0.005")`` and not ``0.005000000000000000104...``.

Rounding rule (written once, used everywhere): an amount a person is paid is rounded
**once**, half-up (away from zero on a tie), to the cent, at the end of its computation.
Intermediate figures keep full precision.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

CENT = Decimal("0.01")

# 34 significant digits: far beyond any amount in a channel program, so intermediate
# products (rate x measure x FX) are exact before the single rounding step.
_CONTEXT = Context(prec=34, rounding=ROUND_HALF_UP)


def D(value: object) -> Decimal:
    """Return ``value`` as an exact Decimal.

    Accepts Decimal, int, str (``"1,234.50"`` is not accepted here: locale-aware text
    parsing lives with the readers) and float (via ``repr``, the shortest string that
    round-trips, which is what a person typed into Excel). Raises ``ValueError`` for
    anything that is not a finite number.
    """
    if type(value) is Decimal and value.is_finite():  # the common case, kept cheap
        return value
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        # 100000.0 -> 100000, 0.005 -> 0.005: what was typed, not the binary expansion
        result = Decimal(int(value)) if value.is_integer() else Decimal(repr(value))
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"{value!r} is not a number") from None
    else:
        raise ValueError(f"{value!r} is not a number")
    if not result.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    return result


def round_cents(amount: Decimal) -> Decimal:
    """Round half-up to the cent: 0.005 -> 0.01, -0.005 -> -0.01, 2.675 -> 2.68."""
    return D(amount).quantize(CENT, rounding=ROUND_HALF_UP, context=_CONTEXT)


def multiply(*factors: object) -> Decimal:
    """Exact product of the factors (no rounding at 34 significant digits)."""
    result = Decimal(1)
    for factor in factors:
        result = _CONTEXT.multiply(result, D(factor))
    return result

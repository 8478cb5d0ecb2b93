"""Exact money.

Every amount is a :class:`decimal.Decimal`; binary floats never carry money. Values
that arrive as floats (Excel cells, calamine reads) are converted through their
shortest round-trip representation, so a rate typed in Excel as ``0.005`` is exactly
``Decimal("0.005")`` and not ``0.005000000000000000104...``.

Rounding rule (written once, used everywhere): an amount a person is paid is rounded
**once**, half-up (away from zero on a tie), to the cent, at the end of its computation.
Intermediate figures keep full precision.

Precision (also written once): money arithmetic runs in :data:`MONEY_CONTEXT`, 34
significant digits (IEEE 754 decimal128), not Python's default of 28. A rate with four
decimals times a measure of up to 30 digits is exact; a quotient (attainment = actual /
target) is rounded at the 34th digit, far below the cent. :func:`money_arithmetic` runs a
function in that context whatever context its caller has.
"""

from __future__ import annotations

import functools
from contextvars import ContextVar
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation, getcontext, localcontext

CENT = Decimal("0.01")

# 34 significant digits: far beyond any amount in a channel program, so intermediate
# products (rate x measure x FX) are exact before the single rounding step. The traps
# are the default ones: an overflow or an invalid operation raises, never passes silently.
MONEY_CONTEXT = Context(prec=34, rounding=ROUND_HALF_UP)

# The largest amount that rounds to the cent within 34 digits has 32 before the point.
MAX_AMOUNT = Decimal(10) ** 32


class AmountOutOfRange(ValueError):
    """An amount too large to be rounded to the cent in 34 significant digits."""


# The context a money_arithmetic function entered, while it runs: a nested one (the rebate
# engine calls tiers, scorecard and itself for each accrual month) finds it still current
# and runs in it, instead of copying the context again (a third of the engine's time).
_ENTERED: ContextVar[Context | None] = ContextVar("money_context_entered", default=None)


def money_arithmetic(fn):
    """Run ``fn`` in :data:`MONEY_CONTEXT` (34 digits), whatever the caller's context."""

    @functools.wraps(fn)
    def in_money_context(*args, **kwargs):
        if getcontext() is _ENTERED.get():  # already in it (and not changed since)
            return fn(*args, **kwargs)
        with localcontext(MONEY_CONTEXT) as ctx:
            token = _ENTERED.set(ctx)
            try:
                return fn(*args, **kwargs)
            finally:
                _ENTERED.reset(token)

    return in_money_context


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
    """Round half-up to the cent: 0.005 -> 0.01, -0.005 -> -0.01, 2.675 -> 2.68.

    Raises :class:`AmountOutOfRange` (a ValueError) when ``|amount| >= 10**32``: its cents
    do not fit in 34 digits, and an amount rounded anywhere but at the cent is no amount.
    """
    value = D(amount)
    try:
        if value.copy_abs() < MAX_AMOUNT:
            return value.quantize(CENT, rounding=ROUND_HALF_UP, context=MONEY_CONTEXT)
    except InvalidOperation:  # 99...9.995 rounds up to 10**32: one digit too many
        pass
    raise AmountOutOfRange(f"{value:.3E} is too large to round to the cent (34 digits)")


def multiply(*factors: object) -> Decimal:
    """Exact product of the factors (no rounding at 34 significant digits)."""
    result = Decimal(1)
    for factor in factors:
        result = MONEY_CONTEXT.multiply(result, D(factor))
    return result

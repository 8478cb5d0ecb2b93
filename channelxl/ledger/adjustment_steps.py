"""What changed in a prior-period adjustment line, as a person reads it.

An approval freezes each distributor-program's steps as text
(``ledger.adjustments.result_steps``): the measure, the tier, the rate, the scorecard
payout, ... A later evaluation's steps are compared with them, step by step, and the steps
that differ are shown in the statement's units:

- growth as a percentage with one decimal (``0.2345`` -> ``23.5 %``);
- a units program's rate as money per unit (``1.5`` -> ``EUR 1.50 per unit``), any other
  rate as a percentage of the basis with two decimals (``0.03`` -> ``3.00 %``);
- the scorecard payout as a percentage with two decimals (``0.5`` -> ``50.00 %``);
- units sold as a whole number (``1,250``);
- every other step as it was frozen (money with digit grouping and cents, text).

Two measures are the same when they agree at the coarser of their two precisions: an
older approval that froze growth to two decimals (``0.23``) is not "changed" by today's
four (``0.2345``). Every other step is frozen as exact text (a rate as every decimal it
has) and compared as text.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

NOTHING = "-"  # a step with no value (no tier reached, no cap)


def _number(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", ""))
    except (InvalidOperation, AttributeError):
        return None


def same_step(step: str, before: str, after: str) -> bool:
    """True when the two texts are the same value (measures: at the coarser precision)."""
    if before == after:
        return True
    if step != "measure":
        return False
    a, b = _number(before), _number(after)
    if a is None or b is None or not a.is_finite() or not b.is_finite():
        return False
    coarser = Decimal(1).scaleb(max(a.as_tuple().exponent, b.as_tuple().exponent))
    return a.quantize(coarser, ROUND_HALF_UP) == b.quantize(coarser, ROUND_HALF_UP)


def _percent(x: Decimal, places: int) -> str:
    shown = (x * 100).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    return f"{shown:,.{places}f} %"


def step_text(step: str, value: str, *, measure: str = "", currency: str = "") -> str:
    """One step's frozen ``value`` in the unit a person reads it in (module docstring);
    ``measure`` is the program's (revenue, units or growth), ``currency`` the statement's."""
    if not value:
        return NOTHING
    x = _number(value)
    if x is None or not x.is_finite():
        return value
    if step == "measure" and measure == "growth":
        return _percent(x, 1)
    if step == "measure" and measure == "units" and x == x.to_integral_value():
        return f"{x:,.0f}"  # a count of units: no cents
    if step == "rate" and measure == "units":
        cents = x if x.as_tuple().exponent < -2 else x.quantize(Decimal("0.01"))
        return f"{currency + ' ' if currency else ''}{cents:,f} per unit"
    if step == "rate":
        return _percent(x, 2)
    if step == "payout":
        return _percent(x, 2)
    return value


def changed_steps(
    before: dict[str, str], after: dict[str, str], *, measure: str = "", currency: str = ""
) -> str:
    """``tier: 1 (Silver) -> 2 (Gold); measure: 23.0 % -> 32.0 %`` (only what changed; a
    step an older approval did not record is not compared)."""
    parts = [
        f"{k}: {step_text(k, before.get(k, ''), measure=measure, currency=currency)} -> "
        f"{step_text(k, after[k], measure=measure, currency=currency)}"
        for k in after
        if k in before and not same_step(k, before[k], after[k])
    ]
    return "; ".join(parts) or "the amount only (rounding of a changed basis)"

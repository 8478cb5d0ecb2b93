"""Multi-metric scorecards: weighted attainment and the payout it earns.

    score = sum_i weight_i * min(actual_i / target_i, attainment_cap)

A payout table maps the score to a payout fraction: the row with the highest minimum
score not above the score applies (below the first row: 0). Decimal throughout, in the
money context (34 significant digits): a quotient is rounded at the 34th digit, never
before. An attainment cap is zero or more (None: no cap); a negative one would turn every
attainment negative, so it is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from channelxl.core.money import D, money_arithmetic


class ScorecardError(ValueError):
    def __init__(self, message: str, item: int | None = None):
        super().__init__(message)
        self.item = item


@money_arithmetic
def attainment(actual: object, target: object, cap: object | None = None) -> Decimal:
    """actual / target, capped; a zero or negative target, or a negative cap, is an error."""
    a, t = D(actual), D(target)
    if t <= 0:
        raise ScorecardError(f"target {t} must be above zero")
    if cap is not None and D(cap) < 0:
        raise ScorecardError(f"attainment cap {D(cap)} is negative")
    value = a / t
    return value if cap is None else min(value, D(cap))


@money_arithmetic
def weighted_score(
    actuals: Sequence[object],
    targets: Sequence[object],
    weights: Sequence[object],
    attainment_cap: object | None = None,
) -> Decimal:
    """Sum of weight x capped attainment over the metrics (same length, in order)."""
    if not (len(actuals) == len(targets) == len(weights)):
        raise ScorecardError(
            f"actuals, targets and weights need the same length "
            f"({len(actuals)}, {len(targets)}, {len(weights)})"
        )
    if not actuals:
        raise ScorecardError("no metrics given")
    if attainment_cap is not None and D(attainment_cap) < 0:
        raise ScorecardError(f"attainment cap {D(attainment_cap)} is negative")
    total = Decimal(0)
    for i, (a, t, w) in enumerate(zip(actuals, targets, weights, strict=True), start=1):
        try:
            total += D(w) * attainment(a, t, attainment_cap)
        except ScorecardError as exc:
            raise ScorecardError(f"metric {i}: {exc}", i) from None
    return total


def payout_fraction(score: object, table: Sequence[tuple[object, object]]) -> Decimal:
    """Payout for ``score`` from rows (min score, payout fraction), ascending."""
    s = D(score)
    result = Decimal(0)
    for minimum, payout in table:
        if s >= D(minimum):
            result = D(payout)
        else:
            break
    return result

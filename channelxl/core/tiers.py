"""Tier tables and the two ways of paying them.

A tier table is rows of (threshold, rate[, label]) with thresholds strictly ascending.
A tier is **reached** when the measure is >= its threshold.

- **Retroactive** (all-units, SAP "to-scale"): the rate of the highest tier reached
  applies to the whole measure::

      retroactive(m) = rate[k] * m,  k = highest i with threshold[i] <= m

- **Incremental** (marginal, SAP "interval scale"): each tier's rate applies only to the
  part of the measure inside its band [threshold[i], threshold[i+1])::

      incremental(m) = sum_i rate[i] * max(0, min(m, threshold[i+1]) - threshold[i])

Rates are fractions of the measure (0.02 = 2 %) for money measures, or amounts per unit
when the measure is units; the arithmetic is the same. Everything is Decimal in the money
context (34 significant digits, ``core.money.MONEY_CONTEXT``): exact for any rate and
measure an analyst types; no rounding to the cent happens here (the caller rounds the
amount paid, once).

Worked example (DOMAIN.md, A): tiers 0 -> 0 %, 100,000 -> 2 %, 250,000 -> 3 %,
500,000 -> 4 %; measure 300,000: retroactive 9,000; incremental 4,500; gap to next 200,000.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from channelxl.core.money import D, money_arithmetic, round_cents

METHODS = ("retroactive", "incremental")


class TierError(ValueError):
    """A tier table that cannot be used; ``row`` is 1-based within the table."""

    def __init__(self, message: str, row: int | None = None):
        super().__init__(message)
        self.row = row


@dataclass(frozen=True)
class Tier:
    threshold: Decimal
    rate: Decimal
    label: str | None = None


@dataclass(frozen=True)
class TierTable:
    tiers: tuple[Tier, ...]

    @classmethod
    def of(cls, rows: Sequence[Sequence[object]]) -> TierTable:
        """Build from rows of (threshold, rate[, label]); checks ascending thresholds.

        Raises TierError naming the row (1-based) at fault.
        """
        if not rows:
            raise TierError("the tier table is empty")
        tiers = []
        for i, row in enumerate(rows, start=1):
            if len(row) < 2:
                raise TierError(f"row {i} needs a threshold and a rate", i)
            try:
                threshold, rate = D(row[0]), D(row[1])
            except ValueError:
                raise TierError(f"row {i}: threshold and rate must be numbers", i) from None
            if threshold < 0:
                raise TierError(f"row {i}: threshold {threshold} is negative", i)
            if rate < 0:
                raise TierError(f"row {i}: rate {rate} is negative", i)
            if tiers and threshold <= tiers[-1].threshold:
                raise TierError(f"tier thresholds must ascend (row {i})", i)
            label = row[2] if len(row) > 2 and row[2] not in (None, "") else None
            tiers.append(Tier(threshold, rate, None if label is None else str(label)))
        return cls(tuple(tiers))

    @property
    def has_labels(self) -> bool:
        return any(t.label is not None for t in self.tiers)

    def reached(self, measure: object) -> int | None:
        """0-based index of the highest tier reached, or None below the first threshold."""
        index = bisect_right(self._thresholds, D(measure)) - 1
        return None if index < 0 else index

    def __post_init__(self):
        # thresholds as a list once, for bisect (the table is immutable)
        object.__setattr__(self, "_thresholds", [t.threshold for t in self.tiers])

    def rate_for(self, measure: object) -> Decimal:
        """Rate of the highest tier reached (0 below the first threshold)."""
        i = self.reached(measure)
        return Decimal(0) if i is None else self.tiers[i].rate

    @money_arithmetic
    def retroactive(self, measure: object) -> Decimal:
        return self._retroactive(measure)

    def _retroactive(self, measure: object) -> Decimal:
        """:meth:`retroactive` in the caller's context (a caller already in the money one)."""
        return self.rate_for(measure) * D(measure)

    @money_arithmetic
    def incremental(self, measure: object) -> Decimal:
        return self._incremental(measure)

    def _incremental(self, measure: object) -> Decimal:
        """:meth:`incremental` in the caller's context (a caller already in the money one)."""
        m = D(measure)
        total = Decimal(0)
        for i, tier in enumerate(self.tiers):
            if m <= tier.threshold:
                break
            upper = self.tiers[i + 1].threshold if i + 1 < len(self.tiers) else None
            top = m if upper is None else min(m, upper)
            total += tier.rate * (top - tier.threshold)
        return total

    def amount(self, measure: object, method: str = "retroactive") -> Decimal:
        """Unrounded rebate for ``measure`` by ``method`` (retroactive or incremental)."""
        if method == "retroactive":
            return self.retroactive(measure)
        if method == "incremental":
            return self.incremental(measure)
        raise TierError(f"method must be retroactive or incremental, not {method!r}")

    def amount_in_context(self, measure: object, method: str = "retroactive") -> Decimal:
        """:meth:`amount` for a caller already in the money context (``core.money``)."""
        if method == "retroactive":
            return self._retroactive(measure)
        if method == "incremental":
            return self._incremental(measure)
        raise TierError(f"method must be retroactive or incremental, not {method!r}")

    def place(self, measure: Decimal) -> tuple[int | None, Decimal, Decimal]:
        """(:meth:`reached`, :meth:`rate_for`, :meth:`next_gap`) of ``measure`` with one
        search, in the caller's money context."""
        i = self.reached(measure)
        up = 0 if i is None else i + 1
        gap = self.tiers[up].threshold - measure if up < len(self.tiers) else Decimal(0)
        return i, Decimal(0) if i is None else self.tiers[i].rate, gap

    @money_arithmetic
    def next_gap(self, measure: object) -> Decimal:
        """Measure still needed to reach the next tier; 0 at (or above) the top tier."""
        return self.place(D(measure))[2]


# ---------------------------------------------------------------- many measures at once
# Excel hands a column of measures as binary floats. Paying each through Decimal costs
# microseconds apiece; this path computes in float64 and is still exact to the cent, by
# proof rather than by luck:
#
# - Tier reached. Rounding to float is monotone, so a float measure above (below) a
#   threshold's float is above (below) the threshold in Decimal too; only a measure *equal*
#   to a threshold's float can disagree (a threshold typed with more digits than a float
#   holds). Those go to Decimal.
# - Amount. Each of the few float steps (measure, rate, threshold and the amount at the
#   threshold as floats; a difference, a product, a sum, x 100) errs by at most 2**-53 of
#   the magnitudes it combines, so the float cents differ from the exact cents by less than
#   ``_ERROR_BOUND x magnitude`` (magnitude: the sum of the absolute terms, in cents).
#   Rounding half-up can only differ when the float cents lie within that bound of a half
#   cent; those (and every non-finite or huge value, where the bound reaches half a cent)
#   are recomputed in Decimal. The bound grows with the magnitude: a fixed window would
#   misround ties above about 10**8.
_ERROR_BOUND = 16 * 2.0**-53  # ~8 roundings' worth, twice over: generous, still ~1.8e-15
_FLOAT_CENTS_LIMIT = 2.0**50  # beyond this a float's step approaches a cent: Decimal


def amounts_in_cents(table: TierTable, measures, method: str = "retroactive"):
    """Rebates for an array of measures, rounded half-up to the cent, as float64.

    ``measures``: floats (or ints a float holds exactly). Equal, value for value, to
    ``float(round_cents(table.amount(D(m), method)))``; NaN where that raises (a measure
    that is not finite, or a rebate too large to round to the cent): the caller says why.
    """
    import numpy as np

    if method not in METHODS:
        raise TierError(f"method must be retroactive or incremental, not {method!r}")
    m = np.asarray(measures, dtype=np.float64).reshape(-1)
    thresholds = np.array([float(t.threshold) for t in table.tiers])
    rates = np.array([float(t.rate) for t in table.tiers])
    index = np.searchsorted(thresholds, m, side="right") - 1  # highest tier with threshold <= m
    reached = index >= 0
    safe = np.where(reached, index, 0)
    with np.errstate(all="ignore"):  # inf and NaN are expected here; they go to Decimal
        if method == "retroactive":
            amount = rates[safe] * m
            magnitude = rates[safe] * np.abs(m)
        else:
            cum = np.array([float(c) for c in _cumulative(table)])
            amount = cum[safe] + rates[safe] * (m - thresholds[safe])
            magnitude = cum[safe] + rates[safe] * (np.abs(m) + thresholds[safe])
        amount = np.where(reached, amount, 0.0)
        cents = amount * 100.0
        floor = np.floor(cents)
        frac = cents - floor
        result = np.where(frac >= 0.5, floor + 1.0, floor) / 100.0
        tolerance = np.where(reached, magnitude, 0.0) * 100.0 * _ERROR_BOUND
        doubtful = ~(np.abs(cents) < _FLOAT_CENTS_LIMIT)  # also catches inf and NaN
        doubtful |= np.abs(frac - 0.5) <= tolerance
        doubtful |= reached & (m == thresholds[safe])
        doubtful |= ~np.isfinite(m)
    for i in np.flatnonzero(doubtful):
        try:
            result[i] = float(round_cents(table.amount(D(float(m[i])), method)))
        except (ValueError, ArithmeticError):
            result[i] = np.nan
    return result


@money_arithmetic
def _cumulative(table: TierTable) -> list[Decimal]:
    """The incremental amount at each tier's threshold (exact, in the money context)."""
    cum, total = [], Decimal(0)
    for i, tier in enumerate(table.tiers):
        cum.append(total)
        if i + 1 < len(table.tiers):
            total += tier.rate * (table.tiers[i + 1].threshold - tier.threshold)
    return cum

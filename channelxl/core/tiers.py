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
when the measure is units; the arithmetic is the same. Everything is exact Decimal; no
rounding happens here (the caller rounds the amount paid, once).

Worked example (DOMAIN.md, A): tiers 0 -> 0 %, 100,000 -> 2 %, 250,000 -> 3 %,
500,000 -> 4 %; measure 300,000: retroactive 9,000; incremental 4,500; gap to next 200,000.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from channelxl.core.money import D

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

    def retroactive(self, measure: object) -> Decimal:
        return self.rate_for(measure) * D(measure)

    def incremental(self, measure: object) -> Decimal:
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

    def next_gap(self, measure: object) -> Decimal:
        """Measure still needed to reach the next tier; 0 at (or above) the top tier."""
        m = D(measure)
        for tier in self.tiers:
            if m < tier.threshold:
                return tier.threshold - m
        return Decimal(0)


# ---------------------------------------------------------------- many measures at once
# Excel hands a column of measures as binary floats. Paying each through Decimal costs
# microseconds apiece; this path computes in float64 and is still exact to the cent:
# float64 carries the typed values and their product to a relative error below 1e-15,
# so rounding half-up to the cent can only go wrong when the exact amount lies within
# that error of a half cent. Such values (and very large ones) are recomputed in Decimal.
_TIE_WINDOW = 1e-6  # in cents: far wider than float error, far narrower than a cent
_FLOAT_LIMIT = 1e12  # amounts above this (in cents) are computed in Decimal


def amounts_in_cents(table: TierTable, measures, method: str = "retroactive"):
    """Rebates for an array of float measures, rounded half-up to the cent, as floats.

    Equal, value for value, to ``float(round_cents(table.amount(Decimal(repr(m)), method)))``.
    """
    import numpy as np

    from channelxl.core.money import round_cents

    if method not in METHODS:
        raise TierError(f"method must be retroactive or incremental, not {method!r}")
    m = np.asarray(measures, dtype=np.float64)
    thresholds = np.array([float(t.threshold) for t in table.tiers])
    rates = np.array([float(t.rate) for t in table.tiers])
    index = np.searchsorted(thresholds, m, side="right") - 1  # highest tier with threshold <= m
    reached = index >= 0
    safe = np.where(reached, index, 0)
    if method == "retroactive":
        amount = np.where(reached, rates[safe] * m, 0.0)
    else:
        # cumulative amount at each threshold, exact in Decimal, then as float
        cum, total = [], Decimal(0)
        for i, tier in enumerate(table.tiers):
            cum.append(float(total))
            if i + 1 < len(table.tiers):
                total += tier.rate * (table.tiers[i + 1].threshold - tier.threshold)
        cum = np.array(cum)
        amount = np.where(reached, cum[safe] + rates[safe] * (m - thresholds[safe]), 0.0)
    cents = amount * 100.0
    floor = np.floor(cents)
    frac = cents - floor
    result = np.where(frac >= 0.5, floor + 1.0, floor) / 100.0
    doubtful = (np.abs(frac - 0.5) < _TIE_WINDOW) | (np.abs(cents) > _FLOAT_LIMIT)
    for i in np.flatnonzero(doubtful):
        result[i] = float(round_cents(table.amount(Decimal(repr(float(m[i]))), method)))
    return result

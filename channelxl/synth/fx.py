"""Monthly FX rates: the euro value of one unit of each distributor currency.

Each currency starts at its euro value in :data:`~channelxl.synth.countries.COUNTRIES`
and walks (log-normal steps of about 1.2% a month) from the month before the first,
where the opening stock is valued, to the last. Every local price in the channel is a
euro price divided by that month's rate, so the Fx Rates sheet turns any figure back into
the euro it came from.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from channelxl.core.periods import Month
from channelxl.synth.countries import COUNTRIES, REPORTING_CURRENCY
from channelxl.synth.text import dec


@dataclass(frozen=True)
class FxRates:
    """Rates by currency, indexed by month: 0 is the month before the first."""

    rates: dict[str, np.ndarray]
    rows: list[dict]  # the program's Fx Rates sheet

    def eur_per_unit(self, currency: str, k: np.ndarray | int):
        """EUR value of one unit of ``currency`` in month index k (0 = first month)."""
        return 1.0 if currency == REPORTING_CURRENCY else self.rates[currency][np.asarray(k) + 1]

    def eur_rates(self, currencies: np.ndarray, k: np.ndarray) -> np.ndarray:
        """:meth:`eur_per_unit` for arrays of currencies and month indexes."""
        out = np.ones(currencies.size)
        for currency, rate in self.rates.items():
            sel = currencies == currency
            out[sel] = rate[k[sel] + 1]
        return out


def draw(rng: np.random.Generator, months: list[Month]) -> FxRates:
    """A random walk per currency, from the month before the first to the last."""
    rates = {}
    rows = []
    for _, cur, _, _, eur in COUNTRIES:
        if cur in rates or cur == REPORTING_CURRENCY:
            continue
        walk = np.exp(np.cumsum(rng.normal(0, 0.012, len(months) + 1)))
        rates[cur] = np.round(eur * walk, 8)
        for k, mo in enumerate([months[0] + -1, *months]):
            rows.append({"currency": cur, "month": str(mo), "rate": dec(rates[cur][k], 8)})
    return FxRates(rates, rows)

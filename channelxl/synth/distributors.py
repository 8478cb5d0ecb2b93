"""Distributors and the territories they are given.

Distributor types cycle through :data:`~channelxl.schema.DISTRIBUTOR_TYPES`; homes cycle
through the countries. A distributor's size share follows its home market's weight
(square-rooted, times a log-normal draw) and it grows by its own trend each month: the
sell-through invoices follow both. Each distributor covers its home country; a broadline
also covers up to two more. Every territory is non-exclusive and open-ended, from the
first month on.

Planted: two VADs given exclusive rights to the public sector of one country, over
overlapping dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from channelxl.core.periods import Month
from channelxl.schema import DISTRIBUTOR_TYPES
from channelxl.synth.countries import COUNTRIES
from channelxl.synth.text import ids, names


@dataclass(frozen=True)
class Distributors:
    """One entry per distributor in each array; ``covers`` is the countries each serves."""

    ids: np.ndarray
    types: np.ndarray
    countries: np.ndarray
    currencies: np.ndarray
    locales: np.ndarray
    share: np.ndarray  # of all invoices, before season and trend
    trend: np.ndarray  # monthly growth
    names: np.ndarray
    covers: list[set[str]]
    territory_rows: list[dict]  # the program's Territories sheet
    conflict: tuple[int, ...]  # the planted VADs with conflicting exclusivity, or none
    conflict_country: str | None
    planted: dict

    @property
    def count(self) -> int:
        return self.ids.size

    def rows(self) -> list[dict]:
        """The program's Distributors sheet."""
        return [
            {
                "distributor_id": self.ids[i],
                "name": str(self.names[i]),
                "type": self.types[i],
                "country": self.countries[i],
                "currency": self.currencies[i],
                "locale": self.locales[i],
            }
            for i in range(self.count)
        ]


def draw(rng: np.random.Generator, n: int, months: list[Month], *, plant: bool) -> Distributors:
    """``n`` distributors with their territories; with ``plant``, the exclusivity conflict."""
    dist_ids = ids("D", n, 3)
    types = np.array([DISTRIBUTOR_TYPES[i % len(DISTRIBUTOR_TYPES)] for i in range(n)])
    country_idx = np.arange(n) % len(COUNTRIES)
    countries = np.array([COUNTRIES[i][0] for i in country_idx])
    share = rng.lognormal(0, 0.6, n) * np.array([COUNTRIES[i][3] for i in country_idx]) ** 0.5
    share /= share.sum()
    trend = rng.normal(0.008, 0.01, n)
    dist_names = np.char.add(names(rng, n, ""), " Distribution")
    start_day = months[0].first_day
    territory_rows = []
    covers: list[set[str]] = []
    for i in range(n):
        home = countries[i]
        cover = [home]
        if types[i] == "broadline":
            extra = rng.choice(len(COUNTRIES), 2, replace=False)
            cover += [COUNTRIES[j][0] for j in extra if COUNTRIES[j][0] != home]
        covers.append(set(cover))
        for c in cover:
            territory_rows.append(_territory(dist_ids[i], c, "*", "N", start_day, None))
    conflict: tuple[int, ...] = ()
    conflict_country = None
    planted: dict = {}
    if plant:
        # Two VADs both given exclusive rights to the public sector of a country neither
        # otherwise covers, over overlapping dates: the vendor broke its own exclusivity.
        vads = [i for i in range(n) if types[i] == "vad"][:2]
        taken = covers[vads[0]] | covers[vads[1]]
        conflict_country = next(c[0] for c in COUNTRIES[::-1] if c[0] not in taken)
        last = len(months) - 1
        a_from, b_from = months[min(2, last)].first_day, months[min(8, last)].first_day
        b_to = months[min(17, last)].last_day
        for i, (vf, vt) in zip(vads, ((a_from, None), (b_from, b_to)), strict=True):
            territory_rows.append(_territory(dist_ids[i], conflict_country, "public", "Y", vf, vt))
        conflict = tuple(vads)
        planted["exclusive_conflict"] = {
            "distributors": [str(dist_ids[i]) for i in vads],
            "country": conflict_country,
            "segment": "public",
            "overlap_from": str(b_from),
            "overlap_to": str(b_to),
        }
    return Distributors(
        ids=dist_ids,
        types=types,
        countries=countries,
        currencies=np.array([COUNTRIES[i][1] for i in country_idx]),
        locales=np.array([COUNTRIES[i][2] for i in country_idx]),
        share=share,
        trend=trend,
        names=dist_names,
        covers=covers,
        territory_rows=territory_rows,
        conflict=conflict,
        conflict_country=conflict_country,
        planted=planted,
    )


def _territory(
    distributor_id: str,
    country: str,
    segment: str,
    exclusive: str,
    valid_from: date,
    valid_to: date | None,
) -> dict:
    return {
        "distributor_id": distributor_id,
        "country": country,
        "segment": segment,
        "exclusive": exclusive,
        "valid_from": valid_from,
        "valid_to": valid_to,
    }

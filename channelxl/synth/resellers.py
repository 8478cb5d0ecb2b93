"""Resellers and the distributors they buy from.

Resellers live in the distributors' home countries, in proportion to the market weights;
the first reseller of each distributor is in its home country, so every distributor has
one. Each reseller is authorized by one distributor serving its country, and about one in
five by a second: such a reseller splits the product families between the two (even
families from the first, odd from the second; :mod:`channelxl.synth.sell_through`), so in
clean data a reseller buys a family from one distributor only. Reseller popularity is
Pareto: a few resellers buy much of the volume.

Every reseller has a GLN and two in three a DUNS number, both following from its index
(:func:`gln`, :func:`duns`), not from the random draws.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from channelxl.core.gs1 import with_check_digit
from channelxl.synth.countries import COUNTRIES
from channelxl.synth.distributors import Distributors
from channelxl.synth.text import ids, names


def gln(index: int) -> str:
    """The GLN of the reseller at ``index`` (0-based): a made-up GS1 Germany company
    prefix (409999), a 6-digit location reference, the check digit."""
    return with_check_digit(f"409999{index + 1:06d}")


def duns(index: int) -> str | None:
    """The DUNS number of the reseller at ``index``, or None for every third one."""
    return None if index % 3 == 2 else f"15{index + 1:07d}"


@dataclass(frozen=True)
class Resellers:
    """One entry per reseller in each array; distributors by index, -1 for none."""

    ids: np.ndarray
    names: np.ndarray
    countries: np.ndarray
    first: np.ndarray  # the distributor it buys from (even families, when it has two)
    second: np.ndarray  # the one it buys odd families from, or -1
    popularity: np.ndarray
    rows: list[dict]  # the program's Resellers sheet


def draw(rng: np.random.Generator, n: int, dist: Distributors) -> Resellers:
    """``n`` resellers, each authorized by one or two of ``dist``."""
    nd = dist.count
    d_country = dist.countries
    covers = dist.covers
    covered = sorted(
        {c for cov in covers for c in cov if c in set(d_country)} | set(d_country.tolist())
    )
    w = np.array([dict((c[0], c[3]) for c in COUNTRIES)[c] for c in covered], dtype=float)
    country = np.array(covered)[rng.choice(len(covered), n, p=w / w.sum())]
    country[:nd] = d_country
    serving = {c: [i for i in range(nd) if c in covers[i]] for c in covered}
    first = np.empty(n, dtype=int)
    second = np.full(n, -1)
    two = rng.random(n) < 0.22
    for r in range(n):
        options = serving[country[r]]
        if r < nd:
            first[r] = r
        else:
            first[r] = options[rng.integers(len(options))]
        if two[r] and len(options) > 1:
            others = [o for o in options if o != first[r]]
            second[r] = others[rng.integers(len(others))]
    reseller_ids, r_names, popularity, rows = named(rng, n, country, first, second, dist)
    return Resellers(
        ids=reseller_ids,
        names=r_names,
        countries=country,
        first=first,
        second=second,
        popularity=popularity,
        rows=rows,
    )


def named(rng, n: int, country, first, second, dist) -> tuple:
    """Ids, names (a legal form by country), popularity and program rows of ``n`` resellers
    whose countries and authorized distributors (``first``, ``second``: -1 for none) are
    drawn."""
    reseller_ids = ids("R", n, 5)
    r_names = np.char.add(names(rng, n, ""), np.where(rng.random(n) < 0.5, " GmbH", " Ltd"))
    r_names = np.where(
        np.isin(country, ["US", "CA", "AU", "SG", "IN"]),
        np.char.replace(r_names, " GmbH", " Inc"),
        r_names,
    )
    popularity = rng.pareto(1.5, n) + 0.2
    rows = [
        {
            "reseller_id": reseller_ids[r],
            "name": str(r_names[r]),
            "country": country[r],
            "authorized_distributors": tuple(
                str(dist.ids[x]) for x in (first[r], second[r]) if x >= 0
            ),
            "gln": gln(r),
            "duns": duns(r),
        }
        for r in range(n)
    ]
    return reseller_ids, r_names, popularity, rows

"""The vendor's price list: SKUs in product families, with list, distributor and floor prices.

SKUs cycle through the families, so every family has SKUs. A SKU's list price is its
family's base price times a log-normal draw; the distributor buys at 68-74% of list (the
price on shipments) and the floor, under which a reseller may not resell, is 80% of list.
Resellers resell at 84-95% of list (:mod:`channelxl.synth.sell_through`), above the floor.
A few SKUs at the end are end-of-life: inactive, and nobody sells them.

Each SKU has a GTIN, written as a UPC-12 the way a US price list shows it: GS1's
example company prefix 614141, the SKU's number as the item reference, and the check
digit (:func:`gtin`). It follows from the SKU's index, not from the random draws, so
adding it changed no other value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from channelxl.core.gs1 import with_check_digit
from channelxl.synth.text import dec

# family, base list price in EUR
FAMILIES = (
    ("Switches", 1800),
    ("Routers", 2600),
    ("Firewalls", 3200),
    ("Wireless", 450),
    ("Storage", 5200),
    ("Servers", 6400),
    ("Endpoint Security", 60),
    ("Cloud Backup", 120),
    ("Collaboration", 350),
    ("Support Services", 900),
)


COMPANY_PREFIX = "614141"  # GS1's example prefix: no real company's


def gtin(index: int) -> str:
    """The UPC-12 of the SKU at ``index`` (0-based): prefix, 5-digit item reference, check."""
    return with_check_digit(f"{COMPANY_PREFIX}{index + 1:05d}")


@dataclass(frozen=True)
class Products:
    """One entry per SKU in each array; prices in EUR."""

    skus: np.ndarray
    family: np.ndarray  # index into FAMILIES
    list_price: np.ndarray
    distributor_price: np.ndarray
    floor_price: np.ndarray
    active: np.ndarray
    popularity: np.ndarray  # within its family; 0 when inactive
    rows: list[dict]  # the program's Products sheet


def draw(rng: np.random.Generator, n: int) -> Products:
    """``n`` SKUs over the families."""
    family = np.arange(n) % len(FAMILIES)
    base = np.array([FAMILIES[f][1] for f in family], dtype=float)
    list_price = np.round(base * rng.lognormal(0, 0.35, n), 0)
    dist_price = np.round(list_price * rng.uniform(0.68, 0.74, n), 2)
    floor_price = np.round(list_price * 0.80, 2)
    active = np.ones(n, dtype=bool)
    # every family keeps its first SKU active, so every family can be sold
    retired = min(max(1, n // 40), n - len(FAMILIES))
    if retired:
        active[-retired:] = False
    skus = np.array([f"{FAMILIES[f][0][:3].upper()}-{i + 1:04d}" for i, f in enumerate(family)])
    popularity = rng.lognormal(0, 1.0, n) * active
    rows = [
        {
            "sku": skus[i],
            "name": f"{FAMILIES[family[i]][0]} model {i + 1}",
            "family": FAMILIES[family[i]][0],
            "list_price": dec(list_price[i], 2),
            "distributor_price": dec(dist_price[i], 2),
            "floor_price": dec(floor_price[i], 2),
            "active": "Y" if active[i] else "N",
            "gtin": gtin(i),
        }
        for i in range(n)
    ]
    return Products(
        skus=skus,
        family=family,
        list_price=list_price,
        distributor_price=dist_price,
        floor_price=floor_price,
        active=active,
        popularity=popularity,
        rows=rows,
    )

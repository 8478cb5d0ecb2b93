"""Problems planted in the reported sell-through, for the checks to find.

The report starts as the true lines (:mod:`channelxl.synth.sell_through`); what is
planted here changes what distributors report, not what they hold:

- out of territory: a few lines' end customer moved to a country the distributor does
  not cover (nor the country of the planted exclusivity conflict);
- below floor: a few other lines resold under the SKU's floor price;
- free riding: resellers with two distributors buying an even family (in clean data
  bought from the first only) from the second as well, within one quarter. These are
  real sales; :func:`channelxl.synth.sell_in.cover_extra_sales` ships the stock for them
  so the inventory identity still holds;
- duplicate lines: a few lines reported twice.

Each planting returns the report with the problem in it and what it planted, keyed by
the lines' distributor, invoice number and invoice line. Without ``plant`` the report
comes back as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
import pandas as pd

from channelxl.core.periods import Month
from channelxl.synth.countries import COUNTRIES, NO_CENTS
from channelxl.synth.distributors import Distributors
from channelxl.synth.fx import FxRates
from channelxl.synth.products import FAMILIES, Products
from channelxl.synth.resellers import Resellers
from channelxl.synth.sell_through import SellThrough


@dataclass(frozen=True)
class Planting:
    frame: pd.DataFrame  # the sell-through report with the problems in it
    planted: dict = field(default_factory=dict)
    extra_sales: list[dict] = field(default_factory=list)  # real sales the report gained


def misreport(
    rng: np.random.Generator,
    sales: SellThrough,
    dist: Distributors,
    products: Products,
    *,
    plant: bool,
) -> Planting:
    """Out-of-territory end customers and prices below the floor."""
    if not plant:
        return Planting(sales.frame)
    lines = sales.lines
    nl = lines.size
    st = sales.frame.copy(deep=False)  # copy-on-write: the true report stays as drawn
    planted = {}
    k = max(5, nl // 400)
    pick = np.sort(rng.choice(nl, k, replace=False))
    foreign = []
    for j in pick:
        d = lines.distributor[j]
        choices = [
            c[0] for c in COUNTRIES if c[0] not in dist.covers[d] and c[0] != dist.conflict_country
        ]
        foreign.append(choices[rng.integers(len(choices))])
    st.loc[pick, "end_customer_country"] = foreign
    planted["out_of_territory"] = _keys(st, pick)
    k = max(5, nl // 500)
    pick = np.sort(rng.choice(np.setdiff1d(np.arange(nl), pick), k, replace=False))
    low = products.floor_price[lines.sku[pick]] * rng.uniform(0.70, 0.92, k) / lines.eur_rate[pick]
    # rounded down, so a price just under the floor stays under it
    st.loc[pick, "unit_price"] = np.where(
        np.isin(lines.currency[pick], list(NO_CENTS)), np.floor(low), np.floor(low * 100) / 100
    )
    planted["below_floor"] = _keys(st, pick)
    return Planting(st, planted)


def free_riding(
    rng: np.random.Generator,
    frame: pd.DataFrame,
    months: list[Month],
    fx: FxRates,
    dist: Distributors,
    products: Products,
    resellers: Resellers,
    customers: np.ndarray,
    *,
    plant: bool,
) -> Planting:
    """Up to five resellers buying the first family from both their distributors."""
    if not plant:
        return Planting(frame)
    multi = np.flatnonzero(resellers.second >= 0)
    riders, extra_rows = [], []
    quarters = sorted({m.quarter for m in months})
    f = 0  # an even family: in clean data bought from the first distributor only
    family_skus = np.flatnonzero((products.family == f) & products.active)
    family_names = set(products.skus[family_skus])

    def rider_line(r: int, d: int, mk: int, day: int, invoice: str) -> dict:
        s = family_skus[rng.integers(family_skus.size)]
        currency = dist.currencies[d]
        cents = 0 if currency in NO_CENTS else 2
        return {
            "distributor_id": dist.ids[d],
            "period": str(months[mk]),
            "invoice_date": months[mk].first_day + timedelta(days=day),
            "invoice_number": invoice,
            "invoice_line": 1,
            "reseller_id": resellers.ids[r],
            "reseller_name": str(resellers.names[r]),
            "reseller_country": resellers.countries[r],
            "end_customer_name": str(customers[0]),
            "end_customer_country": resellers.countries[r],
            "end_customer_segment": "midmarket",
            "sku": products.skus[s],
            "quantity": 2,
            "unit_price": round(
                float(products.list_price[s] * 0.9 / fx.eur_per_unit(currency, mk)), cents
            ),
            "currency": currency,
            "deal_registration_id": "",
        }

    for r in rng.choice(multi, min(5, multi.size), replace=False):
        q_pick = quarters[rng.integers(len(quarters))]
        ks = [months.index(m) for m in q_pick.months if m in months]
        mk = ks[len(ks) // 2]
        first_d, second_d = resellers.first[r], resellers.second[r]
        first_id, second_id = dist.ids[first_d], dist.ids[second_d]
        bought = frame[
            (frame.reseller_id == resellers.ids[r])
            & frame.period.isin({str(months[k]) for k in ks})
            & (frame.distributor_id == first_id)
            & frame.sku.isin(family_names)
        ]
        if bought.empty:  # make sure the usual distributor sold the family that quarter
            extra_rows.append(rider_line(r, first_d, mk, 4, f"{first_id}-FR{r}A"))
        for n_extra in range(2):
            extra_rows.append(
                rider_line(r, second_d, mk, 10 + n_extra, f"{second_id}-FR{r}{n_extra}")
            )
        riders.append(
            {
                "reseller_id": str(resellers.ids[r]),
                "family": FAMILIES[f][0],
                "country": str(resellers.countries[r]),
                "quarter": str(q_pick),
                "distributors": sorted([str(first_id), str(second_id)]),
            }
        )
    st = pd.concat([frame, pd.DataFrame(extra_rows)], ignore_index=True)
    return Planting(st, {"free_riding": riders}, extra_rows)


def duplicate_lines(
    rng: np.random.Generator, frame: pd.DataFrame, true_lines: int, *, plant: bool
) -> Planting:
    """A few of the first ``true_lines`` lines reported a second time."""
    if not plant:
        return Planting(frame)
    k = max(5, true_lines // 1000)
    pick = np.sort(rng.choice(true_lines, k, replace=False))
    st = pd.concat([frame, frame.iloc[pick]], ignore_index=True)
    return Planting(st, {"duplicate_lines": _keys(frame, pick)})


def _keys(frame: pd.DataFrame, rows: np.ndarray) -> list[dict]:
    sub = frame.iloc[rows]
    return [
        {"distributor_id": a, "invoice_number": b, "invoice_line": int(c)}
        for a, b, c in zip(sub.distributor_id, sub.invoice_number, sub.invoice_line, strict=True)
    ]

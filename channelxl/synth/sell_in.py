"""Sell-in and stock: what the vendor ships each distributor, and what each holds.

Drawn from the true sell-through lines (not the report, whose planted errors are not
sales). The vendor forecasts each distributor x SKU on this month's demand blended with
the trailing three months, and ships what keeps the distributor at its target weeks of
cover (4-7 weeks, its own), plus a push of :data:`QUARTER_END_PUSH` in the last month of
every quarter; large quantities ship in whole cases of 5. Now and then a distributor sends
back stock far above its target, or part of a large stock. Stock follows the identity

    closing = opening + sell_in - returns - true sell_through

exactly, and never goes below zero; the opening stock is the first month's target and is
reported as the month before the first. Each report splits closing stock into on hand and
in transit (``closing = on hand + in transit``).

A month's sell-in becomes 1-3 order lines at the distributor price in the distributor's
currency; quarter-end shipments mostly go out in the month's last week. A return is a
line of type ``return`` on the 28th.

Planted: up to three inventory loaders (never the VADs in the exclusivity conflict),
whose cover ramps from 1.5 to 7 times their usual over the last nine months, and who keep
their surplus.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from channelxl.core.periods import Month
from channelxl.synth.countries import round_prices
from channelxl.synth.days import month_lengths, month_starts
from channelxl.synth.distributors import Distributors
from channelxl.synth.fx import FxRates
from channelxl.synth.products import Products
from channelxl.synth.sell_through import SEASON, Lines

QUARTER_END_PUSH = 1.35  # sell-in in the last month of a quarter vs the steady rule


@dataclass(frozen=True)
class Stock:
    inventory: pd.DataFrame  # distributor x period x SKU: on hand, in transit
    shipments: pd.DataFrame  # order lines, sell-in and returns
    planted: dict


@dataclass(frozen=True)
class _Levels:
    """Distributor x SKU x month quantities."""

    opening: np.ndarray  # distributor x SKU, before the first month
    sell_in: np.ndarray
    returns: np.ndarray
    closing: np.ndarray


def draw(
    rng: np.random.Generator,
    months: list[Month],
    fx: FxRates,
    dist: Distributors,
    products: Products,
    lines: Lines,
    *,
    plant: bool,
) -> Stock:
    """Sell-in, returns and stock that carry the true sell-through ``lines``."""
    nd, ns, M = dist.count, products.skus.size, len(months)
    st_units = np.zeros((nd, ns, M))
    np.add.at(st_units, (lines.distributor, lines.sku, lines.month), lines.quantity)
    cover_weeks = rng.uniform(4.0, 7.0, nd)
    cover = np.repeat(cover_weeks[:, None], M, axis=1)
    loaders: list[int] = []
    if plant:
        in_conflict = set(dist.conflict)
        candidates = [i for i in range(nd) if i not in in_conflict]
        loaders = sorted(rng.choice(candidates, min(3, len(candidates)), replace=False).tolist())
        ramp_start = max(0, M - 9)
        for i in loaders:
            cover[i, ramp_start:] = cover_weeks[i] * np.linspace(1.5, 7.0, M - ramp_start)
    quarter_end = np.array([m.month % 3 == 0 for m in months])
    levels = _levels(rng, st_units, cover, quarter_end, np.isin(np.arange(nd), loaders))
    inventory = _inventory(rng, months, dist, products, levels)
    shipments = _shipments(rng, months, fx, dist, products, levels, quarter_end)
    return Stock(
        inventory=inventory,
        shipments=shipments,
        planted={
            "quarter_end_push": QUARTER_END_PUSH,
            "seasonality": {str(i + 1): float(s) for i, s in enumerate(SEASON)},
            "inventory_loaders": [str(dist.ids[i]) for i in loaders],
        },
    )


def cover_extra_sales(
    shipments: pd.DataFrame, extra_sales: list[dict], products: Products
) -> pd.DataFrame:
    """Shipments for sales the report gained after stock was drawn (the free riding).

    Each is shipped three days before it sold, so stock does not change.
    """
    for row in extra_sales:
        shipments = pd.concat(
            [
                shipments,
                pd.DataFrame(
                    [
                        {
                            "order_number": f"SO-FR-{row['invoice_number']}",
                            "order_line": 1,
                            "ship_date": row["invoice_date"] - timedelta(days=3),
                            "distributor_id": row["distributor_id"],
                            "sku": row["sku"],
                            "quantity": row["quantity"],
                            "unit_price": float(
                                products.distributor_price[
                                    np.flatnonzero(products.skus == row["sku"])[0]
                                ]
                            ),
                            "currency": row["currency"],
                            "type": "shipment",
                        }
                    ]
                ),
            ],
            ignore_index=True,
        )
    return shipments


def _levels(
    rng: np.random.Generator,
    st_units: np.ndarray,
    cover: np.ndarray,
    quarter_end: np.ndarray,
    loading: np.ndarray,
) -> _Levels:
    nd, ns, M = st_units.shape
    # The forecast a vendor plans on: this month's demand blended with the trailing
    # three months, so stock follows recent demand and slow SKUs run down.
    cum = np.cumsum(st_units, axis=2)
    lagged = np.concatenate([np.zeros((nd, ns, 3)), cum[:, :, :-3]], axis=2)
    trailing = (cum - lagged) / np.minimum(np.arange(1, M + 1), 3)
    smooth = 0.5 * st_units + 0.5 * trailing
    target_stock = np.floor(smooth * cover[:, None, :] / 4.33)  # slow movers carry none
    opening0 = target_stock[:, :, 0]
    sell_in = np.zeros_like(st_units)
    returns = np.zeros_like(st_units)
    closing = np.zeros_like(st_units)
    opening = opening0.copy()
    for m in range(M):
        want = target_stock[:, :, m] * (QUARTER_END_PUSH if quarter_end[m] else 1.0)
        need = np.ceil(np.maximum(0, want + st_units[:, :, m] - opening))  # whole units
        # ship in whole cases of 5 where the quantity is large: real orders are lumpy
        need = np.where(need > 20, np.ceil(need / 5) * 5, need)
        sell_in[:, :, m] = need
        after = opening + need - st_units[:, :, m]
        # stock rotation: a distributor sends back what sits far above its target (loaders
        # keep theirs), now and then; plus the odd return of part of a large stock
        surplus = after - target_stock[:, :, m]
        rotate = (surplus > target_stock[:, :, m] + 2) & (rng.random((nd, ns)) < 0.3)
        rotate &= ~loading[:, None]
        odd = (rng.random((nd, ns)) < 0.004) & (after > 10)
        returns[:, :, m] = np.where(rotate, surplus, np.where(odd, np.floor(after * 0.2), 0))
        closing[:, :, m] = after - returns[:, :, m]
        opening = closing[:, :, m]
    assert (closing >= 0).all()
    return _Levels(opening=opening0, sell_in=sell_in, returns=returns, closing=closing)


def _inventory(
    rng: np.random.Generator,
    months: list[Month],
    dist: Distributors,
    products: Products,
    levels: _Levels,
) -> pd.DataFrame:
    """Reports for the month before the first (the opening balance) and every month: a
    row for each SKU a distributor holds or was shipped."""
    nd, ns, _ = levels.sell_in.shape
    inv_months = [months[0] + -1, *months]
    stock = np.concatenate([levels.opening[:, :, None], levels.closing], axis=2)  # (nd, ns, M+1)
    shipped = np.concatenate([np.zeros((nd, ns, 1)), levels.sell_in], axis=2)
    carried = (stock > 0) | (shipped > 0)
    di, si, mi = np.nonzero(carried)
    total = stock[di, si, mi]
    in_transit = np.where(
        (rng.random(total.size) < 0.05) & (total > 4),
        np.floor(total * rng.uniform(0.1, 0.4, total.size)),
        0,
    )
    return pd.DataFrame(
        {
            "distributor_id": dist.ids[di],
            "period": np.array([str(m) for m in inv_months])[mi],
            "sku": products.skus[si],
            "on_hand": (total - in_transit).astype(np.int64),
            "in_transit": in_transit.astype(np.int64),
        }
    )


def _shipments(
    rng: np.random.Generator,
    months: list[Month],
    fx: FxRates,
    dist: Distributors,
    products: Products,
    levels: _Levels,
    quarter_end: np.ndarray,
) -> pd.DataFrame:
    """Each distributor x SKU x month with sell-in as 1-3 order lines; then the returns."""
    first_ord, days_in = month_starts(months), month_lengths(months)
    dist_price = products.distributor_price
    di, si, mi = np.nonzero(levels.sell_in)
    q = levels.sell_in[di, si, mi].astype(np.int64)
    parts = np.minimum(1 + (q > 30) + (q > 120), 3)
    parts = np.minimum(parts, q)
    rep = np.repeat(np.arange(q.size), parts)
    part_no = np.arange(rep.size) - np.repeat(np.cumsum(parts) - parts, parts)
    base_q = q[rep] // parts[rep]
    part_q = base_q + np.where(part_no == 0, q[rep] - base_q * parts[rep], 0)
    sm = mi[rep]
    late = quarter_end[sm] & (rng.random(rep.size) < 0.7)
    ship_day = np.where(
        late, days_in[sm] - 1 - rng.integers(0, 8, rep.size), rng.integers(0, 28, rep.size)
    )
    ship_ord = first_ord[sm] + ship_day
    cur = dist.currencies[di[rep]]
    sp = round_prices(dist_price[si[rep]] / fx.eur_rates(cur, sm), cur)
    ret_d, ret_s, ret_m = np.nonzero(levels.returns)
    ret_cur = dist.currencies[ret_d]
    ret_price = np.round(dist_price[ret_s] / fx.eur_rates(ret_cur, ret_m), 2)
    ship = pd.DataFrame(
        {
            "ship_ord": np.concatenate([ship_ord, first_ord[ret_m] + 27]),
            "distributor_id": np.concatenate([dist.ids[di[rep]], dist.ids[ret_d]]),
            "sku": np.concatenate([products.skus[si[rep]], products.skus[ret_s]]),
            "quantity": np.concatenate(
                [part_q, levels.returns[ret_d, ret_s, ret_m].astype(np.int64)]
            ),
            "unit_price": np.concatenate([sp, ret_price]),
            "currency": np.concatenate([cur, ret_cur]),
            "type": np.concatenate([np.full(rep.size, "shipment"), np.full(ret_d.size, "return")]),
        }
    )
    ship = ship.sort_values(["ship_ord", "distributor_id", "sku"], kind="stable").reset_index(
        drop=True
    )
    # an order is everything shipped to one distributor on one day
    orders = ship.groupby(["ship_ord", "distributor_id"], sort=False).ngroup().to_numpy()
    ship.insert(0, "order_number", np.char.add("SO", (100000 + orders).astype(str)))
    ship.insert(1, "order_line", ship.groupby(orders).cumcount().to_numpy() + 1)
    ship.insert(
        2,
        "ship_date",
        pd.to_datetime(ship.pop("ship_ord") - date(1970, 1, 1).toordinal(), unit="D").dt.date,
    )
    return ship

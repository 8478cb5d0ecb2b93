"""Sell-through: the invoice lines distributors report, drawn first of all the flows.

Invoices per distributor and month are Poisson around the distributor's size share times
the month's seasonal factor times its own trend, scaled so that the lines over all months
come to about the size asked for; each invoice has 1-4 lines (1.7 on average). An invoice
goes to a reseller the distributor authorizes, by the reseller's popularity. A reseller
with two distributors buys even families from the first and odd from the second; a line's
SKU is drawn within its family by popularity, and its quantity is larger the cheaper the
SKU. The resale price is 84-95% of list in EUR, turned into the distributor's currency at
the month's rate. Invoice numbers run per distributor in date order. Enterprise deals are
often registered.

Sell-in and stock (:mod:`channelxl.synth.sell_in`) are drawn from these true lines; the
report's planted errors (:mod:`channelxl.synth.planted`) are put on top of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from channelxl.core.periods import Month
from channelxl.schema import SEGMENTS
from channelxl.synth.countries import round_prices
from channelxl.synth.days import month_lengths, month_starts
from channelxl.synth.distributors import Distributors
from channelxl.synth.fx import FxRates
from channelxl.synth.products import FAMILIES, Products
from channelxl.synth.resellers import Resellers
from channelxl.synth.text import names

# Seasonal factor by calendar month: a strong Q4, a soft Q1 and summer.
SEASON = np.array([0.85, 0.9, 1.05, 0.95, 1.0, 1.05, 0.85, 0.8, 1.05, 1.05, 1.15, 1.3])
SEGMENT_WEIGHTS = (0.25, 0.35, 0.32, 0.08)  # of SEGMENTS, in order
LINES_PER_INVOICE = 1.7


@dataclass(frozen=True)
class Lines:
    """The true sell-through, one entry per line in each array (indexes into the steps)."""

    invoice: np.ndarray
    distributor: np.ndarray
    reseller: np.ndarray
    month: np.ndarray
    sku: np.ndarray
    quantity: np.ndarray
    price: np.ndarray  # in the distributor's currency
    currency: np.ndarray
    eur_rate: np.ndarray  # EUR per unit of the currency that month

    @property
    def size(self) -> int:
        return self.invoice.size


@dataclass(frozen=True)
class SellThrough:
    frame: pd.DataFrame  # the lines as reported, ledger field names
    lines: Lines
    customers: np.ndarray  # the end-customer names invoices draw from


@dataclass(frozen=True)
class _Invoices:
    distributor: np.ndarray
    month: np.ndarray
    reseller: np.ndarray
    date_ord: np.ndarray
    number: np.ndarray  # per distributor, in date order, from 1
    segment: np.ndarray  # index into SEGMENTS
    customer: np.ndarray  # index into the customer names
    customer_country: np.ndarray
    lines: np.ndarray  # number of lines


def draw(
    rng: np.random.Generator,
    target_lines: int,
    months: list[Month],
    fx: FxRates,
    dist: Distributors,
    products: Products,
    resellers: Resellers,
) -> SellThrough:
    """About ``target_lines`` sell-through lines over ``months``."""
    inv, customers = _invoices(rng, target_lines, months, dist, resellers)
    lines = _lines(rng, inv, fx, dist, products, resellers)
    frame = line_frame(rng, inv, lines, months, dist, products, resellers, customers)
    return SellThrough(frame=frame, lines=lines, customers=customers)


def line_frame(rng, inv, lines, months, dist, products, resellers, customers) -> pd.DataFrame:
    """The lines of ``inv`` as reported (ledger field names, with ``invoice_line``), in the
    order drawn; deal registrations drawn here (``rng``: after the lines)."""
    li, nl = lines.invoice, lines.size
    line_no = np.arange(nl) - np.repeat(np.cumsum(inv.lines) - inv.lines, inv.lines) + 1
    deal = np.where(
        (inv.segment[li] == 0) & (rng.random(nl) < 0.4),
        np.char.add("DR-", (rng.integers(10000, 99999, nl)).astype(str)),
        "",
    )
    d_of, r_of = lines.distributor, lines.reseller
    frame = pd.DataFrame(
        {
            "distributor_id": dist.ids[d_of],
            "period": np.array([str(m) for m in months])[lines.month],
            "invoice_date": pd.to_datetime(
                inv.date_ord[li] - date(1970, 1, 1).toordinal(), unit="D"
            ),
            "invoice_number": np.char.add(
                np.char.add(dist.ids[d_of], "-"), np.char.zfill(inv.number[li].astype(str), 6)
            ),
            "invoice_line": line_no,
            "reseller_id": resellers.ids[r_of],
            "reseller_name": resellers.names[r_of],
            "reseller_country": resellers.countries[r_of],
            "end_customer_name": customers[inv.customer[li]],
            "end_customer_country": inv.customer_country[li],
            "end_customer_segment": np.array(SEGMENTS)[inv.segment[li]],
            "sku": products.skus[lines.sku],
            "quantity": lines.quantity,
            "unit_price": lines.price,
            "currency": lines.currency,
            "deal_registration_id": deal,
        }
    )
    frame["invoice_date"] = frame["invoice_date"].dt.date
    return frame


def in_report_order(frame: pd.DataFrame) -> pd.DataFrame:
    """The lines by distributor, period, date, invoice and line."""
    return frame.sort_values(
        ["distributor_id", "period", "invoice_date", "invoice_number", "invoice_line"],
        kind="stable",
    ).reset_index(drop=True)


def _invoices(
    rng: np.random.Generator,
    target_lines: int,
    months: list[Month],
    dist: Distributors,
    resellers: Resellers,
) -> tuple[_Invoices, np.ndarray]:
    nd, M = dist.count, len(months)
    month_idx = np.arange(M)
    season = SEASON[[m.month - 1 for m in months]]
    weight = (
        dist.share[:, None] * season[None, :] * np.exp(dist.trend[:, None] * month_idx[None, :])
    )
    expected_invoices = weight / weight.sum() * target_lines / LINES_PER_INVOICE
    n_inv = rng.poisson(expected_invoices)  # (nd, M)
    inv_d = np.repeat(np.repeat(np.arange(nd), M), n_inv.ravel())
    inv_m = np.repeat(np.tile(month_idx, nd), n_inv.ravel())
    ni = inv_d.size
    # reseller: among those buying from the distributor, weighted by popularity
    buyers = [np.flatnonzero((resellers.first == d) | (resellers.second == d)) for d in range(nd)]
    inv_r = np.empty(ni, dtype=int)
    order = np.argsort(inv_d, kind="stable")
    counts = np.bincount(inv_d, minlength=nd)
    pos = 0
    for d in range(nd):
        k = counts[d]
        if k:
            p = resellers.popularity[buyers[d]]
            inv_r[order[pos : pos + k]] = buyers[d][rng.choice(len(buyers[d]), k, p=p / p.sum())]
        pos += k
    inv_day = (rng.random(ni) * month_lengths(months)[inv_m]).astype(int)
    inv_date_ord = month_starts(months)[inv_m] + inv_day
    inv_seg = rng.choice(len(SEGMENTS), ni, p=SEGMENT_WEIGHTS)
    customers = names(rng, max(200, resellers.ids.size * 3), " Corp")
    inv_cust = rng.integers(0, customers.size, ni)
    n_lines = 1 + np.minimum(rng.poisson(LINES_PER_INVOICE - 1, ni), 3)
    inv_seq = np.zeros(ni, dtype=int)
    by_d_date = np.lexsort((inv_date_ord, inv_d))
    inv_seq[by_d_date] = np.arange(ni) - np.repeat(np.cumsum(counts) - counts, counts) + 1
    invoices = _Invoices(
        distributor=inv_d,
        month=inv_m,
        reseller=inv_r,
        date_ord=inv_date_ord,
        number=inv_seq,
        segment=inv_seg,
        customer=inv_cust,
        customer_country=resellers.countries[inv_r].copy(),
        lines=n_lines,
    )
    return invoices, customers


def _lines(
    rng: np.random.Generator,
    inv: _Invoices,
    fx: FxRates,
    dist: Distributors,
    products: Products,
    resellers: Resellers,
) -> Lines:
    li = np.repeat(np.arange(inv.distributor.size), inv.lines)
    nl = li.size
    d_of = inv.distributor[li]
    r_of = inv.reseller[li]
    m_of = inv.month[li]
    nfam = len(FAMILIES)
    fam = rng.integers(0, nfam, nl)
    split = resellers.second[r_of] >= 0
    parity = np.where(d_of == resellers.first[r_of], 0, 1)
    fam = np.where(split, (fam // 2) * 2 + parity, fam)  # FAMILIES has an even count
    sku_of = np.empty(nl, dtype=int)
    for f in range(nfam):
        members = np.flatnonzero((products.family == f) & products.active)
        sel = np.flatnonzero(fam == f)
        p = products.popularity[members] / products.popularity[members].sum()
        sku_of[sel] = members[rng.choice(members.size, sel.size, p=p)]
    qty = 1 + rng.poisson(np.clip(3000 / products.list_price[sku_of], 0.3, 25))
    cur_of = dist.currencies[d_of]
    eur_rate = fx.eur_rates(cur_of, m_of)
    resale_eur = products.list_price[sku_of] * rng.uniform(0.84, 0.95, nl)
    return Lines(
        invoice=li,
        distributor=d_of,
        reseller=r_of,
        month=m_of,
        sku=sku_of,
        quantity=qty,
        price=round_prices(resale_eur / eur_rate, cur_of),
        currency=cur_of,
        eur_rate=eur_rate,
    )

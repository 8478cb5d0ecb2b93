"""The scale curve's channel, written to disk in distributor batches so memory stays bounded.

``channelxl.synth.generate`` builds the whole channel in memory (about 1.3 GB per million
sell-through lines: 10M did not fit). This writes a channel of the same shape and the same
per-distributor volume, batch by batch:

- the skeleton, drawn once from ``default_rng(seed)``: FX rates, distributors (nothing
  planted), products, resellers (the same rules as :mod:`channelxl.synth.resellers`, drawn
  per country instead of per reseller), end-customer names, each distributor's weeks of
  cover and its invoices per month (Poisson, as in :mod:`channelxl.synth.sell_through`);
- then each batch of :data:`BATCH` distributors from its own stream
  ``default_rng([seed, batch])``: invoices and lines (``sell_through._lines``), sell-in,
  stock and shipments (``sell_in._levels``, ``_inventory``, ``_shipments``), targets and
  activities (``enablement.targets_and_activities``). Each batch's rows are appended to the
  CSVs (sell-through one file per month, in report order) and dropped;
- last, certifications (one pass over the resellers) and the program workbook.

Same seed and size, same files: every draw comes from the skeleton's stream or its batch's,
in a fixed order, and the batch size is a constant. Order, activity and person numbers carry
the batch so they stay unique across batches.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

from bench.common import csv_export
from channelxl.core.periods import Month
from channelxl.io.program_workbook import write_program
from channelxl.schema import (
    ACTIVITIES,
    CERTIFICATIONS,
    INVENTORY,
    SEGMENTS,
    SELL_THROUGH,
    SHIPMENTS,
)
from channelxl.synth import (
    distributors,
    enablement,
    fx,
    mdf_claims,
    products,
    sell_in,
    vendor_terms,
)
from channelxl.synth.countries import COUNTRIES
from channelxl.synth.days import month_lengths, month_starts
from channelxl.synth.generator import program_tables
from channelxl.synth.resellers import Resellers, named
from channelxl.synth.sell_through import (
    LINES_PER_INVOICE,
    SEASON,
    SEGMENT_WEIGHTS,
    _Invoices,
    _lines,
    in_report_order,
    line_frame,
)
from channelxl.synth.text import names

BATCH = 200  # distributors per batch: about 320k sell-through lines at this channel's density
START = "2024-10"


def write_channel(
    folder: Path,
    lines: int,
    *,
    seed: int = 5,
    distributors_per_m: int = 625,
    resellers_per_m: int = 20_000,
    skus: int = 200,
    n_months: int = 24,
    batch: int = BATCH,
) -> list[str]:
    """Write the channel's files into ``folder``; return the CSV names in load order."""
    folder.mkdir(parents=True, exist_ok=True)
    k = lines / 1_000_000
    nd = max(8, round(distributors_per_m * k))
    nr = max(nd, round(resellers_per_m * k))
    rng = np.random.default_rng(seed)
    first = Month.parse(START)
    months = [first + i for i in range(n_months)]
    rates = fx.draw(rng, months)
    dist = distributors.draw(rng, nd, months, plant=False)
    prods = products.draw(rng, skus)
    res = _resellers(rng, nr, dist)
    customers = names(rng, max(200, nr * 3), " Corp")
    cover_weeks = rng.uniform(4.0, 7.0, nd)
    season = SEASON[[m.month - 1 for m in months]]
    weight = (
        dist.share[:, None] * season[None, :] * np.exp(dist.trend[:, None] * np.arange(n_months))
    )
    n_inv = rng.poisson(weight / weight.sum() * lines / LINES_PER_INVOICE)  # (nd, months)
    # who buys from each distributor: resellers by first, then second distributor
    buyer_d = np.concatenate([res.first, res.second])
    buyer_r = np.concatenate([np.arange(nr), np.arange(nr)])
    keep = buyer_d >= 0
    order = np.lexsort((buyer_r[keep], buyer_d[keep]))
    buyer_d, buyer_r = buyer_d[keep][order], buyer_r[keep][order]
    buyer_start = np.searchsorted(buyer_d, np.arange(nd + 1))

    st_names = [f"sell_through_{m}.csv" for m in months]
    for name in ("shipments.csv", "inventory.csv", "activities.csv", *st_names):
        (folder / name).unlink(missing_ok=True)
    targets: list[dict] = []
    activities: list[pd.DataFrame] = []
    quarter_end = np.array([m.month % 3 == 0 for m in months])
    for b, a in enumerate(range(0, nd, batch)):
        z = min(nd, a + batch)
        brng = np.random.default_rng([seed, b])
        inv = _batch_invoices(brng, a, z, n_inv, months, res, buyer_r, buyer_start, customers)
        ln = _lines(brng, inv, rates, dist, prods, res)
        frame = _sell_through_frame(brng, inv, ln, months, dist, prods, res, customers)
        for period, part in frame.groupby("period", sort=True):
            _append(part, SELL_THROUGH, folder / f"sell_through_{period}.csv")
        del frame, part
        sub = SimpleNamespace(ids=dist.ids[a:z], currencies=dist.currencies[a:z], count=z - a)
        local = replace(ln, distributor=ln.distributor - a)
        st_units = np.zeros((z - a, skus, n_months))
        np.add.at(st_units, (local.distributor, local.sku, local.month), local.quantity)
        cover = np.repeat(cover_weeks[a:z, None], n_months, axis=1)
        levels = sell_in._levels(brng, st_units, cover, quarter_end, np.zeros(z - a, dtype=bool))
        _append(
            sell_in._inventory(brng, months, sub, prods, levels),
            INVENTORY,
            folder / "inventory.csv",
        )
        ship = sell_in._shipments(brng, months, rates, sub, prods, levels, quarter_end)
        ship["order_number"] = f"SO{b:03d}-" + ship["order_number"].str[2:]
        _append(ship, SHIPMENTS, folder / "shipments.csv")
        t, acts = enablement.targets_and_activities(brng, months, rates, sub, local)
        acts["activity_id"] = f"A{b:03d}-" + acts["activity_id"].str[1:]
        targets += t
        activities.append(acts)
        _append(acts, ACTIVITIES, folder / "activities.csv")
        del ln, local, st_units, levels, ship, inv

    certs = enablement.certifications(rng, months, dist, res)
    csv_export(certs, CERTIFICATIONS, folder / "certifications.csv")
    _, decisions, _ = mdf_claims.draw(seed, months, pd.concat(activities, ignore_index=True))
    program = program_tables(first, dist, prods, res, targets, rates, decisions)
    write_program(folder / "program.xlsx", program, vendor_terms.settings())
    files = ["shipments.csv", *st_names, "inventory.csv", "certifications.csv", "activities.csv"]
    (folder / "files.json").write_text(json.dumps(files))
    return files


def _append(frame: pd.DataFrame, table, path: Path) -> None:
    """Append ``frame`` to the CSV at ``path`` (the header only when the file is new)."""
    cols = [c for c in table.columns if c.field in frame.columns]
    frame[[c.field for c in cols]].rename(columns={c.field: c.name for c in cols}).to_csv(
        path, mode="a", header=not path.exists(), index=False
    )


def _resellers(rng: np.random.Generator, n: int, dist) -> Resellers:
    """As :func:`channelxl.synth.resellers.draw` (country by market weight, first and maybe a
    second distributor serving the country), drawn country by country: that one loops over
    resellers x distributors, which took minutes at 200k x 6,250."""
    nd, covers = dist.count, dist.covers
    covered = sorted({c for cov in covers for c in cov} | set(dist.countries.tolist()))
    w = np.array([dict((c[0], c[3]) for c in COUNTRIES)[c] for c in covered], dtype=float)
    country = np.array(covered)[rng.choice(len(covered), n, p=w / w.sum())]
    country[:nd] = dist.countries
    first = np.empty(n, dtype=int)
    second = np.full(n, -1)
    two = rng.random(n) < 0.22
    for c in covered:
        options = np.array([i for i in range(nd) if c in covers[i]])
        who = np.flatnonzero(country == c)
        pick = rng.integers(0, options.size, who.size)
        first[who] = options[pick]
        if options.size > 1:
            # another of the options: skip over the first's position
            other = rng.integers(0, options.size - 1, who.size)
            other += other >= pick
            sel = two[who]
            second[who[sel]] = options[other[sel]]
    first[:nd] = np.arange(nd)
    second[:nd] = np.where(second[:nd] == first[:nd], -1, second[:nd])
    reseller_ids, r_names, popularity, rows = named(rng, n, country, first, second, dist)
    return Resellers(reseller_ids, r_names, country, first, second, popularity, rows)


def _batch_invoices(rng, a, z, n_inv, months, res, buyer_r, buyer_start, customers) -> _Invoices:
    """Invoices of distributors ``a``..``z-1`` (global indices), as in ``sell_through``."""
    M = len(months)
    counts_dm = n_inv[a:z]
    inv_d = np.repeat(np.repeat(np.arange(a, z), M), counts_dm.ravel())
    inv_m = np.repeat(np.tile(np.arange(M), z - a), counts_dm.ravel())
    ni = inv_d.size
    inv_r = np.empty(ni, dtype=int)
    counts = counts_dm.sum(axis=1)
    pos = 0
    for d in range(a, z):  # inv_d is sorted by distributor already
        k = counts[d - a]
        if k:
            buyers = buyer_r[buyer_start[d] : buyer_start[d + 1]]
            p = res.popularity[buyers]
            inv_r[pos : pos + k] = buyers[rng.choice(buyers.size, k, p=p / p.sum())]
        pos += k
    inv_date = month_starts(months)[inv_m] + (rng.random(ni) * month_lengths(months)[inv_m]).astype(
        int
    )
    inv_seq = np.zeros(ni, dtype=int)
    by_d_date = np.lexsort((inv_date, inv_d))
    inv_seq[by_d_date] = np.arange(ni) - np.repeat(np.cumsum(counts) - counts, counts) + 1
    return _Invoices(
        distributor=inv_d,
        month=inv_m,
        reseller=inv_r,
        date_ord=inv_date,
        number=inv_seq,
        segment=rng.choice(len(SEGMENTS), ni, p=SEGMENT_WEIGHTS),
        customer=rng.integers(0, customers.size, ni),
        customer_country=res.countries[inv_r],
        lines=1 + np.minimum(rng.poisson(LINES_PER_INVOICE - 1, ni), 3),
    )


def _sell_through_frame(rng, inv, ln, months, dist, prods, res, customers) -> pd.DataFrame:
    """The lines as reported (ledger field names), in report order; as ``sell_through.draw``."""
    frame = line_frame(rng, inv, ln, months, dist, prods, res, customers)
    return in_report_order(frame).drop(columns=["invoice_line"])

"""The synthetic channel: deterministic, realistic in size, and what it plants is there."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd
import pytest
from helpers import SMALL

from channelxl.core.periods import Month
from channelxl.synth import Sizes, generate


@pytest.fixture(scope="module")
def default_channel():
    return generate(7)


def test_same_seed_same_channel(small_channel):
    again = generate(11, SMALL)
    for name in ("sell_through", "shipments", "inventory", "certifications", "activities"):
        pd.testing.assert_frame_equal(getattr(small_channel, name), getattr(again, name))
    assert small_channel.program == again.program
    assert small_channel.planted == again.planted


def test_another_seed_another_channel(small_channel):
    other = generate(12, SMALL)
    assert not small_channel.sell_through.equals(other.sell_through)


def test_default_size_is_a_realistic_channel(default_channel):
    ch = default_channel
    d = pd.DataFrame(ch.program["distributors"])
    assert len(d) >= 40 and set(d.type) == {"broadline", "vad", "regional", "cloud"}
    assert d.country.nunique() >= 15 and d.currency.nunique() >= 5
    assert len(ch.program["resellers"]) >= 2000
    assert len(ch.program["products"]) >= 150
    assert len({p["family"] for p in ch.program["products"]}) >= 5
    assert ch.sell_through.period.nunique() == 24  # 8 quarters of months
    assert len(ch.certifications) and len(ch.activities) and len(ch.program["targets"]) == 40 * 8


def _true_sales(ch):
    dup = {
        (k["distributor_id"], k["invoice_number"], k["invoice_line"])
        for k in ch.planted["duplicate_lines"]
    }
    st = ch.sell_through
    key = list(zip(st.distributor_id, st.invoice_number, st.invoice_line, strict=True))
    seen, keep = set(), []
    for k in key:
        keep.append(not (k in dup and k in seen))
        seen.add(k)
    return st[np.array(keep)]


def test_inventory_follows_the_identity(small_channel):
    """closing = opening + sell-in - returns - true sell-through, for every distributor x SKU x month."""
    ch = small_channel
    inv = ch.inventory.assign(closing=ch.inventory.on_hand + ch.inventory.in_transit)
    closing = inv.set_index(["distributor_id", "sku", "period"]).closing
    ship = ch.shipments.assign(period=[str(Month.of(d)) for d in ch.shipments.ship_date])
    signed = np.where(ship.type == "return", -ship.quantity, ship.quantity)
    sell_in = ship.assign(q=signed).groupby(["distributor_id", "sku", "period"]).q.sum()
    sold = _true_sales(ch).groupby(["distributor_id", "sku", "period"]).quantity.sum()
    months = ch.months
    checked = 0
    for d in {x["distributor_id"] for x in ch.program["distributors"]}:
        for s in {p["sku"] for p in ch.program["products"]}:
            prev = closing.get((d, s, str(months[0] + -1)), 0)
            for m in months:
                expected = prev + sell_in.get((d, s, str(m)), 0) - sold.get((d, s, str(m)), 0)
                actual = closing.get((d, s, str(m)), 0)
                assert actual == expected, (d, s, str(m))
                assert actual >= 0
                prev = actual
                checked += 1
    assert checked > 1000


def test_planted_out_of_territory_lines_are_outside(small_channel):
    ch = small_channel
    cover = defaultdict(set)
    for t in ch.program["territories"]:
        cover[t["distributor_id"]].add(t["country"])
    keys = {
        (k["distributor_id"], k["invoice_number"], k["invoice_line"])
        for k in ch.planted["out_of_territory"]
    }
    assert keys
    st = ch.sell_through
    outside = st[
        [
            cc not in cover[d]
            for d, cc in zip(st.distributor_id, st.end_customer_country, strict=True)
        ]
    ]
    found = set(
        zip(outside.distributor_id, outside.invoice_number, outside.invoice_line, strict=True)
    )
    assert found == keys  # every planted line, and nothing else


def test_planted_below_floor(small_channel):
    ch = small_channel
    floor = {p["sku"]: float(p["floor_price"]) for p in ch.program["products"]}
    fx = {(r["currency"], r["month"]): float(r["rate"]) for r in ch.program["fx_rates"]}
    st = ch.sell_through
    eur = st.unit_price * [
        1.0 if c == "EUR" else fx[(c, p)] for c, p in zip(st.currency, st.period, strict=True)
    ]
    below = st[eur < st.sku.map(floor)]
    found = set(zip(below.distributor_id, below.invoice_number, below.invoice_line, strict=True))
    keys = {
        (k["distributor_id"], k["invoice_number"], k["invoice_line"])
        for k in ch.planted["below_floor"]
    }
    assert keys and found == keys


def test_planted_duplicates_appear_twice(small_channel):
    st = small_channel.sell_through
    counts = st.groupby(["distributor_id", "invoice_number", "invoice_line"]).size()
    twice = {k for k, n in counts.items() if n > 1}
    keys = {
        (k["distributor_id"], k["invoice_number"], k["invoice_line"])
        for k in small_channel.planted["duplicate_lines"]
    }
    assert keys and twice == keys


def test_planted_exclusive_conflict_overlaps(small_channel):
    c = small_channel.planted["exclusive_conflict"]
    rows = [t for t in small_channel.program["territories"] if t["exclusive"] == "Y"]
    assert {r["distributor_id"] for r in rows} == set(c["distributors"])
    assert {r["country"] for r in rows} == {c["country"]}
    a, b = rows
    assert a["valid_from"] <= (b["valid_to"] or a["valid_from"]) and b["valid_from"] <= (
        a["valid_to"] or b["valid_from"]
    )


def test_planted_free_riding(small_channel):
    st = small_channel.sell_through
    fam = {p["sku"]: p["family"] for p in small_channel.program["products"]}
    st = st.assign(family=st.sku.map(fam), quarter=[str(Month.parse(p).quarter) for p in st.period])
    multi = st.groupby(
        ["reseller_id", "family", "end_customer_country", "quarter"]
    ).distributor_id.nunique()
    found = {(r, f, c, q) for (r, f, c, q), n in multi.items() if n > 1}
    planted = {
        (x["reseller_id"], x["family"], x["country"], x["quarter"])
        for x in small_channel.planted["free_riding"]
    }
    assert planted and planted <= found
    # out-of-territory lines change the country, so they are the only other multi-sourcing allowed
    assert all(
        c
        != next(r for r in small_channel.program["resellers"] if r["reseller_id"] == r_)["country"]
        for r_, f, c, q in found - planted
    )


def test_planted_late_report(small_channel):
    late = small_channel.planted["late_report"]
    rec = small_channel.received
    row = rec[(rec.distributor_id == late["distributor_id"]) & (rec.period == late["period"])].iloc[
        0
    ]
    assert str(row.received_at.date()) > late["due"]
    others = rec.drop(index=row.name)
    due_day = small_channel.settings["report_due_day"]
    assert all(r.day < due_day for r in others.received_at)


def test_inventory_loaders_build_stock(default_channel):
    ch = default_channel
    inv = ch.inventory.assign(units=ch.inventory.on_hand + ch.inventory.in_transit)
    st = ch.sell_through.groupby(["distributor_id", "period"]).quantity.sum()
    stock = inv.groupby(["distributor_id", "period"]).units.sum()
    last, early = str(ch.months[-1]), str(ch.months[5])
    cover_ratio = {
        d: (stock[(d, last)] / st[(d, last)]) / (stock[(d, early)] / st[(d, early)])
        for d in {x["distributor_id"] for x in ch.program["distributors"]}
    }
    loaders = ch.planted["inventory_loaders"]
    assert loaders
    others = sorted(v for d, v in cover_ratio.items() if d not in loaders)
    assert min(cover_ratio[d] for d in loaders) > max(others)


def test_quarter_end_sell_in_spikes(default_channel):
    ship = default_channel.shipments
    ship = ship[ship.type == "shipment"]
    by_month = ship.groupby([d.month % 3 == 0 for d in ship.ship_date]).quantity.sum()
    # one month in three carries the push: its share is well above a third
    assert by_month[True] / by_month.sum() > 0.4


def test_clean_channel_plants_nothing():
    ch = generate(3, Sizes(distributors=6, resellers=50, skus=20, months=4, lines=500, plant=False))
    assert "out_of_territory" not in ch.planted and "duplicate_lines" not in ch.planted
    assert ch.planted["inventory_loaders"] == []
    counts = ch.sell_through.groupby(["distributor_id", "invoice_number", "invoice_line"]).size()
    assert counts.max() == 1
    assert not any(t["exclusive"] == "Y" for t in ch.program["territories"])


def test_sizes_scale(tmp_path):
    ch = generate(5, Sizes(distributors=10, resellers=300, skus=40, months=12, lines=20000))
    assert 18000 < len(ch.sell_through) < 22500

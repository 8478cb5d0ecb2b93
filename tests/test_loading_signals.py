"""Inventory-loading signals that mean something: ordinary quarter-end seasonality is no
watch, stock pushed in and left unsold is, and planted loaders are found."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from channelxl.core.inventory import loading_signals
from channelxl.ledger.quarter_checks import reconcile_quarter

LIMITS = {"max_weeks": 26, "min_ratio": "0.8", "spike_ratio": 2}


def signals(sell_in, sell_through, closing, closing_before, sell_through_before):
    return loading_signals(
        sell_in=sell_in,
        sell_through=sell_through,
        closing=closing,
        closing_before=closing_before,
        sell_through_before=sell_through_before,
        **LIMITS,
    )


def test_an_ordinary_quarter_end_push_is_no_watch():
    # last month 200 vs (80 + 90) / 2 = 85: a 2.35x spike, but the quarter sold 360 of the
    # 370 bought (97 %), weeks of supply 500 / (360 / 13) = 18.1, stock +4.2 % vs sales +2.9 %
    s = signals((80, 90, 200), (120, 120, 120), 500, 480, 350)
    assert s["verdict"] == "ok" and s["signals"] == "none"
    assert float(s["spike"]) == pytest.approx(200 / 85)
    # even a 5x spike says nothing when the quarter's sell-in was sold through (350 of 350)
    assert signals((50, 50, 250), (120, 120, 110), 400, 400, 350)["verdict"] == "ok"


def test_a_growing_distributor_stocking_up_is_listed_but_no_watch():
    # bought 500, sold 390 (78 % < 80 %), spread over the quarter (last month 200 vs 150:
    # 1.33x); stock +27.5 % while sales grew +30 %: stock follows sales
    s = signals((150, 150, 200), (120, 130, 140), 510, 400, 300)
    assert s["verdict"] == "ok"
    assert s["signals"] == "sold through 78% of sell-in (limit 80%)"


def test_a_quarter_end_push_left_unsold_is_a_watch():
    # bought 500, sold 330 (66 %); last month 300 vs 100 (3.0x); WOS 400 / (330 / 13) = 15.8
    s = signals((100, 100, 300), (110, 110, 110), 400, 380, 330)
    assert s["verdict"] == "watch"
    assert s["signals"] == (
        "sold through 66% of sell-in (limit 80%); "
        "quarter-end sell-in 3.0x the other months, not sold through (limit 2)"
    )


def test_planted_loading_is_loading():
    # bought 1,720, sold 450 (26.2 %); WOS 3000 / (450 / 13) = 86.7; last month 920 vs 400
    # (2.3x); stock +66.7 % (1800 -> 3000) while sales grew 450 / 440 - 1 = +2.3 %
    s = signals((400, 400, 920), (150, 150, 150), 3000, 1800, 440)
    assert s["verdict"] == "loading"
    assert s["signals"] == (
        "86.7 weeks of supply (limit 26); sold through 26% of sell-in (limit 80%); "
        "quarter-end sell-in 2.3x the other months, not sold through (limit 2); "
        "stock grew 67% while sell-through grew 2%"
    )


def test_too_much_stock_alone_is_a_watch_and_buying_without_selling_too():
    # WOS 1000 / (390 / 13) = 33.3 over 26, everything else ordinary
    assert signals((130, 130, 130), (130, 130, 130), 1000, 1000, 390)["verdict"] == "watch"
    none_sold = signals((10, 10, 10), (0, 0, 0), 30, None, None)
    assert none_sold["verdict"] == "watch"
    assert none_sold["signals"] == "sold through 0% of sell-in (limit 80%); bought but sold nothing"


units = st.integers(0, 10_000)


@given(
    months=st.tuples(units, units, units),
    order=st.permutations([0, 1, 2]),
    sold=st.tuples(units, units, units),
    closing=units,
    closing_before=st.integers(1, 10_000),
    sold_before=st.integers(1, 30_000),
)
def test_when_in_the_quarter_stock_arrived_matters_only_if_it_stayed_unsold(
    months, order, sold, closing, closing_before, sold_before
):
    """The same quarter's sell-in, shipped in another month order, gets the same verdict
    unless the quarter sold through less than the minimum ratio: seasonality alone never
    decides a watch."""
    moved = tuple(months[i] for i in order)
    a = signals(months, sold, closing, closing_before, sold_before)
    b = signals(moved, sold, closing, closing_before, sold_before)
    ratio = a["sell_through_ratio"]
    if ratio is None or float(ratio) >= 0.8:
        assert a["verdict"] == b["verdict"]
    # loading always needs too much stock
    for s in (a, b):
        if s["verdict"] == "loading":
            assert s["weeks_of_supply"] is not None and s["weeks_of_supply"] > 26


def test_the_planted_loaders_and_no_one_else_are_found(loaded_channel, small_channel):
    """The small channel's loaders ramp up from its first month: watched in its first
    quarter, loading in its last; every other distributor of the first quarter is ok."""
    ws, last = loaded_channel
    loaders = set(small_channel.planted["inventory_loaders"])
    first = small_channel.months[0].quarter
    with ws.open_ledger() as ledger:
        early = reconcile_quarter(ledger, first).loading
        late = reconcile_quarter(ledger, last).loading
    by = dict(zip(early["distributor_id"], early["verdict"], strict=True))
    assert {d for d, v in by.items() if v != "ok"} == loaders
    assert {
        d for d, v in zip(late["distributor_id"], late["verdict"], strict=True) if v == "loading"
    } == loaders

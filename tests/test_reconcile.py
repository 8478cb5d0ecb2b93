"""Reconciliation: every flag on a small hand-computed case, the identity, planted anomalies."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from channelxl.core.inventory import loading_signals, quarter_end_spike
from channelxl.core.reconcile import Tolerance, line_flags, reconcile


def frame(rows, value="quantity"):
    return pd.DataFrame(rows, columns=["distributor_id", "sku", "month", value])


def row(grid, sku, month, d="D1"):
    hit = grid[(grid.distributor_id == d) & (grid.sku == sku) & (grid.month == month)]
    assert len(hit) == 1, (sku, month)
    return hit.iloc[0]


def test_identity_opening_variance_and_ok():
    g = reconcile(
        frame([("D1", "A", "2026-01", 10), ("D1", "A", "2026-02", 5)]),
        frame([("D1", "A", "2026-01", 4), ("D1", "A", "2026-02", 8)]),
        frame(
            [("D1", "A", "2025-12", 3), ("D1", "A", "2026-01", 9), ("D1", "A", "2026-02", 5)],
            "on_hand",
        ),
        tolerance=Tolerance(units=0),
    )
    jan, feb = row(g, "A", "2026-01"), row(g, "A", "2026-02")
    # Jan: 3 + 10 - 4 = 9, reported 9 -> OK; Feb opens at reported 9: 9 + 5 - 8 = 6, reported 5
    assert (jan.opening, jan.expected_closing, jan.variance, jan.status) == (3, 9, 0, "OK")
    assert (feb.opening, feb.expected_closing, feb.variance, feb.status) == (9, 6, -1, "VAR")
    assert feb.variance_pct == pytest.approx(-1 / 6)


def test_tolerance_in_units_or_share():
    args = (
        frame([("D1", "A", "2026-01", 100)]),
        frame([("D1", "A", "2026-01", 0)]),
        frame([("D1", "A", "2025-12", 0), ("D1", "A", "2026-01", 98)], "on_hand"),
    )
    assert row(reconcile(*args, tolerance=Tolerance(units=2)), "A", "2026-01").status == "OK"
    assert row(reconcile(*args, tolerance=Tolerance(units=1)), "A", "2026-01").status == "VAR"
    assert row(reconcile(*args, tolerance=Tolerance(pct=0.02)), "A", "2026-01").status == "OK"
    assert row(reconcile(*args, tolerance=Tolerance(pct=0.019)), "A", "2026-01").status == "VAR"


def test_sold_more_than_stock_is_negative():
    g = reconcile(
        frame([("D1", "A", "2026-01", 2)]),
        frame([("D1", "A", "2026-01", 5)]),
        frame([("D1", "A", "2025-12", 1), ("D1", "A", "2026-01", 0)], "on_hand"),
    )
    r = row(g, "A", "2026-01")
    assert r.expected_closing == -2 and r.status == "VAR NEG"


def test_missing_month_and_no_opening():
    g = reconcile(
        frame([("D1", "A", "2026-01", 10), ("D1", "A", "2026-02", 10), ("D1", "A", "2026-03", 0)]),
        frame([("D1", "A", "2026-01", 5), ("D1", "A", "2026-02", 5), ("D1", "A", "2026-03", 5)]),
        frame([("D1", "A", "2026-01", 5), ("D1", "A", "2026-03", 5)], "on_hand"),
    )
    jan, feb, mar = (row(g, "A", m) for m in ("2026-01", "2026-02", "2026-03"))
    assert jan.status == "NOOPEN" and jan.opening == 0  # no report for 2025-12: opens at 0
    assert feb.status == "MISSING" and np.isnan(feb.reported_closing)
    # March opens at February's expected closing (5 + 10 - 5 = 10): 10 + 0 - 5 = 5 -> OK
    assert mar.opening == 10 and mar.expected_closing == 5 and mar.status == "OK"


def test_a_sku_absent_from_a_report_that_came_is_zero_not_missing():
    g = reconcile(
        frame([("D1", "A", "2026-01", 4)]),
        frame([("D1", "A", "2026-01", 4)]),
        frame([("D1", "B", "2025-12", 1), ("D1", "B", "2026-01", 1)], "on_hand"),
    )
    a = row(g, "A", "2026-01")
    assert a.opening == 0 and a.reported_closing == 0 and a.status == "OK"


LINES = pd.DataFrame(
    [
        ("D1", "I-1", date(2026, 1, 5), "R1", "A", 2, 100.0, "2026-01"),
        ("D1", "I-1", date(2026, 1, 5), "R1", "A", 2, 100.0, "2026-01"),  # duplicate
        (
            "D1",
            "I-2",
            date(2026, 1, 6),
            "R2",
            "B",
            1,
            50.0,
            "2026-01",
        ),  # B never shipped; R2 not for D1
        ("D1", "I-3", date(2026, 1, 7), "R9", "Z", 1, 10.0, "2026-01"),  # unknown reseller and SKU
        ("D1", "I-4", date(2026, 1, 8), "R1", "A", 1, 70.0, "2026-01"),  # below floor 80
    ],
    columns=[
        "distributor_id",
        "invoice_number",
        "invoice_date",
        "reseller_id",
        "sku",
        "quantity",
        "unit_price",
        "month",
    ],
)


def test_every_line_flag_with_its_reason():
    flags = line_flags(
        LINES,
        products=pd.DataFrame({"sku": ["A", "B"], "floor_price": [80, 40]}),
        resellers=pd.DataFrame(
            {"reseller_id": ["R1", "R2"], "authorized_distributors": [("D1",), ("D2",)]}
        ),
        shipped_first=pd.DataFrame(
            {"distributor_id": ["D1"], "sku": ["A"], "first_month": ["2025-11"]}
        ),
        unit_price_in_reporting=LINES["unit_price"],
    )
    got = {(f.invoice_number, f.flag) for f in flags.itertuples()}
    assert got == {
        ("I-1", "DUP"),
        ("I-2", "NOSHIP"),
        ("I-2", "UNAUTH"),
        ("I-3", "UNKSKU"),
        ("I-3", "UNKRES"),
        ("I-3", "NOSHIP"),
        ("I-4", "FLOOR"),
    }
    reasons = dict(((f.invoice_number, f.flag), f.reason) for f in flags.itertuples())
    assert reasons[("I-2", "UNAUTH")] == "reseller R2 may not buy from D1"
    assert reasons[("I-4", "FLOOR")] == "price 70.00 is below the floor 80.00"
    # line flags appear in the grid's status for their SKU and month
    g = reconcile(
        frame([("D1", "A", "2026-01", 5)]),
        frame([("D1", "A", "2026-01", 5)]),
        frame([("D1", "A", "2025-12", 0), ("D1", "A", "2026-01", 0)], "on_hand"),
        line_flags=flags,
    )
    assert row(g, "A", "2026-01").status == "DUP FLOOR"


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 500), st.integers(0, 500), st.integers(0, 30)),
        min_size=1,
        max_size=12,
    ),
    st.integers(0, 300),
)
def test_closing_by_the_identity_means_zero_variance(moves, opening):
    """Whatever the moves, when each reported closing follows the identity, variance is 0."""
    months = [f"2026-{i + 1:02d}" if i < 12 else "2027-01" for i in range(len(moves))]
    stock, si, st_, rt, inv = opening, [], [], [], [("D1", "A", "2025-12", opening)]
    for m, (sell_in, sold, returned) in zip(months, moves, strict=True):
        stock = stock + sell_in - returned - sold
        si.append(("D1", "A", m, sell_in))
        st_.append(("D1", "A", m, sold))
        rt.append(("D1", "A", m, returned))
        inv.append(("D1", "A", m, stock))
    g = reconcile(frame(si), frame(st_), frame(inv, "on_hand"), returns=frame(rt))
    assert (g["variance"] == 0).all()
    assert set(g["status"]) <= {"OK", "NEG"}  # negative stock is flagged but still balances


def test_loading_signals_and_verdict():
    s = loading_signals(
        sell_in=(100, 100, 400),
        sell_through=(90, 90, 90),
        closing=1200,
        closing_before=600,
        sell_through_before=270,
        max_weeks=26,
        min_ratio="0.8",
        spike_ratio=2,
    )
    # WOS = 1200 / (270 / 13) = 57.8; ratio 270/600 = 45 %; spike 400 / 100 = 4; stock +100 %
    assert s["verdict"] == "loading" and float(s["weeks_of_supply"]) == pytest.approx(
        57.78, abs=0.01
    )
    assert "sold through 45%" in s["signals"] and "4.0x" in s["signals"]
    calm = loading_signals(
        sell_in=(100, 100, 100),
        sell_through=(100, 100, 100),
        closing=150,
        closing_before=150,
        sell_through_before=300,
        max_weeks=26,
        min_ratio="0.8",
        spike_ratio=2,
    )
    assert calm["verdict"] == "ok" and calm["signals"] == "none"
    assert quarter_end_spike((0, 0, 10)) is None

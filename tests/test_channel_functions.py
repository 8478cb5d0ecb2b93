"""Reconciliation, inventory and territory functions with Windows- and Office.js-shaped values."""

from __future__ import annotations

from datetime import datetime

import pytest

from channelxl.excel import (
    chx_reconcile,
    chx_sell_through_ratio,
    chx_territory_check,
    chx_territory_conflicts,
    chx_weeks_of_supply,
)

HEADER = [
    "SKU",
    "Month",
    "Opening",
    "Sell-In",
    "Sell-Through",
    "Expected Closing",
    "Reported Closing",
    "Variance",
    "Status",
]

# Windows Excel: dates as datetime, numbers as floats, blanks as None
WIN_SELL_IN = [
    ["Month", "SKU", "Quantity"],
    [datetime(2026, 1, 1), "A-1", 10.0],
    [datetime(2026, 2, 1), "A-1", 5.0],
    [None, None, None],
]
WIN_ST = [
    ["month", "sku", "QTY"],
    [datetime(2026, 1, 31), "A-1", 4.0],
    [datetime(2026, 2, 28), "A-1", 8.0],
]
WIN_INV = [
    ["Month", "SKU", "On Hand"],
    [datetime(2025, 12, 31), "A-1", 3.0],
    [datetime(2026, 1, 31), "A-1", 9.0],
    [datetime(2026, 2, 28), "A-1", 5.0],
]
# Office.js: dates as serial numbers, integers, blanks as ""
JS_SELL_IN = [["Month", "SKU", "Quantity"], [46023, "A-1", 10], [46054, "A-1", 5], ["", "", ""]]
JS_ST = [["Month", "SKU", "Quantity"], [46053, "A-1", 4], [46081, "A-1", 8]]
JS_INV = [["Month", "SKU", "On Hand"], [46022, "A-1", 3], [46053, "A-1", 9], [46081, "A-1", 5]]
EXPECTED = [
    HEADER,
    ["A-1", "2026-01", 3.0, 10.0, 4.0, 9.0, 9.0, 0.0, "OK"],
    ["A-1", "2026-02", 9.0, 5.0, 8.0, 6.0, 5.0, -1.0, "VAR"],
]


@pytest.mark.parametrize(
    ("si", "st", "inv"), [(WIN_SELL_IN, WIN_ST, WIN_INV), (JS_SELL_IN, JS_ST, JS_INV)]
)
def test_reconcile_whatever_the_shape(si, st, inv):
    assert chx_reconcile(si, st, inv) == EXPECTED
    assert chx_reconcile(si, st, inv, 1.0)[2][-1] == "OK"  # within 1 unit
    assert chx_reconcile(si, st, inv, "20%")[2][-1] == "OK"  # 1 of 6 is within 20 %


def test_reconcile_with_distributors_and_text_months():
    si = [
        ["Distributor", "Month", "SKU", "Quantity"],
        ["D1", "2026-01", "A", 5.0],
        ["D2", "2026-01", "A", 1.0],
    ]
    st = [["Distributor", "Month", "SKU", "Quantity"], ["D1", "2026-01", "A", 5.0]]
    inv = [
        ["Distributor", "Month", "SKU", "On Hand"],
        ["D1", "2026-01", "A", 0.0],
        ["D2", "2026-01", "A", 1.0],
    ]
    out = chx_reconcile(si, st, inv)
    assert out[0][0] == "Distributor"
    assert [r[0] for r in out[1:]] == ["D1", "D2"]
    assert out[1][-1] == "NOOPEN" and out[2][-1] == "NOOPEN"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (([[1.0, 2.0]], WIN_ST, WIN_INV), "#VALUE! sell_in needs a header row"),
        (
            ([["Month", "Quantity"], ["2026-01", 1.0]], WIN_ST, WIN_INV),
            "#VALUE! sell_in has no column SKU",
        ),
        (
            ([["Month", "SKU", "Quantity"], ["Jan", "A", 1.0]], WIN_ST, WIN_INV),
            "#VALUE! sell_in Month in row 2 is not a month ('Jan'); use a date or YYYY-MM",
        ),
        (
            ([["Month", "SKU", "Quantity"], ["2026-01", "A", "many"]], WIN_ST, WIN_INV),
            "#VALUE! sell_in Quantity in row 2 is not a number ('many')",
        ),
        (
            (
                [["Distributor", "Month", "SKU", "Quantity"], ["D1", "2026-01", "A", 1.0]],
                WIN_ST,
                WIN_INV,
            ),
            "#VALUE! give a Distributor column in every table or in none",
        ),
    ],
)
def test_reconcile_bad_input_says_why(args, message):
    assert chx_reconcile(*args) == message


def test_weeks_of_supply_and_ratio():
    assert chx_weeks_of_supply(260.0, [[20.0], [30.0], [40.0]]) == pytest.approx(8.6667, abs=1e-4)
    assert chx_weeks_of_supply(260, 26) == 10.0
    assert (
        chx_weeks_of_supply(10.0, [[0.0], [0.0]])
        == "#DIV/0! no sell-through in those weeks: weeks of supply has no value"
    )
    assert chx_weeks_of_supply("x", 1.0) == "#VALUE! on_hand is not a number ('x')"
    assert chx_sell_through_ratio(450.0, 600.0) == 0.75
    assert chx_sell_through_ratio([[100.0], [200.0]], [[300.0], [None]]) == 1.0
    assert chx_sell_through_ratio(1.0, 0) == "#DIV/0! sell-in is 0: no ratio"


TERR_WIN = [
    ["Distributor", "Country", "Segment", "Exclusive", "Valid From", "Valid To"],
    ["D001", "DE", "*", "N", datetime(2025, 1, 1), None],
    ["D001", "AT", "public", "N", datetime(2025, 1, 1), datetime(2025, 12, 31)],
    ["D002", "FR", "smb", "Y", datetime(2026, 6, 1), None],
]
TERR_JS = [
    ["Distributor", "Country", "Segment", "Exclusive", "Valid From", "Valid To"],
    ["D001", "DE", "*", "N", 45658, ""],
    ["D001", "AT", "public", "N", 45658, 46022],
    ["D002", "FR", "smb", "Y", 46174, 0],
]


@pytest.mark.parametrize("territories", [TERR_WIN, TERR_JS])
def test_territory_check(territories):
    assert chx_territory_check("D001", "DE", "smb", datetime(2026, 3, 1), territories) == "IN"
    assert (
        chx_territory_check("D001", "AT", "public", 46054, territories) == "OUT"
    )  # expired 2025-12-31
    assert (
        chx_territory_check("D002", "FR", "smb", datetime(2026, 3, 1), territories)
        == "NOT APPOINTED"
    )
    column = chx_territory_check(
        [["D001"], ["D001"], ["D003"]],
        [["DE"], ["FR"], ["DE"]],
        "smb",
        datetime(2026, 3, 1),
        territories,
    )
    assert column == [["IN"], ["OUT"], ["NOT APPOINTED"]]
    bad = chx_territory_check(
        [["D001"], ["D001"]], "DE", "smb", [[datetime(2026, 3, 1)], ["soon"]], territories
    )
    assert bad == [["IN"], ["#VALUE! date in row 2 is not a date ('soon')"]]


def test_territory_conflicts():
    rows = [
        ["Distributor", "Country", "Segment", "Exclusive", "Valid From", "Valid To"],
        ["D001", "IN", "public", "Y", datetime(2025, 1, 1), None],
        ["D002", "IN", "*", "Y", datetime(2025, 6, 1), datetime(2026, 3, 31)],
        ["D003", "IN", "public", "Y", datetime(2027, 1, 1), None],
        ["D004", "IN", "public", "N", datetime(2025, 1, 1), None],
    ]
    out = chx_territory_conflicts(rows)
    assert out[0][:3] == ["Distributor A", "Distributor B", "Country"]
    assert [r[:2] for r in out[1:]] == [["D001", "D002"], ["D001", "D003"]]
    assert out[1][5:] == [datetime(2025, 6, 1), datetime(2026, 3, 31)]
    assert out[2][5:] == [datetime(2027, 1, 1), ""]
    assert chx_territory_conflicts(TERR_WIN) == [out[0]]  # no conflict: the header alone
    assert chx_territory_conflicts([["Distributor", "Country"]]).startswith(
        "#VALUE! territories has no column"
    )


def test_territory_check_columns_with_their_headers():
    out = chx_territory_check(
        [["Distributor"], ["D001"]],
        [["Country"], ["DE"]],
        [["Segment"], ["smb"]],
        [["Invoice Date"], [datetime(2026, 3, 1)]],
        TERR_WIN,
    )
    assert out == [["IN"]]

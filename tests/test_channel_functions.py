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


# ------------------------------------------------------------------ generously selected ranges
def _rows(table, blank, extra_rows=2, extra_columns=1):
    """A table as a generous selection shows it: blank rows below, blank columns right."""
    width = len(table[0]) + extra_columns
    return [list(r) + [blank] * extra_columns for r in table] + [[blank] * width] * extra_rows


@pytest.mark.parametrize("blank", [0, None, ""])
def test_weeks_of_supply_ignores_blank_weeks_below(blank):
    weeks = [[20], [30], [40]]
    exact = chx_weeks_of_supply(260, weeks)
    assert exact == pytest.approx(8.6667, abs=1e-4)
    assert chx_weeks_of_supply(260, [*weeks, [blank], [blank]]) == exact
    assert chx_weeks_of_supply(260, [[20, 30, 40, blank, blank]]) == exact  # a row
    assert chx_weeks_of_supply(260, [["Week"], *weeks, [blank]]) == exact  # with its header


def test_a_typed_zero_week_still_counts():
    # Windows sends every number as a float: 0.0 is a week without sales, not a blank cell
    assert chx_weeks_of_supply(260.0, [[20.0], [30.0], [40.0], [0.0]]) == 260 / 22.5
    # Office.js cannot tell a blank from a typed 0: one in the middle counts, one below doesn't
    assert chx_weeks_of_supply(260, [[20], [0], [40]]) == 13.0


@pytest.mark.parametrize("blank", [0, None, ""])
@pytest.mark.parametrize(
    ("si", "st", "inv"), [(WIN_SELL_IN, WIN_ST, WIN_INV), (JS_SELL_IN, JS_ST, JS_INV)]
)
def test_reconcile_ignores_blank_rows_and_columns_around_its_tables(blank, si, st, inv):
    generous = [_rows(t, blank) for t in (si, st, inv)]
    assert chx_reconcile(*generous) == EXPECTED
    assert chx_reconcile(si, generous[1], inv, "20%") == chx_reconcile(si, st, inv, "20%")


@pytest.mark.parametrize("blank", [0, None, ""])
@pytest.mark.parametrize("territories", [TERR_WIN, TERR_JS])
def test_territory_functions_ignore_blank_rows_and_columns(blank, territories):
    generous = _rows(territories, blank, extra_rows=3, extra_columns=2)
    args = ([["D001"], ["D001"], ["D003"]], [["DE"], ["FR"], ["DE"]], "smb", 46082)
    assert chx_territory_check(*args, generous) == [["IN"], ["OUT"], ["NOT APPOINTED"]]
    lines = [[*a, [blank], [blank]] if isinstance(a, list) else a for a in args]
    assert chx_territory_check(*lines, territories) == [["IN"], ["OUT"], ["NOT APPOINTED"]]
    assert chx_territory_conflicts(generous) == chx_territory_conflicts(territories)
    one = chx_territory_check([["D001"], [blank]], "DE", "smb", [[46082], [blank]], generous)
    assert one == chx_territory_check("D001", "DE", "smb", 46082, territories) == "IN"


def test_territory_lines_as_rows_give_a_row_and_sizes_must_agree():
    assert chx_territory_check([["D001", "D003"]], "DE", "smb", 46082, TERR_WIN) == [
        ["IN", "NOT APPOINTED"]
    ]
    assert chx_territory_check(
        [["D001"], ["D001"], ["D003"]], [["DE"], ["FR"]], "smb", 46082, TERR_WIN
    ) == ("#VALUE! distributor, country, segment and date need the same length (3, 2, 1, 1)")
    assert chx_territory_check([["D001", "D003"]], [["DE"], ["FR"]], "smb", 46082, TERR_WIN) == (
        "#VALUE! give the lines as columns, or all as rows, not some of each"
    )
    # a blank country on a line is that line's business, not a size mismatch
    assert chx_territory_check([["D001"], ["D001"]], [["DE"], [None]], "smb", 46082, TERR_WIN) == [
        ["IN"],
        ["OUT"],
    ]


def test_bad_cells_in_territory_inputs_say_where():
    assert chx_territory_check("#N/A", "DE", "smb", 46082, TERR_WIN) == (
        "#N/A distributor comes from a cell showing #N/A"
    )
    bad = [*TERR_WIN, ["D009", "#REF!", "*", "N", datetime(2025, 1, 1), None]]
    assert (
        chx_territory_conflicts(bad)
        == "#REF! territories Country in row 5 comes from a cell showing #REF!"
    )
    far = [*TERR_WIN[:2], ["D002", "FR", "*", "Y", datetime(9999, 1, 1), None]]
    assert chx_territory_conflicts(far) == (
        "#VALUE! territories Valid From in row 3 is too far in the future (9999-01-01); "
        "check the year"
    )
    # a Valid To of 9999-12-31 is how many write "open-ended": it is
    open_ended = [
        *TERR_WIN[:2],
        ["D001", "FR", "*", "Y", datetime(2025, 1, 1), datetime(9999, 12, 31)],
    ]
    assert chx_territory_check("D001", "FR", "smb", datetime(2030, 1, 1), open_ended) == "IN"
    assert chx_territory_check("D001", "DE", "smb", datetime(9999, 1, 1), TERR_WIN) == (
        "#VALUE! date is too far in the future (9999-01-01); check the year"
    )


def test_reconcile_refuses_a_mistyped_year_quickly():
    si = [["Month", "SKU", "Quantity"], ["2026-01", "A", 1.0], ["9026-01", "A", 1.0]]
    si += [["2026-01", f"S{i}", 1.0] for i in range(400)]
    st = [["Month", "SKU", "Quantity"], ["2026-01", "A", 1.0]]
    inv = [["Month", "SKU", "On Hand"], ["2026-01", "A", 1.0]]
    assert chx_reconcile(si, st, inv) == (
        "#NUM! the tables run from 2026-01 to 9026-01 over 401 SKUs: too many months to "
        "reconcile in one formula; check the Month columns for a mistyped year"
    )


def test_reconcile_tolerance_and_quantities_are_checked():
    assert chx_reconcile(WIN_SELL_IN, WIN_ST, WIN_INV, -1.0) == "#VALUE! tolerance -1 is negative"
    assert chx_reconcile(WIN_SELL_IN, WIN_ST, WIN_INV, [[2.0]]) == chx_reconcile(
        WIN_SELL_IN, WIN_ST, WIN_INV, 2.0
    )
    huge = [["Month", "SKU", "Quantity"], ["2026-01", "A-1", 1e308], ["2026-01", "A-1", 1e308]]
    assert chx_reconcile(huge, WIN_ST, WIN_INV) == "#NUM! the result is too large for Excel"
    assert chx_reconcile([["A", "B", "C"], [1.0, 2.0, 3.0]], WIN_ST, WIN_INV) == (
        "#VALUE! sell_in needs a header row naming its columns: Month, SKU, Quantity"
    )


def test_sell_through_ratio_with_headers_and_errors():
    assert chx_sell_through_ratio([["Units"], [100.0], [200.0]], [["Units"], [300.0]]) == 1.0
    assert chx_sell_through_ratio([[100.0, "n/a"]], 10.0) == (
        "#VALUE! sell_through row 1, column 2 is not a number ('n/a')"
    )
    assert chx_sell_through_ratio("#N/A", 1.0) == "#N/A sell_through comes from a cell showing #N/A"
    assert chx_sell_through_ratio(1e308, 1e-308) == "#NUM! the result is too large for Excel"
    assert (
        chx_weeks_of_supply([[260.0, 1.0]], 26.0) == "#VALUE! on_hand must be one cell, not a range"
    )

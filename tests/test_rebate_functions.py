"""Excel rebate functions, called with values shaped as Windows Excel and Office.js pass them."""

from __future__ import annotations

import inspect
from datetime import datetime

import pytest

from channelxl.excel import REGISTRY, chx_next_tier_gap, chx_rebate, chx_rebate_tier, chx_scorecard
from channelxl.excel.convert import to_date

# The same tier table three ways.
WINDOWS = [[0.0, 0.0], [100000.0, 0.02], [250000.0, 0.03], [500000.0, 0.04]]
WINDOWS_HEADER_AND_BLANKS = [["Threshold", "Rate"], *WINDOWS, [None, None], [None, None]]
OFFICE_JS = [[0, 0], [100000, 0.02], [250000, 0.03], [500000, 0.04], [0, 0], ["", ""]]


@pytest.mark.parametrize("tiers", [WINDOWS, WINDOWS_HEADER_AND_BLANKS, OFFICE_JS])
def test_worked_example_a_whatever_the_shape(tiers):
    assert chx_rebate(300000.0, tiers) == 9000.0
    assert chx_rebate(300000, tiers, "incremental") == 4500.0
    assert chx_rebate([[300000.0]], tiers, "Incremental") == 4500.0  # a 1x1 range is a value
    assert chx_next_tier_gap(300000.0, tiers) == 200000.0
    assert chx_rebate_tier(300000.0, tiers) == 3


def test_worked_example_b_per_unit():
    tiers = [[0.0, 10.0], [5.0, 12.0], [20.0, 15.0], [100.0, 20.0]]
    assert chx_rebate(140.0, tiers) == 2800.0
    assert chx_rebate(140.0, tiers, "incremental") == 2230.0


def test_a_column_gives_a_column_with_per_cell_errors():
    measures = [["Sell-through"], [120000.0], [None], ["n/a"], [600000.0], [None], [None]]
    assert chx_rebate(measures, WINDOWS) == [
        [2400.0],
        ["#VALUE! measure in row 2 is blank"],
        ["#VALUE! measure in row 3 is not a number ('n/a')"],
        [24000.0],
    ]
    assert chx_rebate_tier([[50.0], [150000.0]], WINDOWS) == [[1], [2]]


def test_labels_and_below_the_first_threshold():
    labelled = [["Threshold", "Rate", "Tier"], [1000.0, 0.01, "Silver"], [5000.0, 0.02, "Gold"]]
    assert chx_rebate_tier(6000.0, labelled) == "Gold"
    assert chx_rebate_tier(500.0, labelled) == ""
    assert chx_rebate_tier(500.0, [[1000.0, 0.01]]) == 0
    assert chx_rebate(500.0, labelled) == 0.0


def test_rounding_is_half_up_on_exact_values():
    # 0.005 typed in Excel is exactly 0.005: 1000.10 x 0.005 = 5.0005 -> 5.00; 1001 x 0.005 = 5.005 -> 5.01
    assert chx_rebate(1000.10, [[0.0, 0.005]]) == 5.0
    assert chx_rebate(1001.0, [[0.0, 0.005]]) == 5.01
    assert chx_rebate("1,001", [[0, "0.5%"]]) == 5.01  # numbers typed as text


@pytest.mark.parametrize(
    ("tiers", "message"),
    [
        (
            [[0.0, 0.0], [100000.0, 0.02], [50000.0, 0.03]],
            "#VALUE! tier thresholds must ascend (row 3)",
        ),
        (
            [["Threshold", "Rate"], [0.0, 0.0], [0.0, 0.02]],
            "#VALUE! tier thresholds must ascend (row 3)",
        ),
        ([[0.0, -0.01]], "#VALUE! row 1: rate -0.01 is negative"),
        ([[0.0]], "#VALUE! tiers needs 2 to 3 columns, got 1"),
        ([[0.0, 0.0, "a", 1.0]], "#VALUE! tiers needs 2 to 3 columns, got 4"),
        ([[None, None]], "#VALUE! tiers is empty"),
        ([["Threshold", "Rate"]], "#VALUE! tiers has a header but no rows"),
        ([[0.0, 0.0], [1.0, "two"]], "#VALUE! rate in row 2 is not a number ('two')"),
        ([[0.0, True]], "#VALUE! rate in row 1 is TRUE/FALSE, not a number"),
    ],
)
def test_bad_tiers_say_why(tiers, message):
    assert chx_rebate(1.0, tiers) == message


def test_bad_method_and_measure():
    assert (
        chx_rebate(1.0, WINDOWS, "stepwise")
        == "#VALUE! method must be retroactive or incremental, not 'stepwise'"
    )
    assert chx_rebate(None, WINDOWS) == "#VALUE! measure is empty"
    assert chx_rebate("abc", WINDOWS) == "#VALUE! measure is not a number ('abc')"
    assert (
        chx_rebate([[1.0, 2.0], [3.0, 4.0]], WINDOWS)
        == "#VALUE! measure must be one value or one column"
    )
    assert chx_rebate(datetime(2026, 1, 1), WINDOWS) == "#VALUE! measure is a date, not a number"


def test_scorecard_shapes_and_errors():
    row = [[110.0, 45.0, 0.5, 4.0]]
    column = [[110], [45], [0.5], [4]]
    assert chx_scorecard(row, [[100.0, 50.0, 0.5, 5.0]], [[0.4, 0.3, 0.2, 0.1]], 1.05) == 0.97
    assert chx_scorecard(
        column, [[100], [50], [0.5], [5]], [[0.4], [0.3], [0.2], [0.1]]
    ) == pytest.approx(0.99)
    assert (
        chx_scorecard(row, [[100.0, 0.0, 0.5, 5.0]], [[0.4, 0.3, 0.2, 0.1]])
        == "#DIV/0! metric 2: target 0 must be above zero"
    )
    assert chx_scorecard(row, [[100.0, 50.0]], [[0.4, 0.3, 0.2, 0.1]]).startswith(
        "#VALUE! actuals, targets and weights need the same length"
    )


def test_no_function_lets_an_exception_out():
    for f in REGISTRY.values():
        for bad in (None, "", [[None]], [["x", object()]], 1e308, float("nan")):
            result = f.fn(*([bad] * len([a for a in f.args if not a.optional])))
            assert not isinstance(result, Exception)
            if isinstance(result, str) and result.startswith("#"):
                assert "Traceback" not in result


def test_every_registered_example_gives_its_result():
    assert {"CHX_REBATE", "CHX_REBATE_TIER", "CHX_NEXT_TIER_GAP", "CHX_SCORECARD"} <= set(REGISTRY)
    for f in REGISTRY.values():
        assert f.fn(*f.example_args) == f.example_result, f.name


def test_signatures_are_what_xlwings_can_register():
    """xlwings reads the signature through functools.wraps: plain positional arguments
    (optional ones with defaults), no keyword-only ones; the wizard text is <= 255 chars."""
    for f in REGISTRY.values():
        params = list(inspect.signature(f.fn).parameters.values())
        assert [p.name for p in params] == [a.name for a in f.args], f.name
        assert all(p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD for p in params)
        assert [p.default is not inspect.Parameter.empty for p in params] == [
            a.optional for a in f.args
        ]
        assert len(f.fn.__doc__) <= 255 and f.fn.__name__ == f.name.lower()


def test_dates_as_windows_and_office_js_pass_them():
    assert str(to_date(datetime(2026, 10, 1, 0, 0), "d")) == "2026-10-01"
    assert str(to_date(46296.0, "d")) == "2026-10-01"
    assert str(to_date(46296, "d")) == "2026-10-01"
    assert str(to_date("2026-10-01", "d")) == "2026-10-01"

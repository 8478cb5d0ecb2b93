"""Excel rebate functions, called with values shaped as Windows Excel and Office.js pass them."""

from __future__ import annotations

import inspect
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


# ------------------------------------------------------------------ tier tables, refused whole
@pytest.mark.parametrize(
    ("tiers", "message"),
    [
        # descending onto a (0, 0) row: a base tier typed last, not a blank row
        ([[100000.0, 0.02], [0.0, 0.0]], "#VALUE! tier thresholds must ascend (row 2)"),
        ([[100000, 0.02], [0, 0]], "#VALUE! tier thresholds must ascend (row 2)"),
        (
            [["Threshold", "Rate"], [100000.0, 0.02], [0.0, 0.0], [None, None]],
            "#VALUE! tier thresholds must ascend (row 3)",
        ),
        (
            [[0.0, 0.0], [100.0, 0.02], [0.0, 0.0], [5.0, 0.01]],
            "#VALUE! tier thresholds must ascend (row 3)",
        ),
        ([[0.0, "#N/A"]], "#N/A rate in row 1 comes from a cell showing #N/A"),
        ([[0.0, float("inf")]], "#NUM! rate in row 1 is not a finite number (inf)"),
    ],
)
def test_tier_tables_that_are_refused_name_the_row(tiers, message):
    assert chx_rebate(1.0, tiers) == message


@pytest.mark.parametrize(
    "blank_rows",
    [[[0, 0], [0, 0]], [[None, None]], [["", ""], [0, ""]], [[0.0, 0.0]]],
)
def test_blank_rows_below_a_table_that_starts_at_zero_are_ignored(blank_rows):
    assert chx_rebate(300000.0, WINDOWS + blank_rows, "incremental") == 4500.0
    assert chx_rebate_tier(600000.0, WINDOWS + blank_rows) == 4


def test_a_labelled_base_tier_is_a_tier_not_a_header():
    """0, 1 %, "Bronze" on top is the first tier: a label there is no header."""
    labelled = [[0.0, 0.01, "Bronze"], [1000.0, 0.02, "Silver"]]
    assert chx_rebate(500.0, labelled) == 5.0
    assert chx_rebate_tier(500.0, labelled) == "Bronze"
    assert chx_next_tier_gap(500.0, labelled) == 500.0
    assert chx_rebate_tier(50.0, [["Threshold", "Rate", "Tier"], *labelled]) == "Bronze"


# ------------------------------------------------------------------ scorecard
def test_a_negative_attainment_cap_is_refused_and_zero_means_none():
    row, targets, weights = [[110.0, 45.0]], [[100.0, 50.0]], [[0.5, 0.5]]
    assert (
        chx_scorecard(row, targets, weights, -1.2)
        == "#VALUE! attainment_cap -1.2 is negative; give 1.2 for 120 %"
    )
    assert chx_scorecard(row, targets, weights, "-5%").startswith("#VALUE! attainment_cap")
    assert chx_scorecard(row, targets, weights, 0) == chx_scorecard(row, targets, weights) == 1.0
    assert chx_scorecard(row, targets, weights, 1.0) == 0.95


def test_core_scorecard_refuses_a_negative_cap():
    from channelxl.core.scorecard import ScorecardError, attainment, weighted_score

    with pytest.raises(ScorecardError, match="attainment cap -1 is negative"):
        weighted_score([1], [1], [1], -1)
    with pytest.raises(ScorecardError, match="negative"):
        attainment(1, 1, "-0.5")


SCORE = (
    [[110.0], [45.0], [0.5], [4.0]],
    [[100.0], [50.0], [0.5], [5.0]],
    [[0.4], [0.3], [0.2], [0.1]],
)


@pytest.mark.parametrize(
    "pad",
    [
        lambda col: [*col, [0]],  # Office.js: a blank cell is 0
        lambda col: [*col, [None], [None]],  # Windows
        lambda col: [*col, [""], [0]],
        lambda col: [[r[0], None] for r in col] + [[None, None]],  # a blank column too
    ],
)
def test_a_generously_selected_scorecard_scores_as_the_exact_one(pad):
    exact = chx_scorecard(*SCORE, 1.05)
    assert exact == pytest.approx(0.97)
    assert chx_scorecard(*(pad(col) for col in SCORE), 1.05) == exact
    assert chx_scorecard(SCORE[0], pad(SCORE[1]), SCORE[2], 1.05) == exact  # only one generous
    rows = [[[r[0] for r in col]] for col in SCORE]  # the same as rows, blank columns after
    assert chx_scorecard(*([row[0] + [0, None]] for row in rows), 1.05) == exact
    headed = [
        [[name], *col] for name, col in zip(("Actual", "Target", "Weight"), SCORE, strict=True)
    ]
    assert chx_scorecard(*headed, 1.05) == exact


def test_a_real_last_metric_of_zero_still_counts():
    # Office.js: actual 0 for the last metric is data, its target and weight say so
    assert chx_scorecard([[1], [0]], [[1], [1]], [[0.5], [0.5]]) == 0.5


# ------------------------------------------------------------------ measures: cell vs column
methods = st.sampled_from(["retroactive", "incremental"])
tie_measures = st.tuples(
    st.integers(min_value=0, max_value=13).flatmap(lambda e: st.integers(0, 10**e)),
    st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.75, 0.3, 0.01, 0.99]),
).map(lambda t: t[0] + t[1])


@st.composite
def tier_ranges(draw):
    """A tier range as Excel passes it: ascending thresholds, rates of up to 4 decimals or
    per-unit amounts, sometimes a header, sometimes Office.js ints."""
    ths = sorted(draw(st.sets(st.integers(1, 10**12), max_size=5)))
    start = draw(st.sampled_from([0, 0, 1000]))
    ths = [start, *(t + start for t in ths)]
    rate = st.one_of(
        st.sampled_from([0.02, 0.03, 0.05, 0.005, 0.025, 0.0125, 0.0]),
        st.integers(0, 2000).map(lambda r: r / 10000),
        st.integers(0, 5000).map(lambda r: r / 100),
    )
    rows = [[float(t), draw(rate)] for t in ths]
    if draw(st.booleans()):
        rows = [[int(t) if float(t).is_integer() else t for t in r] for r in rows]
    if draw(st.booleans()):
        rows = [["Threshold", "Rate"], *rows]
    return rows


@settings(deadline=None, max_examples=60)
@given(
    tier_ranges(),
    st.lists(st.one_of(tie_measures, st.floats(0, 1e15)), min_size=65, max_size=150),
    methods,
)
def test_a_column_pays_what_each_cell_pays(tiers, measures, method):
    """Past 64 measures a column takes the float64 path; it must agree with the cell path
    (exact Decimal) to the cent, half-cent ties at large magnitudes included."""
    column = chx_rebate([[m] for m in measures], tiers, method)
    assert column == [[chx_rebate(m, tiers, method)] for m in measures]


def test_bad_values_in_a_long_column_err_alone():
    measures = [float(i * 1000) for i in range(70)]
    bad = {3: 1e308, 10: float("inf"), 20: float("nan"), 30: -float("inf")}
    for i, value in bad.items():
        measures[i] = value
    result = chx_rebate([[m] for m in measures], WINDOWS)
    assert len(result) == 70
    assert result[3] == ["#NUM! measure in row 4: the rebate is too large to round to the cent"]
    assert result[10] == ["#NUM! measure in row 11 is not a finite number (inf)"]
    assert result[20] == ["#NUM! measure in row 21 is not a finite number (nan)"]
    assert result[30] == ["#NUM! measure in row 31 is not a finite number (-inf)"]
    good = [r[0] for i, r in enumerate(result) if i not in bad]
    assert good == [chx_rebate(m, WINDOWS) for i, m in enumerate(measures) if i not in bad]
    assert chx_rebate(1e308, WINDOWS) == (
        "#NUM! measure: the rebate is too large to round to the cent"
    )
    assert chx_next_tier_gap(1e308, WINDOWS) == 0.0
    assert chx_rebate_tier([[1e308], [float("nan")]], WINDOWS) == [
        [4],
        ["#NUM! measure in row 2 is not a finite number (nan)"],
    ]


def test_errors_from_other_cells_pass_through_with_their_kind():
    assert chx_rebate("#N/A", WINDOWS) == "#N/A measure comes from a cell showing #N/A"
    assert chx_rebate([[1000.0], ["#DIV/0!"]], WINDOWS) == [
        [0.0],
        ["#DIV/0! measure in row 2 comes from a cell showing #DIV/0!"],
    ]
    # another CHX_ cell's error text passes on as its kind
    upstream = "#VALUE! tier thresholds must ascend (row 3)"
    assert chx_rebate(upstream, WINDOWS).startswith("#VALUE! measure comes from a cell showing")


def test_a_row_of_measures_gives_a_row_and_a_generous_range_the_exact_answer():
    assert chx_rebate([[120000.0, 600000.0]], WINDOWS) == [[2400.0, 24000.0]]
    assert chx_rebate([[120000.0, 600000.0, None, None]], WINDOWS) == [[2400.0, 24000.0]]
    assert chx_rebate([[120000.0], [600000.0], [0], [0]], WINDOWS) == [[2400.0], [24000.0]]
    assert chx_rebate([[300000.0], [None]], WINDOWS) == chx_rebate(300000.0, WINDOWS) == 9000.0
    assert chx_rebate([["Sell-through"], [None]], WINDOWS) == (
        "#VALUE! measure has a header but no values"
    )
    # Windows sends a typed 0 as 0.0: that is a measure (rebate 0), not a blank cell
    assert chx_rebate([[120000.0], [0.0]], WINDOWS) == [[2400.0], [0.0]]

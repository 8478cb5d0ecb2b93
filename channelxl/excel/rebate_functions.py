"""Rebate functions for Excel: thin adapters from cell values to core.tiers / core.scorecard."""

from __future__ import annotations

import numpy as np

from channelxl.core.money import AmountOutOfRange, round_cents
from channelxl.core.scorecard import ScorecardError, weighted_score
from channelxl.core.tiers import TierError, TierTable, amounts_in_cents
from channelxl.excel.convert import (
    ExcelError,
    blank_or_zero,
    item_name,
    line_up,
    number,
    out,
    positions,
    scalar,
    spill,
    table,
    text,
    vector,
)
from channelxl.excel.registry import Arg, excel_function

GROUP = "Rebates"
_TIERS_EXAMPLE = [[0.0, 0.0], [100000.0, 0.02], [250000.0, 0.03], [500000.0, 0.04]]
_LABELLED = [
    [0.0, 0.0, "Base"],
    [100000.0, 0.02, "Silver"],
    [250000.0, 0.03, "Gold"],
    [500000.0, 0.04, "Platinum"],
]
_METHODS = {
    "retroactive": "retroactive",
    "all-units": "retroactive",
    "allunits": "retroactive",
    "to-scale": "retroactive",
    "incremental": "incremental",
    "marginal": "incremental",
    "stepped": "incremental",
    "interval": "incremental",
}

TIERS_ARG = Arg(
    "tiers",
    "a range of 2 or 3 columns: threshold, rate[, label]; thresholds ascending; a header "
    "row is optional",
    "Tier table: threshold, rate, optional label",
    range=True,
)
MEASURE_ARG = Arg(
    "measure",
    "a number, or a column (or row) of numbers: gives a column (or row), a bad cell its own error",
    "Measure: one value, a column or a row",
    range=True,
)


def tier_table(value: object) -> TierTable:
    """Parse a tier range; errors name the row of the range (header included).

    A header row is told apart by a label in the threshold or rate column (a label in the
    third column is a tier's name: ``0, 0, "Base"`` is the base tier, not a header).
    Office.js sends blank cells as 0, so all-zero rows at the bottom are the blank rows of
    a generously selected table -- when the table has its base tier at 0 already. Below a
    table that starts higher, a (0, 0) row is what a base tier typed in the wrong place
    looks like: it is kept, and refused as out of order.
    """
    _, data, offset = table(value, "tiers", min_columns=2, max_columns=3, numeric_columns=(0, 1))
    if len(data) > 1 and _is_zero(data[0][0]):
        end = len(data)
        while end > 1 and all(blank_or_zero(v) for v in data[end - 1]):
            end -= 1
        data = data[:end]
    cleaned = []
    for i, row in enumerate(data, start=1 + offset):
        threshold = number(row[0], f"threshold in row {i}")
        rate = number(row[1], f"rate in row {i}")
        label = text(row[2]) if len(row) > 2 and not blank_or_zero(row[2]) else None
        cleaned.append((threshold, rate, label))
    try:
        return TierTable.of(cleaned)
    except TierError as exc:
        message = str(exc)
        if exc.row is not None:
            shown = exc.row + offset
            message = message.replace(f"(row {exc.row})", f"(row {shown})").replace(
                f"row {exc.row}:", f"row {shown}:"
            )
        raise ExcelError(message) from None


def _is_zero(value: object) -> bool:
    try:
        return number(value, "threshold") == 0
    except ExcelError:
        return False


def _method(value: object) -> str:
    value = scalar(value, "method")
    key = text(value).lower().replace(" ", "")
    if not key or key == "0":  # omitted (None) or blank (Office.js 0)
        return "retroactive"
    if key not in _METHODS:
        raise ExcelError(f"method must be retroactive or incremental, not {text(value)[:40]!r}")
    return _METHODS[key]


_EXACT_INT = 2**53  # the largest integers a float holds exactly


def _plain_numbers(values: list) -> bool:
    """Floats, or ints a float holds exactly: what the float64 column path takes."""
    kinds = set(map(type, values))
    if not kinds <= {float, int}:
        return False
    return int not in kinds or all(
        type(v) is float or -_EXACT_INT <= v <= _EXACT_INT for v in values
    )


def _per_measure(measure: object, compute, vectorised=None) -> object:
    """Apply ``compute`` to one measure or each of a column (or row); a bad cell errs alone.

    ``vectorised`` (optional) computes many plain numbers at once, NaN where it cannot: those
    cells take the one-at-a-time path, which says why.
    """
    values, shape = vector(measure, "measure")

    def one(i: int, value: object):
        what = item_name("measure", shape, i)
        try:
            result = compute(number(value, what))
        except AmountOutOfRange:
            raise ExcelError(
                f"{what}: the rebate is too large to round to the cent", "#NUM!"
            ) from None
        except ArithmeticError:
            raise ExcelError(f"{what} is too large to compute with", "#NUM!") from None
        try:
            return out(result)
        except ExcelError:
            raise ExcelError(f"{what}: the result is too large for Excel", "#NUM!") from None

    if shape == "value":
        return one(1, values[0])

    def each(i: int, value: object):
        try:
            return one(i, value)
        except ExcelError as exc:
            return str(exc)

    if vectorised is not None and len(values) > 64 and _plain_numbers(values):
        fast = vectorised(values)
        failed = np.flatnonzero(np.isnan(fast))
        if not len(failed):  # the common case, kept fast: numpy builds the nested list
            return fast.reshape(-1, 1).tolist() if shape == "column" else [fast.tolist()]
        results = fast.tolist()
        for i in failed:
            results[i] = each(i + 1, values[i])
    else:
        results = [each(i, v) for i, v in enumerate(values, start=1)]
    return spill(results, shape)


@excel_function(
    summary="Rebate for a measure from a tier table, retroactive (all-units) or incremental "
    "(marginal); rounded half-up to the cent.",
    args=(
        MEASURE_ARG,
        TIERS_ARG,
        Arg(
            "method",
            '"retroactive" (default) or "incremental"',
            "retroactive or incremental",
            optional=True,
        ),
    ),
    returns="the rebate amount (a column for a column of measures)",
    example='=CHX_REBATE(300000, {0,0;100000,0.02;250000,0.03;500000,0.04}, "incremental")',
    example_args=(300000.0, _TIERS_EXAMPLE, "incremental"),
    example_result=4500.0,
    group=GROUP,
    shape="item",
)
def chx_rebate(measure, tiers, method=None):
    """Retroactive: rate of the highest tier reached x measure. Incremental: each tier's
    rate x the part of the measure inside its band. Rounded once, half-up, to the cent."""
    t = tier_table(tiers)
    how = _method(method)
    return _per_measure(
        measure,
        lambda m: round_cents(t.amount(m, how)),
        lambda values: amounts_in_cents(t, values, how),
    )


@excel_function(
    summary="The tier a measure reaches: 1 for the first row (or its label when the table has "
    "labels); 0 (or empty) below the first threshold.",
    args=(MEASURE_ARG, TIERS_ARG),
    returns="tier number or label",
    example='=CHX_REBATE_TIER(300000, {0,0,"Base";100000,0.02,"Silver";250000,0.03,"Gold";'
    '500000,0.04,"Platinum"})',
    example_args=(300000.0, _LABELLED),
    example_result="Gold",
    group=GROUP,
    shape="item",
)
def chx_rebate_tier(measure, tiers):
    """A tier is reached when the measure is >= its threshold."""
    t = tier_table(tiers)

    def tier(m):
        i = t.reached(m)
        if t.has_labels:
            return "" if i is None else (t.tiers[i].label or "")
        return 0 if i is None else i + 1

    return _per_measure(measure, tier)


@excel_function(
    summary="Measure still needed to reach the next tier; 0 at the top tier.",
    args=(MEASURE_ARG, TIERS_ARG),
    returns="the gap, in the measure's unit",
    example="=CHX_NEXT_TIER_GAP(300000, {0,0;100000,0.02;250000,0.03;500000,0.04})",
    example_args=(300000.0, _TIERS_EXAMPLE),
    example_result=200000.0,
    group=GROUP,
    shape="item",
)
def chx_next_tier_gap(measure, tiers):
    """next threshold above the measure - measure; 0 when no tier is above."""
    t = tier_table(tiers)
    return _per_measure(measure, t.next_gap)


def _metrics(actuals: object, targets: object, weights: object) -> list[list]:
    """The three lists of a scorecard, of one length, as [actuals, targets, weights].

    Each may be a row or a column, with or without a header cell, and generously selected:
    trailing positions where actual, target and weight are all blank or zero are no metric
    (a metric without target or weight counts nothing), so blank rows, Office.js's blank
    0s and a range longer than the other two give the answer of the exact ranges.
    """
    named = [
        (what, positions(value, what)[0])
        for what, value in (("actuals", actuals), ("targets", targets), ("weights", weights))
    ]
    n = line_up(named, broadcast=False)
    return [
        [number(v, f"{what} item {i}") for i, v in enumerate(cells[:n], start=1)]
        for what, cells in named
    ]


@excel_function(
    summary="Weighted attainment of a multi-metric scorecard: sum of weight x "
    "min(actual / target, cap).",
    args=(
        Arg("actuals", "a row or column of numbers", "Actual value per metric", range=True),
        Arg(
            "targets",
            "a row or column of numbers, same length, each above 0",
            "Target per metric",
            range=True,
        ),
        Arg("weights", "a row or column of numbers, same length", "Weight per metric", range=True),
        Arg(
            "attainment_cap",
            "a number, e.g. 1.2 (no cap when omitted)",
            "Highest attainment counted per metric",
            optional=True,
        ),
    ),
    returns="the score (1 = every target met exactly)",
    example="=CHX_SCORECARD({110,45,0.5,4}, {100,50,0.5,5}, {0.4,0.3,0.2,0.1}, 1.05)",
    example_args=(
        [[110.0, 45.0, 0.5, 4.0]],
        [[100.0, 50.0, 0.5, 5.0]],
        [[0.4, 0.3, 0.2, 0.1]],
        1.05,
    ),
    example_result=0.97,
    group=GROUP,
    shape="value",
)
def chx_scorecard(actuals, targets, weights, attainment_cap=None):
    """score = sum_i w_i * min(actual_i / target_i, cap)."""
    a, t, w = _metrics(actuals, targets, weights)
    cap = None
    given = scalar(attainment_cap, "attainment_cap")
    if not blank_or_zero(given):  # omitted, blank (Office.js 0) or 0: no cap
        cap = number(given, "attainment_cap")
        if cap < 0:
            raise ExcelError(f"attainment_cap {text(given)} is negative; give 1.2 for 120 %")
    try:
        return out(weighted_score(a, t, w, cap))
    except ScorecardError as exc:
        kind = "#DIV/0!" if "above zero" in str(exc) else "#VALUE!"
        raise ExcelError(str(exc), kind) from None

"""Rebate functions for Excel: thin adapters from cell values to core.tiers / core.scorecard."""

from __future__ import annotations

from channelxl.core.money import round_cents
from channelxl.core.scorecard import ScorecardError, weighted_score
from channelxl.core.tiers import TierError, TierTable, amounts_in_cents
from channelxl.excel.convert import (
    ExcelError,
    column,
    drop_blank_tail,
    number,
    spill,
    table,
    text,
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
    "a number, or a column of numbers (gives a column)",
    "Measure: one value or a column",
    range=True,
)


def tier_table(value: object) -> TierTable:
    """Parse a tier range; errors name the row of the range (header included)."""
    _, data, offset = table(value, "tiers", min_columns=2, max_columns=3)
    # Office.js sends blank cells as 0: trailing all-zero rows are the blank rows below a
    # generously selected table (the first row may legitimately be 0 -> 0 %).
    data = data[:1] + drop_blank_tail(data[1:], zero_is_blank=True)
    cleaned = []
    for i, row in enumerate(data, start=1 + offset):
        threshold = number(row[0], f"threshold in row {i}")
        rate = number(row[1], f"rate in row {i}")
        label = text(row[2]) if len(row) > 2 and row[2] not in (None, "", 0) else None
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


def _method(value: object) -> str:
    key = text(value).lower().replace(" ", "")
    if not key or key == "0":  # omitted (None) or blank (Office.js 0)
        return "retroactive"
    if key not in _METHODS:
        raise ExcelError(f"method must be retroactive or incremental, not {text(value)!r}")
    return _METHODS[key]


def _all_numbers(values: list) -> bool:
    return set(map(type, values)) <= {float, int}


def _per_measure(measure: object, compute, vectorised=None) -> object:
    """Apply ``compute`` to one measure or each of a column; a bad cell errs alone.

    ``vectorised`` (optional) computes a whole column of plain numbers at once.
    """
    values, as_column = column(measure, "measure")
    if vectorised is not None and as_column and len(values) > 64 and _all_numbers(values):
        return vectorised(values).reshape(-1, 1).tolist()
    results = []
    for i, v in enumerate(values, start=1):
        try:
            results.append(
                compute(number(v, "measure" if not as_column else f"measure in row {i}"))
            )
        except ExcelError as exc:
            if not as_column:
                raise
            results.append(str(exc))
    return spill(results, as_column)


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
)
def chx_next_tier_gap(measure, tiers):
    """next threshold above the measure - measure; 0 when no tier is above."""
    t = tier_table(tiers)
    return _per_measure(measure, t.next_gap)


def _values(value: object, what: str) -> list:
    values, _ = column(value, what)
    return [number(v, f"{what} item {i}") for i, v in enumerate(values, start=1)]


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
)
def chx_scorecard(actuals, targets, weights, attainment_cap=None):
    """score = sum_i w_i * min(actual_i / target_i, cap)."""
    a, t, w = _values(actuals, "actuals"), _values(targets, "targets"), _values(weights, "weights")
    cap = None
    if attainment_cap not in (None, "", 0):
        cap = number(attainment_cap, "attainment_cap")
    try:
        return float(weighted_score(a, t, w, cap))
    except ScorecardError as exc:
        kind = "#DIV/0!" if "above zero" in str(exc) else "#VALUE!"
        raise ExcelError(str(exc), kind) from None

"""A whole rebate program in one cell: CHX_PROGRAM (the amount) and CHX_PROGRAM_STEPS (each
step with its explanation), the statement line reproduced from its inputs.

Both build a :class:`core.rebates.ProgramRules` and :class:`core.rebates.Figures` from the
cells and call :func:`core.rebates.evaluate`, the engine ``channelxl rebates`` runs: the
same steps, the same rounding (once, half-up, to the cent, at the amount paid).

The arguments are laid out as an analyst already has them:

- ``program``: the program's rules as (name, value) pairs, names as the columns of the
  program workbook's *Rebate Programs* sheet: either two columns (a name per row) or two
  rows (the sheet's header row above the program's row). Columns the engine does not use
  (Program ID, Name, Applies To, MDF Rate, Valid From, Valid To) are ignored.
- ``tiers``: the program's rows of *Rebate Tiers* (threshold, rate[, label]), as CHX_REBATE.
- ``figures``: the distributor-quarter's figures as (name, value) pairs (:data:`FIGURES`).
- ``scorecard``: metric, weight, actual, target: one row per metric (*Scorecard* sheet
  plus the quarter's actuals and *Targets*); ``payouts``: min score, payout (*Scorecard
  Payouts*).

Numbers arrive as Excel's float64 and become the Decimal of their shortest repr (what was
typed or shown at full precision: ``1575007.794441`` stays exactly that), so no drift
enters before the engine; the amount is rounded once, half-up, to the cent.
"""

from __future__ import annotations

import itertools
import re
from datetime import date
from decimal import Decimal

from channelxl.core.money import AmountOutOfRange, round_cents
from channelxl.core.periods import Quarter
from channelxl.core.rebates import Figures, ProgramRules, RebateResult, evaluate
from channelxl.core.waivers import WAIVES, Waiver
from channelxl.excel.convert import (
    ExcelError,
    blank_or_zero,
    check_error,
    grid,
    is_label,
    named_columns,
    number,
    office_blank,
    out,
    table,
    text,
    trim,
)
from channelxl.excel.rebate_functions import GROUP, TIERS_ARG, _method, tier_table
from channelxl.excel.registry import Arg, excel_function
from channelxl.schema import REBATE_PROGRAMS, normalize_header

# key -> accepted names (first: the Rebate Programs column); matched ignoring case and spaces
RULES = {
    "measure": ("Measure",),
    "method": ("Method", "Tier Method"),
    "growth_basis": ("Growth Basis",),
    "min_certification_rate": ("Min Certification Rate",),
    "require_on_time": ("Require On-Time Reports", "Require On Time"),
    "cap": ("Cap", "Quarterly Cap"),
    "hold_max_weeks_of_supply": ("Hold Max Weeks of Supply",),
    "hold_max_sell_in_ratio": ("Hold Max Sell-In Ratio",),
    "attainment_cap": ("Attainment Cap",),
}
FIGURES = {
    "revenue": ("Revenue", "Sell-Through Revenue"),
    "units": ("Units", "Sell-Through Units"),
    "prior_revenue": ("Prior Revenue", "Prior-Year Revenue"),
    "certification_rate": ("Certification Rate",),
    "late": ("Late Reports", "Late Months"),
    "missing": ("Missing Reports", "Missing Months"),
    "weeks_of_supply": ("Weeks of Supply",),
    "sell_in_ratio": ("Sell-In Ratio", "Sell-In / Sell-Through"),
    "waived": ("Waived", "Waivers"),
}
_IGNORED = {normalize_header(c.name) for c in REBATE_PROGRAMS.columns}
_MEASURES = ("revenue", "units", "growth")
_QUARTER = Quarter(2000, 1)  # the engine needs one; no step depends on which
_CELL = "cell"  # the distributor and program a waiver given in the figures covers


def _index(names: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {normalize_header(n): key for key, ns in names.items() for n in ns}


def _orientations(rows: list[list]):
    """(name, value) pairs read as rows of two, then as columns of two (header row above)."""
    if rows and len(rows[0]) == 2:
        yield [(r[0], r[1]) for r in rows]
    if len(rows) == 2:
        yield list(zip(rows[0], rows[1], strict=True))


def pairs(value: object, what: str, names: dict[str, tuple[str, ...]], ignored=frozenset()):
    """The (name, value) pairs of a range, by key of ``names``; a blank value is left out.

    Two columns (a name per row) or two rows (names above values); the layout whose names
    are all known wins. Refuses an unknown or repeated name, naming it and what is accepted.
    """
    known = _index(names)
    rows = trim(grid(value), office_blank)
    if not rows:
        raise ExcelError(f"{what} is empty: give names and values, e.g. Measure | revenue")
    tried = list(_orientations(rows))
    if not tried:
        raise ExcelError(
            f"{what} needs two columns (name, value) or two rows (names above values), "
            f"got {len(rows)} rows of {len(rows[0])}"
        )
    unknown: list[str] = []
    for candidate in tried:
        named = [(n, v) for n, v in candidate if not office_blank(n)]
        for n, _ in named:
            check_error(n, f"a name in {what}")
        bad = [
            text(n)
            for n, _ in named
            if normalize_header(text(n)) not in known and normalize_header(text(n)) not in ignored
        ]
        if not bad and all(is_label(n) for n, _ in named):
            break
        unknown = unknown or bad or [text(n) for n, _ in named if not is_label(n)]
    else:
        accepted = ", ".join(ns[0] for ns in names.values())
        raise ExcelError(f"{what} does not know {unknown[0][:40]!r}; it takes {accepted}")
    found: dict[str, object] = {}
    for n, v in named:
        key = known.get(normalize_header(text(n)))
        if key is None:
            continue
        if key in found:
            raise ExcelError(f"{what} gives {names[key][0]} twice")
        check_error(v, f"{names[key][0]} in {what}")
        if not office_blank(v):
            found[key] = v
    return found


def _decimal(
    given: dict, key: str, names: dict, what: str, *, signed: bool = False
) -> Decimal | None:
    """The number given for ``key`` (None when not given); negative only when ``signed``
    (sell-through net of returns can be; a rate, limit or cap cannot)."""
    if key not in given:
        return None
    value = number(given[key], f"{names[key][0]} in {what}")
    if value < 0 and not signed:
        raise ExcelError(f"{names[key][0]} in {what} is negative ({text(given[key])})")
    return value


def _choice(given: dict, key: str, allowed: tuple[str, ...], default: str | None) -> str | None:
    if key not in given:
        return default
    value = text(given[key]).lower()
    if value not in allowed:
        shown = text(given[key])[:40]
        raise ExcelError(f"{RULES[key][0]} must be {' or '.join(allowed)}, not {shown!r}")
    return value


def _yes(given: dict, key: str) -> bool:
    value = given.get(key)
    if value is None or isinstance(value, bool):
        return bool(value)
    word = text(value).upper()
    if word in ("Y", "YES", "TRUE", "1"):
        return True
    if word in ("N", "NO", "FALSE", "0"):
        return False
    raise ExcelError(f"Require On-Time Reports must be Y or N, not {text(value)[:40]!r}")


_SCORECARD_COLUMNS = {
    "metric": ("Metric",),
    "weight": ("Weight",),
    "actual": ("Actual",),
    "target": ("Target",),
}


def _scorecard(value: object, what: str = "scorecard"):
    """(metric, weight) pairs, actuals and targets from rows metric, weight, actual, target:
    in that order, or in any order under a header row naming them."""
    if office_blank(value) or (isinstance(value, list) and not trim(grid(value), blank_or_zero)):
        return (), {}, {}
    header, data, offset = table(
        value, what, min_columns=2, max_columns=4, numeric_columns=(1, 2, 3)
    )
    if header is not None:
        at = named_columns(header, _SCORECARD_COLUMNS, what)
        data = [[row[at[key]] for key in _SCORECARD_COLUMNS] for row in data]
    metrics, actuals, targets = [], {}, {}
    for i, row in enumerate(data, start=1 + offset):
        if all(blank_or_zero(v) for v in row):
            continue
        row = list(row) + [None] * (4 - len(row))
        check_error(row[0], f"metric in row {i} of {what}")
        metric = text(row[0])
        if not metric or metric in actuals:
            raise ExcelError(
                f"{what} row {i}: "
                + (
                    "a metric needs a name"
                    if not metric
                    else f"metric {metric[:40]!r} is there twice"
                )
            )
        metrics.append((metric, number(row[1], f"weight in row {i} of {what}")))
        actuals[metric] = None if office_blank(row[2]) else number(row[2], f"actual in row {i}")
        targets[metric] = None if office_blank(row[3]) else number(row[3], f"target in row {i}")
    return tuple(metrics), actuals, targets


def _payouts(value: object):
    """(min score, payout) rows, ascending by min score."""
    if office_blank(value) or (isinstance(value, list) and not trim(grid(value), blank_or_zero)):
        return ()
    _, data, offset = table(
        value, "payouts", min_columns=2, max_columns=2, numeric_columns=(0, 1), blank=office_blank
    )
    rows = [
        (number(r[0], f"min score in row {i}"), number(r[1], f"payout in row {i}"))
        for i, r in enumerate(data, start=1 + offset)
    ]
    if any(b[0] <= a[0] for a, b in itertools.pairwise(rows)):
        raise ExcelError("payouts: min scores must ascend")
    return tuple(rows)


def _months(value: object, what: str) -> tuple[str, ...]:
    """Late or missing reports: their months as text (``2026-07, 2026-09``) or a count."""
    if value is None:
        return ()
    if isinstance(value, int | float) and not isinstance(value, bool):
        count = number(value, what)
        if count < 0 or count != count.to_integral_value() or count > 1000:
            raise ExcelError(f"{what} must be a count of reports or their months, not {value}")
        return tuple(f"report {i}" for i in range(1, int(count) + 1))
    return tuple(m for m in re.split(r"[,;]\s*", text(value)) if m)


def _waivers(value: object) -> tuple[Waiver, ...]:
    if value is None:
        return ()
    out_ = []
    for word in re.split(r"[,;]\s*", text(value).lower()):
        if word and word not in ("n", "no", "none"):
            if word not in WAIVES:
                raise ExcelError(f"Waived must be {', '.join(WAIVES)}, not {word[:40]!r}")
            out_.append(Waiver(_CELL, str(_QUARTER), None, word, "", "", date(2000, 1, 1)))
    return tuple(out_)


def run(program, tiers, figures, scorecard=None, payouts=None) -> RebateResult:
    """The cells as ProgramRules and Figures, evaluated by the engine."""
    rules = pairs(program, "program", RULES, _IGNORED)
    if "measure" not in rules:
        raise ExcelError("program needs its Measure: revenue, units or growth")
    measure = _choice(rules, "measure", _MEASURES, None)
    metrics, actuals, targets = _scorecard(scorecard)
    rule = ProgramRules(
        program_id=_CELL,
        name="",
        measure=measure,
        method=_method(rules.get("method")),
        tiers=tier_table(tiers),
        growth_basis=_choice(rules, "growth_basis", ("increment", "whole"), "increment"),
        min_certification_rate=_decimal(rules, "min_certification_rate", RULES, "program"),
        require_on_time=_yes(rules, "require_on_time"),
        cap=_decimal(rules, "cap", RULES, "program"),
        hold_max_weeks_of_supply=_decimal(rules, "hold_max_weeks_of_supply", RULES, "program"),
        hold_max_sell_in_ratio=_decimal(rules, "hold_max_sell_in_ratio", RULES, "program"),
        scorecard=metrics,
        attainment_cap=_decimal(rules, "attainment_cap", RULES, "program"),
        payouts=_payouts(payouts),
    )
    given = pairs(figures, "figures", FIGURES)
    needed = "units" if measure == "units" else "revenue"
    if needed not in given:
        raise ExcelError(f"figures needs {FIGURES[needed][0]} for a {measure} program")
    units = _decimal(given, "units", FIGURES, "figures", signed=True) or Decimal(0)
    if units != units.to_integral_value():
        raise ExcelError(f"Units in figures must be whole, not {text(given['units'])}")
    f = Figures(
        distributor_id=_CELL,
        quarter=_QUARTER,
        revenue=_decimal(given, "revenue", FIGURES, "figures", signed=True) or Decimal(0),
        units=int(units),
        prior_revenue=_decimal(given, "prior_revenue", FIGURES, "figures", signed=True),
        certification_rate=_decimal(given, "certification_rate", FIGURES, "figures"),
        late_months=_months(given.get("late"), "Late Reports"),
        missing_months=_months(given.get("missing"), "Missing Reports"),
        weeks_of_supply=_decimal(given, "weeks_of_supply", FIGURES, "figures"),
        sell_in_ratio=_decimal(given, "sell_in_ratio", FIGURES, "figures"),
        actuals=actuals,
        targets=targets,
        waivers=_waivers(given.get("waived")),
    )
    try:
        return evaluate(rule, f)
    except AmountOutOfRange:
        raise ExcelError("the rebate is too large to round to the cent", "#NUM!") from None


def _n(value: Decimal | None):
    return "" if value is None else out(value)


def _amount(x: Decimal) -> float:
    """An amount as its cell shows it: to the cent, and 0 never as -0 (no sales, no rebate)."""
    return out(round_cents(x)) + 0.0


def _money(x: Decimal) -> str:
    return f"{round_cents(x):,.2f}"


_MEASURE_TEXT = {
    "revenue": "sell-through revenue",
    "units": "sell-through units",
    "growth": "growth = (revenue - prior revenue) / prior revenue",
}


def steps(r: RebateResult) -> list[list]:
    """The statement line's steps as rows (step, value, explanation), header first.

    Amounts are shown rounded to the cent, as the statement shows them; the engine carried
    them unrounded, and only the amount paid (and withheld, held) is rounded once."""
    if r.measure is None:
        measure = "growth: no prior revenue (0 or blank), so no baseline and no growth rebate"
    else:
        measure = _MEASURE_TEXT[r.measure_name]
    if r.tier is None:
        tier = "below the first tier"
    else:
        tier = f"tier {r.tier} of the table ({r.tier_label or 'no label'})"
    if r.next_tier_gap:
        tier += f"; the next tier needs {format(r.next_tier_gap.normalize(), ',f')} more"
    rate_unit = "per unit" if r.measure_name == "units" else "a fraction of the basis"
    if r.method == "retroactive":
        basis = f"{r.base:,}" if r.measure_name == "units" else f"{r.base:,.2f}"
        rebate = f"rate reached x basis: {format(r.rate.normalize(), 'f')} x {basis}"
    else:
        rebate = "incremental: each tier's rate x the part of the measure inside its band"
    rows = [
        ["Measure", _n(r.measure), measure],
        ["Tier", r.tier_label or (r.tier or ""), tier],
        ["Rate", out(r.rate), f"rate of the tier reached, {rate_unit}"],
        ["Basis", out(r.base), "what the rate applies to"],
        ["Tier Rebate", _amount(r.base_amount), rebate],
    ]
    if r.payout is not None:
        rows += [
            ["Score", out(r.score), "sum of weight x min(actual / target, attainment cap)"],
            ["Payout", out(r.payout), "payout of the highest min score the score reaches"],
        ]
        after = f"tier rebate x payout: {_money(r.base_amount)} x {r.payout:.4f}"
    else:
        after = "no scorecard: the tier rebate"
    cap = (
        f"capped: {_money(r.after_scorecard)} - cap {_money(r.due)}"
        if r.cap_applied
        else "not capped"
    )
    rows += [
        ["After Scorecard", _amount(r.after_scorecard), after],
        ["Cap Reduction", _amount(r.capped_amount), cap],
        ["Amount Due", _amount(r.due), "after scorecard and cap: what gates and hold act on"],
    ]
    rows += [
        [
            f"Gate: {g.name}",
            g.value,
            f"needs {g.required}: "
            + ("FAIL, waived (counts as passed)" if g.waiver else "pass" if g.passed else "FAIL"),
        ]
        for g in r.gates
    ]
    rows += [
        ["Withheld Amount", _amount(r.withheld_amount), r.withheld_reason or "no gate failed"],
        [
            "Held Amount",
            _amount(r.held_amount),
            f"held for inventory loading: {r.hold_reason}" if r.held else "not held",
        ],
        ["Amount", _amount(r.amount), f"{r.status}: paid, rounded once half-up to the cent"],
    ]
    return [["Step", "Value", "Explanation"], *rows]


_PROGRAM_EXAMPLE = [
    ["Measure", "revenue"],
    ["Method", "retroactive"],
    ["Min Certification Rate", 0.5],
    ["Cap", 4000.0],
]
_FIGURES_EXAMPLE = [["Revenue", 300000.0], ["Certification Rate", 0.6]]
_SCORECARD_EXAMPLE = [["sell_through", 0.7, 330000.0, 300000.0], ["certification", 0.3, 0.6, 0.8]]
_PAYOUTS_EXAMPLE = [[0.0, 0.0], [0.8, 0.5], [1.0, 1.0]]
_TIERS = [[0.0, 0.0], [100000.0, 0.02], [250000.0, 0.03], [500000.0, 0.04]]
PROGRAM_ARGS = (
    Arg(
        "program",
        "the program's rules as name, value pairs: two columns, or the Rebate Programs header "
        "row above the program's row. Names: "
        + ", ".join(n[0] for n in RULES.values())
        + " (Measure required; other Rebate Programs columns are ignored)",
        "Program rules: name, value pairs (Rebate Programs columns)",
        range=True,
    ),
    TIERS_ARG,
    Arg(
        "figures",
        "the distributor-quarter's figures as name, value pairs: "
        + ", ".join(n[0] for n in FIGURES.values())
        + " (late/missing reports: a count or their months; Waived: late report, "
        "certification gate or all gates)",
        "Figures: name, value pairs",
        range=True,
    ),
    Arg(
        "scorecard",
        "rows of metric, weight, actual, target; under a header row naming Metric, Weight, "
        "Actual and Target the columns may come in any order",
        "Scorecard: metric, weight, actual, target",
        optional=True,
        range=True,
    ),
    Arg(
        "payouts",
        "rows of min score, payout fraction, min scores ascending",
        "Payout table: min score, payout",
        optional=True,
        range=True,
    ),
)
_STEPS_RESULT = [
    ["Step", "Value", "Explanation"],
    ["Measure", 300000.0, "sell-through revenue"],
    ["Tier", 3, "tier 3 of the table (no label); the next tier needs 200,000 more"],
    ["Rate", 0.03, "rate of the tier reached, a fraction of the basis"],
    ["Basis", 300000.0, "what the rate applies to"],
    ["Tier Rebate", 9000.0, "rate reached x basis: 0.03 x 300,000.00"],
    ["Score", 0.995, "sum of weight x min(actual / target, attainment cap)"],
    ["Payout", 0.5, "payout of the highest min score the score reaches"],
    ["After Scorecard", 4500.0, "tier rebate x payout: 9,000.00 x 0.5000"],
    ["Cap Reduction", 500.0, "capped: 4,500.00 - cap 4,000.00"],
    ["Amount Due", 4000.0, "after scorecard and cap: what gates and hold act on"],
    ["Gate: certification rate", "60.0 %", "needs >= 50.0 %: pass"],
    ["Withheld Amount", 0.0, "no gate failed"],
    ["Held Amount", 0.0, "not held"],
    ["Amount", 4000.0, "capped: paid, rounded once half-up to the cent"],
]
_EXAMPLE_ARGS = (_PROGRAM_EXAMPLE, _TIERS, _FIGURES_EXAMPLE, _SCORECARD_EXAMPLE, _PAYOUTS_EXAMPLE)
_EXAMPLE = (
    '=CHX_PROGRAM({"Measure","revenue";"Method","retroactive";"Min Certification Rate",0.5;'
    '"Cap",4000}, {0,0;100000,0.02;250000,0.03;500000,0.04}, {"Revenue",300000;'
    '"Certification Rate",0.6}, {"sell_through",0.7,330000,300000;"certification",0.3,0.6,'
    "0.8}, {0,0;0.8,0.5;1,1})"
)


@excel_function(
    summary="A whole rebate program for one distributor-quarter: tier, scorecard, cap, gates "
    "and hold, as channelxl rebates computes it; the amount paid, to the cent.",
    args=PROGRAM_ARGS,
    returns="the amount paid (0 when withheld or held); rounded once, half-up, to the cent",
    example=_EXAMPLE,
    example_args=_EXAMPLE_ARGS,
    example_result=4000.0,
    group=GROUP,
    shape="value",
)
def chx_program(program, tiers, figures, scorecard=None, payouts=None):
    """Amount = min(tier rebate x payout, cap); 0 when a gate fails (withheld) or stock is
    loaded (held). The example: 3 % of 300,000 = 9,000; score = 0.7 x 330000/300000 + 0.3 x
    0.6/0.8 = 0.995, payout 50 % (0.8 <= score < 1) = 4,500; capped at 4,000; the
    certification gate (0.6 >= 0.5) passes: 4,000."""
    return _amount(run(program, tiers, figures, scorecard, payouts).amount)


@excel_function(
    summary="CHX_PROGRAM step by step: measure, tier, rate, tier rebate, score, payout, cap, "
    "each gate, withheld, held and the amount, each with its explanation.",
    args=PROGRAM_ARGS,
    returns="a table Step | Value | Explanation, spilled",
    example=_EXAMPLE.replace("CHX_PROGRAM(", "CHX_PROGRAM_STEPS("),
    example_args=_EXAMPLE_ARGS,
    example_result=_STEPS_RESULT,
    group=GROUP,
    shape="table",
)
def chx_program_steps(program, tiers, figures, scorecard=None, payouts=None):
    """The steps of :func:`chx_program`, the same evaluation."""
    return steps(run(program, tiers, figures, scorecard, payouts))

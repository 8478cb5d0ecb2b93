"""Monthly rebate accruals at the expected payout (:func:`accruals`).

At the close of month k of an
n-month quarter (its last day) the quarter is forecast at the run rate (volume to date x
n / k) and evaluated with the steps of :mod:`channelxl.core.rebates` on what is known on that date
(:class:`ToDate`: scorecard actuals to date against targets pro rata, certification rate
on that day, late or missing reports among the months already due, weeks of supply and
sell-in ratio to date): expected = forecast tier rebate x payout to date, capped, nothing
when a gate fails, into the held bucket when a hold applies (each month's forecast quarter
by ``_forecast``: these steps and their arithmetic, without the explanation the quarter's
own result carries). The month's volume (revenue, or units for a units program) is booked at the expected effective rate, expected /
forecast volume; months already booked are not revalued. Accrued to date = the sum,
rounded to the cent; a month books the change. The quarter-end true-up = amount paid -
accrued (held: held amount - accrued into the held bucket). With no month-by-month
figures the accrual assumes the quarter's own scorecard, gates and holds, and says so.
"""

from __future__ import annotations

from decimal import Decimal

from channelxl.core.money import MAX_AMOUNT, money_arithmetic, round_cents
from channelxl.core.rebate_rules import (
    ZERO,
    Accrual,
    Figures,
    ProgramRules,
    ToDate,
    _base_amount,
    _hold_reason,
    _pct,
    _score,
)


def _standing(rules: ProgramRules, x: _Forecast, assumed) -> str:
    """The accrual's basis in words: the payout, gates and hold as they stood, and what was
    assumed about a figure the program uses. ``x``: a :class:`_Forecast`, or a
    ``core.rebates.RebateResult`` (the same attributes)."""
    parts = []
    if x.measure is None:
        parts.append("no baseline")
    if x.payout is not None:
        parts.append(f"payout {_pct(x.payout)}")
    if x.withheld_reason:
        parts.append(f"nothing accrued, {x.withheld_reason}")
    elif x.held:
        parts.append(f"held: {x.hold_reason}")
    elif x.measure is not None:
        parts.append("gates pass" if x.gates else "no gates")
    if x.cap_applied:
        parts.append("capped")
    if assumed:
        uses = {
            "all": True,
            "weeks_of_supply": rules.hold_max_weeks_of_supply is not None,
            "sell_in_ratio": rules.hold_max_sell_in_ratio is not None,
            "certification_rate": rules.min_certification_rate is not None,
        }
        parts.extend(f"assumed {text}" for figure, text in assumed if uses.get(figure, True))
    return ", ".join(parts)


class _Forecast:
    """What an accrual month needs of the forecast quarter's evaluation (:func:`_forecast`):
    the attributes of :class:`RebateResult` that :func:`accruals` and :func:`_standing` read,
    with the same values. ``gates``: the names of the program's gates (only their presence
    is read)."""

    __slots__ = (
        "base_amount",
        "cap_applied",
        "due",
        "gates",
        "gates_passed",
        "held",
        "hold_reason",
        "measure",
        "payout",
        "withheld_reason",
    )

    def __init__(self, measure, base_amount, payout, due, cap_applied, gates, gates_passed):
        self.measure, self.base_amount, self.payout = measure, base_amount, payout
        self.due, self.cap_applied = due, cap_applied
        self.gates, self.gates_passed = gates, gates_passed
        self.withheld_reason, self.held, self.hold_reason = "", False, ""


# Below this an amount always rounds to the cent (core.money.round_cents: 34 digits)
_ROUNDS_SAFELY = MAX_AMOUNT - 1


def _rounds(amount: Decimal) -> None:
    """Raise as ``round_cents(amount)`` would (an amount too large to round to the cent),
    without rounding the amounts that always can be."""
    if not (type(amount) is Decimal and amount.copy_abs() < _ROUNDS_SAFELY):
        round_cents(amount)


def _waived(f: Figures, rules: ProgramRules, gate: str) -> bool:
    """A waiver of the distributor-quarter forgives this failed gate (``core.waivers.waive``)."""
    return any(w.covers(f.distributor_id, f.quarter, rules.program_id, gate) for w in f.waivers)


def _forecast(
    rules: ProgramRules, f: Figures, t: ToDate, revenue: Decimal, units: Decimal
) -> _Forecast:
    """:func:`evaluate` of the forecast quarter (``revenue`` and ``units`` at the run rate,
    the rest as known at the month's close: ``t``), as far as an accrual reads it: the same
    steps, arithmetic and roundings (and so the same errors), without the notes, tier details
    and texts no accrual reads (a failed gate's and a hold's text only when its basis says
    it). ``tests/test_accrual_forecast.py`` checks it against :func:`evaluate`, attribute by
    attribute."""
    measure, _, base = _base_amount(rules, revenue, units, f.prior_revenue)
    amount, payout = base, None
    if rules.scorecard:
        payout = rules.payout(_score(rules, t.actuals, t.targets, None))
        amount = amount * payout
    cap_applied = rules.cap is not None and amount > rules.cap
    if cap_applied:
        amount = rules.cap
    due = amount
    gates, failed = [], []  # failed: (name, value, required) as text, built when needed
    if rules.min_certification_rate is not None:
        gates.append("certification rate")
        rate = t.certification_rate
        if not (rate is not None and rate >= rules.min_certification_rate) and not _waived(
            f, rules, "certification rate"
        ):
            failed.append(
                lambda rate=rate: (
                    "certification rate",
                    _pct(rate),
                    f">= {_pct(rules.min_certification_rate)}",
                )
            )
    if rules.require_on_time:
        gates.append("reports on time")
        if (t.late_months or t.missing_months) and not _waived(f, rules, "reports on time"):
            failed.append(
                lambda: (
                    "reports on time",
                    ", ".join(
                        [
                            f"{m} late ({f.received_notes[m]})"
                            if m in f.received_notes
                            else f"{m} late"
                            for m in t.late_months
                        ]
                        + [f"{m} missing" for m in t.missing_months]
                    ),
                    "every month by its due day",
                )
            )
    x = _Forecast(measure, base, payout, due, cap_applied, gates, not failed)
    if failed:
        amount = ZERO
        if due > 0:
            _rounds(due)  # evaluate rounds the withheld amount: the same error if absurd
            x.withheld_reason = "gate failed: " + "; ".join(
                f"{name} {value} (needs {required})"
                for name, value, required in (text() for text in failed)
            )
    if amount > 0 and (
        (
            rules.hold_max_weeks_of_supply is not None
            and t.weeks_of_supply is not None
            and t.weeks_of_supply > rules.hold_max_weeks_of_supply
        )
        or (
            rules.hold_max_sell_in_ratio is not None
            and t.sell_in_ratio is not None
            and t.sell_in_ratio > rules.hold_max_sell_in_ratio
        )
    ):
        x.held, x.hold_reason = True, _hold_reason(rules, t.weeks_of_supply, t.sell_in_ratio)
    _rounds(amount)  # the amount paid or held, rounded by evaluate: the same error
    if rules.mdf_rate:
        _rounds(rules.mdf_rate * revenue)  # evaluate's MDF accrual, likewise
    return x


@money_arithmetic
def accruals(rules: ProgramRules, f: Figures) -> list[Accrual]:
    """Monthly accruals at the expected payout (module docstring): each month's volume at
    expected / forecast volume, the quarter evaluated on what was known at the month's close
    (:func:`_forecast`: :func:`evaluate`'s steps without its explanations).
    """
    out: list[Accrual] = []
    n = len(f.monthly_revenue)
    known = {t.month: t for t in f.to_date}
    rev_to_date, units_to_date = ZERO, ZERO
    booked_paid, booked_held = ZERO, ZERO  # unrounded sums of volume x rate
    cumulative, held_cumulative = ZERO, ZERO
    by_units = rules.measure == "units"
    for k in range(1, n + 1):
        month_rev = f.monthly_revenue[k - 1]
        month_units = Decimal(f.monthly_units[k - 1]) if f.monthly_units else ZERO
        rev_to_date += month_rev
        units_to_date += month_units
        scale = Decimal(n) / Decimal(k)
        t = known.get(k)
        if t is None:  # no month-by-month figures: the quarter's own standing
            t = ToDate(
                k,
                f.certification_rate,
                f.late_months,
                f.missing_months,
                f.weeks_of_supply,
                f.sell_in_ratio,
                f.actuals,
                f.targets,
                (("all", "the quarter's scorecard, gates and holds (no month-by-month figures)"),),
            )
        x = _forecast(rules, f, t, rev_to_date * scale, units_to_date * scale)
        expected = x.due if x.gates_passed and not x.held else ZERO
        held = x.due if x.held else ZERO
        to_date = units_to_date if by_units else rev_to_date  # the volume the rate is booked on
        forecast = to_date * scale
        rate = expected / forecast if forecast else ZERO
        held_rate = held / forecast if forecast else ZERO
        volume = month_units if by_units else month_rev
        booked_paid += volume * rate
        booked_held += volume * held_rate
        new_cumulative, new_held = round_cents(booked_paid), round_cents(booked_held)
        out.append(
            Accrual(
                month=k,
                to_date=to_date,
                forecast=forecast,
                cumulative=new_cumulative,
                booked=new_cumulative - cumulative,
                tier_rebate=x.base_amount,
                payout=x.payout,
                expected=expected,
                expected_held=held,
                rate=rate,
                held_cumulative=new_held,
                held_booked=new_held - held_cumulative,
                basis=_standing(rules, x, t.assumed),
            )
        )
        cumulative, held_cumulative = new_cumulative, new_held
    return out

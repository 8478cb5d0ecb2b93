"""Evaluating a rebate program for one distributor and quarter, explained step by step.

Pure: plain figures in (:class:`ProgramRules`, :class:`Figures`), a
:class:`RebateResult` out that a person can redo by hand. The steps, in order, each
amount kept on the result:

1. **Measure**: sell-through revenue (reporting currency), sell-through units, or growth
   = (revenue - prior) / prior against the same quarter a year earlier. Growth with no
   baseline (prior missing or <= 0) earns nothing, and says so.
2. **Tier and tier rebate** (:mod:`channelxl.core.tiers`): retroactive or incremental.
   Growth programs pay on the increment (revenue - prior) or on the whole revenue:
   retroactive pays the reached rate on that base; incremental pays each growth band's
   rate on the revenue inside the band (prior x band width), and on the whole volume the
   resulting effective rate.
3. **Scorecard** (when the program has one): score = sum w x min(actual/target, cap);
   the payout table turns the score into a fraction: after scorecard = tier rebate x
   payout. Nothing left here (below the first paying tier, no growth, payout 0) is status
   *no payout*.
4. **Cap** per quarter: the amount due is min(after scorecard, cap); ``capped_amount`` is
   what the cap took away.
5. **Gates**: minimum certification rate, reports on time. A failed gate withholds the
   whole amount due: ``withheld_amount`` (forgone, with ``withheld_reason``).
6. **Inventory-loading hold**: weeks of supply or sell-in / sell-through above the
   program's limit holds the amount due: ``held_amount`` (kept back, released when the
   stock comes down), paid 0.
7. **Amount** paid = what is left, rounded once, half-up, to the cent. The amount due,
   rounded the same way, is exactly one of paid, withheld or held.

Precision: every step runs in the money context (``core.money.money_arithmetic``, 34
significant digits): sums and products of the ledger's figures (revenue with 12 decimals
up to 10**18, any rate with 4) are exact, a quotient (growth, pro rata) is rounded at the
34th digit, far below the cent. An amount too large to round to the cent raises
``AmountOutOfRange`` (a ValueError); no figure a business can have comes near it.

Accrual (:func:`accruals`), at the expected payout. At the close of month k of an
n-month quarter (its last day) the quarter is forecast at the run rate (volume to date x
n / k) and evaluated with the same steps as above on what is known on that date
(:class:`ToDate`: scorecard actuals to date against targets pro rata, certification rate
on that day, late or missing reports among the months already due, weeks of supply and
sell-in ratio to date): expected = forecast tier rebate x payout to date, capped, nothing
when a gate fails, into the held bucket when a hold applies. The month's volume (revenue,
or units for a units program) is booked at the expected effective rate, expected /
forecast volume; months already booked are not revalued. Accrued to date = the sum,
rounded to the cent; a month books the change. The quarter-end true-up = amount paid -
accrued (held: held amount - accrued into the held bucket). With no month-by-month
figures the accrual assumes the quarter's own scorecard, gates and holds, and says so.
MDF accrues at the program's MDF rate x sell-through revenue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from channelxl.core.money import money_arithmetic, round_cents
from channelxl.core.periods import Quarter
from channelxl.core.scorecard import ScorecardError, attainment, payout_fraction
from channelxl.core.tiers import TierTable
from channelxl.core.waivers import Waiver, waive

ZERO = Decimal(0)


@dataclass(frozen=True)
class ProgramRules:
    program_id: str
    name: str
    measure: str  # revenue | units | growth
    method: str  # retroactive | incremental
    tiers: TierTable
    growth_basis: str | None = None  # increment | whole
    min_certification_rate: Decimal | None = None
    require_on_time: bool = False
    cap: Decimal | None = None
    hold_max_weeks_of_supply: Decimal | None = None
    hold_max_sell_in_ratio: Decimal | None = None
    mdf_rate: Decimal | None = None
    scorecard: tuple[tuple[str, Decimal], ...] = ()  # (metric, weight)
    attainment_cap: Decimal | None = None
    payouts: tuple[tuple[Decimal, Decimal], ...] = ()  # (min score, payout fraction)


@dataclass(frozen=True)
class ToDate:
    """What is known of a distributor's quarter at the close of its month ``month`` (k,
    1-based): the accrual date is that month's last day, the figures cover months 1..k.

    ``targets`` are already pro rata where the metric accumulates (a revenue or count
    target x k / n); a rate's target stands as it is. ``late_months`` / ``missing_months``
    count only months whose report was due on or before the accrual date. ``assumed``:
    (figure, text) for what could not be had on that date and what the accrual assumed
    instead; a figure the program does not use (``weeks_of_supply`` without a weeks-of-
    supply hold...) is not mentioned.
    """

    month: int
    certification_rate: Decimal | None = None
    late_months: tuple[str, ...] = ()
    missing_months: tuple[str, ...] = ()
    weeks_of_supply: Decimal | None = None
    sell_in_ratio: Decimal | None = None
    actuals: dict = field(default_factory=dict)
    targets: dict = field(default_factory=dict)
    assumed: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Figures:
    """What the engine needs about one distributor's quarter (see channelxl.ledger.figures)."""

    distributor_id: str
    quarter: Quarter
    revenue: Decimal
    units: int
    monthly_revenue: tuple[Decimal, ...] = ()
    monthly_units: tuple[int, ...] = ()
    prior_revenue: Decimal | None = None
    certification_rate: Decimal | None = None
    late_months: tuple[str, ...] = ()
    missing_months: tuple[str, ...] = ()
    weeks_of_supply: Decimal | None = None
    sell_in_ratio: Decimal | None = None
    actuals: dict = field(default_factory=dict)
    targets: dict = field(default_factory=dict)
    # month -> how its first report's received date is known, for the lateness gate's text
    received_notes: dict = field(default_factory=dict)
    waivers: tuple[Waiver, ...] = ()  # the distributor-quarter's waivers (core.waivers)
    to_date: tuple[ToDate, ...] = ()  # one per month of the quarter, for the accruals


@dataclass(frozen=True)
class Gate:
    name: str
    value: str
    required: str
    passed: bool  # counts as passed: True for a failed gate a waiver forgives
    waiver: str = ""  # the gate FAILED and this waiver forgave it (core.waivers)

    @property
    def verdict(self) -> str:
        """``pass``, ``FAIL``, or ``FAIL, waived by NAME on DATE: REASON``."""
        if self.waiver:
            return f"FAIL, {self.waiver}"
        return "pass" if self.passed else "FAIL"


@dataclass(frozen=True)
class Accrual:
    """One month's accrual: the quarter as expected at that month's close, and what it books.

    ``rate`` = ``expected`` / ``forecast`` (0 without volume): the effective rate this
    month's volume (``to_date`` less the months before) is booked at; the same for the
    held bucket with ``expected_held``. ``cumulative`` / ``held_cumulative``: accrued to
    date, rounded to the cent; ``booked`` / ``held_booked``: the change this month.
    """

    month: int  # 1..n within the quarter
    to_date: Decimal  # volume to date: revenue, or units for a units program
    forecast: Decimal  # forecast quarter volume at the run rate: to date x n / k
    cumulative: Decimal  # accrued to date, cents
    booked: Decimal  # this month's accrual, cents
    tier_rebate: Decimal = ZERO  # the forecast quarter's tier rebate
    payout: Decimal | None = None  # scorecard payout to date (None: no scorecard)
    expected: Decimal = ZERO  # expected quarter payment: after payout, cap, gates, hold
    expected_held: Decimal = ZERO  # expected quarter amount held for inventory loading
    rate: Decimal = ZERO
    held_cumulative: Decimal = ZERO
    held_booked: Decimal = ZERO
    basis: str = ""  # gates and holds as they stood, and anything assumed


@dataclass
class RebateResult:
    program_id: str
    program_name: str
    distributor_id: str
    quarter: Quarter
    measure_name: str
    method: str
    measure: Decimal | None  # revenue, units or growth fraction; None: no baseline
    tier: int | None = None  # 1-based; None below the first tier
    tier_label: str | None = None
    rate: Decimal = ZERO  # fraction for revenue and growth, money per unit for units
    base: Decimal = ZERO  # basis the rate applies to (revenue, units, increment...)
    base_amount: Decimal = ZERO  # tier rebate before scorecard, gates, hold and cap
    score: Decimal | None = None
    payout: Decimal | None = None
    after_scorecard: Decimal = ZERO  # tier rebate x payout (x 1 without a scorecard)
    capped_amount: Decimal = ZERO  # what the cap took away (unrounded)
    due: Decimal = ZERO  # after scorecard and cap: what the gates and the hold act on
    gates: list[Gate] = field(default_factory=list)
    withheld_amount: Decimal = ZERO  # forgone by a failed gate, cents
    withheld_reason: str = ""
    held: bool = False
    hold_reason: str = ""
    held_amount: Decimal = ZERO  # kept back for inventory loading, cents
    cap_applied: bool = False
    amount: Decimal = ZERO  # what is paid, rounded once to the cent
    next_tier_gap: Decimal | None = None
    mdf_accrued: Decimal = ZERO
    accruals: list[Accrual] = field(default_factory=list)
    true_up: Decimal = ZERO
    held_true_up: Decimal = ZERO  # held amount - accrued into the held bucket
    notes: list[str] = field(default_factory=list)

    @property
    def gates_passed(self) -> bool:
        return all(g.passed for g in self.gates)

    @property
    def accrued(self) -> Decimal:
        """Accrued over the quarter (cents): the last month's accrued to date."""
        return self.accruals[-1].cumulative if self.accruals else ZERO

    @property
    def accrued_held(self) -> Decimal:
        return self.accruals[-1].held_cumulative if self.accruals else ZERO

    @property
    def accrual_basis(self) -> str:
        """How each month was accrued: ``2026-07: ...; 2026-08: ...`` (months by position)."""
        months = [str(m) for m in self.quarter.months]
        return "; ".join(
            f"{months[a.month - 1] if a.month <= len(months) else a.month}: {a.basis}"
            for a in self.accruals
        )

    @property
    def status(self) -> str:
        """no baseline, no payout (nothing left after tier and scorecard), withheld, held,
        capped or earned."""
        if self.measure is None:
            return "no baseline"
        if round_cents(self.after_scorecard) == 0:
            return "no payout"
        if not self.gates_passed:
            return "withheld"
        if self.held:
            return "held"
        return "capped" if self.cap_applied else "earned"


def _pct(x: Decimal | None) -> str:
    return "n/a" if x is None else f"{x * 100:.1f} %"


@money_arithmetic
def base_amount(rules: ProgramRules, revenue: Decimal, units: Decimal, prior: Decimal | None):
    """(measure, basis, tier rebate before adjustments); measure None: no growth baseline."""
    t = rules.tiers
    if rules.measure == "revenue":
        return revenue, revenue, t.amount(revenue, rules.method)
    if rules.measure == "units":
        return units, units, t.amount(units, rules.method)
    if prior is None or prior <= 0:
        return None, ZERO, ZERO
    growth = (revenue - prior) / prior
    increment = revenue - prior
    whole = rules.growth_basis == "whole"
    basis = revenue if whole else max(increment, ZERO)
    if growth <= 0:
        return growth, basis, ZERO
    if rules.method == "retroactive":
        return growth, basis, t.rate_for(growth) * basis
    on_increment = t.incremental(growth) * prior  # each band's rate on the revenue inside it
    if not whole:
        return growth, basis, on_increment
    return growth, basis, on_increment / increment * revenue


def _score(rules: ProgramRules, f: Figures, result: RebateResult) -> Decimal:
    score = ZERO
    for metric, weight in rules.scorecard:
        actual, target = f.actuals.get(metric), f.targets.get(metric)
        if actual is None or target is None or target <= 0:
            result.notes.append(
                f"scorecard: no {'target' if actual is not None else 'actual'} "
                f"for {metric}; it counts 0"
            )
            continue
        try:
            score += weight * attainment(actual, target, rules.attainment_cap)
        except ScorecardError:  # pragma: no cover - guarded above
            continue
    return score


@money_arithmetic
def evaluate(rules: ProgramRules, f: Figures) -> RebateResult:
    """Evaluate ``rules`` on ``f``; every step is recorded on the result."""
    revenue, units = f.revenue, Decimal(f.units)
    measure, basis, base = base_amount(rules, revenue, units, f.prior_revenue)
    r = RebateResult(
        program_id=rules.program_id,
        program_name=rules.name,
        distributor_id=f.distributor_id,
        quarter=f.quarter,
        measure_name=rules.measure,
        method=rules.method,
        measure=measure,
        base=basis,
        base_amount=base,
    )
    if measure is None:
        r.notes.append(
            f"no baseline: no sell-through in {f.quarter} a year earlier, so no growth rebate"
        )
    else:
        i = rules.tiers.reached(measure)
        r.tier = None if i is None else i + 1
        r.tier_label = None if i is None else rules.tiers.tiers[i].label
        r.rate = rules.tiers.rate_for(measure)
        r.next_tier_gap = rules.tiers.next_gap(measure)
        if rules.measure == "growth" and measure <= 0:
            r.notes.append(f"no growth: {f.quarter} revenue is not above the year before")
        elif base == 0:
            r.notes.append("no payout: the measure is below the first tier that pays")
    amount = base
    if rules.scorecard:
        r.score = _score(rules, f, r)
        r.payout = payout_fraction(r.score, rules.payouts)
        amount = amount * r.payout
    r.after_scorecard = amount
    if rules.cap is not None and amount > rules.cap:
        r.cap_applied = True
        r.capped_amount = amount - rules.cap
        r.notes.append(f"capped at {rules.cap}")
        amount = rules.cap
    r.due = due = amount  # what the gates and the hold act on
    if rules.min_certification_rate is not None:
        rate = f.certification_rate
        r.gates.append(
            Gate(
                "certification rate",
                _pct(rate),
                f">= {_pct(rules.min_certification_rate)}",
                rate is not None and rate >= rules.min_certification_rate,
            )
        )
    if rules.require_on_time:
        problems = [
            f"{m} late ({f.received_notes[m]})" if m in f.received_notes else f"{m} late"
            for m in f.late_months
        ] + [f"{m} missing" for m in f.missing_months]
        r.gates.append(
            Gate(
                "reports on time",
                ", ".join(problems) or "all on time",
                "every month by its due day",
                not problems,
            )
        )
    r.gates = [waive(g, f.waivers, f.distributor_id, f.quarter, rules.program_id) for g in r.gates]
    r.notes.extend(f"{g.name} gate failed, {g.waiver}" for g in r.gates if g.waiver)
    if not r.gates_passed:
        failed = ", ".join(g.name for g in r.gates if not g.passed)
        r.notes.append(f"withheld: gate failed ({failed})")
        amount = ZERO
    if not r.gates_passed and due > 0:
        r.withheld_amount = round_cents(due)
        r.withheld_reason = "gate failed: " + "; ".join(
            f"{g.name} {g.value} (needs {g.required})" for g in r.gates if not g.passed
        )
    reasons = [
        # limits come from the ledger as DECIMAL(18,4): 26.0000 reads as 26
        f"{label} {value:.{places}f} > {format(limit.normalize(), 'f')}"
        for label, value, limit, places in (
            ("weeks of supply", f.weeks_of_supply, rules.hold_max_weeks_of_supply, 1),
            ("sell-in / sell-through", f.sell_in_ratio, rules.hold_max_sell_in_ratio, 2),
        )
        if limit is not None and value is not None and value > limit
    ]
    if reasons and amount > 0:
        r.held, r.hold_reason = True, "; ".join(reasons)
        r.held_amount = round_cents(amount)
        r.notes.append(f"held for inventory loading: {r.hold_reason}")
        amount = ZERO
    elif reasons:
        r.hold_reason = "; ".join(reasons)
    r.amount = round_cents(amount)
    if rules.mdf_rate:
        r.mdf_accrued = round_cents(rules.mdf_rate * revenue)
    r.accruals = accruals(rules, f)
    r.true_up = r.amount - r.accrued
    r.held_true_up = r.held_amount - r.accrued_held
    return r


def _volume(rules: ProgramRules, revenue: Decimal, units: Decimal) -> Decimal:
    """What the accrual books a rate on: units for a units program, else revenue."""
    return units if rules.measure == "units" else revenue


def _standing(rules: ProgramRules, x: RebateResult, assumed) -> str:
    """The accrual's basis in words: the payout, gates and hold as they stood, and what was
    assumed about a figure the program uses."""
    uses = {
        "all": True,
        "weeks_of_supply": rules.hold_max_weeks_of_supply is not None,
        "sell_in_ratio": rules.hold_max_sell_in_ratio is not None,
        "certification_rate": rules.min_certification_rate is not None,
    }
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
    parts.extend(f"assumed {text}" for figure, text in assumed if uses.get(figure, True))
    return ", ".join(parts)


@money_arithmetic
def accruals(rules: ProgramRules, f: Figures) -> list[Accrual]:
    """Monthly accruals at the expected payout (module docstring): each month's volume at
    expected / forecast volume, the quarter evaluated on what was known at the month's close.
    """
    out: list[Accrual] = []
    n = len(f.monthly_revenue)
    known = {t.month: t for t in f.to_date}
    rev_to_date, units_to_date = ZERO, ZERO
    booked_paid, booked_held = ZERO, ZERO  # unrounded sums of volume x rate
    cumulative, held_cumulative = ZERO, ZERO
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
        # every field named (dataclasses.replace costs as much again as the rest of a month)
        forecast_figures = Figures(
            distributor_id=f.distributor_id,
            quarter=f.quarter,
            revenue=rev_to_date * scale,
            units=units_to_date * scale,
            monthly_revenue=(),
            monthly_units=(),
            prior_revenue=f.prior_revenue,
            certification_rate=t.certification_rate,
            late_months=t.late_months,
            missing_months=t.missing_months,
            weeks_of_supply=t.weeks_of_supply,
            sell_in_ratio=t.sell_in_ratio,
            actuals=t.actuals,
            targets=t.targets,
            received_notes=f.received_notes,
            waivers=f.waivers,
            to_date=(),
        )
        x = evaluate(rules, forecast_figures)
        expected = x.due if x.gates_passed and not x.held else ZERO
        held = x.due if x.held else ZERO
        forecast = _volume(rules, rev_to_date, units_to_date) * scale
        rate = expected / forecast if forecast else ZERO
        held_rate = held / forecast if forecast else ZERO
        volume = _volume(rules, month_rev, month_units)
        booked_paid += volume * rate
        booked_held += volume * held_rate
        new_cumulative, new_held = round_cents(booked_paid), round_cents(booked_held)
        out.append(
            Accrual(
                month=k,
                to_date=_volume(rules, rev_to_date, units_to_date),
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

"""Evaluating a rebate program for one distributor and quarter, explained step by step.

Pure: plain figures in (:class:`ProgramRules`, :class:`Figures`), a
:class:`RebateResult` out that a person can redo by hand. The steps, in order:

1. **Measure**: sell-through revenue (reporting currency), sell-through units, or growth
   = (revenue - prior) / prior against the same quarter a year earlier. Growth with no
   baseline (prior missing or <= 0) earns nothing, and says so.
2. **Tier and base amount** (:mod:`channelxl.core.tiers`): retroactive or incremental.
   Growth programs pay on the increment (revenue - prior) or on the whole revenue:
   retroactive pays the reached rate on that base; incremental pays each growth band's
   rate on the revenue inside the band (prior x band width), and on the whole volume the
   resulting effective rate.
3. **Scorecard** (when the program has one): score = sum w x min(actual/target, cap);
   the payout table turns the score into a fraction of the base amount.
4. **Gates**: minimum certification rate, reports on time. A failed gate withholds it all.
5. **Inventory-loading hold**: weeks of supply or sell-in / sell-through above the
   program's limit holds the rebate (shown as held, paid 0).
6. **Cap** per quarter.
7. **Amount** = the result, rounded once, half-up, to the cent.

Precision: every step runs in the money context (``core.money.money_arithmetic``, 34
significant digits): sums and products of the ledger's figures (revenue with 12 decimals
up to 10**18, any rate with 4) are exact, a quotient (growth, pro rata) is rounded at the
34th digit, far below the cent. An amount too large to round to the cent raises
``AmountOutOfRange`` (a ValueError); no figure a business can have comes near it.

Accrual: after month k of the quarter, the quarter is forecast at the run rate
(to-date x 3 / k); the cumulative accrual is k/3 of the forecast quarter's base amount,
rounded to the cent; the monthly accrual is the change; the true-up at quarter end is
the amount minus what was accrued (it carries the scorecard, gates, hold and cap).
MDF accrues at the program's MDF rate x sell-through revenue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from channelxl.core.money import money_arithmetic, round_cents
from channelxl.core.periods import Quarter
from channelxl.core.scorecard import ScorecardError, attainment, payout_fraction
from channelxl.core.tiers import TierTable

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


@dataclass(frozen=True)
class Gate:
    name: str
    value: str
    required: str
    passed: bool


@dataclass(frozen=True)
class Accrual:
    month: int  # 1..3 within the quarter
    to_date: Decimal  # measure to date (revenue or units)
    forecast: Decimal  # forecast quarter measure at the run rate
    cumulative: Decimal  # accrued to date, cents
    booked: Decimal  # this month's accrual, cents


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
    rate: Decimal = ZERO
    base: Decimal = ZERO  # basis the rate applies to (revenue, units, increment...)
    base_amount: Decimal = ZERO  # tier rebate before scorecard, gates, hold and cap
    score: Decimal | None = None
    payout: Decimal | None = None
    gates: list[Gate] = field(default_factory=list)
    held: bool = False
    hold_reason: str = ""
    held_amount: Decimal = ZERO
    cap_applied: bool = False
    amount: Decimal = ZERO  # what is paid, rounded once to the cent
    next_tier_gap: Decimal | None = None
    mdf_accrued: Decimal = ZERO
    accruals: list[Accrual] = field(default_factory=list)
    true_up: Decimal = ZERO
    notes: list[str] = field(default_factory=list)

    @property
    def gates_passed(self) -> bool:
        return all(g.passed for g in self.gates)

    @property
    def status(self) -> str:
        if self.measure is None:
            return "no baseline"
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
    amount = base
    if rules.scorecard:
        r.score = _score(rules, f, r)
        r.payout = payout_fraction(r.score, rules.payouts)
        amount = amount * r.payout
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
        problems = [f"{m} late" for m in f.late_months] + [f"{m} missing" for m in f.missing_months]
        r.gates.append(
            Gate(
                "reports on time",
                ", ".join(problems) or "all on time",
                "every month by its due day",
                not problems,
            )
        )
    if not r.gates_passed:
        failed = ", ".join(g.name for g in r.gates if not g.passed)
        r.notes.append(f"withheld: gate failed ({failed})")
        amount = ZERO
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
    if rules.cap is not None and amount > rules.cap:
        r.cap_applied = True
        r.notes.append(f"capped at {rules.cap}")
        amount = rules.cap
    r.amount = round_cents(amount)
    if rules.mdf_rate:
        r.mdf_accrued = round_cents(rules.mdf_rate * revenue)
    r.accruals = accruals(rules, f)
    r.true_up = r.amount - (r.accruals[-1].cumulative if r.accruals else ZERO)
    return r


@money_arithmetic
def accruals(rules: ProgramRules, f: Figures) -> list[Accrual]:
    """Monthly accruals at the tier the quarter is forecast to reach (run rate)."""
    out: list[Accrual] = []
    months = len(f.monthly_revenue) or 0
    rev_to_date, units_to_date, booked = ZERO, ZERO, ZERO
    for k in range(1, months + 1):
        rev_to_date += f.monthly_revenue[k - 1]
        units_to_date += Decimal(f.monthly_units[k - 1]) if f.monthly_units else ZERO
        scale = Decimal(months) / Decimal(k)
        _, _, forecast_base = base_amount(
            rules, rev_to_date * scale, units_to_date * scale, f.prior_revenue
        )
        cumulative = round_cents(forecast_base * Decimal(k) / Decimal(months))
        to_date = units_to_date if rules.measure == "units" else rev_to_date
        out.append(Accrual(k, to_date, to_date * scale, cumulative, cumulative - booked))
        booked = cumulative
    return out

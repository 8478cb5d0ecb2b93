"""The inputs of a rebate program's evaluation and the steps the quarter's evaluation
(:mod:`channelxl.core.rebates`) and its monthly accruals (:mod:`channelxl.core.accruals`)
both take: the measure and tier rebate, the scorecard score, the hold's reason.

Pure, in the money context of the caller (``core.money.money_arithmetic``): see
:mod:`channelxl.core.rebates` for the steps, their order and the precision.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from channelxl.core.money import D, money_arithmetic
from channelxl.core.periods import Quarter
from channelxl.core.scorecard import ScorecardError, attainment, payout_fraction
from channelxl.core.tiers import TierTable
from channelxl.core.waivers import Waiver

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

    @cached_property
    def _payout_table(self) -> tuple[tuple[Decimal, Decimal], ...] | None:
        """The payout table as exact Decimals, once (payout_fraction converts every row on
        every call); None when a row is not a number: payout_fraction says so when used."""
        try:
            return tuple((D(low), D(payout)) for low, payout in self.payouts)
        except (TypeError, ValueError):
            return None

    def payout(self, score: Decimal) -> Decimal:
        """``core.scorecard.payout_fraction(score, self.payouts)``."""
        table = self._payout_table
        if table is None or type(score) is not Decimal or not score.is_finite():
            return payout_fraction(score, self.payouts)
        result = ZERO
        for low, payout in table:
            if score >= low:
                result = payout
            else:
                break
        return result


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
    """What the engine needs about one distributor's quarter. Any object with these
    attributes will do: the ledger passes its ``ledger.figures.QuarterFigures``, whose ratios
    are computed when read (a test keeps it holding every one)."""

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


def _pct(x: Decimal | None) -> str:
    return "n/a" if x is None else f"{x * 100:.1f} %"


@money_arithmetic
def base_amount(rules: ProgramRules, revenue: Decimal, units: Decimal, prior: Decimal | None):
    """(measure, basis, tier rebate before adjustments); measure None: no growth baseline."""
    return _base_amount(rules, revenue, units, prior)


def _base_amount(rules: ProgramRules, revenue: Decimal, units: Decimal, prior: Decimal | None):
    """:func:`base_amount` in the caller's context (:func:`evaluate`'s or :func:`accruals`'
    money context)."""
    t = rules.tiers
    if rules.measure == "revenue":
        return revenue, revenue, t.amount_in_context(revenue, rules.method)
    if rules.measure == "units":
        return units, units, t.amount_in_context(units, rules.method)
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


def _score(rules: ProgramRules, actuals: dict, targets: dict, notes: list | None) -> Decimal:
    """sum weight x attainment; a metric without an actual or a target counts 0 (said in
    ``notes`` when given). Runs in its caller's context: :func:`evaluate`'s or
    :func:`accruals`' money context."""
    score = ZERO
    for metric, weight in rules.scorecard:
        actual, target = actuals.get(metric), targets.get(metric)
        if actual is None or target is None or target <= 0:
            if notes is not None:
                notes.append(
                    f"scorecard: no {'target' if actual is not None else 'actual'} "
                    f"for {metric}; it counts 0"
                )
            continue
        cap = rules.attainment_cap
        if (
            type(actual) is Decimal
            and type(target) is Decimal
            and actual.is_finite()
            and target.is_finite()
            and (cap is None or (type(cap) is Decimal and cap.is_finite() and cap >= 0))
        ):
            # attainment()'s arithmetic, inline (its checks hold): the caller's money context
            value = actual / target
            score += weight * (value if cap is None else min(value, cap))
            continue
        try:
            score += weight * attainment(actual, target, cap)
        except ScorecardError:  # a negative attainment cap: the metric counts 0
            continue
    return score


def _hold_reason(rules: ProgramRules, weeks: Decimal | None, sell_in: Decimal | None) -> str:
    """Why the inventory-loading hold applies ("" when it does not): each figure above its
    limit."""
    return "; ".join(
        # limits come from the ledger as DECIMAL(18,4): 26.0000 reads as 26
        f"{label} {value:.{places}f} > {format(limit.normalize(), 'f')}"
        for label, value, limit, places in (
            ("weeks of supply", weeks, rules.hold_max_weeks_of_supply, 1),
            ("sell-in / sell-through", sell_in, rules.hold_max_sell_in_ratio, 2),
        )
        if limit is not None and value is not None and value > limit
    )

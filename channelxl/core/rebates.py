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

Accrual: :mod:`channelxl.core.accruals` (each month's accrual at the expected payout).
MDF accrues at the program's MDF rate x sell-through revenue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from channelxl.core.accruals import accruals
from channelxl.core.money import AmountOutOfRange, money_arithmetic, round_cents
from channelxl.core.periods import Quarter
from channelxl.core.rebate_rules import (  # the inputs, importable from here as before
    ZERO,
    Accrual,
    Figures,
    Gate,
    ProgramRules,
    ToDate,
    _base_amount,
    _hold_reason,
    _pct,
    _score,
    base_amount,
)
from channelxl.core.waivers import waive

__all__ = [
    "Accrual",
    "Figures",
    "Gate",
    "ProgramRules",
    "RebateResult",
    "ToDate",
    "accruals",
    "base_amount",
    "evaluate",
]


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
    notes: list[str] = field(default_factory=list)
    # The monthly accruals are computed when first read (:attr:`accruals`): a caller
    # evaluating many quarters for their amounts (the MDF fund, prior-period adjustments)
    # does not pay for three forecast quarters each. What they are computed from:
    # (rules, figures, what an accrual that cannot be computed is raised as).
    _accrue: tuple | None = field(default=None, repr=False, compare=False)
    _accruals: list[Accrual] | None = field(default=None, repr=False, compare=False)

    @property
    def accruals(self) -> list[Accrual]:
        """One :class:`Accrual` per month of the quarter (:func:`core.accruals.accruals`)."""
        if self._accruals is None:
            rules, f, on_error = self._accrue
            try:
                self._accruals = accruals(rules, f)
            except (AmountOutOfRange, ArithmeticError) as exc:
                if on_error is None:
                    raise
                raise on_error(exc) from exc
            self._accrue = None
        return self._accruals

    @property
    def true_up(self) -> Decimal:
        """The quarter-end true-up: amount paid - accrued."""
        return self.amount - self.accrued

    @property
    def held_true_up(self) -> Decimal:
        """Held amount - accrued into the held bucket."""
        return self.held_amount - self.accrued_held

    def __getstate__(self) -> dict:
        # pickled (a Dask worker's results): with the accruals, not what they come from
        self.accruals  # noqa: B018
        return self.__dict__

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


@money_arithmetic
def evaluate(
    rules: ProgramRules, f: Figures, on_error: Callable[[Exception], Exception] | None = None
) -> RebateResult:
    """Evaluate ``rules`` on ``f``; every step is recorded on the result. Its accruals are
    computed when first read; ``on_error`` turns an accrual that cannot be computed to the
    cent (absurd figures: ``AmountOutOfRange``) into the error raised then."""
    revenue, units = f.revenue, Decimal(f.units)
    measure, basis, base = _base_amount(rules, revenue, units, f.prior_revenue)
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
        i, r.rate, r.next_tier_gap = rules.tiers.place(measure)
        r.tier = None if i is None else i + 1
        r.tier_label = None if i is None else rules.tiers.tiers[i].label
        if rules.measure == "growth" and measure <= 0:
            r.notes.append(f"no growth: {f.quarter} revenue is not above the year before")
        elif base == 0:
            r.notes.append("no payout: the measure is below the first tier that pays")
    amount = base
    if rules.scorecard:
        r.score = _score(rules, f.actuals, f.targets, r.notes)
        r.payout = rules.payout(r.score)
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
    if f.waivers:  # (a gate stands as it is without any)
        r.gates = [
            waive(g, f.waivers, f.distributor_id, f.quarter, rules.program_id) for g in r.gates
        ]
        r.notes.extend(f"{g.name} gate failed, {g.waiver}" for g in r.gates if g.waiver)
    failed = [g for g in r.gates if not g.passed]
    if failed:
        r.notes.append(f"withheld: gate failed ({', '.join(g.name for g in failed)})")
        amount = ZERO
        if due > 0:
            r.withheld_amount = round_cents(due)
            r.withheld_reason = "gate failed: " + "; ".join(
                f"{g.name} {g.value} (needs {g.required})" for g in failed
            )
    hold_reason = (
        _hold_reason(rules, f.weeks_of_supply, f.sell_in_ratio)
        if rules.hold_max_weeks_of_supply is not None or rules.hold_max_sell_in_ratio is not None
        else ""  # a program without a hold limit holds nothing
    )
    if hold_reason and amount > 0:
        r.held, r.hold_reason = True, hold_reason
        r.held_amount = round_cents(amount)
        r.notes.append(f"held for inventory loading: {r.hold_reason}")
        amount = ZERO
    elif hold_reason:
        r.hold_reason = hold_reason
    r.amount = round_cents(amount)
    if rules.mdf_rate:
        r.mdf_accrued = round_cents(rules.mdf_rate * revenue)
    r._accrue = (rules, f, on_error)
    return r

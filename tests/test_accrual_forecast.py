"""Each accrual month evaluates the forecast quarter without building its explanation
(``core.accruals._forecast``). It must say and book exactly what the full evaluation of the
same forecast figures would: the tier rebate, payout, amount due, gates, hold, and the basis
text a person reads. Checked here against ``evaluate`` on random programs and figures,
including absurd amounts (the same error), waivers, late reports and holds; and the month's
figures to date against the quarter's by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from channelxl.core.accruals import _forecast, _standing
from channelxl.core.money import AmountOutOfRange, money_arithmetic
from channelxl.core.periods import Quarter
from channelxl.core.rebates import Figures, ProgramRules, ToDate, evaluate
from channelxl.core.scorecard import payout_fraction
from channelxl.core.tiers import TierTable
from channelxl.core.waivers import ALL_GATES, CERTIFICATION, LATE, Waiver

D = Decimal
Q = Quarter(2026, 3)
METRICS = ("sell_through", "new_resellers", "certification", "demand_gen")

money = st.decimals(min_value=0, max_value=10**7, places=2)
fraction = st.decimals(min_value=0, max_value=2, places=3)


def optional(strategy):
    return st.one_of(st.none(), strategy)


@st.composite
def programs(draw) -> ProgramRules:
    measure = draw(st.sampled_from(["revenue", "units", "growth"]))
    thresholds = sorted(set(draw(st.lists(money, min_size=1, max_size=4))))
    if draw(st.booleans()):
        thresholds[0] = D(0)
    if measure == "growth":  # growth tiers are fractions of growth
        thresholds = sorted({t / 10**6 for t in thresholds})
    rates = draw(
        st.lists(
            st.decimals(min_value=0, max_value=D("0.1"), places=4),
            min_size=len(thresholds),
            max_size=len(thresholds),
        )
    )
    scorecard = tuple(
        (m, draw(st.decimals(min_value=0, max_value=1, places=2)))
        for m in draw(st.lists(st.sampled_from(METRICS), unique=True, max_size=4))
    )
    payouts = tuple(
        sorted({(s, p) for s, p in draw(st.lists(st.tuples(fraction, fraction), max_size=3))})
    )
    return ProgramRules(
        program_id="P",
        name="P",
        measure=measure,
        method=draw(st.sampled_from(["retroactive", "incremental"])),
        tiers=TierTable.of(list(zip(thresholds, rates, strict=True))),
        growth_basis=draw(st.sampled_from([None, "increment", "whole"])),
        min_certification_rate=draw(optional(st.decimals(min_value=0, max_value=1, places=2))),
        require_on_time=draw(st.booleans()),
        cap=draw(optional(money)),
        hold_max_weeks_of_supply=draw(optional(st.decimals(min_value=0, max_value=30, places=4))),
        hold_max_sell_in_ratio=draw(optional(st.decimals(min_value=0, max_value=3, places=4))),
        mdf_rate=draw(optional(st.decimals(min_value=0, max_value=D("0.05"), places=4))),
        scorecard=scorecard,
        attainment_cap=draw(optional(st.decimals(min_value=-1, max_value=2, places=2))),
        payouts=payouts,
    )


@st.composite
def standings(draw) -> tuple[Figures, ToDate, Decimal, Decimal]:
    """The quarter's figures, what was known at a month's close, and the forecast volume."""
    months = ["2026-07", "2026-08", "2026-09"]
    late = tuple(m for m in months if draw(st.booleans()))
    missing = tuple(m for m in months if m not in late and draw(st.booleans()))
    waivers = tuple(
        Waiver(
            "D001",
            str(Q),
            draw(st.sampled_from([None, "P", "OTHER"])),
            waives,
            "outage",
            "A. Jones",
            date(2026, 10, 14),
        )
        for waives in draw(st.lists(st.sampled_from([LATE, CERTIFICATION, ALL_GATES]), max_size=2))
    )
    f = Figures(
        distributor_id="D001",
        quarter=Q,
        revenue=D(0),
        units=0,
        prior_revenue=draw(optional(st.decimals(min_value=-1000, max_value=10**7, places=2))),
        received_notes={
            m: f"received 2026-{i + 8:02d}-20, file time"
            for i, m in enumerate(late)
            if draw(st.booleans())
        },
        waivers=waivers,
    )
    targets = {
        m: draw(optional(st.decimals(min_value=-5, max_value=10**6, places=2))) for m in METRICS
    }
    actuals = {
        m: draw(optional(st.decimals(min_value=0, max_value=10**6, places=2))) for m in METRICS
    }
    t = ToDate(
        month=draw(st.integers(1, 3)),
        certification_rate=draw(optional(st.decimals(min_value=0, max_value=1, places=3))),
        late_months=late,
        missing_months=missing,
        weeks_of_supply=draw(optional(st.decimals(min_value=0, max_value=40, places=3))),
        sell_in_ratio=draw(optional(st.decimals(min_value=0, max_value=4, places=3))),
        actuals=actuals,
        targets=targets,
        assumed=draw(st.sampled_from([(), (("weeks_of_supply", "no weeks-of-supply hold"),)])),
    )
    revenue = draw(st.one_of(money, st.just(D(10) ** 35)))  # absurd: must fail the same way
    units = D(draw(st.integers(0, 10**6))) * draw(st.sampled_from([D(1), D("1.5"), D(3)]))
    return f, t, revenue, units


def full_evaluation(rules, f, t, revenue, units):
    """The accrual month as evaluated before: ``evaluate`` on the forecast figures."""
    return evaluate(
        rules,
        Figures(
            distributor_id=f.distributor_id,
            quarter=f.quarter,
            revenue=revenue,
            units=units,
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
        ),
    )


@money_arithmetic
def light_evaluation(rules, f, t, revenue, units):
    return _forecast(rules, f, t, revenue, units)  # accruals() calls it in the money context


def outcome(fn, *args):
    try:
        return fn(*args), None
    except (AmountOutOfRange, ArithmeticError) as exc:
        return None, type(exc)


@settings(max_examples=400, deadline=None)
@given(programs(), standings())
def test_the_light_forecast_says_and_books_what_the_full_evaluation_does(rules, standing):
    f, t, revenue, units = standing
    full, full_error = outcome(full_evaluation, rules, f, t, revenue, units)
    light, light_error = outcome(light_evaluation, rules, f, t, revenue, units)
    assert light_error == full_error
    if full is None:
        return
    assert light.measure == full.measure
    assert light.base_amount == full.base_amount
    assert repr(light.base_amount) == repr(full.base_amount)  # the same digits, not just value
    assert light.payout == full.payout
    assert repr(light.due) == repr(full.due)
    assert light.cap_applied == full.cap_applied
    assert bool(light.gates) == bool(full.gates)
    assert light.gates_passed == full.gates_passed
    assert light.withheld_reason == full.withheld_reason
    assert light.held == full.held
    if full.held:
        assert light.hold_reason == full.hold_reason
    assert _standing(rules, light, t.assumed) == _standing(rules, full, t.assumed)


@given(
    st.decimals(min_value=0, max_value=3, places=4),
    st.lists(
        st.tuples(
            st.decimals(min_value=0, max_value=2, places=2),
            st.decimals(min_value=0, max_value=1, places=2),
        ),
        max_size=4,
    ),
)
def test_the_payout_table_read_once_pays_what_payout_fraction_does(score, table):
    table = tuple(sorted(table))
    rules = ProgramRules("P", "P", "revenue", "retroactive", TierTable.of([(0, 0)]), payouts=table)
    assert rules.payout(score) == payout_fraction(score, table)


def test_a_waived_late_report_accrues_and_the_basis_says_the_gates_pass():
    """Late report in month 1, waived: the forecast at 300,000 pays 3 % = 9,000."""
    rules = ProgramRules(
        "P",
        "P",
        "revenue",
        "retroactive",
        TierTable.of([(0, 0), (250000, "0.03")]),
        require_on_time=True,
    )
    waiver = Waiver("D001", str(Q), None, LATE, "outage", "A. Jones", date(2026, 10, 14))
    f = Figures("D001", Q, D(0), 0, waivers=(waiver,))
    t = ToDate(month=1, late_months=("2026-07",))
    x = light_evaluation(rules, f, t, D(300000), D(0))
    assert x.gates_passed and x.due == D(9000) and not x.withheld_reason
    assert _standing(rules, x, ()) == "gates pass"
    unwaived = light_evaluation(rules, Figures("D001", Q, D(0), 0), t, D(300000), D(0))
    assert _standing(rules, unwaived, ()) == (
        "nothing accrued, gate failed: reports on time 2026-07 late (needs every month by its "
        "due day)"
    )


def test_two_failed_gates_are_both_named_as_the_full_evaluation_names_them():
    rules = ProgramRules(
        "P",
        "P",
        "revenue",
        "retroactive",
        TierTable.of([(0, "0.02")]),
        min_certification_rate=D("0.5"),
        require_on_time=True,
    )
    f = Figures("D001", Q, D(0), 0, received_notes={"2026-07": "received 2026-08-20, e-mail"})
    t = ToDate(month=2, certification_rate=D("0.25"), late_months=("2026-07",))
    x = light_evaluation(rules, f, t, D(150000), D(0))
    assert x.withheld_reason == (
        "gate failed: certification rate 25.0 % (needs >= 50.0 %); reports on time 2026-07 "
        "late (received 2026-08-20, e-mail) (needs every month by its due day)"
    )
    assert x.withheld_reason == full_evaluation(rules, f, t, D(150000), D(0)).withheld_reason

"""The rebate engine, step by step, against hand-computed figures."""

from __future__ import annotations

import pickle
from dataclasses import fields
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from channelxl.core.periods import Quarter
from channelxl.core.rebates import Figures, ProgramRules, evaluate
from channelxl.core.tiers import TierTable
from channelxl.ledger.figures import QuarterFigures

D = Decimal
TIERS_A = TierTable.of([(0, "0"), (100000, "0.02"), (250000, "0.03"), (500000, "0.04")])


def rules(**kw) -> ProgramRules:
    base = {
        "program_id": "P",
        "name": "P",
        "measure": "revenue",
        "method": "retroactive",
        "tiers": TIERS_A,
    }
    return ProgramRules(**{**base, **kw})


def figures(**kw) -> Figures:
    base = {
        "distributor_id": "D001",
        "quarter": Quarter(2026, 3),
        "revenue": D("300000"),
        "units": 1000,
        "monthly_revenue": (D("80000"), D("100000"), D("120000")),
        "monthly_units": (300, 300, 400),
    }
    return Figures(**{**base, **kw})


def test_revenue_retroactive_and_incremental():
    r = evaluate(rules(), figures())
    assert (r.tier, r.rate, r.amount, r.next_tier_gap, r.status) == (
        3,
        D("0.03"),
        D("9000.00"),
        D(200000),
        "earned",
    )
    assert evaluate(rules(method="incremental"), figures()).amount == D("4500.00")


def test_units_pay_per_unit():
    t = TierTable.of([(0, 10), (5, 12), (20, 15), (100, 20)])
    r = evaluate(rules(measure="units", tiers=t), figures(units=140, monthly_units=(40, 50, 50)))
    assert r.amount == D(2800) and r.measure == 140
    assert evaluate(
        rules(measure="units", tiers=t, method="incremental"), figures(units=140)
    ).amount == D(2230)


GROWTH = TierTable.of([(0, "0"), ("0.05", "0.02"), ("0.15", "0.05")])


def test_growth_on_the_increment():
    # prior 250,000 -> 300,000: growth 20 %, tier 3 (5 %); increment 50,000
    r = evaluate(
        rules(measure="growth", tiers=GROWTH, growth_basis="increment"),
        figures(prior_revenue=D(250000)),
    )
    assert r.measure == D("0.2") and r.tier == 3 and r.base == D(50000) and r.amount == D("2500.00")
    # incremental bands of growth, paid on the revenue inside each band:
    # 0-5 %: 0; 5-15 %: 2 % x (10 % x 250,000) = 500; 15-20 %: 5 % x (5 % x 250,000) = 625
    inc = evaluate(
        rules(measure="growth", tiers=GROWTH, method="incremental", growth_basis="increment"),
        figures(prior_revenue=D(250000)),
    )
    assert inc.amount == D("1125.00")


def test_growth_on_the_whole_volume():
    r = evaluate(
        rules(measure="growth", tiers=GROWTH, growth_basis="whole"),
        figures(prior_revenue=D(250000)),
    )
    assert r.base == D(300000) and r.amount == D("15000.00")


def test_growth_without_a_baseline_says_so():
    for prior in (None, D(0)):
        r = evaluate(
            rules(measure="growth", tiers=GROWTH, growth_basis="increment"),
            figures(prior_revenue=prior),
        )
        assert r.measure is None and r.amount == 0 and r.status == "no baseline"
        assert any("no baseline" in n for n in r.notes)
    shrink = evaluate(
        rules(measure="growth", tiers=GROWTH, growth_basis="increment"),
        figures(prior_revenue=D(400000)),
    )
    assert shrink.amount == 0 and shrink.measure == D("-0.25")


def test_gates_withhold_and_explain():
    r = evaluate(
        rules(min_certification_rate=D("0.5"), require_on_time=True),
        figures(certification_rate=D("0.4"), late_months=("2026-08",)),
    )
    assert r.amount == 0 and r.status == "withheld" and r.base_amount == D(9000)
    assert [(g.name, g.value, g.passed) for g in r.gates] == [
        ("certification rate", "40.0 %", False),
        ("reports on time", "2026-08 late", False),
    ]
    ok = evaluate(rules(min_certification_rate=D("0.5")), figures(certification_rate=D("0.5")))
    assert ok.gates[0].passed and ok.amount == D("9000.00")


def test_inventory_loading_holds_the_rebate():
    r = evaluate(
        rules(hold_max_weeks_of_supply=D(16), hold_max_sell_in_ratio=D("1.6")),
        figures(weeks_of_supply=D("30.2"), sell_in_ratio=D("1.2")),
    )
    assert r.held and r.amount == 0 and r.held_amount == D("9000.00") and r.status == "held"
    assert "weeks of supply 30.2 > 16" in r.hold_reason
    as_stored = evaluate(  # limits as the ledger keeps them, DECIMAL(18,4)
        rules(hold_max_weeks_of_supply=D("26.0000"), hold_max_sell_in_ratio=D("1.6000")),
        figures(weeks_of_supply=D("30.2"), sell_in_ratio=D("1.7")),
    )
    assert as_stored.hold_reason == "weeks of supply 30.2 > 26; sell-in / sell-through 1.70 > 1.6"
    free = evaluate(rules(hold_max_weeks_of_supply=D(16)), figures(weeks_of_supply=D(16)))
    assert not free.held and free.amount == D("9000.00")


def test_cap():
    r = evaluate(rules(cap=D(5000)), figures())
    assert r.cap_applied and r.amount == D("5000.00") and r.status == "capped"


def test_scorecard_scales_the_payout():
    sc = (("sell_through", D("0.5")), ("certification", D("0.5")))
    pay = ((D(0), D("0.5")), (D("0.9"), D(1)))
    f = figures(
        actuals={"sell_through": D(300000), "certification": D("0.4")},
        targets={"sell_through": D(250000), "certification": D("0.5")},
    )
    r = evaluate(rules(scorecard=sc, payouts=pay, attainment_cap=D("1.1")), f)
    # 0.5 x min(1.2, 1.1) + 0.5 x 0.8 = 0.95 -> payout 1
    assert r.score == D("0.95") and r.payout == 1 and r.amount == D("9000.00")
    low = evaluate(
        rules(scorecard=sc, payouts=pay),
        figures(actuals={"sell_through": D(100000), "certification": D("0.4")}, targets=f.targets),
    )
    # 0.5 x 0.4 + 0.5 x 0.8 = 0.6 -> payout 0.5 of the tier rebate 9,000
    assert low.score == D("0.6") and low.amount == D("4500.00")


def test_missing_target_counts_zero_and_is_noted():
    sc = (("sell_through", D(1)),)
    r = evaluate(
        rules(scorecard=sc, payouts=((D(0), D(1)),)),
        figures(actuals={"sell_through": D(1)}, targets={}),
    )
    assert r.score == 0 and any("no target for sell_through" in n for n in r.notes)


def test_accruals_book_each_month_at_the_expected_rate_and_true_up():
    r = evaluate(rules(cap=D(5000)), figures())
    # each month's revenue at (expected quarter payment / forecast revenue) at its close:
    # month 1: 80,000 -> forecast 240,000 (2 %) 4,800 -> rate 2 %: 80,000 x 2 % = 1,600.00
    # month 2: 180,000 -> forecast 270,000 (3 %) 8,100, capped 5,000 -> rate 5,000 / 270,000:
    #          100,000 x 5,000 / 270,000 = 1,851.85185..., to date 3,451.85
    # month 3: 300,000 -> 9,000 capped 5,000 -> rate 1/60: 120,000 / 60 = 2,000, to date 5,451.85
    assert [(a.cumulative, a.booked) for a in r.accruals] == [
        (D("1600.00"), D("1600.00")),
        (D("3451.85"), D("1851.85")),
        (D("5451.85"), D("2000.00")),
    ]
    assert [a.expected for a in r.accruals] == [D(4800), D(5000), D(5000)]
    assert r.true_up == D("-451.85")  # months 1 and 2 were booked at rates above the final 1/60
    assert sum(a.booked for a in r.accruals) + r.true_up == r.amount


def test_mdf_accrues_on_sell_through():
    assert evaluate(rules(mdf_rate=D("0.015")), figures(revenue=D("123456.78"))).mdf_accrued == D(
        "1851.85"
    )


@given(
    st.decimals(min_value=0, max_value=10**8, places=4),
    st.sampled_from(["retroactive", "incremental"]),
)
def test_amount_is_rounded_once_half_up(revenue, method):
    r = evaluate(
        rules(method=method), figures(revenue=revenue, monthly_revenue=(revenue, D(0), D(0)))
    )
    oracle = TIERS_A.amount(revenue, method).quantize(D("0.01"), rounding=ROUND_HALF_UP)
    assert r.amount == oracle
    assert sum(a.booked for a in r.accruals) + r.true_up == r.amount


def test_accruals_are_the_same_read_later_or_after_travelling_pickled():
    """The accruals are computed when first read (a caller of many quarters' amounts does
    not pay for them); read then, read after a pickle trip (a Dask worker's result), they
    are the figures above, and the true-up with them."""
    fresh = evaluate(rules(cap=D(5000)), figures())
    travelled = pickle.loads(pickle.dumps(evaluate(rules(cap=D(5000)), figures())))
    assert travelled.accruals == fresh.accruals
    assert [a.cumulative for a in travelled.accruals] == [D("1600.00"), D("3451.85"), D("5451.85")]
    assert (travelled.true_up, travelled.held_true_up) == (D("-451.85"), D(0))


def test_an_accrual_beyond_the_cent_is_raised_as_the_caller_says_when_read():
    """A quarter that pays to the cent (5 x 10**31 at 10 %) whose month-1 forecast, at the run
    rate x 3, does not (1.5 x 10**32 x 10 %, beyond 34 digits at the cent): the amount stands,
    reading the accruals raises what the caller asked for (the ledger names the figures)."""
    huge = D(5) * D(10) ** 32
    f = figures(revenue=huge, monthly_revenue=(huge, D(0), D(0)))
    tiers = TierTable.of([(0, "0.1")])

    class Absurd(Exception):
        pass

    r = evaluate(rules(tiers=tiers), f, lambda exc: Absurd(str(exc)))
    assert r.amount == D(5) * D(10) ** 31
    with pytest.raises(Absurd, match="too large to round to the cent"):
        r.accruals  # noqa: B018


def test_the_ledgers_quarter_figures_hold_every_figure_the_engine_reads():
    """The ledger hands the engine its own quarter figures (``ledger.figures``) in place of
    a :class:`Figures`: each of Figures' attributes is there, with the same meaning."""
    q = QuarterFigures("D001", "gold", Quarter(2026, 3), "EUR", units=1000, active_resellers=4)
    q.certified_resellers, q.closing_units, q.sell_in_units = 1, 650, 1100
    missing = [x.name for x in fields(Figures) if not hasattr(q, x.name)]
    assert missing == []
    assert (q.certification_rate, q.weeks_of_supply, q.sell_in_ratio) == (
        D("0.25"),
        D("8.45"),  # 650 / (1,000 / 13)
        D("1.1"),
    )

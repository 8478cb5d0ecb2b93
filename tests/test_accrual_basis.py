"""Accruals at the expected payout: each month's volume booked at what the quarter was then
expected to pay (forecast tier rebate x scorecard payout to date, gates and holds as they
stood at the month's close), against figures computed by hand."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from channelxl.core.periods import Quarter
from channelxl.core.rebates import Figures, ProgramRules, ToDate, evaluate
from channelxl.core.tiers import TierTable
from channelxl.ledger.figures import quarters_figures

D = Decimal
TIERS = TierTable.of([(0, "0"), (100000, "0.02"), (250000, "0.03"), (500000, "0.04")])
SCORECARD = (("sell_through", D(1)),)
PAYOUTS = ((D(0), D("0.5")), (D("0.9"), D(1)))


def rules(**kw) -> ProgramRules:
    return ProgramRules(**{"program_id": "P", "name": "P", "measure": "revenue",
                           "method": "retroactive", "tiers": TIERS, **kw})  # fmt: skip


def figures(to_date=(), **kw) -> Figures:
    base = {
        "distributor_id": "D001",
        "quarter": Quarter(2026, 3),
        "revenue": D(300000),
        "units": 0,
        "monthly_revenue": (D(80000), D(100000), D(120000)),
        "monthly_units": (0, 0, 0),
        "actuals": {"sell_through": D(300000)},
        "targets": {"sell_through": D(300000)},
        "to_date": to_date,
    }
    return Figures(**{**base, **kw})


def sell_through_to_date(*late_by_month) -> tuple[ToDate, ...]:
    """Months 1..3: sell-through to date 80k, 180k, 300k against a 300k target pro rata
    (100k, 200k, 300k): attainment 0.8, 0.9, 1.0 -> payout 0.5, 1, 1."""
    to_date = (D(80000), D(180000), D(300000))
    return tuple(
        ToDate(
            month=k,
            late_months=late_by_month[k - 1] if late_by_month else (),
            actuals={"sell_through": to_date[k - 1]},
            targets={"sell_through": D(100000) * k},
        )
        for k in (1, 2, 3)
    )


def test_the_scorecard_payout_to_date_scales_each_month_and_the_true_up_can_be_positive():
    r = evaluate(rules(scorecard=SCORECARD, payouts=PAYOUTS), figures(sell_through_to_date()))
    # month 1: forecast 240,000 -> 2 % -> 4,800 x payout 0.5 = 2,400: rate 1 %, 80,000 -> 800
    # month 2: forecast 270,000 -> 3 % -> 8,100 x 1 = 8,100: rate 3 %, 100,000 -> 3,000
    # month 3: 300,000 -> 9,000 x 1: rate 3 %, 120,000 -> 3,600
    assert [a.payout for a in r.accruals] == [D("0.5"), D(1), D(1)]
    assert [a.expected for a in r.accruals] == [D(2400), D(8100), D(9000)]
    assert [a.booked for a in r.accruals] == [D("800.00"), D("3000.00"), D("3600.00")]
    assert r.accrued == D("7400.00") and r.amount == D("9000.00")
    assert r.true_up == D("1600.00")  # month 1 was accrued at half the payout it earned
    assert "payout 50.0 %" in r.accrual_basis


def test_a_gate_failed_at_a_month_close_accrues_nothing_from_then():
    # 2026-07 came in late: judged from the close of August (its report was due 10 August)
    late = ((), ("2026-07",), ("2026-07",))
    r = evaluate(
        rules(require_on_time=True),
        figures(sell_through_to_date(*late), late_months=("2026-07",)),
    )
    assert [a.booked for a in r.accruals] == [D("1600.00"), D("0.00"), D("0.00")]
    assert r.status == "withheld" and r.amount == 0 and r.withheld_amount == D("9000.00")
    assert r.true_up == D("-1600.00")  # only what was booked before the gate failed
    assert "2026-08: nothing accrued, gate failed: reports on time 2026-07 late" in (
        r.accrual_basis
    )


def test_a_hold_at_a_month_close_accrues_into_the_held_bucket():
    to_date = (
        ToDate(1, weeks_of_supply=D(30)),
        ToDate(2, weeks_of_supply=D(10)),
        ToDate(3, weeks_of_supply=D(10)),
    )
    r = evaluate(rules(hold_max_weeks_of_supply=D(26)), figures(to_date, weeks_of_supply=D(10)))
    # month 1: held, forecast 4,800 -> held rate 2 %: 80,000 x 2 % = 1,600 into the bucket
    # months 2 and 3: paid at 3 %: 3,000 + 3,600
    assert [(a.booked, a.held_booked) for a in r.accruals] == [
        (D("0.00"), D("1600.00")),
        (D("3000.00"), D("0.00")),
        (D("3600.00"), D("0.00")),
    ]
    assert (r.accrued, r.accrued_held) == (D("6600.00"), D("1600.00"))
    assert (r.true_up, r.held_true_up) == (D("2400.00"), D("-1600.00"))


def test_without_month_figures_the_accrual_says_what_it_assumed():
    r = evaluate(rules(), figures())
    assert all("assumed the quarter's scorecard, gates and holds" in a.basis for a in r.accruals)
    unknown_stock = (ToDate(1, assumed=(("weeks_of_supply", "no weeks-of-supply hold"),)),)
    noted = evaluate(rules(hold_max_weeks_of_supply=D(26)), figures(unknown_stock))
    quiet = evaluate(rules(), figures(unknown_stock))  # no hold in the program: nothing to say
    assert "assumed no weeks-of-supply hold" in noted.accruals[0].basis
    assert "assumed" not in quiet.accruals[0].basis


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.decimals(min_value=0, max_value=900000, places=2), min_size=3, max_size=3),
    st.sampled_from(["retroactive", "incremental"]),
    st.sampled_from([None, D(4000)]),
)
def test_bookings_and_true_up_add_up_to_the_amount_to_the_cent(months, method, cap):
    revenue = sum(months, D(0))
    r = evaluate(
        rules(method=method, cap=cap),
        figures(revenue=revenue, monthly_revenue=tuple(months), actuals={}, targets={}),
    )
    assert sum(a.booked for a in r.accruals) + r.true_up == r.amount
    assert sum(a.held_booked for a in r.accruals) + r.held_true_up == r.held_amount
    for a in r.accruals:
        assert a.cumulative == a.cumulative.quantize(D("0.01"), rounding=ROUND_HALF_UP)


@settings(max_examples=40, deadline=None)
@given(st.decimals(min_value=0, max_value=400000, places=2))
def test_a_steady_quarter_accrues_exactly_what_it_pays(month):
    """The same revenue every month: the forecast is right from month 1, so no true-up."""
    r = evaluate(
        rules(), figures(revenue=month * 3, monthly_revenue=(month, month, month), actuals={})
    )
    assert r.true_up == 0 and r.accrued == r.amount


def test_the_ledger_figures_to_date_at_the_quarter_close_are_the_quarter_figures(
    loaded_channel,
):
    """What the accrual knew at the close of the last month is what the statement uses, and
    a month whose report was not yet due is never late."""
    ws, last = loaded_channel
    quarters = [last + -1, last]
    with ws.open_ledger() as led:
        facts = quarters_figures(led, quarters)
    for f in facts.values():
        months = [str(m) for m in f.quarter.months]
        assert [t.month for t in f.to_date] == [1, 2, 3]
        first, close = f.to_date[0], f.to_date[-1]
        assert first.late_months == () and first.missing_months == ()  # nothing due yet
        assert months[-1] not in close.late_months + close.missing_months
        assert set(close.late_months) == set(f.late_months) - {months[-1]}
        assert close.certification_rate == f.certification_rate
        assert close.actuals == f.actuals
        assert close.targets == f.targets
        assert close.weeks_of_supply == f.weeks_of_supply
        if f.units:
            assert close.sell_in_ratio == f.sell_in_ratio
        # the targets of month 1 are a third of the quarter's (a rate's stays)
        if f.targets.get("sell_through") is not None:
            assert abs(first.targets["sell_through"] * 3 - f.targets["sell_through"]) < D("1e-20")
            assert first.targets["certification"] == f.targets["certification"]
            assert first.actuals["sell_through"] == f.monthly_revenue[0]

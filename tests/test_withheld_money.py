"""Money a gate withholds or a hold keeps back is shown, with its reason, in the result, the
statement CSV and the review; nothing to pay reads "no payout", not "earned" with 0.00."""

from __future__ import annotations

import csv
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from channelxl.commands.statement import statement_tables
from channelxl.core.periods import Quarter
from channelxl.core.rebates import Figures, ProgramRules, evaluate
from channelxl.core.tiers import TierTable
from channelxl.io.statement_workbook import write_statement
from channelxl.ledger.figures import QuarterFigures
from channelxl.reports.facts import _rebate, plain
from channelxl.reports.sections import rebates

D = Decimal
TIERS = TierTable.of([(0, "0"), (100000, "0.02"), (250000, "0.03"), (500000, "0.04")])
# a scorecard that pays 80 %: attainment 0.8 of the one metric
SCORED = {
    "scorecard": (("sell_through", D(1)),),
    "payouts": ((D(0), D("0.8")),),
}


def rules(**kw) -> ProgramRules:
    return ProgramRules(**{"program_id": "P-ST", "name": "Sell-through rebate",
                           "measure": "revenue", "method": "retroactive", "tiers": TIERS,
                           **kw})  # fmt: skip


def figures(**kw) -> Figures:
    base = {
        "distributor_id": "D018",
        "quarter": Quarter(2026, 1),
        "revenue": D(300000),
        "units": 0,
        "monthly_revenue": (D(100000), D(100000), D(100000)),
        "monthly_units": (0, 0, 0),
        "actuals": {"sell_through": D(240000)},
        "targets": {"sell_through": D(300000)},
        "certification_rate": D("0.9"),
    }
    return Figures(**{**base, **kw})


def late(**kw) -> Figures:
    return figures(late_months=("2026-01",), **kw)


def test_a_late_report_withholds_the_amount_due_and_says_why():
    r = evaluate(rules(require_on_time=True, **SCORED), late())
    # tier rebate 3 % x 300,000 = 9,000; x payout 80 % = 7,200 forgone
    assert (r.base_amount, r.after_scorecard) == (D(9000), D(7200))
    assert r.amount == 0 and r.withheld_amount == D("7200.00") and r.status == "withheld"
    assert r.withheld_reason == (
        "gate failed: reports on time 2026-01 late (needs every month by its due day)"
    )
    assert r.held_amount == 0


def test_what_is_withheld_is_after_the_cap():
    r = evaluate(rules(require_on_time=True, cap=D(5000), **SCORED), late())
    assert r.cap_applied and r.capped_amount == D(2200)  # 7,200 - 5,000
    assert r.withheld_amount == D("5000.00")  # what would have been paid


def test_a_hold_keeps_back_the_amount_due_and_withholds_nothing():
    r = evaluate(rules(hold_max_weeks_of_supply=D(26), **SCORED), figures(weeks_of_supply=D(31)))
    assert r.status == "held" and r.held_amount == D("7200.00") and r.withheld_amount == 0
    assert r.hold_reason == "weeks of supply 31.0 > 26"


def test_nothing_to_pay_reads_no_payout():
    below = evaluate(rules(require_on_time=True), late(revenue=D(60000)))  # below 100,000
    assert below.status == "no payout" and below.amount == 0 and below.withheld_amount == 0
    assert "no payout: the measure is below the first tier that pays" in below.notes
    growth = ProgramRules("G", "G", "growth", "retroactive", TierTable.of([(0, "0.02")]))
    shrink = evaluate(growth, figures(prior_revenue=D(400000)))
    assert shrink.status == "no payout"
    assert evaluate(rules(), figures()).status == "earned"


@settings(max_examples=80, deadline=None)
@given(
    st.decimals(min_value=0, max_value=2_000_000, places=4),
    st.booleans(),
    st.booleans(),
    st.sampled_from([None, D(5000)]),
)
def test_the_amount_due_is_exactly_one_of_paid_withheld_or_held(revenue, is_late, loaded, cap):
    r = evaluate(
        rules(require_on_time=True, hold_max_weeks_of_supply=D(26), cap=cap, **SCORED),
        figures(
            revenue=revenue,
            late_months=("2026-01",) if is_late else (),
            weeks_of_supply=D(40) if loaded else D(5),
        ),
    )
    due = r.due.quantize(D("0.01"), rounding=ROUND_HALF_UP)
    assert r.amount + r.withheld_amount + r.held_amount == due
    assert sum(1 for x in (r.amount, r.withheld_amount, r.held_amount) if x) <= 1
    if due and is_late:
        assert r.withheld_amount == due and r.status == "withheld"


def test_the_statement_csv_and_summary_show_withheld_money(tmp_path):
    withheld = evaluate(rules(require_on_time=True, **SCORED), late())
    paid = evaluate(rules(**SCORED), figures(distributor_id="D019"))
    facts = {
        d: QuarterFigures(d, "vad", Quarter(2026, 1), "EUR", revenue=D(300000))
        for d in ("D018", "D019")
    }
    tables = statement_tables([withheld, paid], facts, {"D018": "Eighteen"})
    _, csv_path = write_statement(tables, tmp_path, "2026Q1")
    with open(csv_path, encoding="utf-8") as fh:
        rows = {r["Distributor ID"]: r for r in csv.DictReader(fh)}
    assert rows["D018"]["Withheld Amount"] == "7200.00"
    assert rows["D018"]["Withheld Reason"].startswith("gate failed: reports on time 2026-01 late")
    assert rows["D018"]["Status"] == "withheld" and rows["D018"]["Amount"] == "0.00"
    assert rows["D019"]["Withheld Amount"] == "0" and rows["D019"]["Amount"] == "7200.00"
    assert tables.totals["withheld_amount"] == D("7200.00")
    assert tables.totals["amount"] == D("7200.00")


def _doc(*results) -> dict:
    return plain({"currency": "EUR", "rebates": [_rebate(r, TIERS) for r in results]})


def test_the_review_shows_the_chain_and_what_the_gate_took():
    r = evaluate(rules(require_on_time=True, **SCORED), late())
    html = rebates(_doc(r)).markup
    # tier rebate x payout % = amount, across the row's cells
    assert '€9,000.00 × 80.0%</td><td class="num">= €7,200.00' in html
    assert "− Withheld (forgone)" in html and "−€7,200.00" in html
    assert "gate failed: reports on time" in html
    assert "rate 3.00%" in html


def test_the_review_reads_a_units_rate_as_money_per_unit_and_growth_as_a_percentage():
    cloud = ProgramRules(
        "P-CLOUD", "Cloud units", "units", "incremental", TierTable.of([(0, 0), (500, "1.5")])
    )
    units = evaluate(cloud, figures(units=800))
    growth = ProgramRules("G", "Growth", "growth", "retroactive", TierTable.of([(0, "0.02")]))
    grew = evaluate(growth, figures(prior_revenue=D(250000)))  # +20 %
    html = rebates(_doc(units, grew)).markup
    assert "rate €1.50 per unit" in html and "150.00 %" not in html and "150.00%" not in html
    assert "+20.0%" in html  # growth as a percentage, not 0.2
    assert "All programs" in html  # totals across the programs

"""A prior-period adjustment line says what changed in the statement's units: growth as a
percentage, a units program's rate as money per unit, the payout as a percentage; and an
older approval's coarser growth is not read as a change."""

from __future__ import annotations

from decimal import Decimal

from channelxl.core.periods import Quarter
from channelxl.core.rebates import Figures, ProgramRules, evaluate
from channelxl.core.tiers import TierTable
from channelxl.ledger.adjustment_steps import changed_steps
from channelxl.ledger.adjustments import result_steps

D = Decimal
Q = Quarter(2026, 3)


def _figures(revenue: int, units: int = 800, **kw) -> Figures:
    month = D(revenue) / 3
    return Figures(
        distributor_id="D002",
        quarter=Q,
        revenue=D(revenue),
        units=units,
        monthly_revenue=(month, month, month),
        monthly_units=(units // 2, units // 4, units - units // 2 - units // 4),
        **kw,
    )


GROWTH = ProgramRules(
    "P-VAD", "Growth", "growth", "retroactive", TierTable.of([(0, "0.02"), ("0.3", "0.04")])
)
CLOUD = ProgramRules(
    "P-CLOUD", "Cloud units", "units", "incremental", TierTable.of([(0, 0), (500, "1.5")])
)


def test_growth_reads_as_a_percentage():
    # 123,000 on 100,000 a year earlier is 23 % growth; 132,000 is 32 %, the second tier
    was = result_steps(evaluate(GROWTH, _figures(123000, prior_revenue=D(100000))))
    now = result_steps(evaluate(GROWTH, _figures(132000, prior_revenue=D(100000))))
    said = changed_steps(was, now, measure="growth", currency="EUR")
    assert "measure: 23.0 % -> 32.0 %" in said
    assert "rate: 2.00 % -> 4.00 %" in said
    assert "0.23" not in said and "0.32" not in said


def test_a_units_rate_reads_as_money_per_unit():
    # 400 units stay in the first tier (EUR 0 a unit); 800 reach the second (EUR 1.50 a unit)
    was = result_steps(evaluate(CLOUD, _figures(300000, units=400)))
    now = result_steps(evaluate(CLOUD, _figures(300000, units=800)))
    said = changed_steps(was, now, measure="units", currency="EUR")
    assert "rate: EUR 0.00 per unit -> EUR 1.50 per unit" in said
    assert "measure: 400 -> 800" in said


def test_an_older_approvals_two_decimal_growth_is_not_a_change():
    now = result_steps(evaluate(GROWTH, _figures(123450, prior_revenue=D(100000))))
    assert now["measure"] == "0.2345"
    was = {**now, "measure": "0.23", "status": "capped"}  # frozen before growth had four
    assert changed_steps(was, now, measure="growth") == f"status: capped -> {now['status']}"

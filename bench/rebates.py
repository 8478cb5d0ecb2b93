"""Evaluating every rebate program for 5,000 distributor-quarters.

On the benchmark ledger (625 distributors x 8 quarters, ~1,000,000 sell-through lines):
**channelxl**: ``evaluate_quarters`` over all quarters (every program, with gates, scorecard,
holds, caps, accruals and explanations). **Baseline**: one DuckDB statement computing the same
per distributor-quarter figures and the P-ST tier rebate (``SQL_REBATE``). Reported as a
ratio (goal <= 2x); both run in this process, on the same ledger. Also checks that
channelxl's P-ST tier rebate, rounded, equals the SQL statement's amount for every
distributor-quarter. No quick version.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from bench.common import median_time
from bench.shared_ledger import prepare_ledger
from channelxl.ledger import Ledger
from channelxl.ledger.programs import evaluate_quarters

# The equivalent in one SQL statement: the same per distributor-quarter figures channelxl
# reads (revenue in EUR, units, the year-before revenue, sell-in, closing stock, active /
# new / certified resellers, activities completed) and the P-ST tier rebate on revenue.
# What it leaves out is channelxl's own work on top: the other programs, gates, scorecard,
# holds, caps, accruals and the explanation of every step.
SQL_REBATE = """
WITH rates AS (
    SELECT currency, month, rate FROM fx_rates
    UNION ALL SELECT 'EUR', month, 1 FROM (SELECT DISTINCT month FROM fx_rates)
), st AS (
    SELECT s.*, substr(s.period, 1, 4) || 'Q' || ((CAST(substr(s.period, 6, 2) AS INTEGER) + 2) // 3) AS quarter,
           CAST(s.quantity * s.unit_price AS DECIMAL(18, 4)) * r.rate AS eur
    FROM sell_through s JOIN rates r ON r.currency = s.currency AND r.month = s.period
), revenue AS (
    SELECT distributor_id, quarter, sum(eur) AS revenue, sum(quantity) AS units FROM st GROUP BY ALL
), prior AS (
    SELECT distributor_id, (CAST(substr(quarter, 1, 4) AS INTEGER) + 1) || substr(quarter, 5) AS quarter,
           revenue AS prior_revenue FROM revenue
), sell_in AS (
    SELECT distributor_id, strftime(ship_date, '%Y') || 'Q' || quarter(ship_date) AS quarter,
           sum(CASE WHEN type = 'return' THEN -quantity ELSE quantity END) AS sell_in FROM shipments GROUP BY ALL
), closing AS (
    SELECT distributor_id, substr(period, 1, 4) || 'Q' || ((CAST(substr(period, 6, 2) AS INTEGER) + 2) // 3) AS quarter,
           sum(on_hand + coalesce(in_transit, 0)) AS closing FROM inventory
    WHERE CAST(substr(period, 6, 2) AS INTEGER) % 3 = 0 GROUP BY ALL
), first_buy AS (
    SELECT distributor_id, reseller_id, min(quarter) AS first_quarter FROM st GROUP BY ALL
), ends AS (
    SELECT DISTINCT quarter, last_day(make_date(CAST(substr(quarter, 1, 4) AS INTEGER),
           CAST(substr(quarter, 6, 1) AS INTEGER) * 3, 1)) AS last_day FROM st
), certified AS (
    SELECT DISTINCT c.reseller_id, e.quarter FROM certifications c JOIN ends e
    ON c.completed_on <= e.last_day AND (c.expires_on IS NULL OR c.expires_on > e.last_day)
), resellers AS (
    SELECT a.distributor_id, a.quarter, count(*) AS active,
           count(*) FILTER (WHERE fb.first_quarter = a.quarter) AS new,
           count(c.reseller_id) AS certified
    FROM (SELECT DISTINCT distributor_id, reseller_id, quarter FROM st) a
    JOIN first_buy fb USING (distributor_id, reseller_id)
    LEFT JOIN certified c USING (reseller_id, quarter) GROUP BY ALL
), acts AS (
    SELECT distributor_id, strftime(completed_date, '%Y') || 'Q' || quarter(completed_date) AS quarter,
           count(*) AS done FROM activities WHERE status = 'completed' GROUP BY ALL
), tiers AS (SELECT threshold, rate FROM rebate_tiers WHERE program_id = 'P-ST')
SELECT v.distributor_id, v.quarter, v.revenue, t.rate, round(v.revenue * t.rate, 2) AS amount,
       v.units, p.prior_revenue, i.sell_in, c.closing, r.active, r.new, r.certified, a.done
FROM revenue v
ASOF JOIN tiers t ON v.revenue >= t.threshold
LEFT JOIN prior p USING (distributor_id, quarter)
LEFT JOIN sell_in i USING (distributor_id, quarter)
LEFT JOIN closing c USING (distributor_id, quarter)
LEFT JOIN resellers r USING (distributor_id, quarter)
LEFT JOIN acts a USING (distributor_id, quarter)
"""


def bench_rebates(repeat: int) -> dict:
    db, quarters = prepare_ledger()
    with Ledger.open(db) as led:
        lines = led.count("sell_through")

        def ours():
            return evaluate_quarters(led, quarters)[0]

        def sql():
            return led.con.execute(SQL_REBATE).fetchall()

        results, sql_rows = ours(), sql()
        # the same money: channelxl's P-ST tier rebate, rounded, equals the SQL amount
        by_key = {(row[0], row[1]): row[4] for row in sql_rows}
        st = [r for r in results if r.program_id == "P-ST"]
        assert st, "no P-ST results to compare with the SQL statement"
        mismatch = [
            r
            for r in st
            if r.base_amount.quantize(Decimal("0.01"), ROUND_HALF_UP)
            != by_key.get((r.distributor_id, str(r.quarter)), Decimal(0))
        ]
        assert not mismatch, mismatch[:3]
        mo, ours_runs = median_time(ours, repeat)
        mt, sql_runs = median_time(sql, repeat)
    pairs = len({(r.distributor_id, r.quarter) for r in results})
    return {
        "sell_through_lines": lines,
        "distributor_quarters": pairs,
        "program_evaluations": len(results),
        "channelxl_median_s": round(mo, 3),
        "duckdb_sql_median_s": round(mt, 3),
        "ratio": round(mo / mt, 2),
        "goal_ratio": 2.0,
        "channelxl_runs_s": [round(x, 3) for x in ours_runs],
        "sql_runs_s": [round(x, 3) for x in sql_runs],
    }


def run(repeat: int, quick: bool = False) -> dict:
    return bench_rebates(repeat)  # --quick skips it (see the registry)

"""Evaluating every rebate program for 5,000 distributor-quarters.

On the benchmark ledger (625 distributors x 8 quarters, ~1,000,000 sell-through lines):
**channelxl**: ``evaluate_quarters`` over all quarters (every program, with gates, scorecard,
holds, caps, MDF and explanations; each result's monthly accruals are computed when first
read, as the MDF fund and the prior-period adjustments, which evaluate many quarters, never
read them). **Baseline**: one DuckDB statement computing the same per distributor-quarter
figures and the P-ST tier rebate (``SQL_REBATE``). Reported as a ratio (goal <= 2x); both
run in this process, on the same ledger. Also checks that channelxl's P-ST tier rebate,
rounded, equals the SQL statement's amount for every distributor-quarter. No quick version.

Beside it, for scale (not the goal's ratio): the same evaluation with every result's
accruals read (``with_accruals``: what a statement of all these quarters would show) against
``SQL_REBATE`` plus ``SQL_MONTHS``, the month-by-month figures to date the accruals need
(revenue, units, sell-in, closing stock, active / new / certified resellers and activities
at each month's close), which ``SQL_REBATE`` does not compute:
``ratio_with_accruals_to_sql_with_months``. The runs alternate, medians of each.
"""

from __future__ import annotations

import statistics
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

# The month-by-month figures to date, per distributor, quarter and month k of the quarter (what
# the accrual of month k reads): revenue, units, sell-in and activities of months 1..k, the
# closing stock of month k, resellers active in months 1..k (new: first purchase not before
# the quarter; certified on month k's last day). Checked against channelxl's figures to date.
SQL_MONTHS = """
WITH rates AS (
    SELECT currency, month, rate FROM fx_rates
    UNION ALL SELECT 'EUR', month, 1 FROM (SELECT DISTINCT month FROM fx_rates)
), st AS (
    SELECT s.distributor_id, s.reseller_id, s.period, s.quantity,
           substr(s.period, 1, 4) || 'Q' || ((CAST(substr(s.period, 6, 2) AS INTEGER) + 2) // 3) AS quarter,
           (CAST(substr(s.period, 6, 2) AS INTEGER) - 1) % 3 + 1 AS k,
           CAST(s.quantity * s.unit_price AS DECIMAL(18, 4)) * r.rate AS eur
    FROM sell_through s JOIN rates r ON r.currency = s.currency AND r.month = s.period
), months AS (
    SELECT DISTINCT quarter, k, period, last_day(CAST(period || '-01' AS DATE)) AS last_day,
           substr(quarter, 1, 4) || '-' || lpad(CAST((CAST(substr(quarter, 6, 1) AS INTEGER) - 1) * 3 + 1 AS VARCHAR), 2, '0') AS first_month
    FROM st
), monthly AS (
    SELECT distributor_id, quarter, k, period, sum(eur) AS revenue, sum(quantity) AS units FROM st GROUP BY ALL
), sell_in AS (
    SELECT distributor_id, strftime(ship_date, '%Y-%m') AS period,
           sum(CASE WHEN type = 'return' THEN -quantity ELSE quantity END) AS sell_in FROM shipments GROUP BY ALL
), closing AS (
    SELECT distributor_id, period, sum(on_hand + coalesce(in_transit, 0)) AS closing FROM inventory GROUP BY ALL
), acts AS (
    SELECT distributor_id, strftime(completed_date, '%Y-%m') AS period, count(*) AS done
    FROM activities WHERE status = 'completed' GROUP BY ALL
), first_buy AS (
    SELECT distributor_id, reseller_id, min(period) AS first_period FROM st GROUP BY ALL
), entered AS (
    SELECT distributor_id, reseller_id, quarter, min(k) AS k FROM st GROUP BY ALL
), certified AS (
    SELECT DISTINCT c.reseller_id, m.quarter, m.k FROM certifications c JOIN months m
    ON c.completed_on <= m.last_day AND (c.expires_on IS NULL OR c.expires_on > m.last_day)
), resellers AS (
    SELECT e.distributor_id, m.quarter, m.k, count(*) AS active,
           count(*) FILTER (WHERE fb.first_period >= m.first_month) AS new,
           count(c.reseller_id) AS certified
    FROM entered e JOIN first_buy fb USING (distributor_id, reseller_id)
    JOIN months m ON m.quarter = e.quarter AND m.k >= e.k
    LEFT JOIN certified c ON c.reseller_id = e.reseller_id AND c.quarter = m.quarter AND c.k = m.k
    GROUP BY ALL
)
SELECT v.distributor_id, v.quarter, v.k,
       sum(v.revenue) OVER w AS revenue_to_date, sum(v.units) OVER w AS units_to_date,
       sum(coalesce(i.sell_in, 0)) OVER w AS sell_in_to_date, c.closing,
       r.active, r.new, r.certified, sum(coalesce(a.done, 0)) OVER w AS activities_to_date
FROM monthly v
LEFT JOIN sell_in i USING (distributor_id, period)
LEFT JOIN closing c USING (distributor_id, period)
LEFT JOIN acts a USING (distributor_id, period)
LEFT JOIN resellers r USING (distributor_id, quarter, k)
WINDOW w AS (PARTITION BY v.distributor_id, v.quarter ORDER BY v.k)
"""


def bench_rebates(repeat: int) -> dict:
    db, quarters = prepare_ledger()
    with Ledger.open(db) as led:
        lines = led.count("sell_through")

        def ours():
            return evaluate_quarters(led, quarters)[0]

        figures = evaluate_quarters(led, quarters)[1]

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
        _check_months(led.con.execute(SQL_MONTHS).fetchall(), figures)

        def sql_with_months():
            sql()
            return led.con.execute(SQL_MONTHS).fetchall()

        def with_accruals():
            results = evaluate_quarters(led, quarters)[0]
            return [r.accruals for r in results]  # each read: computed

        runs = {"ours": [], "sql": [], "sql_months": [], "with_accruals": []}
        steps = (
            ("ours", ours),
            ("sql", sql),
            ("with_accruals", with_accruals),
            ("sql_months", sql_with_months),
        )
        for _ in range(repeat):  # alternating: a loaded machine slows all of them alike
            for key, fn in steps:
                runs[key].append(median_time(fn, 1)[0])
        mo, mt, mm, ma = (
            statistics.median(runs[k]) for k in ("ours", "sql", "sql_months", "with_accruals")
        )
        ours_runs, sql_runs = runs["ours"], runs["sql"]
    pairs = len({(r.distributor_id, r.quarter) for r in results})
    return {
        "sell_through_lines": lines,
        "distributor_quarters": pairs,
        "program_evaluations": len(results),
        "channelxl_median_s": round(mo, 3),
        "duckdb_sql_median_s": round(mt, 3),
        "ratio": round(mo / mt, 2),
        "goal_ratio": 2.0,
        "with_accruals_median_s": round(ma, 3),
        "duckdb_sql_with_months_median_s": round(mm, 3),
        "ratio_with_accruals_to_sql_with_months": round(ma / mm, 2),
        "channelxl_runs_s": [round(x, 3) for x in ours_runs],
        "sql_runs_s": [round(x, 3) for x in sql_runs],
        "with_accruals_runs_s": [round(x, 3) for x in runs["with_accruals"]],
        "sql_with_months_runs_s": [round(x, 3) for x in runs["sql_months"]],
    }


def _check_months(rows, figures) -> None:
    """SQL_MONTHS computes what channelxl's figures to date hold: revenue, units, sell-in,
    new resellers, certification rate and activities to date, for every month whose months
    1..k all had sell-through (the statement's running sums start from those months)."""
    by_key = {(d, q, k): rest for d, q, k, *rest in rows}
    checked = 0
    for (qname, d), f in figures.items():
        for t in f.to_date:
            k = t.month
            if any((d, qname, j) not in by_key for j in range(1, k + 1)):
                continue
            revenue, units, sell_in, _, active, new, certified, done = by_key[(d, qname, k)]
            assert revenue == t.actuals["sell_through"], (d, qname, k)
            assert units == sum(f.monthly_units[:k]), (d, qname, k)
            assert Decimal(new or 0) == t.actuals["new_resellers"], (d, qname, k)
            assert Decimal(done) == t.actuals["demand_gen"], (d, qname, k)
            if units:
                assert Decimal(sell_in) / Decimal(units) == t.sell_in_ratio, (d, qname, k)
            if active:
                assert Decimal(certified) / Decimal(active) == t.certification_rate
            checked += 1
    assert checked, "SQL_MONTHS matched no month of channelxl's figures"


def run(repeat: int, quick: bool = False) -> dict:
    return bench_rebates(repeat)  # --quick skips it (see the registry)

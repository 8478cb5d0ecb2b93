"""Reconciliation and territory checks of ~1,000,000 sell-through lines.

On the benchmark ledger (8 quarters): **channelxl**: one ``reconcile_quarter`` (grid, line
flags, loading signals) or ``territory_quarter`` per quarter. **Baseline**: one DuckDB
statement each, the straightforward one (``SQL_RECONCILE``: monthly aggregates, LAG opening,
variance, status, line flags; ``SQL_TERRITORY``: EXISTS on the territory rows). Reported as
ratios (goal <= 2x) with peak memory; every run in its own child process, alternating which
runs first. No quick version.
"""

from __future__ import annotations

import statistics

from bench.common import DATA, PEAK, run_script
from bench.shared_ledger import prepare_ledger
from channelxl.ledger import Ledger

CHECKS_OURS = (
    PEAK
    + """
import sys, time
from channelxl.core.periods import Quarter
from channelxl.ledger import Ledger
from channelxl.ledger.quarter_checks import reconcile_quarter, territory_quarter
led = Ledger.open(sys.argv[1], read_only=True)
quarters = [Quarter.parse(q) for q in sys.argv[3].split(",")]
fn = reconcile_quarter if sys.argv[2] == "reconcile" else territory_quarter
t = time.perf_counter()
n = 0
for q in quarters:
    run = fn(led, q)
    n += len(run.grid) if sys.argv[2] == "reconcile" else len(run.lines)
dt = time.perf_counter() - t
print(dt, n, peak_kib())
"""
)

CHECKS_SQL = (
    PEAK
    + """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
con.execute("SET enable_progress_bar = false")
sql = open(sys.argv[2]).read()
t = time.perf_counter()
n = len(con.execute(sql).fetchall())
dt = time.perf_counter() - t
print(dt, n, peak_kib())
"""
)

# Reconciliation in one SQL statement: monthly sell-in / returns / sell-through / reported
# stock per distributor x SKU, the opening as the previous month's report (LAG), expected
# closing, variance and the VAR / NEG / MISSING codes, plus the line flags (duplicates,
# below floor, never shipped, unknown SKU or reseller, not authorized).
SQL_RECONCILE = """
WITH rates AS (
    SELECT currency, month, rate FROM fx_rates
    UNION ALL SELECT 'EUR', month, 1 FROM (SELECT DISTINCT month FROM fx_rates)
), si AS (
    SELECT distributor_id, sku, strftime(ship_date, '%Y-%m') AS month,
           sum(quantity) FILTER (WHERE type = 'shipment') AS sell_in,
           sum(quantity) FILTER (WHERE type = 'return') AS returns
    FROM shipments GROUP BY ALL
), st AS (
    SELECT distributor_id, sku, period AS month, sum(quantity) AS sell_through FROM sell_through GROUP BY ALL
), inv AS (
    SELECT distributor_id, sku, period AS month, on_hand + coalesce(in_transit, 0) AS reported FROM inventory
), keys AS (
    SELECT distributor_id, sku, month FROM si UNION SELECT distributor_id, sku, month FROM st
    UNION SELECT distributor_id, sku, month FROM inv
), grid AS (
    SELECT k.distributor_id, k.sku, k.month, coalesce(si.sell_in, 0) AS sell_in,
           coalesce(si.returns, 0) AS returns, coalesce(st.sell_through, 0) AS sell_through,
           inv.reported,
           coalesce(lag(inv.reported) OVER w, 0) AS opening
    FROM keys k LEFT JOIN si USING (distributor_id, sku, month) LEFT JOIN st USING (distributor_id, sku, month)
    LEFT JOIN inv USING (distributor_id, sku, month)
    WINDOW w AS (PARTITION BY k.distributor_id, k.sku ORDER BY k.month)
), lines AS (
    SELECT s.*, count(*) OVER (PARTITION BY s.distributor_id, s.invoice_number, s.invoice_date,
               s.reseller_id, s.sku, s.quantity, s.unit_price) AS copies,
           s.unit_price * r.rate < p.floor_price AS below_floor,
           p.sku IS NULL AS unknown_sku, rs.reseller_id IS NULL AS unknown_reseller,
           rs.reseller_id IS NOT NULL AND NOT list_contains(rs.authorized_distributors, s.distributor_id) AS unauthorized,
           f.first_month IS NULL OR f.first_month > s.period AS never_shipped
    FROM sell_through s
    LEFT JOIN rates r ON r.currency = s.currency AND r.month = s.period
    LEFT JOIN products p USING (sku)
    LEFT JOIN resellers rs USING (reseller_id)
    LEFT JOIN (SELECT distributor_id, sku, min(strftime(ship_date, '%Y-%m')) AS first_month
               FROM shipments WHERE type = 'shipment' GROUP BY ALL) f USING (distributor_id, sku)
), flagged AS (
    SELECT distributor_id, sku, period AS month, bool_or(copies > 1) AS dup, bool_or(below_floor) AS floor,
           bool_or(unknown_sku) AS unksku, bool_or(unknown_reseller) AS unkres,
           bool_or(unauthorized) AS unauth, bool_or(never_shipped) AS noship
    FROM lines GROUP BY ALL
)
SELECT g.*, g.opening + g.sell_in - g.returns - g.sell_through AS expected,
       g.reported - (g.opening + g.sell_in - g.returns - g.sell_through) AS variance,
       concat_ws(' ',
         CASE WHEN g.reported IS NULL THEN 'MISSING'
              WHEN abs(g.reported - (g.opening + g.sell_in - g.returns - g.sell_through)) > 2 THEN 'VAR' END,
         CASE WHEN g.opening + g.sell_in - g.returns - g.sell_through < 0 THEN 'NEG' END,
         CASE WHEN f.dup THEN 'DUP' END, CASE WHEN f.noship THEN 'NOSHIP' END,
         CASE WHEN f.floor THEN 'FLOOR' END, CASE WHEN f.unksku THEN 'UNKSKU' END,
         CASE WHEN f.unkres THEN 'UNKRES' END, CASE WHEN f.unauth THEN 'UNAUTH' END) AS status
FROM grid g LEFT JOIN flagged f USING (distributor_id, sku, month)
"""

# The territory check in one SQL statement: each line IN, OUT or NOT APPOINTED.
SQL_TERRITORY = """
SELECT s.distributor_id, s.invoice_number, s.invoice_date,
       CASE WHEN EXISTS (
                SELECT 1 FROM territories t WHERE t.distributor_id = s.distributor_id
                AND t.country = coalesce(s.end_customer_country, s.reseller_country)
                AND (t.segment = '*' OR t.segment = s.end_customer_segment)
                AND s.invoice_date BETWEEN t.valid_from AND coalesce(t.valid_to, DATE '9999-12-31'))
            THEN 'IN'
            WHEN EXISTS (
                SELECT 1 FROM territories t WHERE t.distributor_id = s.distributor_id
                AND s.invoice_date BETWEEN t.valid_from AND coalesce(t.valid_to, DATE '9999-12-31'))
            THEN 'OUT' ELSE 'NOT APPOINTED' END AS status
FROM sell_through s
"""


def bench_checks(repeat: int) -> dict:
    db, quarters = prepare_ledger()
    DATA.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, sql in (("reconcile", SQL_RECONCILE), ("territory", SQL_TERRITORY)):
        sql_file = DATA / f"{name}.sql"
        sql_file.write_text(sql)
        ours, theirs, rss_o, rss_t = [], [], [], []
        rows = 0
        for i in range(repeat):
            steps = [
                ("ours", CHECKS_OURS, (str(db), name, ",".join(map(str, quarters)))),
                ("sql", CHECKS_SQL, (str(db), str(sql_file))),
            ]
            for who, script, args in steps if i % 2 == 0 else steps[::-1]:
                dt, n, rss = run_script(script, *args)
                (ours if who == "ours" else theirs).append(dt)
                (rss_o if who == "ours" else rss_t).append(rss)
                if who == "ours":
                    rows = n
        mo, mt = statistics.median(ours), statistics.median(theirs)
        out[name] = {
            "rows_out": rows,
            "channelxl_median_s": round(mo, 3),
            "duckdb_sql_median_s": round(mt, 3),
            "ratio": round(mo / mt, 2),
            "goal_ratio": 2.0,
            "peak_rss_mib_channelxl": round(max(rss_o) / 1024),
            "peak_rss_mib_duckdb": round(max(rss_t) / 1024),
            "channelxl_runs_s": [round(x, 3) for x in ours],
            "sql_runs_s": [round(x, 3) for x in theirs],
        }
    with Ledger.open(db, read_only=True) as led:
        out["sell_through_lines"] = led.count("sell_through")
        out["shipment_lines"] = led.count("shipments")
        out["inventory_rows"] = led.count("inventory")
    return out


def run(repeat: int, quick: bool = False) -> dict:
    return bench_checks(repeat)  # --quick skips it (see the registry)

"""channelxl benchmarks: ``python bench/run.py`` (``--quick`` for a smaller, faster pass).

Each figure is the median of several runs, compared with its baseline in the same run:

1. generating 1,000,000 sell-through lines with the synthetic-channel generator
   (lines per second);
2. loading a 1,000,000-line ERP shipment export into the ledger (``channelxl ingest``'s
   library call: recognise, typed read, every validation check, supersede, provenance),
   as a ratio to DuckDB's own ``read_csv`` of the same file into a table (goal <= 1.5x);
   peak memory of each, measured in a child process.

Data is generated under bench/data/ (not committed); results go to stdout and
bench/results/latest.json. Record them with the machine in docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
RESULTS = HERE / "results"
sys.path.insert(0, str(HERE.parent))

from channelxl.io.program_workbook import write_program  # noqa: E402
from channelxl.ledger import Ledger  # noqa: E402
from channelxl.schema import SHIPMENTS  # noqa: E402
from channelxl.synth import Sizes, generate  # noqa: E402

MILLION = Sizes(distributors=200, resellers=20_000, skus=400, months=24, lines=1_000_000)
SHIP_SIZES = Sizes(distributors=360, resellers=20_000, skus=600, months=24, lines=1_600_000)
SHIP_SIZES_QUICK = Sizes(distributors=100, resellers=5_000, skus=300, months=24, lines=150_000)


def machine() -> dict:
    import duckdb

    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem, 1),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "os": platform.platform(),
    }


def median_time(fn, repeat: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), times


def bench_generate(sizes: Sizes, repeat: int) -> dict:
    n = len(generate(1, sizes).sell_through)
    med, runs = median_time(lambda: generate(1, sizes), repeat)
    return {
        "lines": n,
        "median_s": round(med, 3),
        "runs_s": [round(x, 3) for x in runs],
        "lines_per_s": round(n / med),
    }


def prepare_shipments(sizes: Sizes, lines: int) -> tuple[Path, Path]:
    DATA.mkdir(parents=True, exist_ok=True)
    csv_path = DATA / f"shipments_{lines}.csv"
    program = DATA / f"program_{lines}.xlsx"
    if csv_path.exists() and program.exists():
        return csv_path, program
    channel = generate(3, sizes)
    ship = channel.shipments.head(lines)
    if len(ship) < lines:
        raise SystemExit(f"the generator made only {len(ship):,} shipment lines; raise SHIP_SIZES")
    cols = [c for c in SHIPMENTS.columns if c.field in ship.columns]
    ship[[c.field for c in cols]].rename(columns={c.field: c.name for c in cols}).to_csv(
        csv_path, index=False
    )
    write_program(program, channel.program, channel.settings)
    return csv_path, program


# ru_maxrss would report the benchmark's own size (inherited at fork); VmHWM is reset at exec.
PEAK = """
def peak_kib():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
"""

LOAD_OURS = (
    PEAK
    + """
import sys, time
from datetime import date
from channelxl.ledger import Ledger
from channelxl.ledger.ingest_file import ingest_file
led = Ledger.open(sys.argv[1])
t = time.perf_counter()
r = ingest_file(led, sys.argv[2], today=date(2030, 1, 1))
dt = time.perf_counter() - t
assert r.status == "accepted", r.summary()
print(dt, r.lines_loaded, peak_kib())
"""
)

LOAD_DUCKDB = (
    PEAK
    + """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
t = time.perf_counter()
con.execute("CREATE TABLE shipments AS SELECT * FROM read_csv(?)", [sys.argv[2]])
dt = time.perf_counter() - t
n = con.execute("SELECT count(*) FROM shipments").fetchall()[0][0]
print(dt, n, peak_kib())
"""
)


def _run(script: str, *args: str) -> tuple[float, int, int]:
    out = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(HERE.parent)},
    )
    dt, n, rss = out.stdout.split()
    return float(dt), int(n), int(rss)


def bench_load(lines: int, sizes: Sizes, repeat: int) -> dict:
    csv_path, program = prepare_shipments(sizes, lines)
    base = DATA / "ledger_template.duckdb"
    for p in (base, base.with_suffix(".duckdb.wal")):
        p.unlink(missing_ok=True)
    with Ledger.open(base) as led:  # program loaded once; each run starts from a copy
        led.sync_program(program)
        led.con.execute("CHECKPOINT")
    ours, theirs, rss_ours, rss_theirs = [], [], [], []
    for i in range(repeat):
        target = DATA / f"run_{i}.duckdb"
        plain = DATA / f"plain_{i}.duckdb"
        for p in (target, plain):
            p.unlink(missing_ok=True)
        target.write_bytes(base.read_bytes())
        # alternate the order so neither side always runs on a warmer cache
        steps = [("ours", LOAD_OURS, target), ("duckdb", LOAD_DUCKDB, plain)]
        for name, script, db in steps if i % 2 == 0 else steps[::-1]:
            dt, n, rss = _run(script, str(db), str(csv_path))
            assert n == lines, (name, n)
            (ours if name == "ours" else theirs).append(dt)
            (rss_ours if name == "ours" else rss_theirs).append(rss)
        for p in (target, plain):
            p.unlink(missing_ok=True)
    mo, mt = statistics.median(ours), statistics.median(theirs)
    return {
        "lines": lines,
        "file_mib": round(csv_path.stat().st_size / 2**20, 1),
        "channelxl_median_s": round(mo, 3),
        "duckdb_read_csv_median_s": round(mt, 3),
        "ratio": round(mo / mt, 2),
        "goal_ratio": 1.5,
        "channelxl_runs_s": [round(x, 3) for x in ours],
        "duckdb_runs_s": [round(x, 3) for x in theirs],
        "peak_rss_mib_channelxl": round(max(rss_ours) / 1024),
        "peak_rss_mib_duckdb": round(max(rss_theirs) / 1024),
    }


def bench_chx_rebate(repeat: int) -> dict:
    """One CHX_REBATE call over a 100,000-row measure column, as Excel passes it."""
    import random

    from channelxl.core.money import round_cents
    from channelxl.core.tiers import TierTable
    from channelxl.excel import chx_rebate

    rng = random.Random(1)
    column = [[round(rng.uniform(0, 800_000), 2)] for _ in range(100_000)]
    tiers = [[0.0, 0.0], [100000.0, 0.02], [250000.0, 0.03], [500000.0, 0.04]]
    out = {"rows": len(column)}
    for method in ("retroactive", "incremental"):
        med, _ = median_time(lambda m=method: chx_rebate(column, tiers, m), repeat)
        out[f"{method}_median_ms"] = round(med * 1000, 1)
    table = TierTable.of(tiers)  # the naive way: one Decimal computation per cell
    naive, _ = median_time(
        lambda: [[float(round_cents(table.amount(repr(r[0]), "retroactive")))] for r in column],
        max(1, repeat // 2),
    )
    out["naive_decimal_per_cell_median_ms"] = round(naive * 1000, 1)
    out["goal_ms"] = "well under 100"
    return out


REBATE_SIZES = Sizes(distributors=625, resellers=20_000, skus=200, months=24, lines=1_000_000)

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


def prepare_rebate_ledger() -> tuple[Path, list[str]]:
    """A ledger holding a 625-distributor, 8-quarter channel of ~1,000,000 sell-through lines."""
    from channelxl.ledger.ingest_file import ingest_file
    from channelxl.schema import ACTIVITIES, CERTIFICATIONS, INVENTORY, SELL_THROUGH

    DATA.mkdir(parents=True, exist_ok=True)
    db = DATA / "rebates.duckdb"
    channel = None
    if not db.exists():
        channel = generate(5, REBATE_SIZES)
        program = DATA / "rebates_program.xlsx"
        write_program(program, channel.program, channel.settings)
        files = []
        for name, frame, table in (
            ("shipments", channel.shipments, SHIPMENTS),
            ("sell_through", channel.sell_through.drop(columns=["invoice_line"]), SELL_THROUGH),
            ("inventory", channel.inventory, INVENTORY),
            ("certifications", channel.certifications, CERTIFICATIONS),
            ("activities", channel.activities, ACTIVITIES),
        ):
            cols = [c for c in table.columns if c.field in frame.columns]
            path = DATA / f"rebates_{name}.csv"
            frame[[c.field for c in cols]].rename(columns={c.field: c.name for c in cols}).to_csv(
                path, index=False
            )
            files.append(path)
        tmp = DATA / "rebates.tmp.duckdb"
        tmp.unlink(missing_ok=True)
        with Ledger.open(tmp) as led:
            led.sync_program(program)
            for path in files:
                r = ingest_file(led, path, today=date(2030, 1, 1))
                assert r.status == "accepted", r.summary()
            led.con.execute("CHECKPOINT")
        tmp.rename(db)
    with Ledger.open(db) as led:
        periods = [
            p
            for (p,) in led.con.execute(
                "SELECT DISTINCT period FROM sell_through ORDER BY 1"
            ).fetchall()
        ]
    from channelxl.core.periods import Month

    quarters = sorted({str(Month.parse(p).quarter) for p in periods})
    return db, quarters


def bench_rebates(repeat: int) -> dict:
    from decimal import ROUND_HALF_UP, Decimal

    from channelxl.rebates import evaluate_quarters

    db, quarters = prepare_rebate_ledger()
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
        mismatch = [
            r
            for r in st
            if r.base_amount.quantize(Decimal("0.01"), ROUND_HALF_UP)
            != by_key.get((r.distributor_id, r.quarter), Decimal(0))
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


CHECKS_OURS = (
    PEAK
    + """
import sys, time
from channelxl.ledger import Ledger
from channelxl.reconciliation import reconcile_quarter
from channelxl.territories import territory_quarter
led = Ledger.open(sys.argv[1], read_only=True)
quarters = sys.argv[3].split(",")
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
    """Reconciliation and territory checks of ~1,000,000 lines vs one SQL statement each."""
    db, quarters = prepare_rebate_ledger()
    out = {}
    for name, sql in (("reconcile", SQL_RECONCILE), ("territory", SQL_TERRITORY)):
        sql_file = DATA / f"{name}.sql"
        sql_file.write_text(sql)
        ours, theirs, rss_o, rss_t = [], [], [], []
        for i in range(repeat):
            steps = [
                ("ours", CHECKS_OURS, (str(db), name, ",".join(quarters))),
                ("sql", CHECKS_SQL, (str(db), str(sql_file))),
            ]
            for who, script, args in steps if i % 2 == 0 else steps[::-1]:
                dt, n, rss = _run(script, *args)
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


TEMPLATE_LINES = 100_000

TEMPLATE_OURS = LOAD_OURS  # ingest_file on a fresh copy of the ledger, timed inside

TEMPLATE_CALAMINE = (
    PEAK
    + """
import sys, time
from python_calamine import CalamineWorkbook
t = time.perf_counter()
rows = CalamineWorkbook.from_path(sys.argv[2]).get_sheet_by_name("SellThrough").to_python()
dt = time.perf_counter() - t
print(dt, len(rows) - 1, peak_kib())
"""
)

# The naive way: openpyxl, cell by cell, each value checked against its column's declaration.
TEMPLATE_OPENPYXL = (
    PEAK
    + """
import sys, time
from openpyxl import load_workbook
from channelxl.io.cells import CellError, parse_cell
from channelxl.templates import SELL_THROUGH_SHEET
t = time.perf_counter()
ws = load_workbook(sys.argv[2], read_only=True)["SellThrough"]
columns = SELL_THROUGH_SHEET.columns
n = problems = 0
for row in ws.iter_rows(min_row=2, values_only=True):
    n += 1
    for column, value in zip(columns, row):
        try:
            parse_cell(value, column)
        except CellError:
            problems += 1
dt = time.perf_counter() - t
print(dt, n, peak_kib())
"""
)


def prepare_template(lines: int) -> tuple[Path, Path]:
    """A ledger for one distributor-month and its returned template of ``lines`` lines."""
    from openpyxl import Workbook
    from openpyxl.packaging.custom import StringProperty

    from channelxl.templates import INVENTORY_SHEET, PREFIX, SELL_THROUGH_SHEET

    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"template_{lines}.xlsx"
    base = DATA / "template_ledger.duckdb"
    channel = generate(9, Sizes(distributors=8, resellers=400, skus=200, months=3, lines=20_000))
    if not base.exists():
        program = DATA / "template_program.xlsx"
        write_program(program, channel.program, channel.settings)
        tmp = DATA / "template_ledger.tmp.duckdb"
        tmp.unlink(missing_ok=True)
        with Ledger.open(tmp) as led:
            led.sync_program(program)
            led.con.execute("CHECKPOINT")
        tmp.rename(base)
    if not path.exists():
        d, period = "D001", str(channel.months[-1])
        st = channel.sell_through[channel.sell_through.distributor_id == d]
        st = st.sample(n=lines, replace=True, random_state=1).assign(
            period=period, invoice_date=channel.months[-1].first_day
        )
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("SellThrough")
        fields = [c.field for c in SELL_THROUGH_SHEET.columns]
        ws.append([c.name for c in SELL_THROUGH_SHEET.columns])
        for row in st[fields].itertuples(index=False):
            ws.append([None if v == "" else (v.item() if hasattr(v, "item") else v) for v in row])
        inv = wb.create_sheet("Inventory")
        inv.append([c.name for c in INVENTORY_SHEET.columns])
        for k, v in {
            "distributor_id": d,
            "period": period,
            "template_version": "1",
            "kind": "monthly_report",
        }.items():
            wb.custom_doc_props.append(StringProperty(name=PREFIX + k, value=v))
        wb.save(path)
    return path, base


def bench_template(repeat: int, lines: int = TEMPLATE_LINES) -> dict:
    path, base = prepare_template(lines)
    ours, cal, naive, rss = [], [], [], {}
    for i in range(repeat):
        db = DATA / f"template_run_{i}.duckdb"
        db.unlink(missing_ok=True)
        db.write_bytes(base.read_bytes())
        for name, script, bucket in (
            ("ours", TEMPLATE_OURS, ours),
            ("calamine", TEMPLATE_CALAMINE, cal),
            ("openpyxl", TEMPLATE_OPENPYXL, naive),
        ):
            dt, n, peak = _run(script, str(db), str(path))
            assert n == lines, (name, n)
            bucket.append(dt)
            rss[name] = max(rss.get(name, 0), peak)
        db.unlink(missing_ok=True)
    mo, mc, mn = (statistics.median(x) for x in (ours, cal, naive))
    return {
        "lines": lines,
        "file_mib": round(path.stat().st_size / 2**20, 1),
        "channelxl_median_s": round(mo, 3),
        "calamine_read_median_s": round(mc, 3),
        "openpyxl_naive_median_s": round(mn, 3),
        "ratio_to_calamine": round(mo / mc, 2),
        "goal_ratio": 2.5,
        "ratio_to_openpyxl_naive": round(mo / mn, 2),
        "peak_rss_mib": {k: round(v / 1024) for k, v in rss.items()},
        "goal_peak_mib": 1024,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="100,000 lines instead of 1,000,000")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument(
        "--only",
        choices=["generate", "load", "template", "chx_rebate", "rebates", "checks", "qbr"],
        action="append",
        help="Run only these (repeatable).",
    )
    args = ap.parse_args()
    wanted = set(
        args.only or ["generate", "load", "template", "chx_rebate", "rebates", "checks", "qbr"]
    )
    scale = 10 if args.quick else 1
    gen_sizes = Sizes(
        distributors=MILLION.distributors,
        resellers=MILLION.resellers // scale,
        skus=MILLION.skus,
        months=24,
        lines=MILLION.lines // scale,
    )
    ship_sizes = SHIP_SIZES_QUICK if args.quick else SHIP_SIZES
    results = {"date": str(date.today()), "machine": machine(), "quick": args.quick}
    print(json.dumps(results["machine"]))
    if "generate" in wanted:
        results["generate"] = bench_generate(gen_sizes, args.repeat)
        print("generate:", json.dumps(results["generate"]))
    if "load" in wanted:
        results["load_shipments"] = bench_load(1_000_000 // scale, ship_sizes, args.repeat)
        print("load shipments:", json.dumps(results["load_shipments"]))
    if "template" in wanted:
        results["template"] = bench_template(args.repeat, TEMPLATE_LINES // scale)
        print("returned template:", json.dumps(results["template"]))
    if "chx_rebate" in wanted:
        results["chx_rebate"] = bench_chx_rebate(args.repeat)
        print("CHX_REBATE:", json.dumps(results["chx_rebate"]))
    if not args.quick and "rebates" in wanted:
        results["rebates"] = bench_rebates(args.repeat)
        print("rebate programs:", json.dumps(results["rebates"]))
    if not args.quick and "checks" in wanted:
        results["checks"] = bench_checks(args.repeat)
        print("reconciliation and territory:", json.dumps(results["checks"]))
    if "qbr" in wanted:
        from qbr import bench_qbr

        db, quarters = prepare_rebate_ledger()
        # reports are minutes each at full size: three runs, not five
        results["qbr"] = bench_qbr(
            db,
            quarters[-1],
            DATA / "qbr",
            repeat=min(args.repeat, 3),
            n=40 if args.quick else 200,
            sample=6 if args.quick else 20,
        )
        print("QBR batch:", json.dumps(results["qbr"]))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

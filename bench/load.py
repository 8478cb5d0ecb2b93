"""Loading a 1,000,000-line ERP shipment export into the ledger.

**channelxl**: ``channelxl ingest``'s library call (``ingest_file``: recognise, typed read,
normalise, every validation check, supersede, provenance, commit) into a ledger that already
holds the program. **Baseline**: DuckDB's own ``CREATE TABLE AS SELECT * FROM read_csv(file)``
of the same file into an empty database. Reported as a ratio (goal <= 1.5x), with the peak
memory of each, both measured in child processes, alternating which runs first.
``--quick`` loads 100,000 lines.
"""

from __future__ import annotations

import statistics
from pathlib import Path

from bench.common import DATA, INGEST, PEAK, QUICK_SCALE, csv_export, run_script
from channelxl.io.program_workbook import write_program
from channelxl.ledger import Ledger
from channelxl.schema import SHIPMENTS
from channelxl.synth import Sizes, generate

LINES = 1_000_000
SHIP_SIZES = Sizes(distributors=360, resellers=20_000, skus=600, months=24, lines=1_600_000)
SHIP_SIZES_QUICK = Sizes(distributors=100, resellers=5_000, skus=300, months=24, lines=150_000)

LOAD_OURS = INGEST

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


def prepare_shipments(sizes: Sizes, lines: int) -> tuple[Path, Path]:
    """A shipment export of ``lines`` lines and the program workbook of the same channel."""
    DATA.mkdir(parents=True, exist_ok=True)
    csv_path = DATA / f"shipments_{lines}.csv"
    program = DATA / f"program_{lines}.xlsx"
    if csv_path.exists() and program.exists():
        return csv_path, program
    channel = generate(3, sizes)
    ship = channel.shipments.head(lines)
    if len(ship) < lines:
        raise SystemExit(f"the generator made only {len(ship):,} shipment lines; raise SHIP_SIZES")
    csv_export(ship, SHIPMENTS, csv_path)
    write_program(program, channel.program, channel.settings)
    return csv_path, program


def bench_load(lines: int, sizes: Sizes, repeat: int) -> dict:
    csv_path, program = prepare_shipments(sizes, lines)
    base = DATA / "ledger_template.duckdb"
    for p in (base, base.with_suffix(".duckdb.wal")):
        p.unlink(missing_ok=True)
    with Ledger.open(base, create=True) as led:  # program loaded once; runs start from copies
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
            dt, n, rss = run_script(script, str(db), str(csv_path))
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


def run(repeat: int, quick: bool = False) -> dict:
    if quick:
        return bench_load(LINES // QUICK_SCALE, SHIP_SIZES_QUICK, repeat)
    return bench_load(LINES, SHIP_SIZES, repeat)

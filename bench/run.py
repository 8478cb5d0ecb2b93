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

from channelxl.io.program import write_program  # noqa: E402
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
from channelxl.ledger.ingest import ingest_file
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="100,000 lines instead of 1,000,000")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
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
    results["generate"] = bench_generate(gen_sizes, args.repeat)
    print("generate:", json.dumps(results["generate"]))
    results["load_shipments"] = bench_load(1_000_000 // scale, ship_sizes, args.repeat)
    print("load shipments:", json.dumps(results["load_shipments"]))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

"""Shared harness: paths, the machine, median timing, child processes with peak memory.

Data is generated under bench/data/ (not committed); results go to stdout and
bench/results/latest.json. Record them with the machine in docs/BENCHMARKS.md.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent  # the checkout: child processes import channelxl from here
DATA = HERE / "data"
RESULTS = HERE / "results"

QUICK_SCALE = 10  # --quick divides the line counts of the sized benchmarks by this


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


# ru_maxrss would report the benchmark's own size (inherited at fork); VmHWM is reset at exec.
PEAK = """
def peak_kib():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
"""

# ingest_file into an existing ledger, timed inside: the load and template benchmarks' "ours".
INGEST = (
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


def run_script(script: str, *args: str) -> tuple[float, int, int]:
    """Run ``script`` (which prints ``seconds count peak_kib``) in a fresh Python process."""
    out = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    if out.returncode:
        raise RuntimeError(f"benchmark child process failed ({out.returncode}):\n{out.stderr}")
    dt, n, rss = out.stdout.split()
    return float(dt), int(n), int(rss)


def csv_export(frame, table, path: Path) -> Path:
    """Write ``frame`` as a CSV with ``table``'s column names (the columns it has)."""
    cols = [c for c in table.columns if c.field in frame.columns]
    frame[[c.field for c in cols]].rename(columns={c.field: c.name for c in cols}).to_csv(
        path, index=False
    )
    return path

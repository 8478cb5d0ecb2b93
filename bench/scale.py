"""Scale curve: load, rebates, reconciliation, territory and review facts at 1M, 3M and 10M
sell-through lines (``--quick``: 100k, 300k and 1M).

At each size the synthetic channel gets wider, not denser: 625 distributors and 20,000
resellers per million lines over 24 months and 200 SKUs (the shared benchmark ledger's
channel at 1M), so a distributor's volume is the same at every size. Its files are written
once under bench/data/scale/<generator>/<lines>/ by :mod:`bench.scale_channel`, distributor
batch by batch (memory about flat: 1.2 GB at 10M lines, where ``channelxl.synth.generate``
passed 9 GB), the sell-through as one CSV per month (a single 10M-line export would exceed
the 1 GiB file limit, and monthly files are what distributors send). ``SCALE_NICE`` sets the
children's niceness (10 by default: the machine is shared).

Each step runs in its own child process, so its peak memory (VmHWM) is its own:

- **load**: a fresh ledger, the program workbook synced, then ``ingest_file`` (what
  ``channelxl ingest`` calls) of shipments, the monthly sell-through files, inventory,
  certifications and activities; the sell-through part is also timed on its own;
- **rebates**: ``rebate_statement`` of the latest quarter (every program evaluated, the
  statement's tables, MDF, recompute cells) into a scratch folder; the seconds reported
  leave out the workbook and CSV writing, which are timed apart (``statement_write_s``;
  with ``SCALE_STATEMENT_FILES=0`` the files are not written at all, and the peak memory is
  the computation's alone);
- **reconcile**: ``reconcile_quarter`` of the latest quarter (grid, line flags, loading);
- **territory**: ``territory_quarter`` of the latest quarter;
- **facts**: ``quarter_report_facts`` of the latest quarter for every distributor.

No baseline beside it: the figure is how each step grows with the lines, as seconds per
million lines and the ratio largest / smallest size (time, memory) against the ratio of
lines. Each step runs ``min(repeat, 3)`` times per size (median; once with ``--quick``), the
sizes alternating order between repeats; the load average is recorded beside each size.
Generating a size's files is paid once (minutes at 3M and more) and not part of the figures.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from bench.common import DATA, PEAK, ROOT

FULL = (1_000_000, 3_000_000, 10_000_000)
QUICK = (100_000, 300_000, 1_000_000)
STEPS = ("load", "rebates", "reconcile", "territory", "facts")
MAX_REPEAT = 3  # a 10M load takes minutes: at most three runs of each step per size
SCALE = DATA / "scale"
GENERATOR = "scale_channel-1"  # bump when the written channel changes: sizes regenerate

# Writes one size's channel in distributor batches (bench/scale_channel.py): memory stays
# about flat with the size, where ``channelxl.synth.generate`` needed ~1.3 GB per million lines.
GENERATE = (
    PEAK
    + """
import sys, time
from pathlib import Path
from bench.scale_channel import write_channel
folder, lines = Path(sys.argv[1]), int(sys.argv[2])
t = time.perf_counter()
write_channel(folder, lines)
print(time.perf_counter() - t, 0, peak_kib())
"""
)

# A fresh ledger, the program, then every file in the order written; prints the total and,
# as its count, the sell-through part in milliseconds.
LOAD = (
    PEAK
    + """
import json, sys, time
from datetime import date
from pathlib import Path
from channelxl.ledger import Ledger
from channelxl.ledger.ingest_file import ingest_file
folder, db = Path(sys.argv[1]), Path(sys.argv[2])
for p in (db, db.with_suffix(".duckdb.wal")):
    p.unlink(missing_ok=True)
t = time.perf_counter()
st = 0.0
with Ledger.open(db, create=True) as led:
    led.sync_program(folder / "program.xlsx")
    for name in json.loads((folder / "files.json").read_text()):
        t1 = time.perf_counter()
        r = ingest_file(led, folder / name, today=date(2030, 1, 1))
        assert r.status == "accepted", r.summary()
        if name.startswith("sell_through"):
            st += time.perf_counter() - t1
    led.con.execute("CHECKPOINT")
print(time.perf_counter() - t, round(st * 1000), peak_kib())
"""
)

# The other steps share their opening: the ledger read-only and its latest quarter.
OPEN = (
    PEAK
    + """
import sys, time
from channelxl.core.periods import Month
from channelxl.ledger import Ledger
led = Ledger.open(sys.argv[1], read_only=True)
q = Month.parse(led.con.execute("SELECT max(period) FROM sell_through").fetchone()[0]).quarter
"""
)

REBATES = (
    OPEN
    + """
import os, tempfile
from pathlib import Path
from channelxl.commands import statement
write = statement.write_statement
written = []
files = os.environ.get("SCALE_STATEMENT_FILES", "1") != "0"  # "0": computation only
def timed_write(tables, out_dir, name):  # the files apart: the seconds printed are the computation
    t1 = time.perf_counter()
    out = write(tables, out_dir, name) if files else (Path(out_dir, "-.xlsx"), Path(out_dir, "-.csv"))
    written.append(time.perf_counter() - t1)
    return out
statement.write_statement = timed_write
with tempfile.TemporaryDirectory() as out:
    t = time.perf_counter()
    run = statement.rebate_statement(led, q, out)
    dt = time.perf_counter() - t
print(dt - sum(written), round(sum(written) * 1000), peak_kib())
"""
)

RECONCILE = (
    OPEN
    + """
from channelxl.ledger.quarter_checks import reconcile_quarter
t = time.perf_counter()
run = reconcile_quarter(led, q)
print(time.perf_counter() - t, len(run.grid), peak_kib())
"""
)

TERRITORY = (
    OPEN
    + """
from channelxl.ledger.quarter_checks import territory_quarter
t = time.perf_counter()
run = territory_quarter(led, q)
print(time.perf_counter() - t, len(run.lines), peak_kib())
"""
)

FACTS = (
    OPEN
    + """
from channelxl.reports.facts import quarter_report_facts
t = time.perf_counter()
facts = quarter_report_facts(led, q)
print(time.perf_counter() - t, len(facts.by_distributor), peak_kib())
"""
)

SCRIPTS = {
    "load": LOAD,
    "rebates": REBATES,
    "reconcile": RECONCILE,
    "territory": TERRITORY,
    "facts": FACTS,
}


def child(script: str, *args: str) -> tuple[float, int, int]:
    """Run ``script`` niced (the machine is shared) in a fresh Python process; it prints
    ``seconds count peak_kib``."""
    # niceness 10 (SCALE_NICE), not 10 more: a run started with ``nice -n 10`` keeps 10
    level = int(os.environ.get("SCALE_NICE", "10"))
    nice = ["nice", "-n", str(level - os.nice(0))] if os.nice(0) < level else []
    out = subprocess.run(
        [*nice, sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    if out.returncode:
        raise RuntimeError(f"benchmark child process failed ({out.returncode}):\n{out.stderr}")
    dt, n, rss = out.stdout.split()[-3:]
    return float(dt), int(n), int(rss)


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


def prepare(lines: int) -> tuple[Path, dict]:
    """The folder of one size's files (generated on first use) and how they were made."""
    folder = SCALE / GENERATOR / str(lines)
    made = folder / "generated.json"
    if made.exists() and (folder / "files.json").exists():
        return folder, json.loads(made.read_text())
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    free = shutil.disk_usage(folder).free / 2**30
    need = lines * 300 / 2**30  # CSVs ~220 bytes a sell-through line all told, plus ledger
    if free < need:
        raise SystemExit(f"{lines:,} lines need ~{need:.1f} GiB on disk; {free:.1f} GiB free")
    load = load_average()
    dt, _, rss = child(GENERATE, str(folder), str(lines))
    info = {
        "generate_s": round(dt, 1),
        "generate_peak_mib": round(rss / 1024),
        "load_average": load,
        "csv_mib": round(sum(p.stat().st_size for p in folder.glob("*.csv")) / 2**20),
        "generator": GENERATOR,
    }
    made.write_text(json.dumps(info))
    return folder, info


def bench_scale(sizes: tuple[int, ...], repeat: int, steps: tuple[str, ...] = STEPS) -> dict:
    """The curve over ``sizes``; ``steps`` without "load" reuse each size's ledger."""
    folders = {n: prepare(n) for n in sizes}
    runs = {(n, s): [] for n in sizes for s in steps}
    extra = {(n, s): [] for n in sizes for s in steps}  # sell-through ms / write ms / rows
    loads = {n: [] for n in sizes}
    lines = {}
    for i in range(max(1, min(repeat, MAX_REPEAT))):
        for n in sizes if i % 2 == 0 else sizes[::-1]:
            folder, _ = folders[n]
            db = folder / "ledger.duckdb"
            loads[n].append(load_average())
            for step in steps:
                args = (str(folder), str(db)) if step == "load" else (str(db),)
                dt, count, rss = child(SCRIPTS[step], *args)
                runs[(n, step)].append((dt, rss))
                print(f"  scale {n:,} {step}: {dt:.1f} s, {rss / 1024:,.0f} MiB", flush=True)
                extra[(n, step)].append(count)
            if n not in lines:
                lines[n] = _count_lines(db)
    rows = []
    for n in sizes:
        m = lines[n] / 1e6
        for step in steps:
            secs = statistics.median(dt for dt, _ in runs[(n, step)])
            row = {
                "size": n,
                "lines": lines[n],
                "step": step,
                "seconds": round(secs, 2),
                "peak_mib": round(max(rss for _, rss in runs[(n, step)]) / 1024),
                "s_per_m_lines": round(secs / m, 2),
                "runs_s": [round(dt, 2) for dt, _ in runs[(n, step)]],
            }
            count = statistics.median(extra[(n, step)])
            if step == "load":
                row["sell_through_s"] = round(count / 1000, 2)
            elif step == "rebates":
                row["statement_write_s"] = round(count / 1000, 2)
            else:
                row["rows_out"] = int(count)
            rows.append(row)
    small, big = sizes[0], sizes[-1]
    growth = {}
    for step in steps:
        a = next(r for r in rows if r["lines"] == lines[small] and r["step"] == step)
        b = next(r for r in rows if r["lines"] == lines[big] and r["step"] == step)
        growth[step] = {
            "lines_ratio": round(lines[big] / lines[small], 2),
            "time_ratio": round(b["seconds"] / a["seconds"], 2) if a["seconds"] else None,
            "memory_ratio": round(b["peak_mib"] / a["peak_mib"], 2),
        }
    return {
        "sizes": list(sizes),
        "generated": {n: folders[n][1] for n in sizes},
        "load_average": {n: loads[n] for n in sizes},
        "rows": rows,
        "growth": growth,
        "table": table(rows, growth, loads),
    }


def _count_lines(db: Path) -> int:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT count(*) FROM sell_through").fetchone()[0]


def table(rows: list[dict], growth: dict, loads: dict) -> str:
    """The curve as a Markdown table, then the growth largest / smallest per step."""
    out = [
        "| lines | step | seconds | peak MiB | s per M lines | load avg |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        load = "/".join(f"{x:.1f}" for x in loads[r["size"]])
        out.append(
            f"| {r['lines']:,} | {r['step']} | {r['seconds']:.2f} | {r['peak_mib']:,} | "
            f"{r['s_per_m_lines']:.2f} | {load} |"
        )
    out += ["", "| step | lines ratio | time ratio | memory ratio |", "|---|---:|---:|---:|"]
    for step, g in growth.items():
        out.append(f"| {step} | {g['lines_ratio']} | {g['time_ratio']} | {g['memory_ratio']} |")
    return "\n".join(out)


def run(repeat: int, quick: bool = False) -> dict:
    result = bench_scale(QUICK, 1) if quick else bench_scale(FULL, repeat)
    print(result["table"])
    return result

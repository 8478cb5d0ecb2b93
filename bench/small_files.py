"""Many small received reports: the fixed cost of one file.

A distributor's monthly report is small (~30 sell-through lines, ~40 inventory lines), and
a month brings one of each per distributor, so what a file costs whatever its size decides
how long a run takes. The inbox: the last month of a 20-distributor synthetic channel
(``channelxl.synth``), its sell-through and inventory CSV files; the ledger already holds
the months before (so the history tables are as large as they are in use).

**channelxl**: ``channelxl ingest``'s library call (``commands.ingest.ingest``: every file
recognised, read typed, checked, superseded, recorded, each its own transaction, feedback
written for files with problems, at once: the library call's default, and what
``channelxl ingest`` does for a run's first 8) into a copy of that ledger; and the same without feedback
(``load_only``: the files' load alone); the figure is its time divided by the files (ms
per file), wall and CPU (the child's process time, DuckDB's threads included: steadier on a
shared machine; a background feedback process's would not be in it). **Baseline**: DuckDB reading each file into a table of its own
(``CREATE TABLE t AS SELECT * FROM read_csv(file)``) in an open connection to a database
file. Both timed in child processes, alternating which runs first; medians. Goal: ratio
<= 3. ``--quick`` uses half the distributors.
"""

from __future__ import annotations

import shutil
import statistics
from datetime import date
from pathlib import Path

from bench.common import DATA, run_script
from channelxl.io.program_workbook import write_program
from channelxl.ledger import Ledger
from channelxl.ledger.ingest_file import ingest_file
from channelxl.synth import Sizes, generate
from channelxl.synth.files import write_reports

SIZES = Sizes(distributors=20, resellers=400, skus=60, months=12, lines=7_200)
SIZES_QUICK = Sizes(distributors=10, resellers=200, skus=60, months=12, lines=3_600)
TODAY = date(2030, 1, 1)

OURS = """
import sys, time
from datetime import date
from pathlib import Path
from channelxl.commands.ingest import ingest
from channelxl.ledger import Ledger
files = Path(sys.argv[2]).read_text().split("\\n")
with Ledger.open(sys.argv[1]) as led:
    t, c = time.perf_counter(), time.process_time()
    feedback = None if sys.argv[3] == "-" else Path(sys.argv[3])
    run = ingest(led, files, today=date(2030, 1, 1), feedback_dir=feedback)
    dt, cpu = time.perf_counter() - t, time.process_time() - c
bad = [r.summary() for r in run.results if r.status != "accepted"]
assert not bad, bad
print(dt, len(run.results), round(cpu * 1e6))
"""

DUCKDB = """
import sys, time, duckdb
from pathlib import Path
files = Path(sys.argv[2]).read_text().split("\\n")
con = duckdb.connect(sys.argv[1])
t, c = time.perf_counter(), time.process_time()
for i, f in enumerate(files):
    con.execute(f"CREATE TABLE t{i} AS SELECT * FROM read_csv(?)", [f])
dt, cpu = time.perf_counter() - t, time.process_time() - c
print(dt, len(files), round(cpu * 1e6))
"""


def prepare(sizes: Sizes) -> tuple[Path, list[Path]]:
    """The ledger holding every month but the last (built on first use), and the last
    month's report files."""
    folder = DATA / f"small_{sizes.distributors}"
    base = folder / "ledger.duckdb"
    inbox = folder / "inbox"
    if base.exists():
        return base, sorted(inbox.glob("*.csv"))
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    channel = generate(11, sizes)
    last = str(channel.months[-1])
    program = write_program(folder / "program.xlsx", channel.program, channel.settings)
    earlier = write_reports(channel, folder / "earlier", skip={last})
    every = write_reports(channel, folder / "all")
    for path in every:
        if path.stem.endswith(last):
            inbox.mkdir(exist_ok=True)
            shutil.copy2(path, inbox / path.name)
    tmp = folder / "ledger.tmp.duckdb"
    with Ledger.open(tmp, create=True) as led:
        led.sync_program(program)
        for path in sorted(earlier, key=lambda p: (p.stat().st_mtime, p.name)):
            r = ingest_file(led, path, today=TODAY)
            assert r.status in ("accepted", "held"), r.summary()
        led.con.execute("CHECKPOINT")
    tmp.rename(base)
    shutil.rmtree(folder / "earlier")
    shutil.rmtree(folder / "all")
    return base, sorted(inbox.glob("*.csv"))


def bench_small_files(sizes: Sizes, repeat: int) -> dict:
    base, files = prepare(sizes)
    listing = base.parent / "files.txt"
    listing.write_text("\n".join(str(p) for p in files))
    ours, theirs, cpu = [], [], {"ours": [], "duckdb": [], "load_only": []}
    load_only = []
    for i in range(repeat):
        target, plain = base.parent / "run.duckdb", base.parent / "plain.duckdb"
        feedback = base.parent / "feedback"
        for p in (target, plain):
            p.unlink(missing_ok=True)
        shutil.rmtree(feedback, ignore_errors=True)
        feedback.mkdir()
        bare = base.parent / "bare.duckdb"
        bare.unlink(missing_ok=True)
        shutil.copy(base, target)
        shutil.copy(base, bare)
        steps = [
            ("ours", OURS, target, feedback),
            ("duckdb", DUCKDB, plain, feedback),
            ("load_only", OURS, bare, "-"),
        ]
        for name, script, db, out in steps if i % 2 == 0 else steps[::-1]:
            dt, n, cpu_us = run_script(script, str(db), str(listing), str(out))
            assert n == len(files), (name, n)
            {"ours": ours, "duckdb": theirs, "load_only": load_only}[name].append(dt / n)
            cpu[name].append(cpu_us / 1e6 / n)
        bare.unlink(missing_ok=True)
        for p in (target, plain):
            p.unlink(missing_ok=True)
    with Ledger.open(base) as led:
        history = led.con.execute("SELECT count(*) FROM sell_through_lines").fetchall()[0][0]
    lines = sum(len(f.read_text().splitlines()) - 1 for f in files)
    mo, mt = statistics.median(ours), statistics.median(theirs)
    co, ct = statistics.median(cpu["ours"]), statistics.median(cpu["duckdb"])
    ml, cl = statistics.median(load_only), statistics.median(cpu["load_only"])
    return {
        "files": len(files),
        "lines_per_file": round(lines / len(files), 1),
        "history_sell_through_lines": history,
        "channelxl_ms_per_file": round(mo * 1000, 2),
        "duckdb_read_csv_ms_per_file": round(mt * 1000, 2),
        "ratio": round(mo / mt, 2),
        "channelxl_cpu_ms_per_file": round(co * 1000, 2),
        "duckdb_cpu_ms_per_file": round(ct * 1000, 2),
        "cpu_ratio": round(co / ct, 2),
        "load_only_ms_per_file": round(ml * 1000, 2),
        "load_only_ratio": round(ml / mt, 2),
        "load_only_cpu_ms_per_file": round(cl * 1000, 2),
        "load_only_cpu_ratio": round(cl / ct, 2),
        "goal_ratio": 3,
        "channelxl_runs_ms": [round(x * 1000, 2) for x in ours],
        "duckdb_runs_ms": [round(x * 1000, 2) for x in theirs],
        "load_only_runs_ms": [round(x * 1000, 2) for x in load_only],
    }


def run(repeat: int, quick: bool = False) -> dict:
    return bench_small_files(SIZES_QUICK if quick else SIZES, repeat)

"""``channelxl demo`` end to end: its wall time and each of its steps.

**channelxl**: ``python -m channelxl demo --dir <fresh folder> --no-progress`` in a child
process (the default channel: 40 distributors, 2,000 resellers, 160 SKUs, 8 quarters,
60,000 sell-through lines, ~2,000 received files). The demo prints a line as each step
begins ("Generating ...", "Ingesting the inbox ...", ...); each line is timed as it
arrives, and a step's time is from its line to the next step's (the last, the reviews, to
the list of what was planted, printed once they are made).

**Baseline**: the 287 s the demo took on 2026-11-29 (docs/BENCHMARKS.md), a *recorded*
figure, not one measured in the same run: the code of that day cannot run beside this
one. On a shared machine compare runs taken under the same load (``uptime``), or run the
code before a change with :func:`time_demo`'s ``code`` (a checkout's folder) alternating
with this one. Goal: at least twice as fast (<= 143.5 s). ``--quick`` runs the same
demo (its time is the figure asked for); ``repeat`` runs give the median.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path

from bench.common import DATA, ROOT

RECORDED_BASELINE_S = 287.0  # 2026-11-29, docs/BENCHMARKS.md
GOAL_RATIO = 2
# the demo's step lines, as they begin (channelxl.demo.run_demo), and the step they open
STEPS = (
    ("Generating a synthetic channel", "generate"),
    ("Ingesting the inbox", "ingest"),
    ("Evaluating rebate programs", "rebates"),
    ("Approving ", "approve"),
    ("A late correction", "late correction"),
    ("Reconciling and checking", "reconcile and territory"),
    ("Making the quarterly business reviews", "reviews"),
    ("Planted for the checks", None),  # printed once the reviews are made
)


def time_demo(folder: Path, code: Path = ROOT) -> dict:
    """Run the demo into ``folder`` (cleared first) with channelxl from ``code``; its wall
    time, each step's, and the time it prints itself."""
    shutil.rmtree(folder, ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(code), "PYTHONUNBUFFERED": "1"}
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "channelxl", "demo", "--dir", str(folder), "--no-progress"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tempfile.gettempdir(),  # not the checkout: its channelxl comes from ``code``
    )
    marks: list[tuple[str | None, float]] = []
    said = ""
    for line in child.stdout:
        now = time.perf_counter() - started
        for start, step in STEPS:
            if line.startswith(start):
                marks.append((step, now))
        if line.startswith("Done in "):
            said = line.split()[2]
    err = child.stderr.read()
    if child.wait():
        raise RuntimeError(f"channelxl demo failed ({child.returncode}):\n{err[-3000:]}")
    wall = time.perf_counter() - started
    steps = {
        step: round(end - begin, 2)
        for (step, begin), (_, end) in pairwise(marks)
        if step is not None
    }
    return {"wall_s": round(wall, 2), "demo_says_s": float(said or "nan"), "steps_s": steps}


def run(repeat: int, quick: bool = False) -> dict:
    runs = []
    for i in range(max(repeat, 1)):
        runs.append(time_demo(DATA / "demo" / f"run{i}"))
    shutil.rmtree(DATA / "demo", ignore_errors=True)
    wall = statistics.median(r["wall_s"] for r in runs)
    steps = {
        step: round(statistics.median(r["steps_s"].get(step, 0.0) for r in runs), 2)
        for step in runs[0]["steps_s"]
    }
    return {
        "wall_s": wall,
        "steps_s": steps,
        "recorded_baseline_s": RECORDED_BASELINE_S,
        "speedup": round(RECORDED_BASELINE_S / wall, 2),
        "goal_speedup": GOAL_RATIO,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "runs": runs,
    }

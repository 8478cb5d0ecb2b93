"""channelxl benchmarks: ``python bench/run.py`` (``--quick`` for a smaller, faster pass).

Each figure is the median of several runs, compared with its baseline in the same run. The
benchmarks are listed in bench/registry.py, one module each (its docstring says what is
measured against which baseline); ``--only NAME`` (repeatable) runs some of them. ``--quick``
runs the sized ones at a tenth of their lines and skips those without a quick version
(rebates, checks).

Data is generated under bench/data/ (not committed); results go to stdout and
bench/results/latest.json. Record them with the machine in docs/BENCHMARKS.md.

The checkout's modules are compiled to bytecode first, as an installed package's are after
its first run: without it (PYTHONDONTWRITEBYTECODE set, or sources newer than their
bytecode) every child process would compile what it imports inside the timed work.
"""

from __future__ import annotations

import argparse
import compileall
import json
import sys
from datetime import date
from pathlib import Path

if __package__ in (None, ""):  # python bench/run.py: import bench and channelxl from this checkout
    _here = Path(__file__).resolve().parent
    if sys.path and Path(sys.path[0] or ".").resolve() == _here:
        del sys.path[0]  # not bench/ itself: its modules would shadow top-level ones
    sys.path.insert(0, str(_here.parent))

from bench.common import RESULTS, ROOT, machine
from bench.registry import NAMES, selected


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="100,000 lines instead of 1,000,000")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--only", choices=NAMES, action="append", help="Run only these (repeatable).")
    args = ap.parse_args()
    results = {"date": str(date.today()), "machine": machine(), "quick": args.quick}
    print(json.dumps(results["machine"]))
    for package in ("channelxl", "bench"):
        compileall.compile_dir(ROOT / package, quiet=1)
    for benchmark in selected(args.only):
        if args.quick and not benchmark.quick:
            print(f"{benchmark.label}: skipped with --quick (no quick version)")
            continue
        results[benchmark.key] = benchmark.run(args.repeat, args.quick)
        print(f"{benchmark.label}:", json.dumps(results[benchmark.key]))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

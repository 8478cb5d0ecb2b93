"""Generating 1,000,000 sell-through lines with the synthetic-channel generator.

No baseline: the figure is lines per second (goal: seconds, not minutes). ``--quick``
generates 100,000 lines for 2,000 resellers instead.
"""

from __future__ import annotations

from bench.common import QUICK_SCALE, median_time
from channelxl.synth import Sizes, generate

MILLION = Sizes(distributors=200, resellers=20_000, skus=400, months=24, lines=1_000_000)


def sizes(quick: bool) -> Sizes:
    scale = QUICK_SCALE if quick else 1
    return Sizes(
        distributors=MILLION.distributors,
        resellers=MILLION.resellers // scale,
        skus=MILLION.skus,
        months=MILLION.months,
        lines=MILLION.lines // scale,
    )


def bench_generate(sizes: Sizes, repeat: int) -> dict:
    n = len(generate(1, sizes).sell_through)
    med, runs = median_time(lambda: generate(1, sizes), repeat)
    return {
        "lines": n,
        "median_s": round(med, 3),
        "runs_s": [round(x, 3) for x in runs],
        "lines_per_s": round(n / med),
    }


def run(repeat: int, quick: bool = False) -> dict:
    return bench_generate(sizes(quick), repeat)

"""The benchmarks by name (what ``--only`` accepts), in the order ``run.py`` runs them.

Each entry names the module holding the benchmark; the module is imported only when the
benchmark runs (the QBR benchmark pulls in the notebook stack), and its ``run(repeat, quick)``
returns the result dict written under ``key`` in bench/results/latest.json.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Benchmark:
    name: str  # for --only
    key: str  # in bench/results/latest.json
    label: str  # printed before the result
    module: str  # bench.<module>.run(repeat, quick)
    quick: bool = True  # False: no quick version, skipped with --quick

    def run(self, repeat: int, quick: bool = False) -> dict:
        return importlib.import_module(self.module).run(repeat, quick)


BENCHMARKS = (
    Benchmark("generate", "generate", "generate", "bench.generate"),
    Benchmark("load", "load_shipments", "load shipments", "bench.load"),
    Benchmark("template", "template", "returned template", "bench.template"),
    Benchmark("chx_rebate", "chx_rebate", "CHX_REBATE", "bench.chx_rebate"),
    Benchmark("rebates", "rebates", "rebate programs", "bench.rebates", quick=False),
    Benchmark("checks", "checks", "reconciliation and territory", "bench.checks", quick=False),
    Benchmark("qbr", "qbr", "QBR batch", "bench.qbr"),
    Benchmark("x12", "x12_867", "X12 867 load and read", "bench.x12"),
    Benchmark("small_files", "small_files", "small received files", "bench.small_files"),
    Benchmark("scale", "scale", "scale curve", "bench.scale"),
    Benchmark("demo", "demo", "channelxl demo end to end", "bench.demo"),
)

NAMES = [b.name for b in BENCHMARKS]


def selected(names: list[str] | None) -> list[Benchmark]:
    """The benchmarks asked for (all when ``names`` is empty), in registry order."""
    wanted = set(names or NAMES)
    unknown = wanted - set(NAMES)
    if unknown:
        raise ValueError(f"unknown benchmarks: {', '.join(sorted(unknown))}")
    return [b for b in BENCHMARKS if b.name in wanted]

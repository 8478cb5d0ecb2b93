"""One ``CHX_REBATE`` call over a 100,000-row measure column, as Excel passes it.

**channelxl**: the Excel function on a 2-D list of floats, retroactive and incremental
(goal: well under 100 ms). **Baseline**: the naive way, the same tier table through Decimal
cell by cell. The same size with ``--quick``.
"""

from __future__ import annotations

import random

from bench.common import median_time
from channelxl.core.money import round_cents
from channelxl.core.tiers import TierTable
from channelxl.excel import chx_rebate

ROWS = 100_000


def bench_chx_rebate(repeat: int, rows: int = ROWS) -> dict:
    rng = random.Random(1)
    column = [[round(rng.uniform(0, 800_000), 2)] for _ in range(rows)]
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


def run(repeat: int, quick: bool = False) -> dict:
    return bench_chx_rebate(repeat)  # already small: no quick version

"""channelxl's Excel functions. List this module in the xlwings add-in's UDF Modules.

``CHX_FOO`` in a cell is ``chx_foo`` here; the registry (``channelxl.excel.registry``)
describes each one. Importing this module registers them all.
"""

from channelxl.excel.channel_functions import (
    chx_reconcile,
    chx_sell_through_ratio,
    chx_territory_check,
    chx_territory_conflicts,
    chx_weeks_of_supply,
)
from channelxl.excel.program_function import chx_program, chx_program_steps
from channelxl.excel.rebate_functions import (
    chx_next_tier_gap,
    chx_rebate,
    chx_rebate_tier,
    chx_scorecard,
)
from channelxl.excel.registry import REGISTRY

__all__ = [
    "REGISTRY",
    "chx_next_tier_gap",
    "chx_program",
    "chx_program_steps",
    "chx_rebate",
    "chx_rebate_tier",
    "chx_reconcile",
    "chx_scorecard",
    "chx_sell_through_ratio",
    "chx_territory_check",
    "chx_territory_conflicts",
    "chx_weeks_of_supply",
]

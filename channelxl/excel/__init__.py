"""channelxl's Excel functions. List this module in the xlwings add-in's UDF Modules.

``CHX_FOO`` in a cell is ``chx_foo`` here; the registry (``channelxl.excel.registry``)
describes each one. Importing this module registers them all.
"""

from channelxl.excel.rebates import chx_next_tier_gap, chx_rebate, chx_rebate_tier, chx_scorecard
from channelxl.excel.registry import REGISTRY

__all__ = ["REGISTRY", "chx_next_tier_gap", "chx_rebate", "chx_rebate_tier", "chx_scorecard"]

"""channelxl's CHX_ functions in xlwings Lite: this file is the Lite editor's ``main.py``.

xlwings Lite registers every function in ``main.py`` that carries xlwings' ``@func`` mark
(https://lite.xlwings.org/custom_functions). ``channelxl.excel`` puts that mark, the
argument descriptions and ``ndim=2`` for ranges on each function when it is imported
(channelxl/excel/registry.py), so naming the functions here is all Lite needs: the cells
run the same engine as ``channelxl rebates``. The package comes from requirements.txt
(docs/EXCEL.md, "xlwings Lite").
"""

from channelxl.excel import (
    chx_next_tier_gap,
    chx_program,
    chx_program_steps,
    chx_rebate,
    chx_rebate_tier,
    chx_reconcile,
    chx_scorecard,
    chx_sell_through_ratio,
    chx_territory_check,
    chx_territory_conflicts,
    chx_weeks_of_supply,
)

# Lite looks for the marked functions among this module's names: every function of
# channelxl.excel.REGISTRY is listed (tests/test_lite_import.py fails when one is missing).
__all__ = [
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

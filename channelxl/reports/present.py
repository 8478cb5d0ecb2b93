"""The review's sections under their earlier name.

Report notebooks copied from ``notebooks/qbr.ipynb`` before the sections moved to
``reports.sections`` import ``channelxl.reports.present``; it names the same functions, so
those notebooks (``channelxl qbr --notebook``) keep running unchanged.
"""

from channelxl.reports.html import Block, e
from channelxl.reports.sections import (
    SECTIONS,
    enablement,
    footer,
    header,
    headline,
    load,
    observations,
    rebates,
    rebates_earned,
    reporting,
    resellers,
    sell_through,
    stock,
    territory,
)

__all__ = [
    "SECTIONS",
    "Block",
    "e",
    "enablement",
    "footer",
    "header",
    "headline",
    "load",
    "observations",
    "rebates",
    "rebates_earned",
    "reporting",
    "resellers",
    "sell_through",
    "stock",
    "territory",
]

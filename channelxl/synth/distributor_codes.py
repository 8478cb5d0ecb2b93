"""The program's Cross References: the codes distributors use of their own.

Per distributor (k, 0-based): its own part numbers for three active SKUs (``D001-P0001``
style: the distributor's id, P, a running number), its own account numbers for its first
two resellers (``(k + 1) * 100000 + reseller number``); and for any distributor one
manufacturer part number (the first SKU without its hyphen, ``MPN-SWI0001``). Each follows
from the indices, not from the random draws, so adding them changed no other value, and
an EDI file written from the channel can use codes the program resolves.
"""

from __future__ import annotations

import numpy as np

from channelxl.core.cross_reference import (
    ACCOUNT,
    DISTRIBUTOR_PART,
    MANUFACTURER_PART,
    PRODUCT,
    RESELLER,
)
from channelxl.synth.distributors import Distributors
from channelxl.synth.products import Products
from channelxl.synth.resellers import Resellers

PARTS_PER_DISTRIBUTOR = 3
ACCOUNTS_PER_DISTRIBUTOR = 2


def _row(distributor, kind, qualifier, code, maps_to) -> dict:
    return {
        "distributor_id": distributor,
        "kind": kind,
        "qualifier": qualifier,
        "code": code,
        "maps_to": maps_to,
    }


def rows(dist: Distributors, prods: Products, res: Resellers) -> list[dict]:
    """The Cross References sheet's rows."""
    active = np.flatnonzero(prods.active)
    out = []
    for k in range(dist.count):
        d = str(dist.ids[k])
        for m in range(PARTS_PER_DISTRIBUTOR):
            sku = str(prods.skus[active[(k + m) % active.size]])
            out.append(_row(d, PRODUCT, DISTRIBUTOR_PART, f"{d}-P{m + 1:04d}", sku))
        for r in np.flatnonzero(res.first == k)[:ACCOUNTS_PER_DISTRIBUTOR]:
            out.append(_row(d, RESELLER, ACCOUNT, str((k + 1) * 100000 + r + 1), str(res.ids[r])))
    first = str(prods.skus[0])
    out.append(_row(None, PRODUCT, MANUFACTURER_PART, "MPN-" + first.replace("-", ""), first))
    return out

"""The cross-reference resolver of the program in a ledger: the codes distributors send
(EDI's GTINs, part numbers, GLNs, DUNS, account numbers) turned into SKUs and Reseller IDs.

Built from the ledger's copy of the program workbook (Products, Resellers, Cross
References); the rules are :mod:`channelxl.core.cross_reference`'s.
"""

from __future__ import annotations

from channelxl.core.cross_reference import CrossReference, Resolver
from channelxl.ledger.store import Ledger


def resolver(ledger: Ledger) -> Resolver:
    """The resolver of the program last loaded into ``ledger``: built once while the ledger
    is open (``Ledger.program_fact``; ~65 ms with the demo's program, and every EDI file of
    a run asks for it), again once the program is reloaded."""
    return ledger.program_fact("cross-references", lambda: _build(ledger))


def _build(ledger: Ledger) -> Resolver:
    con = ledger.con
    products = con.execute("SELECT sku, gtin FROM products ORDER BY sku").fetchall()
    resellers = con.execute(
        "SELECT reseller_id, gln, duns FROM resellers ORDER BY reseller_id"
    ).fetchall()
    references = [
        CrossReference(*row)
        for row in con.execute(
            "SELECT distributor_id, kind, qualifier, code, maps_to FROM cross_references "
            "ORDER BY distributor_id NULLS LAST, kind, qualifier, code"
        ).fetchall()
    ]
    return Resolver(products, resellers, references)


__all__ = ["resolver"]

"""The codes a distributor's EDI names products and resellers by, taken from the program
the channel comes with (Products' GTINs, Resellers' GLNs and DUNS numbers, and each
distributor's Cross References rows), so every code written resolves back to the SKU or
Reseller ID through :class:`channelxl.core.cross_reference.Resolver`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from channelxl.core.cross_reference import ACCOUNT, DISTRIBUTOR_PART, PRODUCT, RESELLER
from channelxl.core.gs1 import with_check_digit
from channelxl.core.periods import Month

RECEIVER = "VENDOR"  # what distributors call the vendor in their envelopes


@dataclass(frozen=True)
class Header:
    """What a report's envelope and heading say: the sending distributor, the id its
    interchanges are sent from and that id's qualifier (X12 ISA05 ``01`` DUNS, EANCOM
    ``14`` GLN), its name, its currency, the month reported, when the file was made, and
    the interchange control number."""

    distributor: str
    sender: str
    sender_qualifier: str
    name: str
    currency: str
    month: Month
    prepared: datetime
    control: int


def warehouse_gln(distributor: str, n: int) -> str:
    """The GLN of a distributor's ``n``-th warehouse (1-based): a made-up GS1 Germany
    company prefix (409998), the distributor's number, the warehouse, the check digit."""
    return with_check_digit(f"409998{int(distributor[1:]):04d}{n:02d}")


@dataclass(frozen=True)
class Codes:
    """``gtin``: SKU -> UPC-12; ``part``: (distributor, SKU) -> its part number;
    ``account``: (distributor, Reseller ID) -> its account number; ``gln`` / ``duns``:
    Reseller ID -> GLN, DUNS (or None)."""

    gtin: dict[str, str]
    part: dict[tuple[str, str], str]
    account: dict[tuple[str, str], str]
    gln: dict[str, str]
    duns: dict[str, str | None]

    @classmethod
    def of(cls, program: Mapping[str, list[dict]]) -> Codes:
        part: dict[tuple[str, str], str] = {}
        account: dict[tuple[str, str], str] = {}
        for row in program.get("cross_references", []):
            d = row["distributor_id"]
            if d is None:
                continue
            key = (str(d), str(row["maps_to"]))
            if row["kind"] == PRODUCT and row["qualifier"] == DISTRIBUTOR_PART:
                part.setdefault(key, str(row["code"]))
            elif row["kind"] == RESELLER and row["qualifier"] == ACCOUNT:
                account.setdefault(key, str(row["code"]))
        return cls(
            gtin={str(p["sku"]): str(p["gtin"]) for p in program["products"] if p.get("gtin")},
            part=part,
            account=account,
            gln={
                str(r["reseller_id"]): str(r["gln"]) for r in program["resellers"] if r.get("gln")
            },
            duns={str(r["reseller_id"]): r.get("duns") for r in program["resellers"]},
        )


__all__ = ["RECEIVER", "Codes", "Header", "warehouse_gln"]

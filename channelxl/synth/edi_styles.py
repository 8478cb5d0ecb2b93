"""Which distributors of the synthetic channel send their monthly reports as EDI, and how.

Most distributors send CSV reports (:mod:`channelxl.synth.files`). A few send EDI instead,
each in its own style, the way real distributors differ:

- the first US distributor: X12 004010, ``*`` ``>`` ``~`` with CR LF after each segment;
  867 returns under a return code (PTD ``RU``) with positive quantities; products by UPC
  (LIN ``UP``) and its own part number (``BP``) where it has one; resellers by its own
  account number (N1 ``91``) where it has one, else by GLN (``UL``); an 852 from one
  warehouse with the month-end stock as ZA ``QE`` (ending balance);
- the second US distributor: X12 005010, ``|`` ``^`` ``{`` with a line break as segment
  terminator; returns as negative quantities under ``SS``; products by your SKU (``VP``)
  and UPC; resellers by DUNS+4 (N1 ``9``), else GLN; serial numbers (REF ``SE``) for
  hardware; an 852 from three warehouses, stock available (ZA ``QA``) split by SDQ;
- the first UK distributor: EANCOM D96A SLSRPT and INVRPT (UNA, ``?`` releasing ``'`` in
  names); products by GTIN-13 (LIN ``SRV``) with your SKU (PIA ``SA``) and its own part
  number (PIA ``IN``); resellers by GLN (NAD agency ``9``); returns under QTY ``61``.

Each sender is known by its EDI ID, the id its interchanges are sent from (the
Distributors sheet's EDI IDs, :func:`with_edi_ids`): an X12 sender by a DUNS number
(ISA05 ``01``, ``08`` and the distributor's number in seven digits), an EANCOM sender by
its GLN (UNB qualifier ``14``).

Who sends EDI follows from the distributors' countries and order alone, never from the
random draws: a channel has the same figures whichever way its files are written. With
the demo's 40 distributors the senders are D001 (X12 004010), D022 (X12 005010) and D005
(EANCOM); with six, D001 and D005.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from channelxl.core.gs1 import with_check_digit

X12 = "X12"
EDIFACT = "EDIFACT"
HARDWARE = ("SWI", "ROU", "FIR", "WIR", "STO", "SER")  # SKU prefixes shipped with serials


@dataclass(frozen=True)
class Style:
    """How one distributor writes EDI.

    ``version``: GS08 (``004010``) or the EANCOM message version (``D:96A:UN:EAN004``).
    ``delimiters``: X12 element, component, segment terminator, repetition (``U`` before
    005010: none); ``newline``: what follows each terminator. ``returns``: ``code`` (a
    return transfer code, positive quantities) or ``sign`` (negative under a sale).
    ``products`` / ``resellers``: the qualifiers it names them by, in order (a code it has
    none of is left out). ``locations``: warehouses its stock report splits stock over.
    ``on_hand``: the 852 activity its month-end stock is sent as. ``names``: its file names
    per message type, formatted with ``d`` (the distributor), ``month`` (``2025-01``) and
    ``last`` (the month's last day)."""

    label: str
    standard: str
    version: str
    delimiters: tuple[str, str, str, str]
    newline: str
    returns: str
    products: tuple[str, ...]
    resellers: tuple[str, ...]
    serials: bool
    locations: int
    on_hand: str
    names: Mapping[str, str]


X12_4010 = Style(
    label="X12 004010 867/852",
    standard=X12,
    version="004010",
    delimiters=("*", ">", "~", "U"),
    newline="\r\n",
    returns="code",
    products=("UP", "BP"),
    resellers=("91", "UL"),
    serials=False,
    locations=1,
    on_hand="QE",
    names={"867": "{d}_867_{last:%Y%m%d}.edi", "852": "{d}_852_{last:%Y%m%d}.edi"},
)
X12_5010 = Style(
    label="X12 005010 867/852",
    standard=X12,
    version="005010",
    delimiters=("|", "^", "\n", "{"),
    newline="",
    returns="sign",
    products=("VP", "UP"),
    resellers=("9", "UL"),
    serials=True,
    locations=3,
    on_hand="QA",
    names={"867": "{d}-867-{month}.x12", "852": "{d}-852-{month}.x12"},
)
EANCOM = Style(
    label="EANCOM D96A SLSRPT/INVRPT",
    standard=EDIFACT,
    version="D:96A:UN:EAN004",
    delimiters=("+", ":", "'", " "),
    newline="\n",
    returns="code",
    products=("SRV", "SA", "IN"),
    resellers=("9",),
    serials=False,
    locations=1,
    on_hand="145",
    names={"SLSRPT": "SLSRPT_{d}_{month}.txt", "INVRPT": "INVRPT_{d}_{month}.txt"},
)

# (country, its n-th distributor there, 1-based) -> style
SENDERS: tuple[tuple[str, int, Style], ...] = (
    ("US", 1, X12_4010),
    ("US", 2, X12_5010),
    ("GB", 1, EANCOM),
)


def senders(distributors: Iterable[Mapping]) -> dict[str, Style]:
    """The distributors (program rows, in order) that send EDI, with their style."""
    seen: dict[str, int] = {}
    out: dict[str, Style] = {}
    for row in distributors:
        country = str(row["country"])
        seen[country] = seen.get(country, 0) + 1
        for c, nth, style in SENDERS:
            if c == country and nth == seen[country]:
                out[str(row["distributor_id"])] = style
    return out


def edi_id(distributor: str, style: Style) -> tuple[str, str]:
    """The id ``distributor``'s interchanges are sent from, and its qualifier: a DUNS
    number for X12 (ISA05 ``01``), a GLN for EANCOM (UNB ``14``; GS1 Germany made-up
    prefix 409998, the distributor's number, 00 for the company itself, check digit)."""
    n = int(distributor[1:])
    if style.standard == X12:
        return f"08{n:07d}", "01"
    return with_check_digit(f"409998{n:04d}00"), "14"


def with_edi_ids(distributors: list[dict]) -> list[dict]:
    """The program's Distributors rows, each EDI sender's with its EDI ID (``edi_ids``);
    the others' blank. Whether the files are then written as EDI is the writer's choice
    (``channelxl.synth.files.EDI_REPORTS``): a distributor set up for EDI may send CSV."""
    styles = senders(distributors)
    return [
        {
            **row,
            "edi_ids": (edi_id(d, styles[d])[0],)
            if (d := str(row["distributor_id"])) in styles
            else None,
        }
        for row in distributors
    ]


__all__ = [
    "EANCOM",
    "EDIFACT",
    "SENDERS",
    "X12",
    "X12_4010",
    "X12_5010",
    "Style",
    "edi_id",
    "senders",
    "with_edi_ids",
]

"""What an EDI reader returns, whatever the standard: interchanges, the report lines read
from their messages, and problems located as EDI locates them.

Readers (``io.edi.x12``, ``io.edi.edifact``) turn bytes into :class:`Interchange` objects
and nothing else: they know segments, loops and codes, not the program. Product and
reseller codes stay as sent (:class:`Code`: the value and its qualifier); the program's
cross-references turn them into SKUs and reseller ids later, where an unknown code becomes
a located problem. Quantities are whole numbers with their sign (a return is negative),
prices ``Decimal`` as sent, dates ``datetime.date``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

Standard = Literal["X12", "EDIFACT"]
Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Where:
    """Where in an EDI file: the interchange control number (ISA13 / UNB05), the functional
    group (GS06; None for EDIFACT without UNG), the transaction set or message control
    number (ST02 / UNH01), the segment's position counted from the start of its transaction
    set or message (ST / UNH = 1, as the 997 AK3 and CONTRL UCS count), the segment id, and
    the element (``"PTD01"``, ``"QTY01"``, a component ``"LIN03-2"``; None for the whole
    segment). ``line``: the segment's ordinal in the file (1-based), for people."""

    interchange: str
    group: str | None
    message: str | None
    position: int | None
    segment: str
    element: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        parts = [f"interchange {self.interchange}"]
        if self.message:
            parts.append(f"message {self.message}")
        if self.position is not None:
            parts.append(f"segment {self.position} ({self.segment})")
        else:
            parts.append(f"segment {self.segment}")
        if self.element:
            parts.append(f"element {self.element}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Problem:
    """``code``: one of the project's issue codes (``channelxl.issues.CODES``: DATE, PROD,
    PART, QUAN, PRIC, DOCU, ...) or ``EDI`` for the envelope and syntax (control numbers and
    counts, an unknown transaction set, a segment out of place). ``ack``: the note the
    acknowledgement carries for it (X12 AK3/AK4 segment and element error codes, CONTRL
    UCS/UCD syntax error codes), None when it is not a syntax error of the standard."""

    code: str
    message: str
    where: Where
    severity: Severity = "error"
    ack: str | None = None


@dataclass(frozen=True)
class Code:
    """An identifier as sent: its value and its qualifier (X12 LIN ``UP``, ``VP``, ``BP``,
    ``MG``, ``VN``; N1 ``91``, ``92``, ``1``, ``9``, ``UL``; EANCOM ``SRV`` GTIN, ``SA``/``IN``
    supplier/buyer article numbers, NAD code list agency ``9`` GLN, ``16`` DUNS)."""

    value: str
    qualifier: str


@dataclass
class Line:
    """One report line. ``kind``: ``"sell_through"`` or ``"inventory"``. ``fields``: the
    layout's fields that EDI carries directly (``schema.received`` SELL_THROUGH / INVENTORY
    field names: invoice_date, invoice_number, quantity, unit_price, currency, reseller_name,
    reseller_country, end_customer_name, end_customer_country, deal_registration_id,
    on_hand, in_transit), plus ``transfer_type`` (PTD01 / the EANCOM equivalent),
    ``serial_numbers`` (a tuple), ``activity`` (852 ZA01 / INVRPT INV code) and
    ``location`` (SDQ / LOC). ``product`` and ``reseller`` are codes for the
    cross-references. ``where``: the segment the line's quantity came from."""

    kind: Literal["sell_through", "inventory"]
    fields: dict[str, object]
    where: Where
    product: tuple[Code, ...] = ()
    reseller: tuple[Code, ...] = ()


@dataclass
class Message:
    """One transaction set (X12 ST..SE) or message (EDIFACT UNH..UNT)."""

    type: str  # "867", "852", "SLSRPT", "INVRPT", or what the file says
    control: str  # ST02 / UNH01
    version: str  # GS08 (004010, 005010...) / UNH02 (D:96A:UN:EAN008)
    sender: tuple[Code, ...] = ()  # the reporting distributor as the message names it
    period: tuple[date | None, date | None] = (None, None)  # report start, end
    currency: str | None = None
    lines: list[Line] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    accepted: bool = True  # False: a syntax error the acknowledgement rejects it for
    group: str | None = None  # GS06 of the functional group it came in (X12); None for EDIFACT
    # the report withdraws the one it replaces (X12 BPT01 ``01``, EANCOM BGM03 ``1``):
    # whatever lines it repeats are not a report of the period
    cancels: bool = False


@dataclass
class Interchange:
    standard: Standard
    control: str  # ISA13 / UNB05
    sender: Code  # ISA06 with ISA05 / UNB02 with its qualifier
    receiver: Code
    prepared: date | None
    syntax: dict[
        str, str
    ]  # the delimiters declared: element, component, segment, repetition, release
    groups: list[tuple[str, str]] = field(default_factory=list)  # X12 (GS01, GS06)
    messages: list[Message] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # envelope problems
    test: bool = False  # ISA15 = T / UNB11 = 1
    # counts the trailers declare, as sent: "IEA01", and each group's GE01 under its GS06
    # (the 997 AK902 repeats them); EDIFACT readers may leave it empty
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def lines(self) -> list[Line]:
        return [line for m in self.messages for line in m.lines]

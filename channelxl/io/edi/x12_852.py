"""The X12 852 Product Activity Data, read into inventory lines.

Loop nesting (004010; 005010 adds SAC to the LIN loop and lets QTY repeat)::

    ST XQ XPO* N9* PER* (N1 N2 N3 N4 FOB TD5 DTM* N9* PER*)*
    (LIN CTP* [SAC*] PO4 N9* AMT* PAL QTY (ZA QTY CTP* SDQ* (G95 DTM*))+)*
    CTT SE

XQ02 / XQ03 are the reporting period (one date: a stock position on that day). One line per
ZA activity and location: an SDQ segment carries up to ten location/quantity pairs
(SDQ03/04 ... SDQ21/22), each its own line with ``location``; a ZA without SDQ is one line
with ZA02 (or the ZA loop's QTY02), its location the heading's one reporting location (N1
RL/WH/SN/ST) when there is exactly one. Every line keeps ``activity`` (ZA01) and
``quantity``; of the on-hand activities of a LIN loop at a location the first present of QE
(ending balance), OH (gross on hand), QA (available) also gives ``on_hand``, and QI gives
``in_transit``. Other activities (QS sold, QR received, QP on order, QO out of stock, QB
beginning balance...) are lines with ``activity`` only, for the reconciliation.
"""

from __future__ import annotations

from collections.abc import Iterator

from channelxl.io.edi import x12_codes as codes
from channelxl.io.edi.model import Code, Line
from channelxl.io.edi.x12_common import (
    SetContext,
    element,
    parse_date,
    parse_quantity,
    read_segments,
)

DEFINED = frozenset(
    "XQ XPO N9 PER N1 N2 N3 N4 FOB TD5 DTM LIN CTP SAC PO4 AMT PAL QTY ZA SDQ G95 CTT".split()
)
_HEADER_ONLY = frozenset({"XPO", "N1", "N2", "N3", "N4", "FOB", "TD5"})
_LIN_LOOP = frozenset({"CTP", "SAC", "PO4", "AMT", "PAL", "QTY", "ZA"})
_ZA_LOOP = frozenset({"SDQ", "G95"})


class _Za:
    __slots__ = ("activity", "line", "pairs", "position", "quantity", "sdq_seen")

    def __init__(self, activity: str, position: int, line: int) -> None:
        self.activity = activity
        self.position = position
        self.line = line
        self.quantity: int | None = None
        # (location, quantity, position, line, element)
        self.pairs: list[tuple[str, int, int, int, str]] = []
        self.sdq_seen = False


class Reader852:
    """Reads the segments of one 852 between ST and SE into ``ctx.message``."""

    def __init__(self, ctx: SetContext) -> None:
        self.ctx = ctx
        self.area = "start"  # start, header, lin, summary
        self.senders: list[Code] = []
        self.locations: list[str] = []
        self.product: tuple[Code, ...] = ()
        self.lin_where: tuple[int, int] = (0, 0)
        self.zas: list[_Za] = []
        self.za: _Za | None = None
        self.lin_count = 0

    def read(
        self, segments: Iterator[str], elem: str, line: int, base: int
    ) -> tuple[list[str] | None, int]:
        """The set's segments up to the next envelope segment (``x12_common.read_segments``)."""
        return read_segments(self.segment, segments, elem, line, base)

    def segment(self, els: list[str], pos: int, line: int) -> None:
        sid = els[0]
        ctx = self.ctx
        if self.area == "start":
            self.area = "header"
            if sid == "XQ":
                self._xq(els, pos, line)
                return
            ctx.problem(
                "EDI",
                f"the 852 must begin with XQ after ST; found {sid}",
                pos,
                "XQ",
                line=line,
                ack="AK304:3",
            )
        if sid not in DEFINED:
            ctx.problem(
                "EDI",
                f"segment {sid[:10] or '(empty)'} is not part of the 852: ignored",
                pos,
                sid[:3] or "?",
                line=line,
                severity="warning",
                ack="AK304:6",
            )
            return
        area = self.area
        if (
            sid == "XQ"
            or (sid in _HEADER_ONLY and area != "header")
            or (sid in _LIN_LOOP and area != "lin")
            or (sid in _ZA_LOOP and self.za is None)
            or (area == "summary")
        ):
            ctx.problem(
                "EDI",
                f"{sid} cannot stand here (852 loop order): ignored",
                pos,
                sid,
                line=line,
                ack="AK304:7",
            )
            return
        if sid == "N1":
            self._n1(els)
        elif sid == "LIN":
            self._lin(els, pos, line)
        elif sid == "ZA":
            self._za(els, pos, line)
        elif sid == "SDQ":
            self._sdq(els, pos, line)
        elif sid == "QTY" and self.za is not None:
            self._za_qty(els, pos, line)
        elif sid == "CTT":
            self._close_lin()
            self.area = "summary"
            count = element(els, 1)
            if count.isascii() and count.isdigit() and int(count) != self.lin_count:
                ctx.problem(
                    "EDI",
                    f"CTT01 says {int(count)} line items, the report has {self.lin_count} LIN "
                    "loops: lines may be missing",
                    pos,
                    "CTT",
                    "CTT01",
                    line,
                )

    def finish(self) -> None:
        self._close_lin()
        if self.area == "start":
            self.ctx.problem("EDI", "the 852 has no XQ segment", None, "XQ", ack="AK304:3")
        self.ctx.message.sender = (*self.senders, *self.ctx.sender_ids)

    # -- heading -----------------------------------------------------------------------
    def _xq(self, els: list[str], pos: int, line: int) -> None:
        dates = []
        for n in (2, 3):
            text = element(els, n)
            value = parse_date(text) if text else None
            if text and value is None:
                self.ctx.problem(
                    "DATE",
                    f"{text[:20]} (XQ0{n}, reporting date) is not a date CCYYMMDD",
                    pos,
                    "XQ",
                    f"XQ0{n}",
                    line,
                    ack="AK403:8",
                )
            elif n == 2 and not text:
                self.ctx.problem(
                    "DATE",
                    "XQ02 (reporting date) is missing",
                    pos,
                    "XQ",
                    "XQ02",
                    line,
                    ack="AK403:1",
                )
            dates.append(value)
        start, end = dates
        self.ctx.message.period = (start, end if element(els, 3) else start)

    def _n1(self, els: list[str]) -> None:
        entity, qualifier, value = element(els, 1), element(els, 3), element(els, 4)
        if not value:
            return
        if entity in codes.DISTRIBUTOR_PARTIES:
            self.senders.append(Code(value, qualifier))
        elif entity in codes.LOCATION_PARTIES:
            self.locations.append(value)

    # -- detail ------------------------------------------------------------------------
    def _lin(self, els: list[str], pos: int, line: int) -> None:
        self._close_lin()
        self.area = "lin"
        self.lin_count += 1
        self.lin_where = (pos, line)
        self.product = tuple(
            Code(els[i + 1], els[i]) for i in range(2, len(els) - 1, 2) if els[i + 1]
        )
        if not self.product:
            self.ctx.problem(
                "PROD",
                "LIN names no product (LIN02/LIN03 missing): its activities are not read",
                pos,
                "LIN",
                "LIN03",
                line,
                ack="AK403:1",
            )

    def _za(self, els: list[str], pos: int, line: int) -> None:
        activity = element(els, 1)
        za = self.za = _Za(activity, pos, line)
        self.zas.append(za)
        if activity not in codes.ZA_NAMES:
            self.ctx.problem(
                "TYPE",
                f"ZA01 {activity[:10]!r} is not an activity code: not read"
                if activity
                else "ZA01 (activity code) is missing: not read",
                pos,
                "ZA",
                "ZA01",
                line,
                ack="AK403:7" if activity else "AK403:1",
            )
            za.activity = ""
            return
        text = element(els, 2)
        if text:
            value = parse_quantity(text)
            if isinstance(value, int):
                za.quantity = value
            else:
                za.activity = ""
                self.ctx.problem(
                    "QUAN",
                    f"quantity {text[:20]!r} (ZA02) is {value}",
                    pos,
                    "ZA",
                    "ZA02",
                    line,
                    ack="AK403:6" if value == "not a number" else None,
                )

    def _za_qty(self, els: list[str], pos: int, line: int) -> None:
        za = self.za
        assert za is not None
        value = parse_quantity(element(els, 2))
        if isinstance(value, int):
            if za.quantity is None:
                za.quantity = value
        else:
            za.activity = ""
            self.ctx.problem(
                "QUAN",
                f"quantity {element(els, 2)[:20]!r} (QTY02) is {value}",
                pos,
                "QTY",
                "QTY02",
                line,
                ack="AK403:6" if value == "not a number" else "AK403:1",
            )

    def _sdq(self, els: list[str], pos: int, line: int) -> None:
        za = self.za
        assert za is not None
        za.sdq_seen = True
        last = min(len(els) - 1, 22)
        for i in range(3, last + 1, 2):
            location = els[i]
            text = els[i + 1] if i + 1 < len(els) else ""
            if not location and not text:
                continue
            if not location:
                self.ctx.problem(
                    "EDI",
                    f"SDQ{i + 1:02d} has a quantity but SDQ{i:02d} no location",
                    pos,
                    "SDQ",
                    f"SDQ{i:02d}",
                    line,
                    ack="AK403:2",
                )
                za.activity = ""
                continue
            value = parse_quantity(text)
            if not isinstance(value, int):
                self.ctx.problem(
                    "QUAN",
                    f"quantity {text[:20]!r} (SDQ{i + 1:02d}) for location {location} is {value}",
                    pos,
                    "SDQ",
                    f"SDQ{i + 1:02d}",
                    line,
                    ack={"missing": "AK403:2", "not a number": "AK403:6"}.get(value),
                )
                continue
            za.pairs.append((location, value, pos, line, f"SDQ{i + 1:02d}"))

    def _close_lin(self) -> None:
        zas, self.zas, self.za = self.zas, [], None
        if not zas or not self.product:
            return
        ctx = self.ctx
        default_location = self.locations[0] if len(self.locations) == 1 else None
        rows: list[tuple[_Za, str | None, int, int, int, str]] = []
        for za in zas:
            if not za.activity:
                continue
            if za.pairs:
                for location, quantity, pos, line, el in za.pairs:
                    rows.append((za, location, quantity, pos, line, el))
                if za.quantity is not None:
                    total = sum(p[1] for p in za.pairs)
                    if total != za.quantity:
                        ctx.problem(
                            "QUAN",
                            f"ZA02 says {za.quantity} for {za.activity}, its SDQ locations "
                            f"add up to {total}: the locations are read",
                            za.position,
                            "ZA",
                            "ZA02",
                            za.line,
                            severity="warning",
                        )
            elif za.quantity is not None:
                rows.append((za, default_location, za.quantity, za.position, za.line, "ZA02"))
            elif not za.sdq_seen:
                ctx.problem(
                    "QUAN",
                    f"ZA*{za.activity} gives no quantity (no ZA02, QTY or SDQ)",
                    za.position,
                    "ZA",
                    "ZA02",
                    za.line,
                    ack="AK403:2",
                )
        # On Hand per location: the first of QE, OH, QA the loop reports there.
        on_hand_code: dict[str | None, str] = {}
        for za, location, *_ in rows:
            if za.activity in codes.ON_HAND:
                best = on_hand_code.get(location)
                if best is None or codes.ON_HAND.index(za.activity) < codes.ON_HAND.index(best):
                    on_hand_code[location] = za.activity
        lines = ctx.message.lines
        for za, location, quantity, pos, line, el in rows:
            fields: dict[str, object] = {"activity": za.activity, "quantity": quantity}
            if location is not None:
                fields["location"] = location
            if on_hand_code.get(location) == za.activity:
                fields["on_hand"] = quantity
            elif za.activity == codes.IN_TRANSIT:
                fields["in_transit"] = quantity
            lines.append(Line("inventory", fields, ctx.where(pos, el[:-2], el, line), self.product))

"""What SLSRPT and INVRPT read alike: parties (NAD), products (LIN, PIA), dates (DTM),
quantities (QTY) and prices (PRI), and the segment-group walk that places each segment.

A reader is fed one segment at a time (a million-line report is never held as segments),
checks that the segment may stand where it does (the message's segment groups as a table
of states), and builds :class:`~channelxl.io.edi.model.Line` objects as it goes.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from channelxl.io.edi.eancom_values import DATE_FORMATS, parse_period, parse_quantity
from channelxl.io.edi.edifact_syntax import Segment
from channelxl.io.edi.model import Code, Line, Message, Problem, Where

# NAD C082 3055, code list responsible agency: what the project knows a party id by.
AGENCIES = {"9": "GLN", "16": "DUNS", "91": "assigned by the seller", "92": "assigned by the buyer"}
# LIN C212 7143 and PIA C212 7143, item number type.
ITEM_TYPES = {
    "SRV": "GTIN",
    "EN": "EAN-13",
    "UP": "UPC-A",
    "SA": "supplier's article number",
    "IN": "buyer's article number",
    "MF": "manufacturer's article number",
    "BP": "buyer's part number",
    "VP": "vendor's part number",
    "VN": "vendor's item number",
}
# NAD 3035 parties that are the reporting distributor (header) or an end customer (detail).
SENDER_PARTIES = ("FR", "DS", "SE", "BY")
END_CUSTOMER_PARTIES = ("UC", "UD")


def element_name(tag: str, element: int, component: int | None = None) -> str:
    """``QTY01`` or ``QTY01-2`` as the model's Where.element spells it."""
    name = f"{tag}{element:02d}"
    return f"{name}-{component}" if component else name


class MessageContext:
    """Where a message is (interchange, group, message reference) and how to record its
    problems; the segment position is the one CONTRL UCS counts (UNH = 1)."""

    def __init__(self, message: Message, interchange: str, group: str | None):
        self.message = message
        self.interchange = interchange
        self.group = group

    def where(self, seg: Segment | None, position: int | None, element: str | None = None) -> Where:
        return Where(
            self.interchange,
            self.group,
            self.message.control,
            position,
            seg.tag if seg else "",
            element,
            seg.ordinal if seg else None,
        )

    def problem(
        self,
        code: str,
        text: str,
        seg: Segment | None,
        position: int | None,
        element: str | None = None,
        severity: str = "error",
        ack: str | None = None,
    ) -> None:
        self.message.problems.append(
            Problem(code, text, self.where(seg, position, element), severity, ack)  # type: ignore[arg-type]
        )
        if ack and severity == "error":
            self.message.accepted = False


class ReportReader:
    """The walk both report messages share. Subclasses give ``TABLE`` (state -> {tag:
    next state}), ``FIRST`` (the state after BGM) and ``on_<TAG>`` handlers."""

    TABLE: ClassVar[dict[str, dict[str, str]]] = {}
    KIND = "sell_through"

    def __init__(self, message: Message, ctx: MessageContext):
        self.message = message
        self.ctx = ctx
        self.state = "start"
        self.codes: dict[tuple[str, str], Code] = {}
        self.strings: dict[str, str] = {}
        self.dates: dict[tuple[str, str], tuple[date, date]] = {}
        self.product: tuple[Code, ...] = ()
        self.line: Line | None = None
        self.lin_count = 0
        self.header_dates: dict[str, tuple[date, date]] = {}
        self.senders: list[Code] = []
        # on_<TAG> methods by tag, looked up once rather than per segment
        self.handlers = {
            name[3:]: getattr(self, name) for name in dir(self) if name.startswith("on_")
        }

    # ---------------------------------------------------------------- the walk
    def feed(self, seg: Segment, position: int) -> None:
        tag = seg.tag
        nxt = self.TABLE[self.state].get(tag)
        if nxt is not None and self.state != "start":
            # the common case first: a segment where the layout has it
            self.state = nxt
            handler = self.handlers.get(tag)
            if handler is not None:
                handler(seg, position)
            return
        allowed = self.TABLE.get(self.state, {})
        if self.state == "start" and tag != "BGM":
            self.ctx.problem(
                "EDI",
                "the message does not start with BGM (beginning of message) after UNH",
                seg,
                position,
                severity="error",
                ack="13",
            )
            self.state = "head"
            allowed = self.TABLE["head"]
        nxt = allowed.get(tag)
        handler = self.handlers.get(tag)
        if nxt is None:
            if not any(tag in table for table in self.TABLE.values()):
                self.ctx.problem(
                    "EDI",
                    f"segment {tag} is not part of a {self.message.type} message; it was skipped",
                    seg,
                    position,
                    severity="error",
                    ack="15",
                )
                return
            self.ctx.problem(
                "EDI",
                f"segment {tag} stands where the {self.message.type} layout does not allow it "
                f"(after {self.state_name()}); it was read anyway",
                seg,
                position,
                severity="error",
                ack="15",
            )
            nxt = self.fallback_state(tag)
        self.state = nxt
        if handler is not None:
            handler(seg, position)

    def state_name(self) -> str:
        return {
            "start": "UNH",
            "head": "the heading section",
            "loc": "LOC",
            "lin": "LIN",
            "qty": "QTY",
            "sum": "the summary section",
        }.get(self.state, self.state)

    def fallback_state(self, tag: str) -> str:
        for table in self.TABLE.values():
            if tag in table:
                return table[tag]
        return self.state

    def finish(self, unt: Segment | None, position: int | None) -> None:
        """After the message: the period from the heading dates, CNT against LIN count."""
        if self.state == "start":
            self.ctx.problem("EDI", "the message has no BGM segment", unt, position, ack="13")

    # ---------------------------------------------------------------- shared handlers
    def on_BGM(self, seg: Segment, position: int) -> None:
        # BGM03 message function (1225): 1 cancellation; 9 original, 5 replace...
        if seg.get(3) == "1":
            self.message.cancels = True

    def on_CUX(self, seg: Segment, position: int) -> None:
        cur = seg.get(1, 2)
        if cur:
            if len(cur) != 3 or not cur.isalpha():
                self.ctx.problem(
                    "FX",
                    f"currency {cur!r} is not an ISO 4217 code",
                    seg,
                    position,
                    "CUX01-2",
                    severity="warning",
                )
            elif self.message.currency is None:
                self.message.currency = cur.upper()

    def on_CNT(self, seg: Segment, position: int) -> None:
        if seg.get(1, 1) == "2":
            count, _, _ = parse_quantity(seg.get(1, 2))
            if count is not None and count != self.lin_count:
                self.ctx.problem(
                    "EDI",
                    f"CNT says {count} line items, the message has {self.lin_count} LIN segments",
                    seg,
                    position,
                    "CNT01-2",
                    severity="warning",
                )

    def on_UNS(self, seg: Segment, position: int) -> None:
        pass

    def same(self, text: str) -> str:
        """One string object for each distinct value (names, countries, codes repeat on
        every line of a large report)."""
        return self.strings.setdefault(text, text)

    def code(self, value: str, qualifier: str) -> Code:
        key = (value, qualifier)
        found = self.codes.get(key)
        if found is None:
            found = self.codes[key] = Code(value, qualifier)
        return found

    def on_LIN(self, seg: Segment, position: int) -> None:
        """LIN03 C212: item number (7140) and its type (7143: SRV GTIN, EN, UP...)."""
        self.lin_count += 1
        self.line = None
        item, kind = seg.get(3, 1), seg.get(3, 2)
        codes: list[Code] = []
        if item:
            codes.append(self.item_code(item, kind, seg, position, "LIN03-2"))
        self.product = tuple(codes)

    def on_PIA(self, seg: Segment, position: int) -> None:
        """PIA02..06 C212: additional ids (SA supplier's, IN buyer's, MF manufacturer's...)."""
        extra = []
        for i in range(2, min(len(seg.elements), 6) + 1):
            item, kind = seg.get(i, 1), seg.get(i, 2)
            if item:
                extra.append(self.item_code(item, kind, seg, position, element_name("PIA", i, 2)))
        if extra:
            self.product = self.product + tuple(extra)

    def item_code(self, item: str, kind: str, seg: Segment, position: int, element: str) -> Code:
        if kind not in ITEM_TYPES:
            self.ctx.problem(
                "PROD",
                f"item number {item} has type {kind or '(none)'}, not one of "
                f"{', '.join(ITEM_TYPES)}; it is kept as sent for the cross-reference",
                seg,
                position,
                element,
                severity="warning",
            )
        return self.code(item, kind)

    def party(self, seg: Segment, position: int) -> Code | None:
        """NAD02 C082: party id (3039) and its code list agency (3055: 9 GLN, 16 DUNS, 91/92
        the distributor's own); without an agency, the code list qualifier (1131)."""
        value = seg.get(2, 1)
        if not value:
            return None
        agency = seg.get(2, 3) or seg.get(2, 2)
        if agency not in AGENCIES:
            self.ctx.problem(
                "PART",
                f"party {value} has code list agency {agency or '(none)'}, not 9 (GLN), "
                "16 (DUNS), 91 or 92; it is kept as sent for the cross-reference",
                seg,
                position,
                "NAD02-3",
                severity="warning",
            )
        return self.code(value, agency)

    def header_nad(self, seg: Segment, position: int) -> None:
        if seg.get(1) in SENDER_PARTIES:
            code = self.party(seg, position)
            if code is not None:
                self.senders.append(code)
                self.message.sender = tuple(self.senders)

    def dtm(self, seg: Segment, position: int) -> tuple[str, date, date] | None:
        """DTM01 C507: qualifier (2005), value (2380), format (2379) as (qualifier, first
        day, last day); None, with a DATE problem, when unreadable."""
        qual, text, fmt = seg.get(1, 1), seg.get(1, 2), seg.get(1, 3)
        known = self.dates.get((text, fmt))
        if known is not None:  # a month's report repeats the same few dates
            return qual, known[0], known[1]
        try:
            start, end = parse_period(text, fmt)
            self.dates[(text, fmt)] = (start, end)
        except KeyError:
            self.ctx.problem(
                "DATE",
                f"date format {fmt!r} is not one the project reads "
                f"({', '.join(f'{k} {v}' for k, v in DATE_FORMATS.items())})",
                seg,
                position,
                "DTM01-3",
            )
            return None
        except ValueError:
            shape = DATE_FORMATS.get(fmt, "CCYYMMDD")
            self.ctx.problem(
                "DATE",
                f"date {text!r} is not a calendar date in format {fmt or '102'} ({shape})",
                seg,
                position,
                "DTM01-2",
            )
            return None
        return qual, start, end

    def header_dtm(self, seg: Segment, position: int) -> None:
        got = self.dtm(seg, position)
        if got is None:
            return
        qual, start, end = got
        self.header_dates[qual] = (start, end)

    def quantity(self, seg: Segment, position: int) -> int | None:
        value, why, ack = parse_quantity(seg.get(1, 2))
        if why:
            self.ctx.problem("QUAN", why, seg, position, "QTY01-2", ack=ack)
        return value

    def add_line(self, kind: str, fields: dict, seg: Segment, position: int) -> None:
        """A report line from the QTY segment at ``position``, with the item's codes."""
        self.line = Line(kind, fields, self.ctx.where(seg, position, "QTY01-2"), self.product)
        self.message.lines.append(self.line)

    def on_GIN(self, seg: Segment, position: int) -> None:
        """GIN after QTY: serial numbers of the line just read."""
        if self.line is None:
            return
        found = self.serials(seg, position)
        if found:
            old = self.line.fields.get("serial_numbers", ())
            self.line.fields["serial_numbers"] = (*old, *found)  # type: ignore[misc]

    def serials(self, seg: Segment, position: int) -> tuple[str, ...]:
        """GIN+BN (serial numbers): each C208 is one id, or a range first:last that is
        expanded when both ends are numbers of the same length (at most 10,000 ids)."""
        if seg.get(1) not in ("BN", "SN"):
            return ()
        out: list[str] = []
        for comp in seg.elements[1:]:
            first = comp[0] if comp else ""
            last = comp[1] if len(comp) > 1 else ""
            if not first:
                continue
            if (
                last
                and (first.isascii() and first.isdigit())
                and (last.isascii() and last.isdigit())
                and len(first) == len(last)
                and 0 <= int(last) - int(first) < 10_000
            ):
                out.extend(str(i).zfill(len(first)) for i in range(int(first), int(last) + 1))
            else:
                out.append(first)
                if last:
                    out.append(last)
        return tuple(out)

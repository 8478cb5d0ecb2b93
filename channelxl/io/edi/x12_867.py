"""The X12 867 Product Transfer and Resale Report, read into sell-through lines.

Loop nesting (004010 and 005010 alike; 005010 adds LCD, LQ and MEA to the PTD loop and
LCD to the heading LM loop, which carry nothing read here)::

    ST BPT CUR DTM* REF* PER* MEA* PSA* (N1 N2 N3 N4 REF PER)* (LM LQ)*
    (PTD DTM* REF* PRF PER* MAN [LCD LQ MEA] (N1 N2 N3 N4 REF PER (SII N9))*
         (QTY LIN PO3* PO4 UIT* AMT* ITA* PID* MEA* PWK* PKG* REF* PER* DTM* CUR DD LDT
              (LM LQ)* (LX REF* DTM N1 (LM LQ)*)* (FA1 FA2*)*)*)+
    (CTT AMT* ITA*) SE

One line per QTY loop: quantity QTY02, product LIN (qualifier/id pairs), unit price UIT02,
invoice number REF*IV (QTY loop, else PTD loop REF or PTD04/05), invoice date DTM*003 (QTY
loop, else PTD loop), serial numbers REF*SE (QTY loop and its LX loops), the reseller and
end customer from the PTD loop's N1 loops, the transfer type from PTD01. A return PTD01
makes a positive quantity negative; a quantity already negative stays negative (never
negated twice). A line any of whose fields cannot be read is left out, its problem says why.
"""

from __future__ import annotations

from collections.abc import Iterator

from channelxl.io.edi import x12_codes as codes
from channelxl.io.edi.model import Code
from channelxl.io.edi.x12_867_loops import DetailLoops, Party, Ptd, Qty
from channelxl.io.edi.x12_common import (
    ENVELOPE,
    SetContext,
    element,
    parse_date,
    parse_decimal,
    party_code,
    product_codes,
)

_MISSING = object()
_UTILITY_UNITS = codes.UTILITY_UNITS

# The fast path of ``Reader867.read``: per element separator, a segment's exact text ->
# what it says, for the segments that read cleanly (no problem, no utility unit): (_QTY,
# its whole quantity), (_LIN, its product codes), (_UIT, its unit price), (_DTM, an invoice
# date DTM*003), (_N4, its country), (_N1, (entity, name, code)); at most _SEEN_MAX.
_SEEN: dict[str, dict[str, tuple[str, object]]] = {}
_SEEN_MAX = 200_000
_QTY, _LIN, _UIT, _DTM, _N4, _N1 = "QTY", "LIN", "UIT", "DTM", "N4", "N1"


def _clean_qty(seen: dict, seg: str, els: list[str]) -> None:
    text = els[2] if len(els) > 2 else ""
    if text.isascii() and text.isdigit() and not (len(els) > 3 and els[3][:2] in _UTILITY_UNITS):
        seen[seg] = (_QTY, int(text))


def _clean_lin(seen: dict, seg: str, els: list[str]) -> None:
    product = product_codes(els)
    if product:
        seen[seg] = (_LIN, product)


def _clean_uit(seen: dict, seg: str, els: list[str]) -> None:
    text = els[2] if len(els) > 2 else ""
    if text and not (len(els) > 1 and els[1][:2] in _UTILITY_UNITS):
        price = parse_decimal(text)
        if price is not None:
            seen[seg] = (_UIT, price)


def _clean_dtm(seen: dict, seg: str, els: list[str]) -> None:
    if len(els) == 3 and els[1] == codes.INVOICE_DATE:
        value = parse_date(els[2])
        if value is not None:
            seen[seg] = (_DTM, value)


def _clean_n4(seen: dict, seg: str, els: list[str]) -> None:
    seen[seg] = (_N4, els[4].upper() if len(els) > 4 else "")


def _clean_n1(seen: dict, seg: str, els: list[str]) -> None:
    entity, name, qualifier, value = (els + _PAD)[1:5]
    seen[seg] = (_N1, (entity, name, party_code(value, qualifier) if value else None))


_CLEAN = {
    "QTY": _clean_qty,
    "LIN": _clean_lin,
    "UIT": _clean_uit,
    "DTM": _clean_dtm,
    "N4": _clean_n4,
    "N1": _clean_n1,
}
_PAD = [""] * 5  # els + _PAD: a segment's elements, "" where it stops early

# Every segment the 867 defines (004010 and 005010).
DEFINED = frozenset(
    "BPT CUR DTM REF PER MEA PSA N1 N2 N3 N4 LM LQ LCD PTD PRF MAN SII N9 QTY LIN PO3 PO4 UIT "
    "AMT ITA PID PWK PKG DD LDT LX FA1 FA2 CTT".split()
)
_HEADER_ONLY = frozenset({"BPT", "PSA"})
_PTD_ONLY = frozenset({"PRF", "MAN", "SII"})
_QTY_ONLY = frozenset(
    {"LIN", "PO3", "PO4", "UIT", "ITA", "PID", "PWK", "PKG", "DD", "LDT", "LX", "FA1", "FA2"}
)
_SUMMARY = frozenset({"AMT", "ITA"})


def _misplaced(sid: str, area: str) -> bool:
    return (
        (sid in _HEADER_ONLY and area != "header")
        or (sid in _PTD_ONLY and area != "ptd")
        or (sid in _QTY_ONLY and area != "qty")
        or (area == "summary" and sid not in _SUMMARY)
    )


class Reader867(DetailLoops):
    """Reads the segments of one 867 between ST and SE into ``ctx.message``: the walk
    (``read``, with its fast path), the loop areas and the heading here; the detail's PTD
    and QTY loops and the lines they make in ``x12_867_loops``."""

    def __init__(self, ctx: SetContext) -> None:
        self.ctx = ctx
        self.area = "start"  # start, header, ptd, qty, summary
        self.refused = False
        self.start = self.end = None
        self.header_senders: list[Code] = []
        self.party: Party | None = None  # the N1 loop N4/N3 attach to
        self.ptd: Ptd | None = None
        self.qty: Qty | None = None
        self.in_lx = False
        self.qty_loops = 0
        self.lin_count = 0
        self.hash_sent: int | None = 0
        handlers = {
            "BPT": self._bpt,
            "CUR": self._cur,
            "DTM": self._dtm,
            "REF": self._ref,
            "N1": self._n1,
            "N4": self._n4,
            "PTD": self._ptd,
            "QTY": self._qty,
            "LIN": self._lin,
            "UIT": self._uit,
            "LX": self._lx,
            "CTT": self._ctt,
        }
        # One table per loop area: segment id -> its handler, or None (nothing read from
        # it). ``read`` looks a segment up in ``table`` and calls the handler; a segment the
        # table lacks (out of place, not an 867 segment, or the first after ST) goes to
        # ``segment``.
        self.tables = {
            area: {sid: handlers.get(sid) for sid in DEFINED if not _misplaced(sid, area)}
            for area in ("header", "ptd", "qty", "summary")
        }
        self.table: dict = {}  # until the first segment: everything goes to segment()

    def _enter(self, area: str) -> None:
        self.area = area
        self.table = self.tables[area]

    # -- the walk ----------------------------------------------------------------------
    def read(
        self, segments: Iterator[str], elem: str, line: int, base: int
    ) -> tuple[list[str] | None, int]:
        """Read the set's segments from ``segments`` (the envelope's iterator, right after
        ST) up to the first envelope segment, which is returned split, with the ordinal of
        the last segment taken (None at the end of the interchange). ``line``: the ordinal
        of the last segment taken so far; a segment's position in the set is its ordinal
        less ``base``.

        The loop every segment of a report goes through: one split, one look-up in the
        table of the current loop area, one call; a segment the table lacks goes to
        :meth:`segment` (and the envelope's own ids back to the envelope).

        The fast path: a QTY, LIN or UIT whose exact text was read cleanly before in a PTD
        or QTY loop (a report repeats the same few hundred products, prices and
        quantities) is taken from ``seen`` without splitting it or calling its handler,
        and does what the handler does with that value. The first of each, and anything
        that is not clean (a problem, a utility unit), goes the careful way."""
        table = self.table
        missing = _MISSING
        qty_table, ptd_table = self.tables["qty"], self.tables["ptd"]
        fast = table is qty_table or table is ptd_table  # in a PTD or QTY loop
        seen = _SEEN.setdefault(elem, {})
        for seg in segments:  # no empty ones (body_segments leaves them out)
            line += 1
            if fast:
                known = seen.get(seg)
                if known is not None:
                    kind, value = known
                    ptd = self.ptd
                    if kind is _QTY and ptd is not None:  # _qty for a whole quantity
                        if table is not qty_table:
                            self.area = "qty"
                            self.table = table = qty_table
                        self.in_lx = False
                        self.party = None
                        self.qty_loops += 1
                        qty = self.qty = Qty(line - base, line, value)
                        ptd.qtys.append(qty)
                        if self.hash_sent is not None:
                            self.hash_sent += value
                        continue
                    qty = self.qty
                    if table is qty_table and qty is not None:
                        if kind is _LIN and not qty.product:  # _lin naming a product
                            self.lin_count += 1
                            qty.product = value
                            continue
                        if kind is _UIT and qty.price is None:  # _uit with a price
                            qty.price = value
                            continue
                    if kind is _DTM:  # _dtm: an invoice date of the QTY or PTD loop
                        if qty is not None:
                            qty.invoice_date = value
                        elif ptd is not None:
                            ptd.invoice_date = value
                        continue
                    if kind is _N4:  # _n4: the country of the party before it
                        if self.party is not None:
                            self.party.country = value
                        continue
                    if kind is _N1 and table is ptd_table and ptd is not None:  # _n1, PTD loop
                        entity, name, code = value
                        party = self.party = Party(name, code)
                        ptd.parties.setdefault(entity, party)
                        continue
                els = seg.split(elem)
                if len(seen) < _SEEN_MAX and els[0] in _CLEAN:
                    _CLEAN[els[0]](seen, seg, els)
            else:
                els = seg.split(elem)
            handler = table.get(els[0], missing)
            if handler is None:
                continue
            if handler is missing:
                if els[0] in ENVELOPE:
                    return els, line
                self.segment(els, line - base, line)
            else:
                handler(els, line - base, line)
            table = self.table  # a handler may have entered another loop area
            fast = table is qty_table or table is ptd_table
        return None, line

    def segment(self, els: list[str], pos: int, line: int) -> None:
        """A segment the current area's table does not list."""
        if self.refused:
            return
        sid = els[0]
        if self.area == "start":
            self._enter("header")
            if sid != "BPT":
                self.ctx.problem(
                    "EDI",
                    f"the 867 must begin with BPT after ST; found {sid}",
                    pos,
                    "BPT",
                    line=line,
                    ack="AK304:3",
                )
            if sid in self.table:
                handler = self.table[sid]
                if handler is not None:
                    handler(els, pos, line)
                return
        if sid in DEFINED:
            self._misplaced(sid, pos, line)
        else:
            self._undefined(sid, pos, line)

    def finish(self) -> None:
        """At SE (or where the set ends without one): the last loop's lines, the period."""
        if self.area == "start" and not self.refused:
            self.ctx.problem("EDI", "the 867 has no BPT segment", None, "BPT", ack="AK304:3")
        self._close_ptd()
        m = self.ctx.message
        m.period = (self.start, self.end)
        m.sender = (*self.header_senders, *self.ctx.sender_ids)
        if self.refused:
            m.lines.clear()

    # -- problems ----------------------------------------------------------------------
    def _undefined(self, sid: str, pos: int, line: int) -> None:
        well_formed = 2 <= len(sid) <= 3 and sid.isascii() and sid.isalnum() and sid.isupper()
        self.ctx.problem(
            "EDI",
            f"segment {sid or '(empty)'} is not part of the 867: ignored"
            if well_formed
            else f"{sid[:10]!r} is not a segment id: ignored",
            pos,
            sid[:3] or "?",
            line=line,
            severity="warning",
            ack="AK304:6" if well_formed else "AK304:1",
        )

    def _misplaced(self, sid: str, pos: int, line: int) -> None:
        where = {
            "header": "the heading",
            "ptd": "a PTD loop before its QTY loops",
            "qty": "a QTY loop",
            "summary": "the summary after CTT",
        }[self.area]
        self.ctx.problem(
            "EDI",
            f"{sid} cannot stand in {where} (867 loop order): ignored",
            pos,
            sid,
            line=line,
            ack="AK304:7",
        )
        if self.qty is not None and sid in ("LIN", "UIT"):
            self.qty.bad = True

    def _refuse(self, why: str, pos: int, segment: str, element_id: str, line: int) -> None:
        self.ctx.problem(
            "EDI",
            f"this 867 is a utility usage report ({why}), not a product transfer and resale "
            "report: refused, nothing read",
            pos,
            segment,
            element_id,
            line,
            ack="AK502:1",
        )
        self.ctx.message.accepted = False
        self.refused = True
        self.table = {}

    # -- heading -----------------------------------------------------------------------
    def _bpt(self, els: list[str], pos: int, line: int) -> None:
        if element(els, 1) == codes.CANCELLATION:
            self.ctx.message.cancels = True
        report_type = element(els, 4)
        if report_type in codes.UTILITY_BPT04:
            self._refuse(f"BPT04 report type {report_type}", pos, "BPT", "BPT04", line)

    def _cur(self, els: list[str], pos: int, line: int) -> None:
        currency = element(els, 2).upper()
        if not (len(currency) == 3 and currency.isascii() and currency.isalpha()):
            self.ctx.problem(
                "TYPE",
                f"currency {currency!r} (CUR02) is not an ISO 4217 code",
                pos,
                "CUR",
                "CUR02",
                line,
                ack="AK403:7",
            )
            if self.qty is not None:
                self.qty.bad = True
            return
        if self.area == "header":
            self.ctx.message.currency = currency
        elif self.qty is not None:
            self.qty.currency = currency

    def _dtm(self, els: list[str], pos: int, line: int) -> None:
        n = len(els)
        qualifier = els[1] if n > 1 else ""
        text = els[2] if n > 2 else ""
        element_id = "DTM02"
        if not text and element(els, 5) in ("D8", "RD8"):
            text, element_id = element(els, 6), "DTM06"
            if element(els, 5) == "RD8":
                first, _, last = text.partition("-")
                text = last if qualifier == codes.REPORT_END else first
                if qualifier == codes.REPORT_START and self.area == "header":
                    self.end = parse_date(last) or self.end
        used = qualifier in (codes.REPORT_START, codes.REPORT_END, codes.INVOICE_DATE)
        value = parse_date(text)
        if value is None:
            self.ctx.problem(
                "DATE" if used else "EDI",
                f"{text or '(empty)'} ({element_id}, DTM01 {qualifier}) is not a date "
                "CCYYMMDD"
                + (": the lines it dates are not read" if qualifier == codes.INVOICE_DATE else ""),
                pos,
                "DTM",
                element_id,
                line,
                severity="error" if used else "warning",
                ack="AK403:8",
            )
            if qualifier == codes.INVOICE_DATE:
                if self.qty is not None:
                    self.qty.bad = True
                elif self.ptd is not None:
                    self.ptd.bad = True
            return
        if self.area == "header":
            if qualifier == codes.REPORT_START:
                self.start = value
            elif qualifier == codes.REPORT_END:
                self.end = value
        elif qualifier == codes.INVOICE_DATE:
            if self.qty is not None:
                self.qty.invoice_date = value
            elif self.ptd is not None:
                self.ptd.invoice_date = value

    def _ref(self, els: list[str], pos: int, line: int) -> None:
        if len(els) < 3 or not els[2]:
            return
        qualifier, value = els[1], els[2]
        qty = self.qty
        if qty is not None:
            if qualifier == "SE":  # codes.SERIAL_NUMBER
                qty.serials = (*qty.serials, value)
            elif qualifier in codes.INVOICE_NUMBER and not self.in_lx:
                qty.invoice = value
        elif self.ptd is not None and qualifier in codes.INVOICE_NUMBER:
            self.ptd.invoice = value

    def _n1(self, els: list[str], pos: int, line: int) -> None:
        entity, name, qualifier, value = (els + _PAD)[1:5]
        code = party_code(value, qualifier) if value else None
        if self.area == "header":
            self.party = None
            if entity in codes.DISTRIBUTOR_PARTIES and code is not None:
                self.header_senders.append(code)
            return
        if self.area == "qty" and self.in_lx:
            self.party = None  # an LX loop's party (a serial's location): not read
            return
        if self.area == "qty":
            self.ctx.problem(
                "EDI",
                f"N1*{entity} after the QTY loops of its PTD loop (867 loop order): read as "
                "the PTD loop's party",
                pos,
                "N1",
                line=line,
                severity="warning",
                ack="AK304:7",
            )
        if self.ptd is not None:
            self.party = Party(name, code)
            self.ptd.parties.setdefault(entity, self.party)

    def _n4(self, els: list[str], pos: int, line: int) -> None:
        if self.party is not None:
            self.party.country = els[4].upper() if len(els) > 4 else ""

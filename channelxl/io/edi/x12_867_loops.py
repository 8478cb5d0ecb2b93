"""The 867's detail: its PTD and QTY loops, their segments (PTD, QTY, LIN, UIT, LX and the
summary's CTT, read by :class:`DetailLoops`, the part of ``x12_867.Reader867`` that reads
them), and the sell-through lines a PTD loop makes when it closes.

A PTD loop's lines are made only when the loop ends (the next PTD, CTT or the set's end):
an N1 after the QTY loops still names the loop's reseller (with a warning), so the fields
the lines share are known only then.
"""

from __future__ import annotations

from channelxl.io.edi import x12_codes as codes
from channelxl.io.edi.model import Code, Line, Where
from channelxl.io.edi.x12_common import (
    SetContext,
    element,
    parse_decimal,
    parse_quantity,
    product_codes,
)

_new = object.__new__
_UTILITY_UNITS = codes.UTILITY_UNITS
_PAD = [""] * 5  # els + _PAD: a segment's elements, "" where it stops early


class Party:
    __slots__ = ("code", "country", "name")

    def __init__(self, name: str, code: Code | None) -> None:
        self.name = name
        self.code = code
        self.country = ""


class Qty:
    """One QTY loop as read so far (slots: the lines' loop reads each of them)."""

    __slots__ = (
        "bad",
        "currency",
        "invoice",
        "invoice_date",
        "line",
        "position",
        "price",
        "product",
        "quantity",
        "sent",
        "serials",
    )

    def __init__(self, position: int, line: int, quantity: int | None = None) -> None:
        self.position = position
        self.line = line
        self.quantity = quantity
        self.sent = quantity or 0  # QTY02 as sent, for the CTT hash total
        self.product: tuple[Code, ...] = ()
        self.price = None
        self.currency = ""
        self.invoice = ""
        self.invoice_date = None
        self.serials: tuple[str, ...] = ()
        self.bad = False


class Ptd:
    """One PTD loop: its transfer type and the parties and references its lines share
    (class defaults until a segment sets them, like :class:`Qty`)."""

    kind = ""  # transfer_type; "" = lines of this loop are not read
    sign = 1
    invoice = ""
    invoice_date = None
    bad = False  # a field every line shares is unreadable

    def __init__(self, code: str) -> None:
        self.code = code
        self.parties: dict[str, Party] = {}
        self.qtys: list[Qty] = []


def _first(parties: dict[str, Party], entities: tuple[str, ...]) -> Party | None:
    for entity in entities:
        if entity in parties:
            return parties[entity]
    return None


def ptd_lines(ctx: SetContext, ptd: Ptd) -> None:
    """The lines of a closed PTD loop into ``ctx.message.lines``: one per QTY loop whose
    fields all read, in order (a loop with no LIN is a located PROD problem instead).

    Fields, in this order: transfer_type, transfer_code, the reseller's and end customer's
    name and country (when sent), quantity (negated for a return unless already negative),
    unit_price, currency (the loop's CUR, else the heading's), invoice_number and
    invoice_date (the QTY loop's, else the PTD loop's), serial_numbers. ``where``: QTY02.
    """
    message = ctx.message
    reseller = _first(ptd.parties, codes.RESELLER_PARTIES)
    end_customer = _first(ptd.parties, codes.END_CUSTOMER_PARTIES)
    shared: dict[str, object] = {"transfer_type": ptd.kind, "transfer_code": ptd.code}
    reseller_codes: tuple[Code, ...] = ()
    if reseller is not None:
        if reseller.code is not None:
            reseller_codes = (reseller.code,)
        if reseller.name:
            shared["reseller_name"] = reseller.name
        if reseller.country:
            shared["reseller_country"] = reseller.country
    if end_customer is not None:
        if end_customer.name:
            shared["end_customer_name"] = end_customer.name
        if end_customer.country:
            shared["end_customer_country"] = end_customer.country
    append = message.lines.append
    negate = ptd.sign < 0
    # What a line takes from its PTD loop unless its QTY loop has its own. The usual line
    # (a price, nothing of its own) is a copy of ``usual`` with two values set: the copy
    # of a dict with every key already in place is one block copy, where building it key
    # by key would grow it twice.
    tail: dict[str, object] = {}
    if message.currency:
        tail["currency"] = message.currency
    if ptd.invoice:
        tail["invoice_number"] = ptd.invoice
    if ptd.invoice_date is not None:
        tail["invoice_date"] = ptd.invoice_date
    usual = {**shared, "quantity": 0, "unit_price": None, **tail}
    # Where is built without its __init__ (a frozen dataclass sets each field through
    # object.__setattr__, several times slower): an ordinary, equal, hashable Where. Line
    # likewise (a plain dataclass: its __init__ call costs more than its stores)
    where_of = {
        "interchange": ctx.interchange,
        "group": ctx.group,
        "message": message.control,
        "position": None,
        "segment": "QTY",
        "element": "QTY02",
        "line": None,
    }
    for qty in ptd.qtys:
        quantity = qty.quantity
        if qty.bad or quantity is None:
            continue
        if not qty.product:
            ctx.problem(
                "PROD",
                "the QTY loop has no LIN: the line names no product and is not read",
                qty.position,
                "QTY",
                line=qty.line,
            )
            continue
        if negate and quantity > 0:
            quantity = -quantity
        price = qty.price
        if price is not None and not (qty.currency or qty.invoice or qty.invoice_date):
            fields = usual.copy()
            fields["quantity"] = quantity
            fields["unit_price"] = price
        else:
            fields = shared.copy()
            fields["quantity"] = quantity
            if price is not None:
                fields["unit_price"] = price
            currency = qty.currency or message.currency
            if currency:
                fields["currency"] = currency
            invoice = qty.invoice or ptd.invoice
            if invoice:
                fields["invoice_number"] = invoice
            invoice_date = qty.invoice_date or ptd.invoice_date
            if invoice_date is not None:
                fields["invoice_date"] = invoice_date
        if qty.serials:
            fields["serial_numbers"] = qty.serials
        where = _new(Where)
        attrs = where.__dict__
        attrs.update(where_of)
        attrs["position"] = qty.position
        attrs["line"] = qty.line
        line = _new(Line)  # Line(...) less the call of its __init__: the same five stores
        line.kind = "sell_through"
        line.fields = fields
        line.where = where
        line.product = qty.product
        line.reseller = reseller_codes
        append(line)


class DetailLoops:
    """The handlers of the detail's segments, for ``x12_867.Reader867`` (whose state they
    read and set: ``ctx``, ``area``, ``ptd``, ``qty``, ``party``, counts and hash total)."""

    # -- detail ------------------------------------------------------------------------
    def _ptd(self, els: list[str], pos: int, line: int) -> None:
        self._close_ptd()
        self._enter("ptd")
        self.party = None
        code, _, _, reference, number = (els + _PAD)[1:6]
        ptd = self.ptd = Ptd(code)
        if reference in codes.INVOICE_NUMBER:
            ptd.invoice = number
        if code in codes.UTILITY_PTD:
            self._refuse(f"PTD01 {code} {codes.PTD_NAMES[code]}", pos, "PTD", "PTD01", line)
        elif code in codes.SALES:
            ptd.kind = codes.SALES[code]
        elif code in codes.RETURNS:
            ptd.kind, ptd.sign = codes.RETURNS[code], -1
        elif not code:
            self.ctx.problem(
                "TYPE",
                "PTD01 (product transfer type) is missing: the loop's lines are not read",
                pos,
                "PTD",
                "PTD01",
                line,
                ack="AK403:1",
            )
        elif code in codes.PTD_NAMES:
            self.ctx.problem(
                "TYPE",
                f"PTD01 {code} ({codes.PTD_NAMES[code]}) is neither a sale nor a return: the "
                "loop's lines are not read",
                pos,
                "PTD",
                "PTD01",
                line,
                severity="warning",
            )
        else:
            self.ctx.problem(
                "TYPE",
                f"PTD01 {code[:10]!r} is not a product transfer type code: the loop's lines "
                "are not read",
                pos,
                "PTD",
                "PTD01",
                line,
                ack="AK403:7",
            )

    def _qty(self, els: list[str], pos: int, line: int) -> None:
        if self.ptd is None:
            self.ctx.problem(
                "EDI",
                "QTY before any PTD loop (867 loop order): the line has no transfer type and "
                "is not read",
                pos,
                "QTY",
                line=line,
                ack="AK304:7",
            )
            self.ptd = Ptd("")
        if self.area != "qty":
            self._enter("qty")
        self.in_lx = False
        self.party = None
        self.qty_loops += 1
        qty = self.qty = Qty(pos, line)
        self.ptd.qtys.append(qty)
        n = len(els)
        if n > 3 and els[3][:2] in _UTILITY_UNITS:
            unit = els[3].split(self.ctx.component, 1)[0]
            if unit in codes.UTILITY_UNITS:
                self._refuse(f"QTY03 unit {unit}", pos, "QTY", "QTY03", line)
                return
        text = els[2] if n > 2 else ""
        value = int(text) if text.isascii() and text.isdigit() else parse_quantity(text)
        if value.__class__ is int:
            qty.quantity = value
            qty.sent = value
            if self.hash_sent is not None:
                self.hash_sent += value
            return
        qty.bad = True
        self.hash_sent = None  # a quantity unread: the hash total cannot be checked
        self.ctx.problem(
            "QUAN",
            f"quantity {text[:20]!r} (QTY02) is {value}",
            pos,
            "QTY",
            "QTY02",
            line,
            ack={"missing": "AK403:1", "not a number": "AK403:6"}.get(value),
        )

    def _lin(self, els: list[str], pos: int, line: int) -> None:
        qty = self.qty
        assert qty is not None  # LIN only stands in a QTY loop (checked in segment())
        self.lin_count += 1
        if qty.product:
            self.ctx.problem(
                "EDI",
                "a second LIN in one QTY loop: ignored",
                pos,
                "LIN",
                line=line,
                ack="AK304:5",
            )
            return
        product = qty.product = product_codes(els)
        if not product:
            qty.bad = True
            self.ctx.problem(
                "PROD",
                "LIN names no product (LIN02/LIN03 missing)",
                pos,
                "LIN",
                "LIN03",
                line,
                ack="AK403:1",
            )

    def _uit(self, els: list[str], pos: int, line: int) -> None:
        qty = self.qty
        assert qty is not None
        if len(els) > 1 and els[1][:2] in _UTILITY_UNITS:
            unit = els[1].split(self.ctx.component, 1)[0]
            if unit in codes.UTILITY_UNITS:
                self._refuse(f"UIT01 unit {unit}", pos, "UIT", "UIT01", line)
                return
        text = els[2] if len(els) > 2 else ""
        if not text or qty.price is not None:
            return
        price = parse_decimal(text)
        if price is None:
            qty.bad = True
            self.ctx.problem(
                "PRIC",
                f"unit price {text[:20]!r} (UIT02) is not a number",
                pos,
                "UIT",
                "UIT02",
                line,
                ack="AK403:6",
            )
        else:
            qty.price = price

    def _lx(self, els: list[str], pos: int, line: int) -> None:
        self.in_lx = True
        self.party = None

    def _ctt(self, els: list[str], pos: int, line: int) -> None:
        self._close_ptd()
        self._enter("summary")
        count = element(els, 1)
        if count.isascii() and count.isdigit():
            if int(count) not in (self.qty_loops, self.lin_count):
                self.ctx.problem(
                    "EDI",
                    f"CTT01 says {int(count)} line items, the report has {self.qty_loops} QTY "
                    "loops: lines may be missing",
                    pos,
                    "CTT",
                    "CTT01",
                    line,
                )
        elif count:
            self.ctx.problem(
                "EDI",
                f"CTT01 {count[:20]!r} is not a number",
                pos,
                "CTT",
                "CTT01",
                line,
                severity="warning",
                ack="AK403:6",
            )
        hash_total = parse_decimal(element(els, 2))
        if hash_total is not None and self.hash_sent is not None and hash_total != self.hash_sent:
            self.ctx.problem(
                "EDI",
                f"CTT02 hash total {hash_total} differs from the sum of QTY02, {self.hash_sent}",
                pos,
                "CTT",
                "CTT02",
                line,
                severity="warning",
            )

    # -- lines ----------------------------------------------------------------------
    def _close_ptd(self) -> None:
        ptd = self.ptd
        self.ptd = self.qty = None
        self.in_lx = False
        if ptd is not None and ptd.kind and not ptd.bad and not self.refused:
            ptd_lines(self.ctx, ptd)

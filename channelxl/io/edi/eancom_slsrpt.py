"""EANCOM SLSRPT (sales data report, UN D96A; EANCOM 1997 SLSRPT 004 and the later
EANCOM 2002 layout) read into sell-through lines.

Segment groups (EANCOM SLSRPT 004)::

    UNH BGM DTM*5
    SG1 NAD  (SG2 CTA COM)          parties: the reporting distributor (FR, DS, SE, BY)
    SG3 RFF DTM                     references of the whole report
    SG4 CUX DTM                     currency of the prices
    SG5 LOC DTM                     place of sale; DTM 356 the date of sale for its lines
      SG7 LIN PIA IMD RFF ALI MOA PRI   product, invoice (RFF IV), unit price
        SG8 QTY NAD                     one line per QTY; NAD the reseller / ship-to
    UNS CNT UNT

Accepted beyond the 1997 layout, as distributors send them: DTM in SG7 (invoice date,
qualifier 3, 171 or 356, after RFF IV) and GIN after QTY (serial numbers, GIN+BN).
"""

from __future__ import annotations

from typing import ClassVar

from channelxl.io.edi.eancom_common import END_CUSTOMER_PARTIES, ReportReader
from channelxl.io.edi.eancom_values import parse_decimal
from channelxl.io.edi.edifact_syntax import Segment

_HEAD = {"DTM": "head", "NAD": "head", "CTA": "head", "COM": "head", "RFF": "head", "CUX": "head"}
_DETAIL = {"LOC": "loc", "UNS": "sum", "CNT": "sum"}

# QTY01-1 6063: sales count as sent (a negative sale is a return); returns turn negative.
SALES = "153"  # statistical sales quantity
RETURNS = ("61", "210")  # return quantity; returned by consumer
# PRI01-1 5125: AAA calculation net (what the reseller paid a unit), AAB calculation gross.
PRICE_ORDER = ("AAA", "AAB")
LINE_DATES = ("3", "171", "356", "137")  # invoice, reference, sales, document date


class SalesReportReader(ReportReader):
    KIND = "sell_through"
    TABLE: ClassVar[dict[str, dict[str, str]]] = {
        "start": {"BGM": "head"},
        "head": {**_HEAD, "LOC": "loc"},
        "loc": {"DTM": "loc", "LIN": "lin", **_DETAIL},
        "lin": {
            "PIA": "lin",
            "IMD": "lin",
            "RFF": "lin",
            "ALI": "lin",
            "MOA": "lin",
            "PRI": "lin",
            "DTM": "lin",
            "QTY": "qty",
            "LIN": "lin",
            **_DETAIL,
        },
        "qty": {"NAD": "qty", "GIN": "qty", "QTY": "qty", "LIN": "lin", **_DETAIL},
        "sum": {"CNT": "sum"},
    }

    def __init__(self, message, ctx):
        super().__init__(message, ctx)
        self.bgm: tuple[Segment, int] | None = None
        self.location: str | None = None
        self.loc_date = None
        self.invoice_number: str | None = None
        self.invoice_date = None
        self.price = None
        self.price_rank = 99

    def on_BGM(self, seg: Segment, position: int) -> None:
        super().on_BGM(seg, position)
        self.bgm = (seg, position)

    def on_DTM(self, seg: Segment, position: int) -> None:
        if self.state == "head":
            self.header_dtm(seg, position)
            return
        got = self.dtm(seg, position)
        if got is None:
            return
        qual, start, end = got
        if self.state == "loc":
            # a date of sale for the lines of this location; a sub-period gives none
            self.loc_date = start if start == end else None
        elif qual in LINE_DATES and start == end:
            self.invoice_date = start

    def on_NAD(self, seg: Segment, position: int) -> None:
        if self.state == "head":
            self.header_nad(seg, position)
            return
        line = self.line
        if line is None:
            return
        qual = seg.get(1)
        name = seg.get(4, 1) or seg.get(3, 1)
        country = seg.get(9, 1)
        if qual in END_CUSTOMER_PARTIES:
            if name:
                line.fields["end_customer_name"] = self.same(name)
            if country:
                line.fields["end_customer_country"] = self.same(country)
            return
        code = self.party(seg, position)
        if code is not None:
            line.reseller = (*line.reseller, code)
        if name and "reseller_name" not in line.fields:
            line.fields["reseller_name"] = self.same(name)
        if country and "reseller_country" not in line.fields:
            line.fields["reseller_country"] = self.same(country)

    def on_LOC(self, seg: Segment, position: int) -> None:
        self.location = seg.get(2, 1) or None
        self.loc_date = None
        self.line = None

    def on_LIN(self, seg: Segment, position: int) -> None:
        super().on_LIN(seg, position)
        self.invoice_number = None
        self.invoice_date = None
        self.price = None
        self.price_rank = 99

    def on_RFF(self, seg: Segment, position: int) -> None:
        if self.state == "lin" and seg.get(1, 1) == "IV":
            self.invoice_number = seg.get(1, 2) or None

    def on_PRI(self, seg: Segment, position: int) -> None:
        qual, text = seg.get(1, 1), seg.get(1, 2)
        rank = PRICE_ORDER.index(qual) if qual in PRICE_ORDER else 50
        if rank >= self.price_rank or not text:
            return
        value = parse_decimal(text)
        if value is None:
            self.ctx.problem(
                "PRIC", f"price {text!r} is not a number", seg, position, "PRI01-2", ack="37"
            )
            return
        self.price, self.price_rank = value, rank

    def on_QTY(self, seg: Segment, position: int) -> None:
        self.line = None
        qual = seg.get(1, 1)
        if qual != SALES and qual not in RETURNS:
            self.ctx.problem(
                "QUAN",
                f"quantity qualifier {qual or '(none)'} is neither sales (153) nor returns "
                "(61, 210); no line was read from it",
                seg,
                position,
                "QTY01-1",
            )
            return
        qty = self.quantity(seg, position)
        if qty is None:
            return
        if qual in RETURNS:
            qty = -abs(qty)
        fields: dict[str, object] = {"quantity": qty, "transfer_type": self.same(qual)}
        if self.price is not None:
            fields["unit_price"] = self.price
        if self.message.currency:
            fields["currency"] = self.message.currency
        if self.invoice_number:
            fields["invoice_number"] = self.invoice_number
        when = self.invoice_date or self.loc_date
        if when:
            fields["invoice_date"] = when
        if self.location:
            fields["location"] = self.location
        self.add_line("sell_through", fields, seg, position)

    def finish(self, unt: Segment | None, position: int | None) -> None:
        super().finish(unt, position)
        dates = self.header_dates
        start = (dates.get("90") or dates.get("356") or (None, None))[0]
        end = (dates.get("91") or dates.get("356") or (None, None))[1]
        self.message.period = (start, end)
        if start is None or end is None:
            seg, pos = self.bgm if self.bgm else (unt, position)
            self.ctx.problem(
                "DATE",
                "the report gives no sales period (DTM 90 and 91, or DTM 356 with format 718)",
                seg,
                pos,
                severity="warning",
            )

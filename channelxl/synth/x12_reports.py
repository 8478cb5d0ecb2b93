"""A distributor's monthly reports written as X12: an 867 Product Transfer and Resale Report
of its sell-through lines and an 852 Product Activity Data of its stock, each in its own
interchange, the way docs/EDI_X12.md says they are read.

867: one PTD loop per run of lines sharing an invoice, its date, the reseller and the end
customer (a line whose end customer differs starts a new loop with the same invoice
number); in it DTM*003 the invoice date, N1*BY the reseller with its N4 country, N1*EN the
end customer; one QTY loop per line: QTY02 the quantity, LIN the product codes, UIT02 the
unit price (whole units for currencies without cents), REF*SE serial numbers. A returned
line is sent under PTD ``RU`` with a positive quantity, or under ``SS`` with a negative
one, as the style says. CTT01 counts the QTY loops, CTT02 adds up QTY02 as sent.

852: XQ the month, one LIN loop per SKU stocked: the month-end stock as ZA ``QE`` (or
``QA``), stock in transit as ZA ``QI``; a distributor with several warehouses splits both
over them in SDQ (the quantities add up to the stock exactly).
"""

from __future__ import annotations

import pandas as pd

from channelxl.synth.countries import NO_CENTS
from channelxl.synth.edi_codes import RECEIVER, Codes, Header
from channelxl.synth.edi_styles import HARDWARE, Style
from channelxl.synth.text import dec


def price_text(price: float, currency: str) -> str:
    """A unit price as the invoice shows it: to the cent, whole units where there are none."""
    return dec(price, 0 if currency in NO_CENTS else 2)


def serial_numbers(invoice: str, line: int, units: int) -> list[str]:
    """One serial number per unit of an invoice line: the invoice number without its
    hyphen, the line (2 digits) and the unit (3 digits)."""
    stem = invoice.replace("-", "")
    return [f"{stem}{line:02d}{k:03d}" for k in range(1, units + 1)]


def split_stock(quantity: int, places: int) -> list[int]:
    """``quantity`` over ``places`` warehouses, the first taking the rest: for three,
    ``q - q//2 - q//3, q//2, q//3``; they add up to ``quantity`` exactly."""
    if places == 1:
        return [quantity]
    shares = [quantity // (k + 2) for k in range(places - 1)]
    return [quantity - sum(shares), *shares]


def product_pairs(style: Style, codes: Codes, distributor: str, sku: str) -> list[str]:
    """LIN's qualifier/id pairs from LIN02 on, in the style's order; a code the
    distributor has none of (a part number it never assigned) is left out."""
    out: list[str] = []
    for q in style.products:
        value = {
            "UP": codes.gtin.get(sku),
            "BP": codes.part.get((distributor, sku)),
            "VP": sku,
        }[q]
        if value:
            out += [q, value]
    return out


def reseller_code(style: Style, codes: Codes, distributor: str, reseller: str) -> list[str]:
    """N103/N104: the first of the style's qualifiers the reseller has a code of."""
    for q in style.resellers:
        duns = codes.duns.get(reseller)
        value = {
            "91": codes.account.get((distributor, reseller)),
            "UL": codes.gln.get(reseller),
            "1": duns,
            "9": f"{duns}0001" if duns else None,  # DUNS+4: the head office's suffix
        }[q]
        if value:
            return [q, value]
    return []


class _Segments:
    """Segments as lists of elements, joined with the style's delimiters at the end."""

    def __init__(self, style: Style) -> None:
        self.style = style
        self.list: list[list[str]] = []
        element, component, terminator, repetition = style.delimiters
        # X12 has no release character: a delimiter in a name would end its element, so it
        # becomes a space (ISA11 U before 005010 is a code, not a repetition separator)
        special = {element, component, terminator, "\r", "\n"}
        if not repetition.isalnum():
            special.add(repetition)
        self._bad = str.maketrans(dict.fromkeys(special, " "))

    def add(self, *elements: object) -> None:
        els = [str(e).translate(self._bad) for e in elements]
        while els and els[-1] == "":
            els.pop()
        self.list.append(els)

    def __len__(self) -> int:
        return len(self.list)


def _envelope(style: Style, header: Header, group: str, body: _Segments) -> str:
    """ISA GS (the transaction set) GE IEA, ISA padded to its fixed width."""
    element, component, terminator, repetition = style.delimiters
    when = header.prepared
    control = f"{header.control:09d}"
    isa = [
        "ISA",
        "00",
        " " * 10,
        "00",
        " " * 10,
        header.sender_qualifier,
        f"{header.sender:<15}",
        "ZZ",
        f"{RECEIVER:<15}",
        f"{when:%y%m%d}",
        f"{when:%H%M}",
        repetition,
        style.version[:5],  # GS08 004010 -> ISA12 00401
        control,
        "0",
        "P",
        component,
    ]
    gs = [
        "GS",
        group,
        header.sender,
        RECEIVER,
        f"{when:%Y%m%d}",
        f"{when:%H%M}",
        str(header.control),
        "X",
        style.version,
    ]
    segments = [isa, gs, *body.list, ["GE", "1", str(header.control)], ["IEA", "1", control]]
    end = terminator + style.newline
    return "".join(element.join(els) + end for els in segments)


def report_867(style: Style, header: Header, lines: pd.DataFrame, codes: Codes) -> bytes:
    """The 867 of ``lines`` (sell-through rows, ledger field names, in report order)."""
    d, month = header.distributor, header.month
    s = _Segments(style)
    s.add("ST", "867", "0001")
    s.add("BPT", "00", f"{d}-{month}", f"{header.prepared:%Y%m%d}", "DD")
    s.add("CUR", "SE", header.currency)
    s.add("DTM", "090", f"{month.first_day:%Y%m%d}")
    s.add("DTM", "091", f"{month.last_day:%Y%m%d}")
    s.add("N1", "DS", header.name, "1", header.sender)
    loop = None
    loops = hash_total = 0
    for row in lines.itertuples(index=False):
        quantity = int(row.quantity)
        returned = quantity < 0 and style.returns == "code"
        key = (
            row.invoice_number,
            row.invoice_date,
            row.reseller_id,
            row.reseller_name,
            row.reseller_country,
            row.end_customer_name,
            row.end_customer_country,
            returned,
        )
        if key != loop:
            loop = key
            s.add("PTD", "RU" if returned else "SS", "", "", "IV", row.invoice_number)
            s.add("DTM", "003", f"{row.invoice_date:%Y%m%d}")
            s.add("N1", "BY", row.reseller_name, *reseller_code(style, codes, d, row.reseller_id))
            s.add("N4", "", "", "", row.reseller_country)
            if row.end_customer_name:
                s.add("N1", "EN", row.end_customer_name)
                s.add("N4", "", "", "", row.end_customer_country)
        sent = -quantity if returned else quantity
        loops += 1
        hash_total += sent
        s.add("QTY", "39", sent, "EA")
        s.add("LIN", "", *product_pairs(style, codes, d, row.sku))
        s.add("UIT", "EA", price_text(row.unit_price, row.currency))
        if style.serials and str(row.sku)[:3] in HARDWARE:
            for serial in serial_numbers(row.invoice_number, int(row.invoice_line), abs(quantity)):
                s.add("REF", "SE", serial)
    s.add("CTT", loops, hash_total)
    s.add("SE", len(s) + 1, "0001")
    return _envelope(style, header, "PT", s).encode("utf-8")


def report_852(style: Style, header: Header, stock: pd.DataFrame, codes: Codes) -> bytes:
    """The 852 of ``stock`` (inventory rows: sku, on_hand, in_transit) at the month's end."""
    d, month = header.distributor, header.month
    places = [f"WH{n}" for n in range(1, style.locations + 1)]
    s = _Segments(style)
    s.add("ST", "852", "0001")
    s.add("XQ", "H", f"{month.first_day:%Y%m%d}", f"{month.last_day:%Y%m%d}")
    s.add("N1", "DS", header.name, "1", header.sender)
    for place in places:
        s.add("N1", "WH", f"{header.name} {place}", "92", place)
    for row in stock.itertuples(index=False):
        s.add("LIN", "", *product_pairs(style, codes, d, row.sku))
        on_hand, in_transit = int(row.on_hand), int(row.in_transit)
        s.add("ZA", style.on_hand, on_hand, "EA")
        if len(places) > 1:
            pairs = zip(places, split_stock(on_hand, len(places)), strict=True)
            s.add("SDQ", "EA", "92", *(x for pair in pairs for x in pair))
        s.add("ZA", "QI", in_transit, "EA")
        if len(places) > 1:  # what is on its way goes to the main warehouse
            s.add("SDQ", "EA", "92", places[0], in_transit)
    s.add("CTT", len(stock))
    s.add("SE", len(s) + 1, "0001")
    return _envelope(style, header, "PD", s).encode("utf-8")


__all__ = [
    "price_text",
    "product_pairs",
    "report_852",
    "report_867",
    "reseller_code",
    "serial_numbers",
    "split_stock",
]

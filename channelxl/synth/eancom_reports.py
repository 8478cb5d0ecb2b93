"""A distributor's monthly reports written as EANCOM (UN D96A, EANCOM 1997): a SLSRPT sales
data report of its sell-through lines and an INVRPT inventory report of its stock, each in
its own interchange, the way docs/EDI_EANCOM.md says they are read.

Both open with UNA ``:+.? '`` and write each segment on its own line. Text is released:
``?`` goes before each of ``? : + '`` in a name (``O?'Brien``). The interchange is UNOC
(ISO 8859-1) when every character fits it, else UNOW (UTF-8).

SLSRPT: the sales period DTM 90 / 91, the currency CUX, the selling warehouse LOC 162; one
LIN per line: GTIN-13 (``SRV``), PIA your SKU (``SA``) and the distributor's part number
(``IN``) where it has one, RFF IV the invoice, DTM 3 its date, PRI AAA the unit price;
QTY 153 the quantity (a returned line: QTY 61 with the units returned), NAD BY the
reseller (GLN, code list agency 9) with its name and country, NAD UC the end customer.
CNT 2 counts the LINs.

INVRPT: the stock date DTM 366 (the month's last day), the warehouse LOC 18; one LIN per
SKU with QTY 145 the stock on hand and QTY 198 the stock in transit.
"""

from __future__ import annotations

import pandas as pd

from channelxl.synth.edi_codes import RECEIVER, Codes, Header, warehouse_gln
from channelxl.synth.edi_styles import Style
from channelxl.synth.x12_reports import price_text

UNA = ":+.? '"
_RELEASE = str.maketrans({ch: "?" + ch for ch in "?:+'"})

Element = str | int | tuple[str | int, ...]


def release(text: str) -> str:
    """``text`` with the release character before each service character."""
    return str(text).translate(_RELEASE)


def segment(tag: str, *elements: Element) -> str:
    """One segment: elements separated by ``+``, a tuple's components by ``:``, each
    released; empty elements and components at the end left out."""
    out = []
    for e in elements:
        parts = [release(str(c)) for c in (e if isinstance(e, tuple) else (e,))]
        while parts and parts[-1] == "":
            parts.pop()
        out.append(":".join(parts))
    while out and out[-1] == "":
        out.pop()
    return "+".join([tag, *out]) + "'"


def gtin13(gtin: str) -> str:
    """A UPC-12 as the EAN-13 European price lists show (a leading zero); longer as is."""
    return gtin.zfill(13)


def _interchange(style: Style, header: Header, message: list[str]) -> bytes:
    body = "\n".join(message)
    charset = "UNOC"
    try:
        body.encode("latin-1")
    except UnicodeEncodeError:
        charset = "UNOW"
    when = header.prepared
    ref = str(header.control)
    text = "\n".join(
        [
            "UNA" + UNA,
            segment(
                "UNB",
                (charset, "3"),
                (header.sender, header.sender_qualifier),
                (RECEIVER, "ZZZ"),
                (f"{when:%y%m%d}", f"{when:%H%M}"),
                ref,
            ),
            body,
            segment("UNZ", "1", ref),
        ]
    )
    return (text + "\n").encode("latin-1" if charset == "UNOC" else "utf-8")


def _heading(style: Style, header: Header, kind: str, document: str) -> list[str]:
    return [
        segment("UNH", "1", (kind, *style.version.split(":"))),
        segment("BGM", document, f"{header.distributor}-{header.month}", "9"),
        segment("DTM", ("137", f"{header.prepared:%Y%m%d}", "102")),
    ]


def _products(codes: Codes, distributor: str, sku: str, number: int) -> list[str]:
    out = [segment("LIN", number, "", (gtin13(codes.gtin[sku]), "SRV"))]
    extra: list[Element] = [(sku, "SA")]
    part = codes.part.get((distributor, sku))
    if part:
        extra.append((part, "IN"))
    out.append(segment("PIA", "1", *extra))
    return out


def _end(message: list[str]) -> list[str]:
    """UNT: the segments from UNH to UNT inclusive."""
    return [*message, segment("UNT", len(message) + 1, "1")]


def slsrpt(style: Style, header: Header, lines: pd.DataFrame, codes: Codes) -> bytes:
    """The SLSRPT of ``lines`` (sell-through rows, ledger field names, in report order)."""
    d, month = header.distributor, header.month
    m = _heading(style, header, "SLSRPT", "73E")
    m.append(segment("DTM", ("90", f"{month.first_day:%Y%m%d}", "102")))
    m.append(segment("DTM", ("91", f"{month.last_day:%Y%m%d}", "102")))
    m.append(segment("NAD", "FR", (header.sender, "", "9"), "", header.name))
    m.append(segment("CUX", ("2", header.currency, "4")))
    m.append(segment("LOC", "162", (warehouse_gln(d, 1), "", "9")))
    n = 0
    for row in lines.itertuples(index=False):
        n += 1
        quantity = int(row.quantity)
        m += _products(codes, d, row.sku, n)
        m.append(segment("RFF", ("IV", row.invoice_number)))
        m.append(segment("DTM", ("3", f"{row.invoice_date:%Y%m%d}", "102")))
        m.append(segment("PRI", ("AAA", price_text(row.unit_price, row.currency))))
        if quantity < 0 and style.returns == "code":
            m.append(segment("QTY", ("61", -quantity)))
        else:
            m.append(segment("QTY", ("153", quantity)))
        gln = codes.gln.get(row.reseller_id, "")
        m.append(
            segment(
                "NAD", "BY", (gln, "", "9"), "", row.reseller_name, "", "", "", "",
                row.reseller_country,
            )
        )  # fmt: skip
        if row.end_customer_name:
            m.append(
                segment(
                    "NAD", "UC", "", "", row.end_customer_name, "", "", "", "",
                    row.end_customer_country,
                )
            )  # fmt: skip
    m.append(segment("UNS", "S"))
    m.append(segment("CNT", ("2", n)))
    return _interchange(style, header, _end(m))


def invrpt(style: Style, header: Header, stock: pd.DataFrame, codes: Codes) -> bytes:
    """The INVRPT of ``stock`` (inventory rows: sku, on_hand, in_transit) at the month's end."""
    d, month = header.distributor, header.month
    m = _heading(style, header, "INVRPT", "35")
    m.append(segment("DTM", ("366", f"{month.last_day:%Y%m%d}", "102")))
    m.append(segment("NAD", "FR", (header.sender, "", "9"), "", header.name))
    m.append(segment("LOC", "18", (warehouse_gln(d, 1), "", "9")))
    n = 0
    for row in stock.itertuples(index=False):
        n += 1
        m += _products(codes, d, row.sku, n)
        m.append(segment("QTY", ("145", int(row.on_hand))))
        m.append(segment("QTY", ("198", int(row.in_transit))))
    m.append(segment("UNS", "S"))
    m.append(segment("CNT", ("2", n)))
    return _interchange(style, header, _end(m))


__all__ = ["UNA", "gtin13", "invrpt", "release", "segment", "slsrpt"]

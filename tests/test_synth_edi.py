"""The synthetic channel's EDI senders: their 867/852 and SLSRPT/INVRPT files read back with
the project's readers without a single problem, and say exactly what the channel has:
the same lines in the same order, quantities with their sign, prices to the cent, invoice
numbers and dates, and product and reseller codes that the program's cross-references
resolve to the channel's SKUs and Reseller IDs."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pandas as pd
import pytest
from helpers import SMALL

from channelxl.core.cross_reference import CrossReference, Resolver
from channelxl.core.periods import Month
from channelxl.io.edi.edifact import read_edifact
from channelxl.io.edi.model import Interchange
from channelxl.io.edi.x12 import read_x12
from channelxl.synth import generate, write_channel
from channelxl.synth.countries import COUNTRIES
from channelxl.synth.eancom_reports import release, slsrpt
from channelxl.synth.edi_reports import EdiReports, control_number
from channelxl.synth.edi_styles import EANCOM, X12, X12_4010, X12_5010, edi_id, senders
from channelxl.synth.x12_reports import price_text, report_867, split_stock

# every style on a distributor of the small channel (8 distributors: US CA MX BR GB IE DE AT)
STYLES = {"D001": X12_4010, "D002": X12_5010, "D005": EANCOM, "D007": EANCOM}


@pytest.fixture(scope="module")
def edi(small_channel):
    return EdiReports(small_channel, STYLES)


@pytest.fixture(scope="module")
def resolver(small_channel):
    p = small_channel.program
    return Resolver(
        [(r["sku"], r["gtin"]) for r in p["products"]],
        [(r["reseller_id"], r["gln"], r["duns"]) for r in p["resellers"]],
        [CrossReference(**r) for r in p["cross_references"]],
    )


def read(style, name: str, data: bytes) -> list[Interchange]:
    return read_x12(data, name) if style.standard == X12 else read_edifact(data, name)


def problems(interchanges: list[Interchange]) -> list:
    return [
        p for i in interchanges for p in (*i.problems, *(q for m in i.messages for q in m.problems))
    ]


def months_of(channel) -> list[str]:
    return [str(m) for m in channel.months]


def test_senders_follow_country_and_order_not_the_draws():
    def rows(n):  # countries cycle as the generator deals them
        return [
            {"distributor_id": f"D{i + 1:03d}", "country": COUNTRIES[i % len(COUNTRIES)][0]}
            for i in range(n)
        ]

    # the demo's 40: the first US (D001), the second US (D022, 21 countries on), the first GB
    assert senders(rows(40)) == {"D001": X12_4010, "D022": X12_5010, "D005": EANCOM}
    # six still have one X12 and one EANCOM sender
    assert senders(rows(6)) == {"D001": X12_4010, "D005": EANCOM}
    assert senders(rows(4)) == {"D001": X12_4010}


def test_the_program_names_each_senders_edi_id(small_channel):
    ids = {r["distributor_id"]: r["edi_ids"] for r in small_channel.program["distributors"]}
    # D001: DUNS 08 + 0000001. D005: GLN 409998 0005 00 + check digit: the digits weighed
    # 3, 1, 3... from the right, 0+0+15+0+0+0+24+9+27+9+0+4 = 88, check (10 - 8) = 2
    assert ids == {
        "D001": ("080000001",),
        "D002": None,
        "D003": None,
        "D004": None,
        "D005": ("4099980005002",),
        "D006": None,
        "D007": None,
        "D008": None,
    }


def test_every_report_reads_without_a_problem(small_channel, edi):
    for d, style in STYLES.items():
        for p in months_of(small_channel):
            for message in ("867", "852") if style.standard == X12 else ("SLSRPT", "INVRPT"):
                name, data = edi.report(
                    d, p, message, pd.Timestamp(f"{p}-01 09:00").to_pydatetime()
                )
                interchanges = read(style, name, data)
                assert problems(interchanges) == [], (name, problems(interchanges)[:3])
                (interchange,) = interchanges
                (m,) = interchange.messages
                assert m.accepted and m.type == message
                number = control_number(Month.parse(p), message)
                # ISA13 is nine digits; UNB05 is the number as is
                assert interchange.control == (
                    f"{number:09d}" if style.standard == X12 else str(number)
                )
                assert (interchange.sender.value, interchange.sender.qualifier) == edi_id(d, style)


def test_sell_through_lines_are_the_channels(small_channel, edi, resolver):
    st = small_channel.sell_through
    checked = 0
    for d, style in STYLES.items():
        message = "867" if style.standard == X12 else "SLSRPT"
        for p in months_of(small_channel):
            name, data = edi.report(d, p, message, pd.Timestamp(f"{p}-28").to_pydatetime())
            (interchange,) = read(style, name, data)
            (m,) = interchange.messages
            assert m.period == (Month.parse(p).first_day, Month.parse(p).last_day)
            expected = st[(st.distributor_id == d) & (st.period == p)]
            assert len(m.lines) == len(expected) > 0
            for line, row in zip(m.lines, expected.itertuples(index=False), strict=True):
                f = line.fields
                assert f["quantity"] == row.quantity
                assert f["unit_price"] == Decimal(f"{row.unit_price:.2f}")
                assert f["currency"] == row.currency
                assert f["invoice_number"] == row.invoice_number
                assert f["invoice_date"] == row.invoice_date
                assert (f["reseller_name"], f["reseller_country"]) == (
                    row.reseller_name,
                    row.reseller_country,
                )
                assert (f["end_customer_name"], f["end_customer_country"]) == (
                    row.end_customer_name,
                    row.end_customer_country,
                )
                standard = style.standard
                assert resolver.product(d, line.product, standard=standard) == (row.sku, None)
                assert resolver.reseller(d, line.reseller, standard=standard) == (
                    row.reseller_id,
                    None,
                )
                if style is X12_5010 and row.sku[:3] in ("SWI", "ROU", "FIR", "WIR", "STO", "SER"):
                    serials = f["serial_numbers"]
                    assert len(serials) == row.quantity == len(set(serials))
                checked += 1
    assert checked > 500  # every line of four distributors over six months


def test_codes_are_each_distributors_own(small_channel, edi):
    """D001 names its three mapped SKUs by its part numbers (LIN BP) and its first two
    resellers by account number (N1 91); D002 by DUNS+4; EANCOM by GLN and GTIN-13."""
    parts = {
        r["code"]
        for r in small_channel.program["cross_references"]
        if r["distributor_id"] == "D001" and r["kind"] == "product"
    }
    seen = defaultdict(set)
    for p in months_of(small_channel):
        for d, message in (("D001", "867"), ("D002", "867"), ("D005", "SLSRPT")):
            name, data = edi.report(d, p, message, pd.Timestamp(f"{p}-28").to_pydatetime())
            (interchange,) = read(STYLES[d], name, data)
            for line in interchange.lines:
                seen[d, "product"] |= {c.qualifier for c in line.product}
                seen[d, "reseller"] |= {c.qualifier for c in line.reseller}
                seen[d, "parts"] |= {c.value for c in line.product if c.qualifier == "BP"}
    assert seen["D001", "product"] == {"UP", "BP"} and seen["D001", "parts"] <= parts
    assert seen["D001", "reseller"] == {"91", "UL"}
    assert seen["D002", "product"] == {"VP", "UP"}
    assert seen["D002", "reseller"] == {"9", "UL"}  # a third of resellers have no DUNS
    assert seen["D005", "product"] >= {"SRV", "SA"}
    assert seen["D005", "reseller"] == {"9"}


def test_stock_reports_are_the_channels_stock(small_channel, edi, resolver):
    inv = small_channel.inventory
    for d, style in STYLES.items():
        message = "852" if style.standard == X12 else "INVRPT"
        for p in sorted(set(inv.period[inv.distributor_id == d])):
            name, data = edi.report(d, p, message, pd.Timestamp("2030-01-01").to_pydatetime())
            (interchange,) = read(style, name, data)
            on_hand: dict[str, int] = defaultdict(int)
            in_transit: dict[str, int] = defaultdict(int)
            places = set()
            for line in interchange.lines:
                sku, problem = resolver.product(d, line.product, standard=style.standard)
                assert problem is None
                on_hand[sku] += line.fields.get("on_hand", 0)
                in_transit[sku] += line.fields.get("in_transit", 0)
                places.add(line.fields.get("location"))
            rows = inv[(inv.distributor_id == d) & (inv.period == p)]
            assert dict(on_hand) == dict(zip(rows.sku, rows.on_hand, strict=True))
            assert dict(in_transit) == dict(zip(rows.sku, rows.in_transit, strict=True))
            # the multi-warehouse distributor spreads its stock over three
            assert len(places) == (3 if style is X12_5010 else 1)


def test_stock_split_over_warehouses_adds_up():
    assert split_stock(10, 3) == [2, 5, 3]  # 10 - 10//2 - 10//3, 10//2, 10//3
    assert split_stock(1, 3) == [1, 0, 0]
    assert split_stock(7, 1) == [7]


def test_returns_are_sent_the_senders_way(small_channel, edi):
    """A credit of 2 units: D001 sends it under PTD RU as +2, D002 under SS as -2, the
    EANCOM sender as QTY 61 of 2; each reads back as -2."""
    st = small_channel.sell_through
    for d, style in STYLES.items():
        p = months_of(small_channel)[0]
        lines = st[(st.distributor_id == d) & (st.period == p)].head(3).copy()
        lines.loc[lines.index[-1], "quantity"] = -2
        header = edi.header(d, Month.parse(p), "867", pd.Timestamp("2024-11-03").to_pydatetime())
        if style.standard == X12:
            data = report_867(style, header, lines, edi.codes)
        else:
            data = slsrpt(style, header, lines, edi.codes)
        text = data.decode()
        interchanges = read(style, "credit", data)
        assert problems(interchanges) == []
        read_back = [line.fields["quantity"] for line in interchanges[0].lines]
        assert read_back == [*lines.quantity[:-1], -2]
        if style is X12_4010:
            assert "PTD*RU***IV*" in text and "QTY*39*2*EA" in text
            assert interchanges[0].lines[-1].fields["transfer_type"] == "return"
        elif style is X12_5010:
            assert "QTY|39|-2|EA" in text and "PTD|RU" not in text
        else:
            assert "QTY+61:2'" in text


def test_names_are_released_in_eancom_and_cleaned_in_x12(small_channel, edi):
    st = small_channel.sell_through
    lines = st[st.distributor_id == "D005"].head(1).copy()
    lines["reseller_name"] = "O'Brien + Sons: IT?"
    header = edi.header(
        "D005", Month.parse("2024-10"), "SLSRPT", pd.Timestamp("2024-11-03").to_pydatetime()
    )
    data = slsrpt(EANCOM, header, lines, edi.codes)
    assert b"O?'Brien ?+ Sons?: IT??" in data
    (interchange,) = read_edifact(data, "slsrpt")
    assert interchange.lines[0].fields["reseller_name"] == "O'Brien + Sons: IT?"
    assert release("a'b") == "a?'b"
    # X12 has no release character: a delimiter in a name becomes a space
    lines["reseller_name"] = "Star*Net~Ltd"
    data = report_867(
        X12_4010,
        edi.header("D001", Month.parse("2024-10"), "867", header.prepared),
        lines,
        edi.codes,
    )
    (interchange,) = read_x12(data, "867")
    assert problems([interchange]) == []
    assert interchange.lines[0].fields["reseller_name"] == "Star Net Ltd"


def test_prices_keep_the_currencys_places():
    assert price_text(5273.0, "JPY") == "5273"
    assert price_text(961.5, "USD") == "961.50"
    assert price_text(0.1 + 0.2, "EUR") == "0.30"


def test_write_channel_sends_edi_for_the_senders_only(tmp_path, small_channel):
    with_edi = write_channel(small_channel, tmp_path / "a", program=False, edi=True)
    without = write_channel(small_channel, tmp_path / "b", program=False, edi=False)
    assert with_edi["edi"] == {"D001": X12_4010.label, "D005": EANCOM.label}
    assert without["edi"] == {}
    names_a = {p.name for p in with_edi["reports"]}
    names_b = {p.name for p in without["reports"]}
    # D001 and D005 send EDI instead of CSV, every month and the opening stock
    assert not any(
        n.startswith(("sellthrough_D001", "inventory_D001", "sellthrough_D005")) for n in names_a
    )
    edi_names = sorted(n for n in names_a if not n.endswith(".csv"))
    months = months_of(small_channel)
    opening = str(Month.parse(months[0]) + -1)
    last_days = [f"{Month.parse(p).last_day:%Y%m%d}" for p in [opening, *months]]
    assert edi_names == sorted(
        [f"D001_852_{x}.edi" for x in last_days]
        + [f"D001_867_{x}.edi" for x in last_days[1:]]
        + [f"INVRPT_D005_{p}.txt" for p in [opening, *months]]
        + [f"SLSRPT_D005_{p}.txt" for p in months]
    )
    # everyone else's CSVs are the same bytes either way: the channel did not change
    for name in names_a & names_b:
        a, b = tmp_path / "a" / "inbox" / name, tmp_path / "b" / "inbox" / name
        assert a.read_bytes() == b.read_bytes()
    # and the EDI files are dated when the report came in, like the CSVs
    received = {
        (r.distributor_id, r.period): r.received_at for r in small_channel.received.itertuples()
    }
    path = tmp_path / "a" / "inbox" / f"SLSRPT_D005_{months[1]}.txt"
    assert path.stat().st_mtime == received["D005", months[1]].timestamp()
    # the file was made three hours before
    assert f"+{received['D005', months[1]]:%y%m%d}:0600+".encode() in path.read_bytes()


def test_same_seed_same_bytes(tmp_path, small_channel):
    again = generate(11, SMALL)
    for d in STYLES:
        a, b = EdiReports(small_channel, STYLES), EdiReports(again, STYLES)
        for p in months_of(small_channel):
            for message in ("867", "852") if STYLES[d].standard == X12 else ("SLSRPT", "INVRPT"):
                when = pd.Timestamp(f"{p}-28 09:00").to_pydatetime()
                assert a.report(d, p, message, when) == b.report(d, p, message, when)


def test_control_numbers_differ_per_report_of_a_sender(small_channel):
    numbers = [
        control_number(m + k, message)
        for m in [Month(2024, 1)]
        for k in range(36)
        for message in ("867", "852", "SLSRPT", "INVRPT")
    ]
    assert len(set(numbers)) == len(numbers)
    assert control_number(Month(2025, 1), "867") == 243001  # (2025 x 12 + 0) x 10 + 1

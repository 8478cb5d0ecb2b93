"""X12 867 / 852 reports read into lines, their problems located, and the 997 that answers
them. Fixtures in tests/data/edi/x12/ are typed by hand after the published segment
layouts (4010 and 5010), one distributor style each; expectations are computed by hand in
the comments."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channelxl.io.edi.model import Code, Interchange, Message
from channelxl.io.edi.x12 import is_x12, read_x12, split_segments, write_997

DATA = Path(__file__).parent / "data" / "edi" / "x12"
ACME = (DATA / "acme_867_4010_crlf.x12").read_bytes()
TWO = (DATA / "beta_867_5010_pipes_and_gamma_852.x12").read_bytes()
UTILITY = (DATA / "utility_867_usage.x12").read_bytes()
MIXED = (DATA / "delta_810_and_867.x12").read_bytes()
US = Code("VENDORCO", "ZZ")
WHEN = datetime(2026, 10, 6, 9, 30)


def one(data: bytes | str) -> Interchange:
    (interchange,) = read_x12(data, "report.x12")
    return interchange


def all_problems(interchanges: list[Interchange]):
    for i in interchanges:
        yield from i.problems
        for m in i.messages:
            yield from m.problems


def acks(message: Message) -> list[tuple[int | None, str, str | None, str | None]]:
    return [(p.where.position, p.where.segment, p.where.element, p.ack) for p in message.problems]


def ack_segments(text: str) -> list[str]:
    return ["*".join(els) for els in split_segments(text) if els[0].startswith("AK")]


# -- recognising an interchange ----------------------------------------------------------
def test_an_interchange_is_recognised_by_its_isa_whatever_comes_before_it():
    assert is_x12(ACME[:128])
    assert is_x12(b"\xef\xbb\xbf\r\n  " + ACME[:128])
    assert is_x12(TWO[:128])  # | as element separator
    assert not is_x12(b"Invoice Date,Invoice Number,SKU\n")
    assert not is_x12(b"UNA:+.? 'UNB+UNOC:3+")
    assert not is_x12(b"ISAAC,NEWTON,1642\n")


def test_a_file_without_an_interchange_is_one_located_problem():
    (interchange,) = read_x12(b"Invoice Date,SKU\n2026-09-01,SKU-1\n", "sales.csv")
    (problem,) = interchange.problems
    assert "sales.csv" in problem.message and "not an X12 interchange" in problem.message
    assert problem.where.segment == "ISA"


# -- 867, 4010, * ~ with CRLF --------------------------------------------------------------
def test_acme_4010_867_stock_sale_drop_ship_and_return():
    interchange = one(ACME)
    assert interchange.problems == []
    assert interchange.control == "000000101"
    assert interchange.sender == Code("ACMEDIST", "ZZ")
    assert interchange.syntax == {
        "element": "*",
        "component": ">",
        "segment": "~",
        "repetition": "",
    }
    assert interchange.groups == [("PT", "1001")]
    (m,) = interchange.messages
    assert (m.type, m.control, m.version, m.group, m.accepted) == (
        "867",
        "0001",
        "004010",
        "1001",
        True,
    )
    assert m.problems == []
    assert m.period == (date(2026, 9, 1), date(2026, 9, 30))
    assert m.currency == "USD"
    assert m.sender == (Code("123456789", "1"), Code("ACMEDIST", "GS02"))
    first, credit, drop, ret = m.lines
    # PTD*SS: QTY 12 of SKU-100 at 249.00 on INV-1001 of 2026-09-03 to reseller R-0042
    assert first.kind == "sell_through"
    assert first.fields == {
        "transfer_type": "stock_sale",
        "transfer_code": "SS",
        "quantity": 12,
        "unit_price": Decimal("249.00"),
        "currency": "USD",
        "invoice_number": "INV-1001",
        "invoice_date": date(2026, 9, 3),
        "reseller_name": "NORTHWIND IT",
        "reseller_country": "US",
    }
    assert first.product == (Code("SKU-100", "VP"), Code("012345678905", "UP"))
    assert first.reseller == (Code("R-0042", "91"),)
    assert (first.where.position, first.where.segment, first.where.element) == (13, "QTY", "QTY02")
    assert first.where.line == 15  # ISA and GS come first in the file
    # a credit sent as a negative quantity under a stock sale stays negative
    assert (credit.fields["quantity"], credit.fields["unit_price"]) == (-2, Decimal("80.10"))
    # drop ship: the end customer is the N1*EN, its N4 country; serials from REF*SE;
    # the QTY loop's own DTM*003 (09-11) wins over the PTD's (09-10)
    assert drop.fields["transfer_type"] == "drop_ship"
    assert drop.fields["end_customer_name"] == "FABRIKAM HOSPITAL"
    assert drop.fields["end_customer_country"] == "FR"
    assert "reseller_country" not in drop.fields
    assert drop.fields["serial_numbers"] == ("SN-A1", "SN-A2")
    assert drop.fields["invoice_date"] == date(2026, 9, 11)
    assert drop.product == (Code("MFR-9000", "MG"), Code("SKU-900", "VP"))
    # PTD*RU (return to usable inventory): QTY 3 becomes -3
    assert (ret.fields["transfer_type"], ret.fields["quantity"]) == ("return", -3)
    assert ret.fields["invoice_number"] == "CR-5001"
    assert sum(line.fields["quantity"] for line in m.lines) == 12 - 2 + 2 - 3


def test_the_same_interchange_twice_in_a_file_is_noted():
    first, second = read_x12(ACME + ACME, "twice.x12")
    assert first.problems == [] and len(second.lines) == 4
    (p,) = second.problems
    # ISA, GS, 37 segments ST..SE, GE, IEA: the second ISA is the 42nd segment
    assert (p.where.element, p.where.line, p.severity) == ("ISA13", 42, "warning")


def test_line_breaks_after_terminators_change_nothing():
    crlf = one(ACME)
    flat = one(ACME.replace(b"\r\n", b""))
    lf = one(ACME.replace(b"\r\n", b"\n"))
    for other in (flat, lf):
        assert [(x.fields, x.product, x.reseller, x.where) for x in other.lines] == [
            (x.fields, x.product, x.reseller, x.where) for x in crlf.lines
        ]
        assert other.problems == [] and other.messages[0].problems == []


def test_repeated_loops_read_alike_across_the_pieces_a_long_body_is_split_in(monkeypatch):
    # ACME's three PTD loops (segments 9..35 of the set, 27 segments) sent three times, the
    # body split in pieces of ~40 characters: a segment repeated exactly takes the reader's
    # fast path from its second time on, and must read as the first did.
    from channelxl.io.edi import x12_syntax

    monkeypatch.setattr(x12_syntax, "CHUNK", 40)
    text = ACME.decode()
    start, stop = text.index("PTD*SS"), text.index("CTT*")
    report = (
        text[:start]
        + text[start:stop] * 3
        + "CTT*12*45~\r\nSE*91*0001~"  # 8 + 3 x 27 + CTT + SE; 15 units each time
        + text[text.index("\r\nGE*") :]
    )
    interchange = one(report)
    (m,) = interchange.messages
    assert interchange.problems == [] and m.problems == [] and m.accepted
    # QTY at positions 13, 16, 24, 33 of the set, 27 later each time; ISA and GS come first
    assert [x.where.position for x in m.lines] == [13, 16, 24, 33, 40, 43, 51, 60, 67, 70, 78, 87]
    assert [x.where.line for x in m.lines] == [x.where.position + 2 for x in m.lines]
    first = [(x.fields, x.product, x.reseller) for x in one(ACME).lines]
    assert [(x.fields, x.product, x.reseller) for x in m.lines] == first * 3


# -- two interchanges, 5010 with | ^ newline, and an 852 without line breaks ------------------
def test_two_interchanges_with_their_own_delimiters_in_one_file():
    beta, gamma = read_x12(TWO, "two.x12")
    assert beta.syntax == {"element": "|", "component": "^", "segment": "\n", "repetition": "{"}
    assert gamma.syntax["element"] == "*" and gamma.syntax["segment"] == "~"
    assert (beta.control, gamma.control) == ("000000202", "000000303")
    assert beta.test and not gamma.test
    assert list(all_problems([beta, gamma])) == []
    (m,) = beta.messages
    assert m.version == "005010"
    sd, bn = m.lines
    # PTD|SD: ship and debit; the only party is the ship-to, so it is the reseller
    assert sd.fields["transfer_type"] == "ship_and_debit"
    assert sd.reseller == (Code("K-1", "92"),)
    assert sd.fields["reseller_country"] == "CA"
    assert sd.fields["unit_price"] == Decimal("10.5")  # UIT01 composite EA^1
    assert sd.fields["serial_numbers"] == ("S-300-1", "S-300-2")  # REF*SE in LX loops
    assert "currency" not in sd.fields  # no CUR: the program's default applies later
    # PTD|BN return with QTY -4 already negative: stays -4, never negated twice
    assert (bn.fields["transfer_type"], bn.fields["quantity"]) == ("return", -4)
    # beta is 28 segments; gamma's ISA is the 29th, its first SDQ the 37th
    assert gamma.lines[0].where.line == 37


def test_852_locations_are_exploded_and_on_hand_is_the_ending_balance():
    _, gamma = read_x12(TWO, "two.x12")
    (m,) = gamma.messages
    assert m.type == "852" and m.period == (date(2026, 9, 1), date(2026, 9, 30))
    assert m.sender == (Code("G-1", "91"), Code("GAMMA", "GS02"))
    rows = [
        (
            x.product[0].value,
            x.fields["activity"],
            x.fields.get("location"),
            x.fields["quantity"],
            x.fields.get("on_hand"),
            x.fields.get("in_transit"),
        )
        for x in m.lines
    ]
    assert all(x.kind == "inventory" for x in m.lines)
    assert rows[:7] == [
        # SKU-100: QE is the ending balance -> On Hand per location; QA is not counted twice
        ("SKU-100", "QE", "DAL", 40, 40, None),
        ("SKU-100", "QE", "ATL", 15, 15, None),
        ("SKU-100", "QE", "SEA", 0, 0, None),
        ("SKU-100", "QA", "DAL", 35, None, None),
        ("SKU-100", "QA", "ATL", 15, None, None),
        ("SKU-100", "QS", None, 25, None, None),  # sold, no location given
        ("SKU-100", "QI", "DAL", 5, None, 5),  # in transit
    ]
    # SKU-200: two SDQ segments, 10 + 1 locations, QA the only stock figure -> On Hand
    sku200 = [r for r in rows if r[0] == "SKU-200"]
    assert [r[2] for r in sku200[:11]] == [f"L{n:02d}" for n in range(1, 12)]
    assert sum(r[4] for r in sku200 if r[4] is not None) == 12  # = ZA02, no warning
    assert sku200[-1] == ("SKU-200", "QP", None, 30, None, None)
    assert len(m.lines) == 19
    tenth = m.lines[7 + 9]
    assert (tenth.where.position, tenth.where.segment, tenth.where.element) == (15, "SDQ", "SDQ22")


def test_852_location_totals_that_disagree_with_za02_are_noted():
    text = TWO.decode().replace("ZA*QA*12*EA~", "ZA*QA*13*EA~")
    _, gamma = read_x12(text, "two.x12")
    (p,) = gamma.messages[0].problems
    assert (p.code, p.severity, p.where.position, p.where.element) == (
        "QUAN",
        "warning",
        14,
        "ZA02",
    )
    assert "13" in p.message and "12" in p.message


# -- refusals ---------------------------------------------------------------------------------
def test_a_utility_867_is_refused_clearly():
    interchange = one(UTILITY)
    (m,) = interchange.messages
    assert not m.accepted and m.lines == []
    (p,) = m.problems
    assert "utility usage report" in p.message and "BPT04 report type C1" in p.message
    assert (p.where.position, p.where.segment, p.where.element, p.ack) == (
        2,
        "BPT",
        "BPT04",
        "AK502:1",
    )


NO_C1 = ("*20261001*C1~", "*20261001~")


@pytest.mark.parametrize(
    ("edits", "evidence"),
    [
        ([NO_C1], "PTD01 BB"),
        ([NO_C1, ("PTD*BB", "PTD*SS")], "QTY03 unit KH"),
        ([("GS*PT", "GS*MU")], "functional group MU"),
    ],
)
def test_a_utility_867_is_refused_by_any_of_its_marks(edits, evidence):
    text = UTILITY.decode()
    for old, new in edits:
        text = text.replace(old, new)
    (m,) = one(text).messages
    assert not m.accepted and m.lines == []
    assert any(evidence in p.message and p.ack == "AK502:1" for p in m.problems)


def test_an_invoice_in_the_interchange_is_refused_naming_it_and_the_report_still_read():
    interchange = one(MIXED)
    invoice, report = interchange.messages
    assert (invoice.type, invoice.accepted, invoice.lines) == ("810", False, [])
    (p,) = invoice.problems
    assert "810 (Invoice)" in p.message and p.ack == "AK502:1"
    assert report.accepted and report.problems == []
    (line,) = report.lines
    assert line.fields["quantity"] == 1 and line.fields["invoice_date"] == date(2026, 9, 30)
    assert "invoice_number" not in line.fields  # none sent


# -- damage, located ---------------------------------------------------------------------------
def damaged(old: str, new: str) -> Interchange:
    text = ACME.decode()
    assert old in text
    return one(text.replace(old, new, 1))


def test_a_wrong_segment_count_rejects_the_set():
    m = damaged("SE*37*0001", "SE*36*0001").messages[0]
    assert not m.accepted
    assert acks(m) == [(37, "SE", "SE01", "AK502:4")]
    assert len(m.lines) == 4  # read, but the acknowledgement rejects it


def test_control_numbers_that_do_not_match_are_located():
    m = damaged("SE*37*0001", "SE*37*0009").messages[0]
    assert acks(m) == [(37, "SE", "SE02", "AK502:3")] and not m.accepted
    i = damaged("GE*1*1001", "GE*1*1002")
    assert [(p.where.segment, p.where.element, p.ack) for p in i.problems] == [
        ("GE", "GE02", "AK905:4")
    ]
    i = damaged("IEA*1*000000101", "IEA*1*000000999")
    assert [(p.where.segment, p.where.element, p.ack) for p in i.problems] == [
        ("IEA", "IEA02", "TA105:001")
    ]


def test_wrong_group_and_interchange_counts_are_located():
    i = damaged("GE*1*1001", "GE*2*1001")
    (p,) = i.problems
    assert (p.where.group, p.where.element, p.ack) == ("1001", "GE01", "AK905:5")
    assert i.counts == {"1001": 2, "IEA01": 1}
    i = damaged("IEA*1*", "IEA*3*")
    assert [(p.where.element, p.ack) for p in i.problems] == [("IEA01", "TA105:021")]


def test_a_truncated_file_says_what_is_missing():
    text = ACME.decode()
    cut = text[: text.index("UIT*EA*80.10")]
    i = one(cut)
    m = i.messages[0]
    assert [(p.where.segment, p.ack) for p in m.problems] == [("SE", "AK502:2")]
    assert [(p.where.segment, p.ack) for p in i.problems] == [
        ("GE", "AK905:3"),
        ("IEA", "TA105:023"),
    ]
    # the lines read before the cut are kept; the 997 rejects the set
    assert [x.fields["quantity"] for x in m.lines] == [12, -2] and not m.accepted


def test_a_bad_invoice_date_drops_the_lines_it_dates_and_says_where():
    m = damaged("DTM*003*20260903", "DTM*003*20260931").messages[0]
    (p,) = m.problems
    assert (p.code, p.where.position, p.where.segment, p.where.element, p.ack) == (
        "DATE", 10, "DTM", "DTM02", "AK403:8",
    )  # fmt: skip
    assert p.where.interchange == "000000101" and p.where.message == "0001"
    assert [x.fields["invoice_number"] for x in m.lines] == ["INV-1002", "CR-5001"]
    assert m.accepted  # accepted with errors


def test_a_yymmdd_report_date_is_read_and_a_bad_period_is_located():
    m = damaged("DTM*090*20260901", "DTM*090*260901").messages[0]
    assert m.period == (date(2026, 9, 1), date(2026, 9, 30)) and m.problems == []
    m = damaged("DTM*091*20260930", "DTM*091*2026-09-30").messages[0]
    assert m.period == (date(2026, 9, 1), None)
    assert acks(m) == [(5, "DTM", "DTM02", "AK403:8")]


def test_a_quantity_that_is_not_a_number_drops_its_line():
    m = damaged("QTY*39*12*EA", "QTY*39*1O*EA").messages[0]
    (p,) = m.problems
    assert (p.code, p.where.position, p.where.element, p.ack) == ("QUAN", 13, "QTY02", "AK403:6")
    assert [x.where.position for x in m.lines] == [16, 24, 33]
    m = damaged("QTY*39*12*EA", "QTY*39*2.5*EA").messages[0]
    (p,) = m.problems
    assert "fractional" in p.message and p.ack is None  # a valid number, not a whole one


def test_transfer_type_codes_unknown_or_not_a_sale():
    m = damaged("PTD*RU***", "PTD*ZZ***").messages[0]
    (p,) = m.problems
    assert (p.code, p.severity, p.where.position, p.where.element, p.ack) == (
        "TYPE", "error", 30, "PTD01", "AK403:7",
    )  # fmt: skip
    assert len(m.lines) == 3  # the return loop is not read
    m = damaged("PTD*RU***", "PTD*IA***").messages[0]
    (p,) = m.problems
    assert "Inventory Adjustment" in p.message and (p.severity, p.ack) == ("warning", None)
    assert len(m.lines) == 3
    m = damaged("PTD*RU***", "PTD*RV***").messages[0]
    assert m.lines[-1].fields["transfer_type"] == "return_to_vendor"
    assert m.lines[-1].fields["quantity"] == -3


def test_segments_out_of_place_or_unknown_are_noted_for_the_acknowledgement():
    # LIN before its QTY, and an SLN (not an 867 segment); SE01 counts them
    text = ACME.decode().replace("QTY*39*3*EA~", "LIN**VP*SKU-X~\r\nQTY*39*3*EA~\r\nSLN*1**I~")
    m = one(text.replace("SE*37*", "SE*39*")).messages[0]
    assert acks(m) == [(33, "LIN", None, "AK304:7"), (35, "SLN", None, "AK304:6")]
    assert m.lines[-1].product == (Code("SKU-100", "VP"),)  # the QTY loop's own LIN


def test_a_missing_product_is_a_located_product_problem():
    m = damaged("LIN**VP*SKU-200~", "LIN~").messages[0]
    (p,) = m.problems
    assert (p.code, p.where.position, p.where.segment) == ("PROD", 17, "LIN")
    assert len(m.lines) == 3


def test_a_ctt_count_that_disagrees_is_noted():
    m = damaged("CTT*4*15", "CTT*5*15").messages[0]
    (p,) = m.problems
    assert (p.where.segment, p.where.element) == ("CTT", "CTT01") and "5 line items" in p.message


# -- the 997 ---------------------------------------------------------------------------------------
def test_997_accepts_a_clean_report():
    ack = write_997(one(ACME), US, "7", WHEN)
    assert ack.startswith(
        "ISA*00*          *00*          *ZZ*VENDORCO       *ZZ*ACMEDIST       *261006*0930*U*"
        "00401*000000007*0*P*>~\n"
    )
    assert len(ack.split("~\n", 1)[0]) + 1 == 106  # fixed width
    assert ack_segments(ack) == ["AK1*PT*1001", "AK2*867*0001", "AK5*A", "AK9*A*1*1*1"]
    assert "GS*FA*VENDORCO*ACMEDIST*20261006*0930*1*X*004010~" in ack
    assert ack.endswith("SE*6*0001~\nGE*1*1~\nIEA*1*000000007~\n")


def test_997_notes_segment_and_element_errors_and_rejects_bad_counts():
    bad_date = write_997(damaged("DTM*003*20260903", "DTM*003*20260931"), US, "8", WHEN)
    assert ack_segments(bad_date) == [
        "AK1*PT*1001", "AK2*867*0001", "AK3*DTM*10**8", "AK4*2**8", "AK5*E*5", "AK9*E*1*1*1",
    ]  # fmt: skip
    misplaced = ACME.decode().replace("QTY*39*3*EA~", "LIN**VP*SKU-X~\r\nQTY*39*3*EA~")
    ack = write_997(one(misplaced.replace("SE*37*", "SE*38*")), US, "9", WHEN)
    assert "AK3*LIN*33**7" in ack_segments(ack)
    wrong_count = write_997(damaged("SE*37*0001", "SE*36*0001"), US, "10", WHEN)
    assert ack_segments(wrong_count)[-2:] == ["AK5*R*4", "AK9*R*1*1*0"]
    group_count = write_997(damaged("GE*1*1001", "GE*2*1001"), US, "11", WHEN)
    assert ack_segments(group_count)[-1] == "AK9*E*2*1*1*5"  # AK902 repeats GE01


def test_997_per_group_partial_and_refused_sets():
    ack = write_997(one(MIXED), US, "12", WHEN)
    assert ack_segments(ack) == [
        "AK1*IN*5001", "AK2*810*0001", "AK5*R*1", "AK9*R*1*1*0",
        "AK1*PT*5002", "AK2*867*0002", "AK5*A", "AK9*A*1*1*1",
    ]  # fmt: skip
    assert ack.count("GS*FA*") == 2 and "IEA*2*000000012~" in ack
    assert ack_segments(write_997(one(UTILITY), US, "13", WHEN))[-2:] == ["AK5*R*1", "AK9*R*1*1*0"]


def test_997_of_a_5010_interchange_is_5010_and_keeps_the_test_flag():
    beta, gamma = read_x12(TWO, "two.x12")
    ack = write_997(beta, US, "14", WHEN)
    isa = ack.split("~", 1)[0].split("*")
    assert (isa[11], isa[12], isa[15], isa[7]) == ("^", "00501", "T", "01")
    assert ack_segments(ack)[0] == "AK1*PT*2001*005010"
    assert ack_segments(write_997(gamma, US, "15", WHEN)) == [
        "AK1*PD*3001", "AK2*852*0001", "AK5*A", "AK9*A*1*1*1",
    ]  # fmt: skip


def test_a_997_parses_back_and_is_not_acknowledged_again():
    ack = write_997(one(MIXED), US, "16", WHEN)
    interchange = one(ack)
    assert interchange.problems == []
    assert interchange.sender == US and interchange.control == "000000016"
    assert [
        (g, m.type, m.accepted)
        for g, m in zip(interchange.groups, interchange.messages, strict=True)
    ] == [
        (("FA", "1"), "997", True),
        (("FA", "2"), "997", True),
    ]
    assert all(p.severity == "warning" and p.ack is None for p in all_problems([interchange]))
    assert write_997(interchange, US, "17", WHEN) == ""


def test_997_and_fixtures_pass_pyx12s_envelope_checks():
    x12file = pytest.importorskip("pyx12.x12file")
    texts = [ACME.decode(), TWO.decode(), UTILITY.decode(), MIXED.decode()]
    texts += [write_997(i, US, "20", WHEN) for t in texts[:] for i in read_x12(t, "f")]
    for text in texts:
        reader = x12file.X12Reader(StringIO(text))
        assert sum(1 for _ in reader) > 0
        assert list(reader.pop_errors()) == []
    broken = x12file.X12Reader(StringIO(texts[4].replace("SE*6*0001", "SE*5*0001")))
    list(broken)
    assert list(broken.pop_errors())  # the check does see a wrong count


# -- damage never raises ------------------------------------------------------------------------
SEGMENTS = ACME.decode().split("~\r\n")


@pytest.mark.parametrize("n", range(1, len(SEGMENTS) - 1))
def test_leaving_out_any_segment_is_always_a_located_problem(n):
    text = "~\r\n".join(SEGMENTS[:n] + SEGMENTS[n + 1 :])
    interchanges = read_x12(text, "cut.x12")
    problems = [p for p in all_problems(interchanges) if p.severity == "error"]
    assert problems, f"leaving out {SEGMENTS[n]!r} went unnoticed"
    for p in problems:
        assert p.where.interchange == "000000101" and p.where.segment


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    edits=st.lists(
        st.tuples(
            st.sampled_from(["delete", "insert", "replace", "truncate"]),
            st.integers(min_value=0, max_value=len(ACME)),
            st.integers(min_value=1, max_value=40),
            st.text(alphabet="*~>^|:\r\nISAGESTQYLINDTM0123456789-.", min_size=1, max_size=8),
        ),
        min_size=1,
        max_size=4,
    ),
    source=st.sampled_from([ACME, TWO, MIXED, UTILITY]),
)
def test_random_damage_never_raises_and_problems_are_located(edits, source):
    text = source.decode()
    for kind, at, size, noise in edits:
        at = min(at, len(text))
        if kind == "delete":
            text = text[:at] + text[at + size :]
        elif kind == "insert":
            text = text[:at] + noise + text[at:]
        elif kind == "replace":
            text = text[:at] + noise + text[at + len(noise) :]
        else:
            text = text[: max(at, 1)]
    interchanges = read_x12(text.encode("utf-8", "replace"), "damaged.x12")
    assert interchanges and all(isinstance(i, Interchange) for i in interchanges)
    for p in all_problems(interchanges):
        assert isinstance(p.where.interchange, str) and p.where.segment
        assert p.message and p.code in {"EDI", "DATE", "QUAN", "PRIC", "PROD", "TYPE", "DOCU"}
        assert p.ack is None or p.ack.split(":")[0] in {"AK304", "AK403", "AK502", "AK905", "TA105"}
    for line in (x for i in interchanges for x in i.lines):
        assert isinstance(line.fields["quantity"], int)
        assert line.where.segment in {"QTY", "ZA", "SDQ"}
    for i in interchanges:
        if i.control.isdigit() and len(i.control) <= 9:
            write_997(i, US, "1", WHEN)  # never raises either

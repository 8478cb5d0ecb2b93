"""EANCOM SLSRPT / INVRPT interchanges read into report lines, and the CONTRL answering
them. The files under tests/data/edi/edifact/ are written by hand after the EANCOM 1997
segment layouts, each in one distributor's style; the expectations are counted by hand
(segment positions from UNH = 1; ``line`` is the segment's ordinal in the file, UNA = 1)."""

from __future__ import annotations

import warnings
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from channelxl.io.edi.edifact import is_edifact, read_edifact, write_contrl
from channelxl.io.edi.edifact_syntax import Tokenizer
from channelxl.io.edi.model import Code

DATA = Path(__file__).parent / "data" / "edi" / "edifact"
US = Code("4012345000009", "14")
WHEN = datetime(2026, 12, 7, 9, 30)


def read(name: str):
    return read_edifact((DATA / name).read_bytes(), name)


def only(name: str):
    (ic,) = read(name)
    (msg,) = ic.messages
    return ic, msg


def codes(cs):
    return [(c.value, c.qualifier) for c in cs]


def segments(text: str) -> list[tuple[str, list[list[str]]]]:
    return [(s.tag, s.elements) for s in Tokenizer(text, False)]


# ---------------------------------------------------------------- recognising
def test_interchanges_are_recognised_by_their_first_segment_whatever_the_extension():
    assert is_edifact(b"UNA:+.? 'UNB+UNOC:3+A+B+261201:0800+1'")
    assert is_edifact(b"\xef\xbb\xbf\r\n  UNB+UNOA:3+A+B+261201:0800+1'")
    assert is_edifact(b"UNB\x1dUNOB\x1f3\x1dA")
    assert not is_edifact(b"ISA*00*          *00*")
    assert not is_edifact(b"UNBRANDED,SKU,QTY\n")
    assert not is_edifact(b"Invoice Date,Invoice Number\n")


# ---------------------------------------------------------------- distributors' styles
def test_a_sales_report_with_una_line_breaks_and_a_released_apostrophe():
    ic, msg = only("nordic_slsrpt.edi")
    assert (ic.control, ic.sender, ic.receiver) == (
        "NOR0001",
        Code("5790000000017", "14"),
        Code("4012345000009", "14"),
    )
    assert ic.prepared == date(2026, 12, 1) and not ic.test and ic.problems == []
    assert (msg.type, msg.control, msg.version) == ("SLSRPT", "M1", "D:96A:UN:EAN004")
    assert msg.sender == (Code("5790000000017", "9"),)  # NAD+FR, a GLN
    assert msg.period == (date(2026, 11, 1), date(2026, 11, 30))  # DTM 90 and 91
    assert msg.currency == "EUR" and msg.accepted and msg.problems == []
    sold, returned, other = msg.lines
    assert sold.fields == {
        "quantity": 3,
        "transfer_type": "153",
        "unit_price": Decimal("199.90"),
        "currency": "EUR",
        "invoice_number": "NV-1001",
        "invoice_date": date(2026, 11, 12),  # the LOC group's DTM 356
        "location": "5790000000024",
        "reseller_name": "O'Brien Data ApS",  # O?'Brien in the file
        "reseller_country": "DK",
    }
    assert codes(sold.product) == [("4012345678901", "SRV")]
    assert codes(sold.reseller) == [("5790001111116", "9")]
    # QTY is segment 14 of the message and the 16th of the file (UNA, UNB before UNH)
    assert (sold.where.position, sold.where.line, sold.where.segment) == (14, 16, "QTY")
    assert str(sold.where) == "interchange NOR0001, message M1, segment 14 (QTY), element QTY01-2"
    assert returned.fields["quantity"] == -1 and returned.fields["transfer_type"] == "61"
    assert other.fields["quantity"] == 10
    assert other.fields["invoice_date"] == date(2026, 11, 20)  # the line's own DTM 3
    assert other.fields["serial_numbers"] == ("SN100", "SN200")
    assert codes(other.reseller) == [("5790002222225", "9")]
    assert other.fields["reseller_name"] == "Fjord IT A/S"


def test_a_sales_report_without_una_or_line_breaks_with_article_numbers_and_latin1():
    ic, msg = only("alpine_slsrpt.edi")
    assert ic.syntax["identifier"] == "UNOC" and ic.syntax["segment"] == "'"
    assert ic.problems == [] and msg.problems == []
    assert msg.sender == (Code("ALP-DE", "91"),)
    assert msg.period == (date(2026, 11, 1), date(2026, 11, 30))  # DTM 356 with 718
    assert msg.currency == "CHF"
    first, second = msg.lines
    # no GTIN: the supplier's and the manufacturer's article numbers from PIA
    assert codes(first.product) == [("ABC-100", "SA"), ("MFR-9", "MF")]
    assert first.fields["quantity"] == -2  # a negative sale is a return
    assert first.fields["unit_price"] == Decimal("1234.5")  # decimal comma
    assert first.fields["reseller_name"] == "Müller Elektro GmbH"  # ISO 8859-1 byte 0xFC
    assert codes(first.reseller) == [("123456789", "16")]  # DUNS
    assert codes(second.reseller) == [("R-0042", "91")]  # the distributor's own number
    assert second.fields["quantity"] == 4 and second.fields["reseller_name"] == "Zürich PC AG"
    assert (first.where.position, first.where.line) == (13, 14)  # no UNA: UNB is segment 1


def test_utf8_names_when_unb_declares_unow_and_a_month_period():
    ic, msg = only("polska_unow.edi")
    assert ic.prepared == date(2026, 12, 3)  # syntax 4: CCYYMMDD
    assert msg.period == (date(2026, 11, 1), date(2026, 11, 30))  # DTM 356 CCYYMM (610)
    (line,) = msg.lines
    assert line.fields["reseller_name"] == "Łódź Sprzęt Sp. z o.o."
    assert ic.problems == [] and msg.problems == []


def test_an_inventory_report_with_its_own_delimiters_exploded_per_location():
    ic, msg = only("custom_delims_invrpt.edi")
    assert ic.syntax | {} == {
        "element": "*",
        "component": "^",
        "segment": "~",
        "repetition": "",
        "release": "#",
        "decimal": ",",
        "identifier": "UNOC",
        "version": "3",
    }
    assert msg.period == (date(2026, 11, 30), date(2026, 11, 30))  # DTM 366
    assert [(line.fields, line.where.position) for line in msg.lines] == [
        ({"on_hand": 40, "transfer_type": "145", "location": "5412345000020"}, 7),
        ({"on_hand": 15, "transfer_type": "145", "location": "5412345000037"}, 9),
        ({"in_transit": 5, "transfer_type": "198", "location": "5412345000020"}, 11),
        (
            {
                "quantity": 3,
                "transfer_type": "199",
                "activity": "1",  # INV+1: out of inventory
                "location": "5412345000020",
                "serial_numbers": ("0001", "0002", "0003"),  # GIN range 0001:0003
            },
            15,
        ),
    ]
    assert all(line.kind == "inventory" for line in msg.lines)
    # X#*1#^2 releases the element and component separators
    assert codes(msg.lines[3].product) == [("4012345678918", "SRV"), ("X*1^2", "SA")]
    assert ic.problems == [] and msg.problems == []


def test_two_interchanges_in_a_file_and_an_orders_message_refused_by_name():
    first, second = read("two_interchanges.edi")
    assert (first.control, second.control) == ("A1", "A2")
    sales, orders = first.messages
    assert [line.fields["quantity"] for line in sales.lines] == [7] and sales.accepted
    assert orders.type == "ORDERS" and not orders.accepted and orders.lines == []
    (refusal,) = orders.problems
    assert "ORDERS" in refusal.message and "SLSRPT and INVRPT" in refusal.message
    assert (refusal.ack, refusal.where.element, refusal.where.position) == ("14", "UNH02-1", 1)
    assert first.problems == [] and second.problems == []
    (inv,) = second.messages
    assert [line.fields["on_hand"] for line in inv.lines] == [12]
    # the second interchange has no UNA: its UNB is the 15th segment of the file
    assert inv.lines[0].where.line == 20
    contrl = write_contrl(first, US, "C1", WHEN)
    assert "UCM+1+SLSRPT:D:96A:UN:EAN004+7'" in contrl
    assert "UCM+2+ORDERS:D:96A:UN:EAN008+4+14+UNH+2:1'" in contrl
    assert "UCI+A1+5790000000017:14+4012345000009:14+7'" in contrl  # accepted with errors


def test_wrong_counts_and_references_are_located_and_reject_the_interchange():
    ic, msg = only("wrong_counts.edi")
    assert [(p.where.element, p.ack) for p in ic.problems] == [("UNZ01", "29"), ("UNZ02", "28")]
    assert "UNZ says 2 messages, the interchange has 1" in ic.problems[0].message
    assert [(p.where.element, p.ack, p.where.position) for p in msg.problems] == [
        ("UNT01", "29", 8),
        ("UNT02", "28", 8),
    ]
    assert not msg.accepted
    assert write_contrl(ic, US, "C9", WHEN).splitlines() == [
        "UNA:+.? '",
        "UNB+UNOA:3+4012345000009:14+DIST9:ZZZ+261207:0930+C9'",
        "UNH+1+CONTRL:D:3:UN'",
        "UCI+WC1+DIST9:ZZZ+VEND:ZZZ+4+29+UNZ+1'",
        "UCM+77+SLSRPT:D:96A:UN:EAN004+4+29+UNT+1'",
        "UNT+4+1'",
        "UNZ+1+C9'",
    ]


def test_bad_dates_quantities_unknown_codes_and_stray_segments():
    ic, msg = only("bad_values.edi")
    found = [(p.code, p.severity, p.ack, p.where.position, p.where.element) for p in msg.problems]
    assert found == [
        ("DATE", "error", None, 3, "DTM01-2"),  # 20261131: no 31 November
        ("DATE", "error", None, 4, "DTM01-3"),  # format 999
        ("PART", "warning", None, 5, "NAD02-3"),  # agency ZZ
        ("PROD", "warning", None, 7, "LIN03-2"),  # item type XX
        ("QUAN", "error", "37", 8, "QTY01-2"),  # abc
        ("QUAN", "error", None, 9, "QTY01-1"),  # qualifier 999
        ("QUAN", "error", None, 10, "QTY01-2"),  # 2.5 units
        ("EDI", "error", "15", 12, None),  # FTX is not part of SLSRPT
        ("DATE", "warning", None, 2, None),  # so no period
    ]
    assert "999" in msg.problems[5].message and "abc" in msg.problems[4].message
    (line,) = msg.lines
    assert line.fields["quantity"] == 6 and codes(line.product) == [("ABC", "XX")]
    assert msg.sender == (Code("D1", "ZZ"),)  # kept as sent for the cross-reference
    assert not msg.accepted
    assert write_contrl(ic, US, "C2", WHEN).splitlines()[3:8] == [
        "UCI+BV1+D:14+V:14+7'",
        "UCM+1+SLSRPT:D:96A:UN:EAN004+4'",
        "UCS+8'",
        "UCD+37+1:2'",
        "UCS+12+15'",
    ]


def test_a_file_cut_off_inside_a_message():
    data = (DATA / "nordic_slsrpt.edi").read_bytes()
    cut = data[: data.index(b"LIN+2")] + b"RFF+IV:NV"
    (ic,) = read_edifact(cut, "cut.edi")
    (msg,) = ic.messages
    assert [p.where.segment for p in ic.problems] == ["RFF", "UNZ"]
    assert "cut off" in ic.problems[0].message and ic.problems[1].ack == "13"
    assert [(p.where.segment, p.ack) for p in msg.problems][-1] == ("UNT", "13")
    assert not msg.accepted
    assert [line.fields["quantity"] for line in msg.lines] == [3, -1]  # read up to the cut
    assert "UCI+NOR0001+5790000000017:14+4012345000009:14+4+13+UNZ'" in write_contrl(
        ic, US, "C3", WHEN
    )


def test_functional_groups_are_counted_and_named_in_the_acknowledgement():
    text = (
        "UNB+UNOC:3+S:ZZZ+R:ZZZ+261201:0800+G1'UNG+SLSRPT+S:ZZZ+R:ZZZ+261201:0800+7+UN+D:96A'"
        "UNH+1+SLSRPT:D:96A:UN:EAN004'BGM+73E+X+9'DTM+90:20261101:102'DTM+91:20261130:102'"
        "LOC+162+L::92'LIN+1++4012345678901:SRV'QTY+153:1'UNT+8+1'UNE+2+7'UNZ+1+G1'"
    )
    (ic,) = read_edifact(text, "g.edi")
    assert ic.groups == [("SLSRPT", "7")] and ic.counts == {"7": 2, "UNZ01": 1}
    assert [(p.where.segment, p.where.element, p.ack) for p in ic.problems] == [
        ("UNE", "UNE01", "29")
    ]
    assert ic.messages[0].lines[0].where.group == "7"
    contrl = write_contrl(ic, US, "C4", WHEN)
    # UNE counts 2 messages where the group has 1: the group is rejected, not the interchange
    assert contrl.splitlines()[3:6] == [
        "UCI+G1+S:ZZZ+R:ZZZ+7'",
        "UCF+7+S:ZZZ+R:ZZZ+4+29+UNE+1'",
        "UCM+1+SLSRPT:D:96A:UN:EAN004+4'",
    ]


def test_a_cancelling_message_is_marked_and_an_original_is_not():
    def message(function: str):
        text = (
            "UNB+UNOC:3+S:ZZZ+R:ZZZ+261201:0800+C1'"
            f"UNH+1+SLSRPT:D:96A:UN:EAN004'BGM+73E+X+{function}'DTM+90:20261101:102'"
            "DTM+91:20261130:102'LOC+162+L::92'LIN+1++4012345678901:SRV'QTY+153:1'UNT+8+1'"
            "UNZ+1+C1'"
        )
        (ic,) = read_edifact(text, "c.edi")
        return ic.messages[0]

    assert message("1").cancels  # BGM03 1225 = 1: cancellation
    assert not message("9").cancels and not message("5").cancels  # original, replace


def test_syntax_level_b_separators_without_una():
    text = (
        "UNB\x1dUNOB\x1f3\x1dS\x1dR\x1d261201\x1f0800\x1dB1\x1c"
        "UNH\x1d1\x1dINVRPT\x1fD\x1f96A\x1fUN\x1fEAN004\x1cBGM\x1d35\x1dI\x1d9\x1c"
        "DTM\x1d366\x1f20261130\x1f102\x1cLIN\x1d1\x1d\x1d4012345678901\x1fSRV\x1c"
        "QTY\x1d145\x1f9\x1cUNT\x1d6\x1d1\x1cUNZ\x1d1\x1dB1\x1c"
    )
    (ic,) = read_edifact(text.encode("ascii"), "b.edi")
    assert ic.problems == [] and ic.messages[0].problems == []
    assert ic.messages[0].lines[0].fields["on_hand"] == 9


def test_text_and_bytes_read_alike_and_nothing_is_read_from_an_empty_file():
    data = (DATA / "nordic_slsrpt.edi").read_bytes()
    assert read_edifact(data.decode("latin-1"), "n.edi") == read_edifact(data, "n.edi")
    (ic,) = read_edifact(b"", "empty.edi")
    assert "empty.edi holds no EDIFACT segments" in ic.problems[0].message


# ---------------------------------------------------------------- the acknowledgement
@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("*.edi")))
def test_every_contrl_reads_back_as_a_sound_interchange(name):
    for ic in read(name):
        text = write_contrl(ic, US, "ACK1", WHEN)
        (back,) = read_edifact(text, "contrl.edi")
        # the envelope and counts are right; CONTRL is only not a report
        assert back.problems == [] and back.control == "ACK1" and back.sender == US
        (msg,) = back.messages
        assert msg.type == "CONTRL" and [p.ack for p in msg.problems] == ["14"]
        segs = segments(text)
        uci = next(els for tag, els in segs if tag == "UCI")
        assert uci[0] == [ic.control] and uci[1] == [ic.sender.value, ic.sender.qualifier]
        ucm = [els[0][0] for tag, els in segs if tag == "UCM"]
        assert ucm == [m.control for m in ic.messages]


def test_contrl_parses_the_same_with_pydifact():
    """pydifact (an independent EDIFACT parser) reads the acknowledgement to the same
    segments and elements."""
    segmentcollection = pytest.importorskip("pydifact.segmentcollection")
    ic, _ = only("bad_values.edi")
    text = write_contrl(ic, US, "C5", WHEN)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # it has no D96A segment directory to check with
        theirs = segmentcollection.Interchange.from_str(text)
    as_lists = [
        (s.tag, [e if isinstance(e, list) else [e] for e in s.elements]) for s in theirs.segments
    ]
    ours = segments(text)
    assert as_lists == [s for s in ours if s[0] not in ("UNA", "UNB", "UNZ")]
    assert theirs.get_header_segment().elements[4] == "C5"


# ---------------------------------------------------------------- damage never raises
SOUND = [
    (DATA / name).read_bytes()
    for name in ("nordic_slsrpt.edi", "custom_delims_invrpt.edi", "two_interchanges.edi")
]


def _all_problems(interchanges):
    for ic in interchanges:
        yield from ic.problems
        for m in ic.messages:
            yield from m.problems


def _located(problem) -> bool:
    w = problem.where
    return isinstance(w.interchange, str) and isinstance(w.segment, str) and bool(problem.message)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.sampled_from(range(len(SOUND))),
    st.sampled_from(["cut", "drop", "repeat", "byte", "insert"]),
    st.integers(min_value=0, max_value=10_000),
    st.binary(min_size=1, max_size=4),
)
# a Latin-1 superscript two in a GIN serial range: str.isdigit() says yes, int() says no
@example(which=1, how="byte", at=425, junk=b"\xb2")
def test_random_damage_never_raises_and_every_problem_is_located(which, how, at, junk):
    data = SOUND[which]
    lines = data.splitlines(keepends=True)
    structural = True
    if how == "cut":
        i = at % len(data)
        damaged = data[:i]
        structural = damaged.rstrip() != data.rstrip()
    elif how == "drop":
        k = 1 + at % (len(lines) - 1)  # any segment but the UNA
        damaged = b"".join(lines[:k] + lines[k + 1 :])
    elif how == "repeat":
        k = at % len(lines)
        damaged = b"".join(lines[: k + 1] + lines[k:])
    elif how == "byte":
        i = at % len(data)
        damaged = data[:i] + junk[:1] + data[i + 1 :]
        structural = False
    else:
        i = at % len(data)
        damaged = data[:i] + junk + data[i:]
        structural = False
    interchanges = read_edifact(damaged, "damaged.edi")
    problems = list(_all_problems(interchanges))
    assert all(_located(p) for p in problems)
    if structural:
        assert any(p.severity == "error" for p in problems)
    for ic in interchanges:
        back = read_edifact(write_contrl(ic, US, "X", WHEN), "ack.edi")
        assert back[0].problems == []

"""CSV files as careless and hostile senders make them, and numbers typed as text.

Each test is written from a class of problem a review of real senders found: a file whose
name DuckDB read as a pattern, quantities rounded, text numbers read as other numbers,
numbers too large for the ledger, control characters, CSV dialects that refused whole files,
and encodings read wrong. The parser rules themselves (text numbers by locale or the plain
form, the ledger's range, the fast parsers at those edges) are tested in
test_column_parsers.py.
"""

from __future__ import annotations

import codecs
import os
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from helpers import ledger_snapshot, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channelxl.io.cells import CellError, column_parser, parse_cell
from channelxl.io.csv_dialect import csv_line_numbers, file_format, sniff_csv
from channelxl.ledger.ingest_file import ingest_file
from channelxl.schema import Column

TODAY = date(2026, 11, 25)
SHIP = "Order Number,Order Line,Ship Date,Distributor ID,SKU,Quantity,Unit Price,Currency,Type"
ST = "Invoice Date,Invoice Number,Reseller ID,Reseller Name,SKU,Quantity,Unit Price,Currency"
INV = "SKU,On Hand,In Transit"


def ship(n: int, qty="1", price="100.50", sku="SWI-0001", order="SO1") -> str:
    return f"{order},{n},2026-01-05,D001,{sku},{qty},{price},USD,shipment"


def write(path, text: str, encoding: str = "utf-8"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def problems(result) -> set[tuple]:
    """(line, column, code, severity) of each issue."""
    return {(i.line, i.column, i.code, i.severity) for i in result.issues}


def messages(result) -> str:
    return " | ".join(i.message for i in result.issues)


def shipped(led, column: str = "order_line") -> list:
    return [r[0] for r in led.con.execute(f"SELECT {column} FROM shipments ORDER BY 1").fetchall()]


# ---------------------------------------------------------------- 1. a file's own bytes
GLOB_NAMES = [
    "ship[1].csv",
    "x_*.csv",
    "a?.csv",
    "[abc].csv",
    "**.csv",
    "it's a file.csv",
    'say "hi".csv',
    "spaced  name .csv",
    "ünïcødé €.csv",
    "~$lock.csv",
]


@pytest.mark.parametrize("name", GLOB_NAMES)
def test_a_csv_loads_its_own_lines_whatever_its_name(empty_workspace, tmp_path, name):
    # decoys a glob of the name would match, in the same folder, with other lines
    inbox = tmp_path / "in[box]*"
    for decoy in ("ship1.csv", "x_a.csv", "ab.csv", "a.csv", "zz.csv"):
        write(inbox / decoy, SHIP + "\n" + ship(900, order="DECOY") + "\n")
    path = write(inbox / name, SHIP + "\n" + ship(1) + "\n" + ship(2) + "\n")
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, path, today=TODAY)
        assert r.status == "accepted", r.summary()
        assert r.lines_read == 2 and r.lines_loaded == 2
        assert shipped(led, "order_number || '/' || order_line") == ["SO1/1", "SO1/2"]


def test_a_glob_named_file_loads_from_the_command_line(empty_workspace, tmp_path):
    write(tmp_path / "ship1.csv", SHIP + "\n" + ship(900, order="DECOY") + "\n")
    path = write(tmp_path / "ship[1].csv", SHIP + "\n" + ship(1) + "\n")
    r = run_cli("ingest", str(path), cwd=empty_workspace.root)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "internal error" not in (r.stdout + r.stderr).lower()
    with empty_workspace.open_ledger() as led:
        assert shipped(led, "order_number") == ["SO1"]


# ---------------------------------------------------------------- 2. whole numbers are whole
def test_a_fractional_quantity_is_quarantined_never_rounded(empty_workspace, tmp_path):
    lines = [
        ship(1, "1.5"),  # line 2: was loaded as 2
        ship(2, "0.4"),  # line 3: was loaded as 0
        ship(3, "-2.5"),
        ship(4, "1e3"),
        ship(5, "0x10"),
        ship(6, "1_000"),
        ship(7, "12.00"),  # a whole number written with decimals: 12
        ship(8, " 7 "),
        ship(9, "+8"),
    ]
    path = write(tmp_path / "ship.csv", SHIP + "\n" + "\n".join(lines) + "\n")
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, path, today=TODAY)
        assert r.status == "accepted", r.summary()
        bad = {(i.line, i.column): i.message for i in r.issues}
        assert bad[(2, "Quantity")] == "'1.5' is not a whole number"
        assert bad[(3, "Quantity")] == "'0.4' is not a whole number"
        assert bad[(4, "Quantity")] == "'-2.5' is not a whole number"
        assert {(i.line, i.code) for i in r.issues} >= {(5, "QUAN"), (6, "QUAN"), (7, "QUAN")}
        assert r.quarantined == 6 and r.lines_loaded == 3
        got = led.con.execute("SELECT order_line, quantity FROM shipments ORDER BY 1").fetchall()
        assert got == [(7, 12), (8, 7), (9, 8)]


def test_problems_after_a_line_taken_out_keep_their_line_numbers(empty_workspace, tmp_path):
    lines = [
        ship(1, "1.5"),  # line 2: taken out after the load
        ship(2, sku="SWI\x010001"),  # line 3: taken out too (a control character)
        ship(3).replace("D001", "D999"),  # line 4: found by the checks afterwards
        ship(4),
        ship(5, sku="NOPE"),  # line 6: a warning
    ]
    path = write(tmp_path / "ship.csv", SHIP + "\n" + "\n".join(lines) + "\n")
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, path, today=TODAY)
        assert problems(r) == {
            (2, "Quantity", "QUAN", "error"),
            (3, "SKU", "PROD", "error"),
            (4, "Distributor ID", "REF", "error"),
            (6, "SKU", "PROD", "warning"),
        }
        assert r.lines_read == 5 and r.lines_loaded == 2 and r.quarantined == 3
        assert shipped(led) == [4, 5]


@pytest.mark.parametrize(
    ("header", "row", "column", "kw"),
    [
        (SHIP, ship(1).replace("SO1,1,", "SO1,2.5,"), "Order Line", {}),
        (INV, "SWI-0001,3.5,1", "On Hand", {"distributor": "D001", "period": "2025-01"}),
        (INV, "SWI-0001,3,0.5", "In Transit", {"distributor": "D001", "period": "2025-01"}),
        (
            ST,
            "2025-01-05,INV-1,R00001,Shop,SWI-0001,1.25,10.00,USD",
            "Quantity",
            {"distributor": "D001", "period": "2025-01"},
        ),
    ],
)
def test_every_whole_number_column_refuses_fractions(
    empty_workspace, tmp_path, header, row, column, kw
):
    fine = row.replace("3.5", "3").replace("0.5", "0").replace("1.25", "1")
    fine = fine.replace("2.5,", "3,").replace("INV-1", "INV-2")
    path = write(tmp_path / "f.csv", f"{header}\n{row}\n{fine}\n")
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, path, today=TODAY, **kw)
        assert r.status == "accepted", r.summary()
        errors = [(i.line, i.column) for i in r.issues if i.severity == "error"]
        assert errors == [(2, column)]
        assert "is not a whole number" in messages(r)
        assert r.lines_loaded == 1 and r.quarantined == 1


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.decimals(min_value=-(10**6), max_value=10**6, places=3, allow_nan=False),
        min_size=1,
        max_size=12,
    )
)
def test_a_quantity_loads_as_exactly_what_was_typed_or_not_at_all(
    empty_workspace, tmp_path_factory, values
):
    folder = tmp_path_factory.mktemp("q")
    lines = [ship(i + 1, f"{v:f}") for i, v in enumerate(values)]
    lines.append(ship(len(values) + 1, "5"))  # one good line, so the file is accepted
    path = write(folder / "ship.csv", SHIP + "\n" + "\n".join(lines) + "\n")
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, path, today=TODAY)
        got = dict(
            led.con.execute(
                "SELECT order_line, quantity FROM shipments_lines WHERE submission_id = ?",
                [r.submission_id],
            ).fetchall()
        )
        for i, v in enumerate(values, start=1):
            if i in got:
                assert Decimal(got[i]) == v  # never another number
            else:
                assert v != v.to_integral_value() or v < 1  # fractional (or below 1)
        located = {i.line for i in r.issues if i.column == "Quantity"}
        fractional = {i + 2 for i, v in enumerate(values) if v != v.to_integral_value()}
        assert fractional <= located


# ---------------------------------------------------------------- 3. numbers typed as text
def test_a_text_number_in_a_workbook_is_a_located_problem(empty_workspace, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Report"
    ws.append(ST.split(","))
    ws.append(["2025-01-05", "INV-1", "R00001", "Shop", "SWI-0001", "2", "1999,50", "USD"])
    ws.append(["2025-01-06", "INV-2", "R00001", "Shop", "SWI-0001", "1,000", "1,999.50", "USD"])
    wb.save(tmp_path / "st.xlsx")
    with empty_workspace.open_ledger() as led:  # D001 writes numbers as en_US
        r = ingest_file(
            led, tmp_path / "st.xlsx", distributor="D001", period="2025-01", today=TODAY
        )
        assert r.status == "accepted", r.summary()
        bad = {(i.cell, i.code): i.message for i in r.issues if i.severity == "error"}
        assert bad == {("G2", "PRIC"): "'1999,50' is not a number like 1234.50 (read as en_US)"}
        got = led.con.execute("SELECT quantity, unit_price FROM sell_through").fetchall()
        assert got == [(1000, Decimal("1999.5000"))]


# ---------------------------------------------------------------- 4. the ledger's range
def test_a_huge_number_in_a_workbook_or_csv_is_located_not_a_crash(empty_workspace, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(SHIP.split(","))
    ws.append(["SO1", 1, date(2026, 1, 5), "D001", "SWI-0001", 1, 1e20, "USD"])
    ws.append(["SO1", 2, date(2026, 1, 5), "D001", "SWI-0001", 1e19, 1, "USD"])
    ws.append(["SO1", 3, date(2026, 1, 5), "D001", "SWI-0001", 1, 1, "USD"])
    wb.save(tmp_path / "ship.xlsx")
    csv_path = write(
        tmp_path / "ship.csv",
        "\n".join([SHIP, ship(1, price="1e20"), ship(2, qty="99999999999999999999"), ship(3), ""]),
    )
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, tmp_path / "ship.xlsx", today=TODAY)
        assert r.status == "accepted", r.summary()
        assert {(i.cell, i.column) for i in r.issues} == {("G2", "Unit Price"), ("F3", "Quantity")}
        assert all("is too large" in i.message for i in r.issues)
        r = ingest_file(led, csv_path, today=TODAY)
        assert r.status == "accepted", r.summary()
        assert {(i.line, i.column) for i in r.issues} == {(2, "Unit Price"), (3, "Quantity")}
        assert all("is too large" in i.message for i in r.issues)


# ---------------------------------------------------------------- 5. control characters
@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\x9f"])
def test_a_control_character_in_a_csv_field_is_quarantined_and_named(
    empty_workspace, tmp_path, char
):
    text = SHIP + "\n" + ship(1) + "\n" + ship(2, sku=f"SWI{char}0001") + "\n" + ship(3) + "\n"
    path = write(tmp_path / "ship.csv", text)
    assert file_format(path) == "text"  # a stray NUL is not a binary file
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, path, today=TODAY)
        assert r.status == "accepted", r.summary()
        (issue,) = r.issues
        assert (issue.line, issue.column, issue.code) == (3, "SKU", "PROD")
        assert issue.message == (
            f"contains the control character U+{ord(char):04X}; retype the value"
        )
        assert shipped(led) == [1, 3]
        stored = led.con.execute("SELECT message FROM submission_issues").fetchone()[0]
        assert char not in stored


def test_tabs_and_line_breaks_in_text_are_not_control_characters(empty_workspace, tmp_path):
    text = ST + "\n" + '2025-01-05,INV-1,R00001,"Shop\tOne\r\nBuilding 2",SWI-0001,1,10.00,USD\n'
    path = write(tmp_path / "st.csv", text)
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, path, distributor="D001", period="2025-01", today=TODAY)
        assert r.lines_loaded == 1, r.issues
        name = led.con.execute("SELECT reseller_name FROM sell_through").fetchone()[0]
        assert name == "Shop\tOne\r\nBuilding 2"


def test_a_control_character_reads_the_same_in_a_workbook_and_a_csv(empty_workspace, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(SHIP.split(","))
    ws.append(["SO1", 1, date(2026, 1, 5), "D001", "SWI\x7f0001", 1, 1, "USD"])
    ws.append(["SO1", 2, date(2026, 1, 5), "D001", "SWI-0001", 1, 1, "USD"])
    wb.save(tmp_path / "ship.xlsx")
    path = write(
        tmp_path / "ship.csv", f"{SHIP}\n{ship(1, sku='SWI' + chr(127) + '0001')}\n{ship(2)}\n"
    )
    with empty_workspace.open_ledger() as led:
        book = ingest_file(led, tmp_path / "ship.xlsx", today=TODAY).issues
        text = ingest_file(led, path, today=TODAY).issues
    assert [(i.code, i.column, i.message) for i in book] == [
        (i.code, i.column, i.message) for i in text
    ]
    assert book[0].cell == "E2" and text[0].line == 2
    sku = Column("SKU", "id", "")
    for parser in (column_parser(sku), lambda v: parse_cell(v, sku)):
        with pytest.raises(CellError, match="U\\+0001"):
            parser("A\x01B")


# ---------------------------------------------------------------- 6. CSV dialects
def test_a_value_on_two_lines_loads_and_later_lines_are_numbered_right(empty_workspace, tmp_path):
    text = (
        ST + "\r\n"
        # lines 2 to 4: one value on three lines
        '2025-01-05,INV-1,R00001,"Shop\r\nSecond floor\r\nBack door",SWI-0001,1,10.00,USD\r\n'
        "2025-01-06,INV-2,R00001,Shop,SWI-0001,x,10.00,USD\r\n"  # line 5
        "2025-01-07,INV-3,R00001,Shop,SWI-0001,1,10.00,EUR\r\n"  # line 6
        "2025-01-08,INV-4,R00001,Shop,SWI-0001,1,1OO,USD\r\n"  # line 7
        "2025-01-09,INV-5,R00001,Shop,NOPE,1,10.00,USD\r\n"  # line 8: a warning
    )
    path = write(tmp_path / "st.csv", text)
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, path, distributor="D001", period="2025-01", today=TODAY)
        assert r.status == "accepted", r.summary()
        found = problems(r)
        assert (5, "Quantity", "QUAN", "error") in found
        assert (7, "Unit Price", "PRIC", "error") in found
        assert (8, "SKU", "PROD", "warning") in found
        assert r.lines_read == 5 and r.quarantined == 2
        assert led.count("sell_through") == 3


@pytest.mark.parametrize("header", [SHIP, SHIP + ","])
def test_a_trailing_delimiter_is_an_empty_column_that_is_ignored(empty_workspace, tmp_path, header):
    text = f"{header}\n{ship(1)},\n{ship(2)}\n{ship(3)},,\n"
    path = write(tmp_path / "ship.csv", text)
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, path, today=TODAY)
        assert r.status == "accepted" and r.lines_loaded == 3, r.summary()
        assert not r.issues


def test_a_quote_never_closed_refuses_the_file_naming_its_line(empty_workspace, tmp_path):
    text = f"{SHIP}\n{ship(1)}\n{ship(2, sku=chr(34) + 'SWI-0001')}\n{ship(3)}\n{ship(4)}\n"
    path = write(tmp_path / "ship.csv", text)
    with empty_workspace.open_ledger() as led:
        before = ledger_snapshot(led)
        r = ingest_file(led, path, today=TODAY)
        assert r.status == "refused", r.summary()
        assert r.issues[0].line == 3
        assert "line 3 opens a quote" in r.message and "never closed" in r.message
        assert ledger_snapshot(led) == before


def test_a_quote_closed_too_late_or_on_the_last_line_is_a_located_problem(
    empty_workspace, tmp_path
):
    text = (
        f"{SHIP}\n{ship(1)}\n"
        f'SO1,2,2026-01-05,D001,"SWI-0001,1,100.50,USD,shipment\n'  # line 3, closes on 4
        f'"SO1",3,2026-01-05,D001,"SWI-0001",1,100.50,USD,shipment\n'
        f"{ship(5)}\n"
        f'SO1,6,2026-01-05,D001,"SWI-0001,1,100.50,USD,shipment\n'  # the last line
    )
    path = write(tmp_path / "ship.csv", text)
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, path, today=TODAY)
        assert r.status == "accepted", r.summary()
        quotes = {i.line: i.message for i in r.issues}
        assert set(quotes) == {3, 6}
        assert "lines 3 to 4 were read as one line" in quotes[3]
        assert 'a quote (") in this line is not closed' in quotes[6]
        assert shipped(led) == [1, 5]
        assert r.lines_read == 5 and r.quarantined == 3  # line 4 was lost with line 3


def test_a_repeated_header_is_reported_and_left_out(empty_workspace, tmp_path):
    again = SHIP.upper().replace(" ", "_")  # joined from an export that spells it so
    text = f"{SHIP}\n{ship(1)}\n{again}\n{ship(2)}\n{ship(3, qty='x')}\n"
    path = write(tmp_path / "ship.csv", text)
    inv = write(tmp_path / "inv.csv", f"{INV}\nSWI-0001,3,0\n{INV}\nROU-0002,x,1\n")
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, path, today=TODAY)
        assert r.status == "accepted", r.summary()
        assert problems(r) == {(3, None, "FILE", "warning"), (5, "Quantity", "QUAN", "error")}
        assert "repeats the header row" in messages(r)
        assert r.lines_read == 3 and r.lines_loaded == 2
        # a layout whose columns are all read as text: the header copy is skipped in SQL
        r = ingest_file(led, inv, distributor="D001", period="2025-01", today=TODAY)
        assert problems(r) == {(3, None, "FILE", "warning"), (4, "On Hand", "QUAN", "error")}
        assert r.lines_read == 2 and r.lines_loaded == 1


def test_delimiter_only_lines_are_blank_lines(empty_workspace, tmp_path):
    text = (
        f"{SHIP}\n{ship(1)}\n,,,,,,,,\n"  # line 3: an empty row as Excel writes it
        f"{ship(2, qty='x')}\n"  # line 4
        " , , ,,,,,,\n"  # line 5: spaces only
        f"{ship(3, sku='NOPE')}\n"  # line 6: a warning, located
        ",,,,,,,,\n,,,,,,,,\n,,,\n"
    )
    path = write(tmp_path / "ship.csv", text)
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, path, today=TODAY)
        assert r.status == "accepted", r.summary()
        assert problems(r) == {(4, "Quantity", "QUAN", "error"), (6, "SKU", "PROD", "warning")}
        assert r.lines_read == 3 and r.lines_loaded == 2 and r.quarantined == 1


def test_a_line_with_too_few_or_too_many_values_is_named(empty_workspace, tmp_path):
    text = f"{SHIP}\n{ship(1)}\nSO1,2,2026-01-05\n{ship(3)},surplus\n{ship(4)}\n"
    path = write(tmp_path / "ship.csv", text)
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, path, today=TODAY)
        assert r.status == "accepted", r.summary()
        said = {i.line: i.message for i in r.issues}
        assert said[3].startswith("the line has 3 values but the header row has 9 columns")
        assert said[4].startswith("the line has 10 values but the header row has 9 columns")
        assert shipped(led) == [1, 4]


def test_line_numbers_of_the_error_path_match_the_loader(tmp_path):
    text = (
        f'{SHIP}\n\n{ship(1)}\n,,,,,,,,\n{SHIP}\n"a\nb",2,2026-01-05,D001,S,1,1,USD,\n{ship(3)}\n'
    )
    path = write(tmp_path / "x.csv", text)
    assert csv_line_numbers(path, sniff_csv(path), set()) == [3, 6, 8]
    assert csv_line_numbers(path, sniff_csv(path), {6}) == [3, 8]


# ---------------------------------------------------------------- 7. encodings
def test_a_windows_csv_reads_its_euro_and_accents(empty_workspace, tmp_path):
    filler = "".join(
        f"2025-01-05,INV-{i},R00001,Plain Shop,SWI-0001,1,10.00,USD\r\n" for i in range(2000)
    )
    last = "2025-01-06,INV-X,R00001,Café Müller €,SWI-0001,1,10.00,USD\r\n"
    text = ST + "\r\n" + filler + last
    path = write(tmp_path / "sent" / "st.csv", text, "cp1252")
    assert path.stat().st_size > 64 * 1024  # the accents come after what is sniffed
    original = path.read_bytes()
    assert b"\x80" in original and b"\xe9" in original
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, path, distributor="D001", period="2025-01", today=TODAY)
        assert r.status == "accepted" and r.lines_loaded == 2001, r.summary()
        name = led.con.execute(
            "SELECT reseller_name FROM sell_through WHERE invoice_number = 'INV-X'"
        ).fetchone()[0]
        assert name == "Café Müller €"
    assert path.read_bytes() == original
    assert os.listdir(path.parent) == ["st.csv"]  # no copy left beside it


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
        ("utf-8", b"\xef\xbb\xbf"),
    ],
)
def test_unicode_text_and_utf8_with_a_bom_load(empty_workspace, tmp_path, encoding, bom):
    text = (
        ST.replace(",", "\t")
        + "\r\n"
        + "2025-01-05\tINV-1\tR00001\tŁódź Sklep €\tSWI-0001\t2\t10.50\tUSD\r\n"
    )
    path = tmp_path / "report.txt"
    path.write_bytes(bom + text.encode(encoding))
    assert file_format(path) == "text"
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, path, distributor="D001", period="2025-01", today=TODAY)
        assert r.status == "accepted" and r.lines_loaded == 1, r.summary()
        got = led.con.execute(
            "SELECT reseller_name, quantity, unit_price FROM sell_through"
        ).fetchone()
        assert got == ("Łódź Sklep €", 2, Decimal("10.5000"))


def test_unicode_text_without_a_bom_and_old_mac_line_ends_load(empty_workspace, tmp_path):
    rows = [INV, "SWI-0001,1,0", "ROU-0002,x,1", "FIR-0003,2,0"]
    no_bom = tmp_path / "a.csv"
    no_bom.write_bytes("\r\n".join(rows).encode("utf-16-le"))
    mac = write(tmp_path / "b.csv", "\r".join(rows) + "\r")
    for path in (no_bom, mac):
        with empty_workspace.open_ledger() as led:
            r = ingest_file(led, path, distributor="D001", period="2025-01", today=TODAY)
            assert r.status == "accepted" and r.lines_loaded == 2, r.summary()
            assert [(i.line, i.column) for i in r.issues] == [(3, "On Hand")]


def test_damaged_unicode_text_is_refused_naming_the_line(empty_workspace, tmp_path):
    text = "\r\n".join([INV, "SWI-0001,1,0", "ROU-0002,1,1"]) + "\r\n"
    path = tmp_path / "inv.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le") + b"A")  # a half character
    with empty_workspace.open_ledger() as led:
        before = ledger_snapshot(led)
        r = ingest_file(led, path, distributor="D001", period="2025-01", today=TODAY)
        assert r.status == "refused" and r.issues[0].line == 4, r.summary()
        assert "cannot be read as Unicode text" in r.message and "CSV UTF-8" in r.message
        assert ledger_snapshot(led) == before


def test_utf16_problems_are_located_on_the_lines_a_person_sees(empty_workspace, tmp_path):
    text = INV.replace(",", "\t") + "\r\nSWI-0001\t1\t0\r\nROU-0002\t1.5\t0\r\n"
    path = tmp_path / "inv.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, path, distributor="D001", period="2025-01", today=TODAY)
        assert [(i.line, i.column, i.message) for i in r.issues] == [
            (3, "On Hand", "'1.5' is not a whole number")
        ]


@pytest.mark.parametrize(
    ("content", "line", "byte"),
    [
        (
            SHIP.encode()
            + b"\n"
            + ship(1).encode()
            + b"\nSO1,2,2026-01-05,D001,SW\x81I,1,1,USD,\n",
            3,
            "0x81",
        ),
        (
            b"\xef\xbb\xbf"
            + SHIP.encode()
            + b"\n"
            + ship(1).encode()
            + b"\nSO\xe9,2,2026-01-05,D001,S,1,1,USD,\n",
            3,
            "0xE9",
        ),
    ],
)
def test_bytes_that_are_no_text_refuse_the_file_naming_the_line(
    empty_workspace, tmp_path, content, line, byte
):
    path = tmp_path / "ship.csv"
    path.write_bytes(content)
    with empty_workspace.open_ledger() as led:
        before = ledger_snapshot(led)
        r = ingest_file(led, path, today=TODAY)
        assert r.status == "refused", r.summary()
        assert r.issues[0].line == line
        assert f"line {line}" in r.message and byte in r.message
        assert '"CSV UTF-8 (Comma delimited)"' in r.message
        assert ledger_snapshot(led) == before
    assert path.read_bytes() == content


def test_a_windows_csv_through_the_command_line(empty_workspace, tmp_path):
    text = ST + "\r\n" + "2025-01-06,INV-1,R00001,Crème brûlée €,SWI-0001,1,10.00,USD\r\n"
    path = write(tmp_path / "st.csv", text, "cp1252")
    r = run_cli(
        "ingest",
        str(path),
        "--distributor",
        "D001",
        "--period",
        "2025-01",
        cwd=empty_workspace.root,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "internal error" not in (r.stdout + r.stderr).lower()
    with empty_workspace.open_ledger() as led:
        assert led.con.execute("SELECT reseller_name FROM sell_through").fetchone()[0] == (
            "Crème brûlée €"
        )

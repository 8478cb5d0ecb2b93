"""Loading received files: recognised, validated with locations, idempotent, superseding."""

from __future__ import annotations

import os
import shutil
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from helpers import ledger_snapshot

from channelxl.commands.ingest import inbox_files, ingest
from channelxl.ledger.ingest_file import ingest_file

TODAY = date(2026, 11, 25)


def write(path, text: str, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def test_every_inbox_file_loads_and_matches_the_generator(workspace, small_channel):
    with workspace.open_ledger() as led:
        results = ingest(led, inbox=workspace.inbox, today=TODAY).results
        assert all(r.status == "accepted" for r in results), [
            r.summary() for r in results if not r.ok
        ]
        assert led.count("shipments") == len(small_channel.shipments)
        assert led.count("sell_through") == len(small_channel.sell_through)
        assert led.count("inventory") == len(small_channel.inventory)
        # money arrives exact: the sum of quantity x price equals the generator's to the cent
        total = led.con.execute("SELECT sum(quantity * unit_price) FROM sell_through").fetchone()[0]
        expected = sum(
            Decimal(str(q)) * Decimal(str(p))
            for q, p in zip(
                small_channel.sell_through.quantity,
                small_channel.sell_through.unit_price,
                strict=True,
            )
        )
        assert total == expected
        # received_at is when each report came in (the file's modification time)
        late = small_channel.planted["late_report"]
        got = led.con.execute(
            "SELECT received_at FROM submissions WHERE kind = 'sell_through' AND distributor_id = ? AND period = ?",
            [late["distributor_id"], late["period"]],
        ).fetchone()[0]
        assert got.isoformat() == late["received_at"]
        assert inbox_files(workspace.inbox) == []  # each answered file moved on


def test_same_file_twice_changes_nothing(workspace):
    path = workspace.inbox / "shipments.csv"
    with workspace.open_ledger() as led:
        first = ingest_file(led, path, today=TODAY)
        before = ledger_snapshot(led)
        again = ingest_file(led, path, today=TODAY)
        assert again.status == "duplicate" and again.submission_id == first.submission_id
        assert "nothing changed" in again.summary()
        assert ledger_snapshot(led) == before


def test_corrected_report_supersedes_and_history_stays(workspace, tmp_path):
    src = sorted(workspace.inbox.glob("sellthrough_D001_*.csv"))[0]
    with workspace.open_ledger() as led:
        first = ingest_file(led, src, today=TODAY)
        lines = src.read_text().splitlines()
        fixed = write(tmp_path / src.name, "\n".join(lines[:-1]) + "\n")  # one line fewer
        second = ingest_file(led, fixed, today=TODAY)
        assert second.superseded == [first.submission_id]
        period = src.stem.split("_")[-1]
        n = led.con.execute(
            "SELECT count(*) FROM sell_through WHERE distributor_id='D001' AND period=?", [period]
        ).fetchone()[0]
        assert n == len(lines) - 2
        history = led.con.execute(
            "SELECT submission_id, superseded_by FROM submissions WHERE kind='sell_through' ORDER BY 1"
        ).fetchall()
        assert history == [
            (first.submission_id, second.submission_id),
            (second.submission_id, None),
        ]
        assert (
            led.con.execute(
                "SELECT count(*) FROM sell_through_lines WHERE submission_id = ?",
                [first.submission_id],
            ).fetchone()[0]
            == len(lines) - 1
        )


def test_export_repeating_order_lines_replaces_them(workspace, tmp_path):
    with workspace.open_ledger() as led:
        ingest_file(led, workspace.inbox / "shipments.csv", today=TODAY)
        header, first_line = (workspace.inbox / "shipments.csv").read_text().splitlines()[:2]
        cells = first_line.split(",")
        cells[5] = "999"
        correction = write(tmp_path / "shipments-fix.csv", header + "\n" + ",".join(cells) + "\n")
        r = ingest_file(led, correction, today=TODAY)
        assert r.status == "accepted" and r.lines_loaded == 1
        q = led.con.execute(
            "SELECT quantity FROM shipments WHERE order_number = ? AND order_line = ?",
            [cells[0], int(cells[1])],
        ).fetchall()
        assert q == [(999,)]


SHIP_HEADER = (
    "Order Number,Order Line,Ship Date,Distributor ID,SKU,Quantity,Unit Price,Currency,Type\n"
)


def test_bad_lines_are_quarantined_with_line_and_column(empty_workspace, tmp_path):
    text = (
        SHIP_HEADER
        + "SO1,1,2026-01-05,D001,SWI-0001,10,100.50,USD,shipment\n"
        + "\n"  # a blank line: skipped, but it still counts for line numbers
        + "SO1,2,2026-01-05,D001,SWI-0001,ten,100.50,USD,shipment\n"  # line 4
        + "SO1,3,05/01/2026,D001,SWI-0001,1,100.50,USD,shipment\n"  # line 5
        + "SO1,4,2026-01-05,D999,SWI-0001,1,100.50,USD,shipment\n"  # line 6
        + "SO1,5,2026-01-05,D001,SWI-0001,0,100.50,USD,shipment\n"  # line 7
        + "SO1,6,2026-01-05,D001,NOPE-1,1,100.50,USD,gift\n"  # line 8
        + "SO1,1,2026-01-05,D001,SWI-0001,3,100.50,USD,shipment\n"  # line 9: repeats SO1/1
        + "SO1,7,2027-01-05,D001,SWI-0001,1,100.50,USD,shipment\n"  # line 10: future
    )
    path = write(tmp_path / "ship.csv", text)
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, path, today=TODAY)
        assert r.status == "accepted"
        found = {(i.line, i.column, i.code, i.severity) for i in r.issues}
        assert (4, "Quantity", "QUAN", "error") in found
        assert (5, "Ship Date", "DATE", "error") in found
        assert (6, "Distributor ID", "REF", "error") in found
        assert (7, "Quantity", "QUAN", "error") in found
        assert (8, "Type", "TYPE", "error") in found
        assert (8, "SKU", "PROD", "warning") in found
        assert (9, "Order Line", "DUPL", "error") in found
        assert (10, "Ship Date", "DATE", "error") in found
        assert r.lines_read == 8 and r.lines_loaded == 1 and r.quarantined == 7
        stored = led.con.execute(
            "SELECT count(*) FROM submission_issues WHERE submission_id = ?", [r.submission_id]
        ).fetchone()[0]
        assert stored == len(r.issues)
        messages = " | ".join(i.message for i in r.issues)
        assert (
            "'ten' is not a whole number" in messages
            and "D999 is not in the program workbook" in messages
        )


def test_a_rejected_csv_line_names_every_bad_value(empty_workspace, tmp_path):
    text = (
        SHIP_HEADER
        + "SO1,1,2026-01-05,D001,SWI-0001,10,100.50,USD,shipment\n"
        + "SO1,2,05/01/2026,D001,SWI-0001,ten,1OO.50,USD,shipment\n"  # date, quantity, price
    )
    path = write(tmp_path / "ship.csv", text)
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, path, today=TODAY)
    bad = {(i.line, i.column, i.code): i.message for i in r.issues}
    assert bad == {
        (3, "Ship Date", "DATE"): "'05/01/2026' is not a date as YYYY-MM-DD",
        (3, "Quantity", "QUAN"): "'ten' is not a whole number",
        (3, "Unit Price", "PRIC"): "'1OO.50' is not a number like 1234.50",
    }
    assert r.lines_loaded == 1 and r.quarantined == 1


def test_strict_refuses_the_whole_file_and_changes_nothing(empty_workspace, tmp_path):
    text = (
        SHIP_HEADER
        + "SO1,1,2026-01-05,D001,SWI-0001,10,100.50,USD,\nSO1,2,2026-01-05,D001,SWI-0001,x,1,USD,\n"
    )
    path = write(tmp_path / "ship.csv", text)
    with empty_workspace.open_ledger() as led:
        before = ledger_snapshot(led)
        r = ingest_file(led, path, strict=True, today=TODAY)
        assert r.status == "refused" and "taken whole or not at all" in r.message
        assert ledger_snapshot(led) == before
        assert ingest_file(led, path, today=TODAY).lines_loaded == 1


def test_a_loaded_file_sent_again_is_a_repeat_even_where_it_would_be_refused_now(
    empty_workspace, tmp_path
):
    """The ledger's own key on the file's bytes answers a repeat; a repeat that would now be
    refused (strict, one bad line) is still named as the repeat it is, and changes nothing."""
    text = (
        SHIP_HEADER
        + "SO1,1,2026-01-05,D001,SWI-0001,10,100.50,USD,\nSO1,2,2026-01-05,D001,SWI-0001,x,1,USD,\n"
    )
    path = write(tmp_path / "ship.csv", text)
    with empty_workspace.open_ledger() as led:
        first = ingest_file(led, path, today=TODAY)
        assert (first.status, first.lines_loaded, first.quarantined) == ("accepted", 1, 1)
        before = ledger_snapshot(led)
        for strict in (False, True):
            again = ingest_file(led, path, strict=strict, today=TODAY)
            assert again.status == "duplicate", again.summary()
            assert again.submission_id == first.submission_id
            assert f"loaded as submission {first.submission_id}" in again.message
        assert ledger_snapshot(led) == before


@pytest.mark.parametrize(
    ("name", "content", "expect"),
    [
        ("empty.csv", b"", "empty"),
        ("image.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "not a spreadsheet"),
        (
            "legacy.xls",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
            "encrypted or not a workbook",
        ),
        ("notes.csv", b"Hello,World\n1,2\n", "matches no layout"),
        (
            "ship.csv",
            b"Order Number,Order Line,Ship Date,SKU,Quantity\nA,1,2026-01-01,X,1\n",
            "lacks the column",
        ),
        ("broken.xlsx", b"PK\x03\x04garbage", "damaged"),
        ("all-bad.csv", SHIP_HEADER.encode() + b"A,x,y,D001,S,z,w,USD,\n", "none of the 1 lines"),
    ],
)
def test_refusals_say_why_and_change_nothing(empty_workspace, tmp_path, name, content, expect):
    path = tmp_path / name
    path.write_bytes(content)
    original = path.read_bytes()
    with empty_workspace.open_ledger() as led:
        before = ledger_snapshot(led)
        r = ingest_file(led, path, today=TODAY)
        assert r.status == "refused", r.summary()
        assert expect in r.message
        assert ledger_snapshot(led) == before
    assert path.read_bytes() == original  # originals are never modified


def test_report_needs_its_distributor_and_period(empty_workspace, tmp_path):
    text = (
        "Invoice Date,Invoice Number,Reseller ID,SKU,Quantity,Unit Price,Currency\n"
        "2025-01-15,INV-1,R00001,SWI-0001,2,150.00,USD\n"
        "2025-02-01,INV-2,R00001,SWI-0001,1,150.00,USD\n"
    )
    path = write(tmp_path / "st.csv", text)
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, path, today=TODAY)
        # in the sender's words: no command-line option in what the distributor reads
        assert r.status == "refused" and "add a Distributor ID column" in r.message
        assert "--" not in r.message
        r = ingest_file(led, path, distributor="D001", period="2025-01", today=TODAY)
        assert r.status == "accepted" and r.lines_loaded == 1
        assert [(i.line, i.code) for i in r.issues if i.severity == "error"] == [(3, "DATE")]
        row = led.con.execute(
            "SELECT distributor_id, period FROM submissions WHERE submission_id=?",
            [r.submission_id],
        ).fetchone()
        assert row == ("D001", "2025-01")


def test_an_empty_report_still_covers_its_month(empty_workspace, tmp_path):
    path = write(tmp_path / "inv.csv", "SKU,On Hand,In Transit\n")
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, path, distributor="D002", period="2025-03", today=TODAY)
        assert r.status == "accepted" and r.lines_read == 0
        assert led.con.execute(
            "SELECT distributor_id, period FROM submission_periods"
        ).fetchall() == [("D002", "2025-03")]


def test_real_world_csv_variants(empty_workspace, tmp_path):
    # semicolons, Latin-1, renamed/reordered headers, an extra column, a BOM-free Windows file
    text = "type;QUANTITY;sku;order_number;Order Line;Ship date;Distributor-ID;Unit Price;Currency;Comment\r\n"
    text += "shipment;5;SWI-0001;SO9;1;2026-01-05;D001;12.5;usd;Müller GmbH\r\n"
    path = write(tmp_path / "erp.csv", text, encoding="latin-1")
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, path, today=TODAY)
        assert r.status == "accepted" and r.lines_loaded == 1, r.issues
        row = led.con.execute("SELECT quantity, unit_price, currency FROM shipments").fetchone()
        assert row == (5, Decimal("12.5000"), "USD")


def _shipment_workbook(path, rows):
    """An ERP shipment export as a workbook (sheet Export), one list per row."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Export"
    ws.append(
        [
            "Order Number",
            "Order Line",
            "Ship Date",
            "Distributor ID",
            "SKU",
            "Quantity",
            "Unit Price",
            "Currency",
        ]
    )
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_xlsx_export_with_cells_located(empty_workspace, tmp_path):
    path = _shipment_workbook(
        tmp_path / "ship.xlsx",
        [
            ["SO1", 1, date(2026, 1, 5), "D001", "SWI-0001", 4, 10.05, "USD"],
            ["SO1", 2, "soon", "D001", "SWI-0001", 4, 10.05, "USD"],
            ["SO1", 3, date(2026, 1, 5), "D001", "SWI-0001", -4, 10.05, "USD"],
            ["SO1", 4, "later", "D001", "SWI-0001", "x", 10.05, "USD"],  # two bad cells
        ],
    )
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, path, today=TODAY)
        assert r.status == "accepted" and r.lines_loaded == 1
        assert r.lines_read == 4 and r.quarantined == 3  # one line, however many bad cells
        assert {i.cell for i in r.issues if i.sheet and i.cell.endswith("5")} == {"C5", "F5"}
        found = {(i.sheet, i.cell, i.code) for i in r.issues}
        assert ("Export", "C3", "DATE") in found
        assert ("Export", "F4", "QUAN") in found
        assert led.con.execute("SELECT unit_price, type FROM shipments").fetchall() == [
            (Decimal("10.05"), "shipment")
        ]


def test_a_formula_saved_without_its_result_is_named_as_such(empty_workspace, tmp_path):
    # openpyxl, like many programs, saves formulas without their results: the cell reads empty
    path = _shipment_workbook(
        tmp_path / "ship.xlsx",
        [
            ["SO1", 1, date(2026, 1, 5), "D001", "SWI-0001", 4, 10.05, "USD"],
            ["SO1", 2, date(2026, 1, 5), "D001", "SWI-0001", "=F2*2", 10.05, "USD"],
            ["SO1", 3, date(2026, 1, 5), "D001", "SWI-0001", None, 10.05, "USD"],
        ],
    )
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, path, today=TODAY)
    by_cell = {i.cell: i.message for i in r.issues}
    assert "holds the formula =F2*2 but not its result" in by_cell["F3"]
    assert "open it in Excel, save it" in by_cell["F3"]
    assert by_cell["F4"] == "Quantity is required"  # a truly empty cell keeps its message


def test_a_copied_file_keeps_its_bytes_identity(workspace, tmp_path):
    path = workspace.inbox / "activities.csv"
    copy = tmp_path / "activities-copy.csv"
    shutil.copy(path, copy)
    os.utime(copy, (0, 0))
    with workspace.open_ledger() as led:
        assert ingest_file(led, path, today=TODAY).status == "accepted"
        assert ingest_file(led, copy, today=TODAY).status == "duplicate"


def test_large_file_hashed_during_the_load_is_still_caught_as_a_repeat(workspace, monkeypatch):
    import channelxl.ledger.ingest_file as ingest

    monkeypatch.setattr(ingest, "HASH_IN_BACKGROUND", 1)  # every file takes the large-file path
    path = workspace.inbox / "shipments.csv"
    with workspace.open_ledger() as led:
        first = ingest_file(led, path, today=TODAY)
        assert first.status == "accepted"
        before = ledger_snapshot(led)
        again = ingest_file(led, path, today=TODAY)
        assert again.status == "duplicate" and again.submission_id == first.submission_id
        assert ledger_snapshot(led) == before


def test_lines_for_another_distributor_or_period_than_the_command_line_says(
    empty_workspace, tmp_path
):
    text = (
        "Distributor ID,Period,Invoice Date,Invoice Number,Reseller ID,SKU,Quantity,Unit Price,Currency\n"
        "D001,2025-01,2025-01-15,INV-1,R00001,SWI-0001,2,150.00,USD\n"
        "D002,2025-01,2025-01-16,INV-2,R00001,SWI-0001,1,150.00,USD\n"
        "D001,2025-02,2025-02-01,INV-3,R00001,SWI-0001,1,150.00,USD\n"
    )
    path = write(tmp_path / "st.csv", text)
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, path, distributor="D001", period="2025-01", today=TODAY)
        assert r.lines_loaded == 1
        scope = sorted((i.line, i.column) for i in r.issues if i.code == "SCOPE")
        assert scope == [(3, "Distributor ID"), (4, "Period")]
        assert any("the file is for D001" in i.message for i in r.issues)

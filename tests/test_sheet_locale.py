"""A number typed as text in a workbook reads the same whether the distributor is given for
the whole file or named on every row: the distributor's locale either way; rows naming
distributors that write numbers differently make text they would read differently a
problem of its cell, never a guess.

The program's locales: D001 en_US (1,999.50), D004 pt_BR (1.999,50).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl

from channelxl.ledger.ingest_file import ingest_file

TODAY = date(2026, 11, 25)
HEADER = ["Invoice Date", "Invoice Number", "Reseller ID", "SKU", "Quantity", "Unit Price"]
PEOPLE = {"D001": ("R00001", "USD"), "D004": ("R00004", "BRL")}


def workbook(path: Path, rows: list[tuple[str, str, object]], *, with_ids: bool) -> Path:
    """Sell-through lines (distributor, invoice, unit price as typed) for 2025-01; with
    ``with_ids`` the Distributor ID and Period are columns, else the file says neither."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append((["Distributor ID", "Period"] if with_ids else []) + HEADER + ["Currency"])
    for distributor, invoice, price in rows:
        reseller, currency = PEOPLE[distributor]
        ids = [distributor, "2025-01"] if with_ids else []
        ws.append([*ids, "2025-01-15", invoice, reseller, "SWI-0001", 1, price, currency])
    wb.save(path)
    return path


def prices(led, sid: int) -> dict[str, Decimal]:
    return dict(
        led.con.execute(
            "SELECT invoice_number, unit_price FROM sell_through_lines WHERE submission_id = ?",
            [sid],
        ).fetchall()
    )


TYPED = [("I-1", "1,999"), ("I-2", "1.999,50"), ("I-3", "1999,50"), ("I-4", "12")]
# pt_BR: a comma before the decimals, points between thousands
IN_PT_BR = {
    "I-1": Decimal("1.999"),
    "I-2": Decimal("1999.50"),
    "I-3": Decimal("1999.50"),
    "I-4": Decimal("12"),
}


def test_a_distributor_named_on_every_row_reads_as_when_given(empty_workspace, tmp_path):
    named = workbook(tmp_path / "named.xlsx", [("D004", i, p) for i, p in TYPED], with_ids=True)
    given = workbook(tmp_path / "given.xlsx", [("D004", i, p) for i, p in TYPED], with_ids=False)
    with empty_workspace.open_ledger() as led:
        a = ingest_file(led, named, today=TODAY)
        b = ingest_file(led, given, distributor="D004", period="2025-01", today=TODAY)
        assert a.status == "accepted" and a.quarantined == 0, a.issues
        assert b.status in ("accepted", "held") and b.quarantined == 0, b.issues
        assert prices(led, a.submission_id) == IN_PT_BR
        assert prices(led, b.submission_id) == IN_PT_BR


def test_text_two_locales_read_differently_is_a_located_problem(empty_workspace, tmp_path):
    """D001 (en_US) and D004 (pt_BR) on one sheet: "1,999" is 1999 to one and 1.999 to the
    other, so that cell is named; "12.50" and a price typed as a number read the same in
    both and load; "1.999,50" only pt_BR reads, so it is not in doubt."""
    rows = [
        ("D001", "A-1", "1,999"),
        ("D004", "B-1", "1,999"),
        ("D001", "A-2", "12.50"),
        ("D004", "B-2", 1999.5),
        ("D004", "B-3", "1.999,50"),
    ]
    path = workbook(tmp_path / "both.xlsx", rows, with_ids=True)
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, path, today=TODAY)
        loaded = prices(led, r.submission_id)
    assert r.status == "accepted" and r.quarantined == 2, r.issues
    assert loaded == {"A-2": Decimal("12.50"), "B-2": Decimal("1999.50"), "B-3": Decimal("1999.50")}
    problems = {i.cell: i.message for i in r.issues if i.severity == "error"}
    assert set(problems) == {"H2", "H3"}
    assert "'1,999' reads differently" in problems["H2"]
    assert "1999 in en_US" in problems["H2"] and "1.999 in pt_BR" in problems["H2"]


def test_a_distributor_given_with_spaces_is_the_distributor(empty_workspace, tmp_path):
    # a sheet that does not say whose it is takes the distributor given, as typed on a
    # command line, trimmed: the lines are D004's, read in D004's locale
    given = workbook(tmp_path / "given.xlsx", [("D004", i, p) for i, p in TYPED], with_ids=False)
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, given, distributor=" D004 ", period="2025-01", today=TODAY)
        assert r.status == "accepted", r.summary()
        assert led.con.execute(
            "SELECT DISTINCT distributor_id FROM sell_through_lines WHERE submission_id = ?",
            [r.submission_id],
        ).fetchall() == [("D004",)]
        assert prices(led, r.submission_id) == IN_PT_BR

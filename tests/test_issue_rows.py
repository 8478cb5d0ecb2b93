"""Issues as records and as stored rows: A1 cell names, an issue as a frozen value, every
issue of a load stored in the ledger as the result lists it (a duplicate-heavy template:
a warning on most of its lines), and the collector paused for a load put back as it was."""

from __future__ import annotations

import gc
from datetime import date, datetime

import openpyxl
import pytest

from channelxl.issues import WARNING, Issue, a1, column_letter
from channelxl.ledger.gc_pause import gc_paused
from channelxl.ledger.ingest_file import ingest_file

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("index", "letters"),
    [(0, "A"), (12, "M"), (25, "Z"), (26, "AA"), (51, "AZ"), (701, "ZZ"), (702, "AAA")],
)
def test_column_letters(index, letters):
    assert column_letter(index) == letters
    assert column_letter(index) == letters  # asked again: the same (cached) answer


def test_a1_names_a_cell_from_zero_based_row_and_column():
    assert a1(0, 0) == "A1"
    assert a1(11, 2) == "C12"
    assert a1(99_999, 27) == "AB100000"


def test_an_issue_is_a_frozen_value():
    i = Issue("DUPL", "seen before", WARNING, "t.xlsx", sheet="SellThrough", cell="B3")
    assert i == Issue("DUPL", "seen before", "warning", "t.xlsx", "SellThrough", "B3")
    assert len({i, Issue("DUPL", "seen before", WARNING, "t.xlsx", "SellThrough", "B3")}) == 1
    with pytest.raises(AttributeError):
        i.cell = "B4"
    assert str(i) == "WARNING DUPL t.xlsx, sheet SellThrough, cell B3: seen before"
    assert i.replace(file=None).where == "sheet SellThrough, cell B3"
    assert i.to_dict() == {
        "code": "DUPL",
        "message": "seen before",
        "severity": "warning",
        "file": "t.xlsx",
        "sheet": "SellThrough",
        "cell": "B3",
    }
    line = Issue("QUAN", "'ten' is not a whole number", file="x.csv", line=4, column="Quantity")
    assert (line.severity, line.sheet, line.cell) == ("error", None, None)
    assert str(line) == "ERROR QUAN x.csv, line 4, column 'Quantity': 'ten' is not a whole number"


def _line(reseller, sku, invoice):
    return [
        datetime(2025, 2, 5),
        invoice,
        reseller["reseller_id"],
        reseller["name"],
        reseller["country"],
        "Acme",
        reseller["country"],
        "smb",
        sku,
        3,
        1500.0,
        "USD",
        None,
    ]


def test_every_issue_of_a_duplicate_heavy_template_is_stored_as_listed(empty_workspace, template):
    """Rows 3-7 repeat row 2 (a DUPL warning each, in Invoice Number: column B), row 8 has
    a quantity that is not a number (an error: the line is quarantined); the ledger holds
    each issue the result lists, in the same order, with the same words."""
    path, reseller, sku = template
    wb = openpyxl.load_workbook(path)
    ws = wb["SellThrough"]
    rows = [_line(reseller, sku, "INV-1") for _ in range(6)] + [_line(reseller, sku, "INV-2")]
    rows[-1][9] = "ten"
    for i, row in enumerate(rows, start=2):
        for j, value in enumerate(row, start=1):
            ws.cell(row=i, column=j, value=value)
    wb.save(path)
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, path, today=TODAY)
        stored = led.con.execute(
            "SELECT severity, code, line, sheet, cell, column_name, value, message "
            "FROM submission_issues WHERE submission_id = ? ORDER BY rowid",
            [r.submission_id],
        ).fetchall()
    assert r.status == "accepted" and r.lines_loaded == 6 and r.quarantined == 1
    listed = [
        (i.severity, i.code, i.line, i.sheet, i.cell, i.column, None, i.message) for i in r.issues
    ]
    assert stored == listed
    dupl = [(i.cell, i.column, i.message) for i in r.issues if i.code == "DUPL"]
    assert dupl == [
        (f"B{k}", "Invoice Number", "the same invoice line appears earlier in this report")
        for k in range(3, 8)
    ]
    assert ("error", "J8", "Quantity") in {(i.severity, i.cell, i.column) for i in r.issues}


def test_the_collector_is_paused_inside_and_put_back_as_it_was():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError), gc_paused():
        raise ValueError("a load that fails")
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the caller had turned it off: it stays off
    finally:
        gc.enable()

"""The whole ``ingest`` path, feedback included: every received file gets its answer and its
sender's feedback, and nothing a file holds (merged cells over data, hidden copies of the
sheet, odd values) stops the run or the rest of the inbox.

``test_ingest_fuzz.py`` damages bytes and calls ``ingest_file``; here damaged workbooks go
through ``commands.ingest.ingest`` with a feedback folder, as ``channelxl ingest`` runs.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from helpers import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channelxl.commands.ingest import ingest
from channelxl.io.feedback_workbook import feedback_stem
from channelxl.ledger.ingest_file import ingest_file
from channelxl.workspace import Workspace

TODAY = date(2026, 11, 25)
HEADER = [
    "Distributor ID",
    "Period",
    "Invoice Date",
    "Invoice Number",
    "Reseller ID",
    "SKU",
    "Quantity",
    "Unit Price",
    "Currency",
]
SHIP = "Order Number,Order Line,Ship Date,Distributor ID,SKU,Quantity,Unit Price,Currency\n"
FORBIDDEN = ("Traceback", "internal error", "Error:", "<class", "object attribute")


def st_row(invoice: str, qty=3, price=2500.0, distributor="D001") -> list:
    reseller, currency = {"D001": ("R00001", "USD"), "D004": ("R00004", "BRL")}[distributor]
    return [
        distributor,
        "2025-01",
        "2025-01-15",
        invoice,
        reseller,
        "SWI-0001",
        qty,
        price,
        currency,
    ]


def sheet_file(path: Path, rows: list[list], *, merge=(), hidden_copy=None) -> Path:
    """A sell-through export on sheet Report; ``merge``: blocks to merge; ``hidden_copy``:
    rows of a hidden second sheet with the same header (an old copy)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Report"
    for row in [HEADER, *rows]:
        ws.append(row)
    for block in merge:
        ws.merge_cells(block)
    if hidden_copy is not None:
        old = wb.create_sheet("Old")
        for row in [HEADER, *hidden_copy]:
            old.append(row)
        old.sheet_state = "hidden"
    wb.save(path)
    return path


def drop(path: Path, data: str | None = None, when=datetime(2025, 2, 3)) -> Path:
    if data is not None:
        path.write_text(data)
    os.utime(path, (when.timestamp(), when.timestamp()))
    return path


# ------------------------------------------------------------------ merged cells (G1)
def test_merged_cells_over_data_get_feedback_and_the_inbox_goes_on(empty_workspace):
    """Three lines, the Invoice Number merged over the first two: the second line is
    quarantined, and the sender's copy marks it on the block's first cell (the only cell
    of a block that holds anything), naming the cell; the next file in the inbox loads."""
    root, inbox = empty_workspace.root, empty_workspace.inbox
    drop(
        sheet_file(inbox / "a.xlsx", [st_row("M1"), st_row("M2"), st_row("M3")], merge=["D2:D3"]),
        when=datetime(2025, 2, 3),
    )
    drop(
        inbox / "z.csv",
        SHIP + "SO1,1,2026-01-05,D001,SWI-0001,10,100.50,USD\n",
        datetime(2025, 2, 4),
    )
    r = run_cli("ingest", "--no-progress", cwd=root)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    assert not any(word in out for word in FORBIDDEN), out
    assert "a.xlsx: accepted — 2 lines loaded" in r.stdout and "1 quarantined" in r.stdout
    assert "z.csv: accepted — 1 lines loaded" in r.stdout
    assert sorted(p.name for p in (inbox / "processed").iterdir()) == ["a.xlsx", "z.csv"]
    (feedback,) = (root / "outbox").glob("feedback_a.xlsx_*.xlsx")
    sheet = openpyxl.load_workbook(feedback)["Report"]
    note = sheet["D2"].comment.text
    assert "D3 is part of the merged cells D2:D3" in note
    assert sheet["D2"].fill.fgColor.rgb.endswith("F8CBAD")  # an error's colour


def test_a_problem_inside_a_merged_block_is_noted_on_its_first_cell(empty_workspace, tmp_path):
    """A problem found by the checks (not by the merge) on a cell inside a merged block: the
    note on the block's first cell says which cell it is about."""
    path = sheet_file(
        tmp_path / "m.xlsx",
        [st_row("M1", qty=2), st_row("M2", qty=2), st_row("M3", qty=1.5)],
        merge=["G2:G3"],  # the same quantity over two lines, the third's is not whole
    )
    with empty_workspace.open_ledger() as led:
        run = ingest(led, [path], today=TODAY, feedback_dir=tmp_path / "out")
    (result,) = run.results
    assert result.feedback_error is None and result.feedback
    sheet = openpyxl.load_workbook(result.feedback)["Report"]
    assert "merged cells G2:G3" in sheet["G2"].comment.text
    assert "G4" in {i.cell for i in result.issues} and sheet["G4"].comment is not None


def test_feedback_that_cannot_be_written_is_said_and_the_inbox_goes_on(empty_workspace):
    """Where one file's feedback is to go stands a folder: that file is still answered
    (its good lines loaded, moved to processed/), the run says its feedback could not be
    written and why, in words, and the next file is loaded."""
    root, inbox = empty_workspace.root, empty_workspace.inbox
    bad = drop(
        inbox / "st.csv",
        ",".join(HEADER) + "\n"
        "D001,2025-01,2025-01-15,I-1,R00001,SWI-0001,1.5,2500.00,USD\n"
        "D001,2025-01,2025-01-15,I-2,R00001,SWI-0001,2,2500.00,USD\n",
    )
    (root / "outbox" / f"{feedback_stem(bad)}.xlsx").mkdir(parents=True)
    drop(
        inbox / "z.csv",
        SHIP + "SO1,1,2026-01-05,D001,SWI-0001,10,100.50,USD\n",
        datetime(2025, 2, 4),
    )
    r = run_cli("ingest", "--no-progress", cwd=root)
    assert r.returncode == 4, r.stdout + r.stderr  # a sender waits: a scheduler must see it
    assert "st.csv: accepted — 1 lines loaded" in r.stdout and "1 quarantined" in r.stdout
    assert "the feedback for its sender could not be written: Is a directory" in r.stderr
    assert "send its sender the problems listed here yourself" in r.stderr
    assert "z.csv: accepted — 1 lines loaded" in r.stdout
    assert "No feedback could be written for 1 file(s)." in r.stdout
    assert not any(word in r.stdout + r.stderr for word in FORBIDDEN), r.stderr
    assert sorted(p.name for p in (inbox / "processed").iterdir()) == ["st.csv", "z.csv"]


def test_a_line_without_its_period_in_another_currency_is_quarantined(empty_workspace, tmp_path):
    """No month to look an FX rate up in: the line is quarantined for its missing Period,
    and the file loads (the FX check once gave a problem with no words, and the run
    stopped)."""
    path = tmp_path / "st.csv"
    path.write_text(
        ",".join(HEADER) + "\n"
        "D002,2025-01,2025-01-15,I-1,R00002,SWI-0001,2,2500.00,CAD\n"
        "D002,,2025-01-15,I-2,R00002,SWI-0001,2,2500.00,CAD\n"
    )
    with empty_workspace.open_ledger() as led:
        result = ingest_file(led, path, today=TODAY)
    assert result.status == "accepted" and result.lines_loaded == 1 and result.quarantined == 1
    assert all(isinstance(i.message, str) and i.message for i in result.issues), result.issues
    (missing,) = [i for i in result.issues if i.line == 3]
    assert missing.message == "Period is required"


# ------------------------------------------------------------------ hidden copies (G5)
def test_a_hidden_copy_beside_the_sheet_read_is_named(empty_workspace, tmp_path):
    """The visible sheet loads; the hidden one matching the same layout is not read, and
    the answer (and the sender's Issues sheet) says so, naming it."""
    path = sheet_file(
        tmp_path / "h.xlsx",
        [st_row("NEW-1"), st_row("NEW-2")],
        hidden_copy=[st_row("OLD-1"), st_row("OLD-2"), st_row("OLD-3")],
    )
    with empty_workspace.open_ledger() as led:
        run = ingest(led, [path], today=TODAY, feedback_dir=tmp_path / "out")
        invoices = led.con.execute(
            "SELECT invoice_number FROM sell_through_lines ORDER BY 1"
        ).fetchall()
    (result,) = run.results
    assert result.status == "accepted" and result.lines_loaded == 2
    assert invoices == [("NEW-1",), ("NEW-2",)]
    (note,) = [i for i in result.issues if i.code == "SHEET"]
    assert note.severity == "warning" and note.sheet == "Old"
    assert "sheet Old (" in note.message and "is hidden and was not read" in note.message
    assert "only sheet Report was" in note.message
    issues = json.loads(Path(result.feedback).with_suffix(".json").read_text())["issues"]
    assert any(i["sheet"] == "Old" and "hidden" in i["message"] for i in issues)


def test_a_hidden_copy_in_a_returned_template_is_named(empty_workspace, template, tmp_path):
    path, reseller, sku = template
    wb = openpyxl.load_workbook(path)
    report = wb["SellThrough"]
    for j, value in [(1, datetime(2025, 2, 5)), (2, "INV-1"), (3, reseller["reseller_id"])]:
        report.cell(row=2, column=j, value=value)
    for j, value in [(9, sku), (10, 3), (11, 1500.0), (12, "USD")]:
        report.cell(row=2, column=j, value=value)
    copy = wb.copy_worksheet(report)
    copy.sheet_state = "hidden"
    wb.save(tmp_path / "returned.xlsx")
    with empty_workspace.open_ledger() as led:
        result = ingest_file(led, tmp_path / "returned.xlsx", today=TODAY)
    assert result.status == "accepted" and result.lines_loaded == 1, result.issues
    notes = [i for i in result.issues if i.code == "SHEET"]
    assert [n.sheet for n in notes] == [copy.title], result.issues
    assert "only sheets SellThrough and Inventory were" in notes[0].message


# ------------------------------------------------------------------ property (G3)
ODD_VALUES = [
    None,
    "",
    "   ",
    "1,999",
    "1.999,50",
    "1e400",
    "ten",
    -1,
    0,
    10**20,
    1e308,
    2.5,
    "=1+1",
    "\x7ftext",  # DEL: a control character openpyxl lets through
    True,
    datetime(1900, 1, 1),
    "2025-13-45",
    "é" * 300,
    "D001",
    "D004",
]
FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory, small_channel):
    """A working folder, initialised once; each example works in a copy of it."""
    from channelxl.workspace import init

    root = tmp_path_factory.mktemp("pristine") / "ws"
    init(root, rows=small_channel.program, settings=small_channel.settings)
    return root


cells = st.tuples(st.integers(1, 6), st.integers(1, 9))  # (row, column) over header and data
blocks = st.tuples(cells, st.integers(0, 3), st.integers(0, 2))  # first cell, rows, columns


@FUZZ
@given(
    merges=st.lists(blocks, max_size=3),
    odd=st.lists(st.tuples(cells, st.sampled_from(ODD_VALUES)), max_size=6),
    hide=st.sampled_from(["none", "copy", "report", "both"]),
)
def test_any_damaged_workbook_gets_its_answer_and_feedback(
    pristine, tmp_path_factory, merges, odd, hide
):
    """Merged blocks anywhere (header included), odd values in any cell, hidden sheets:
    ``ingest`` with feedback never raises nor says "internal error", every file gets a
    result and its feedback, and the ledger holds only lines of the files accepted."""
    root = tmp_path_factory.mktemp("fz") / "ws"
    shutil.copytree(pristine, root)
    ws = Workspace.find(root)
    rows = [st_row(f"F-{k}", qty=k + 1) for k in range(5)]
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "Report"
    for row in [HEADER, *rows]:
        sheet.append(row)
    for (r, c), value in odd:
        sheet.cell(row=r, column=c, value=value)
    taken: set[tuple[int, int]] = set()
    for (r, c), down, across in merges:
        block = {(i, j) for i in range(r, r + down + 1) for j in range(c, c + across + 1)}
        if block & taken or len(block) == 1:
            continue  # merged blocks never overlap in a saved workbook
        taken |= block
        sheet.merge_cells(start_row=r, start_column=c, end_row=r + down, end_column=c + across)
    if hide in ("copy", "both"):
        old = wb.copy_worksheet(sheet)
        old.sheet_state = "hidden"
    if hide in ("report", "both"):
        wb.create_sheet("Notes")["A1"] = "nothing here"
        sheet.sheet_state = "hidden"
    book = ws.inbox / "report.xlsx"
    wb.save(book)
    drop(book)
    ship = drop(
        ws.inbox / "ship.csv",
        SHIP + "SO1,1,2026-01-05,D001,SWI-0001,10,100.50,USD\n",
        datetime(2025, 2, 4),
    )
    with ws.open_ledger() as led:
        run = ingest(led, inbox=ws.inbox, today=TODAY, feedback_dir=ws.outbox)
        loaded = dict(
            led.con.execute(
                "SELECT submission_id, count(*) FROM sell_through_lines GROUP BY 1"
            ).fetchall()
        )
    by_name = {Path(r.path).name: r for r in run.results}
    assert sorted(by_name) == ["report.xlsx", "ship.csv"]
    assert by_name["ship.csv"].status == "accepted" and by_name["ship.csv"].feedback_error is None
    result = by_name["report.xlsx"]
    assert result.status in ("accepted", "refused"), result
    text = result.summary() + " ".join(str(i) for i in result.issues)
    assert not any(word in text for word in FORBIDDEN), text
    assert result.feedback_error is None, result.feedback_error
    if result.issues:
        assert result.feedback and Path(result.feedback).is_file()
    if result.status == "accepted":
        assert loaded == {result.submission_id: result.lines_loaded}
    else:
        assert loaded == {} and result.submission_id is None
    assert not ship.exists() and not book.exists()  # both answered, both moved on

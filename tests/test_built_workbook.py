"""Workbooks built by XlsxWriter (``io.built_workbook``) look as those openpyxl writes
(``io.table_sheets``), and a feedback copy built that way holds what was sent, marked."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time

import openpyxl
from openpyxl import Workbook

from channelxl.io.built_workbook import BuiltWorkbook
from channelxl.io.feedback_workbook import write_feedback
from channelxl.io.table_sheets import write_table_sheet, write_text_sheet
from channelxl.issues import ERROR, WARNING, Issue
from channelxl.schema.outputs import FEEDBACK_ISSUES

ROWS = [
    {"severity": "error", "code": "DATE", "line": 4, "column": "Invoice Date", "message": "x"},
    {"severity": "warning", "code": "DUPL", "sheet": "S", "cell": "B7", "message": "=1+1"},
]
TEXT = ["# About this copy", "A paragraph " * 20, "## Smaller heading", "Short."]


def _rgb(color) -> str | None:
    """A colour given as RGB (its last six digits); None for the default or a theme's."""
    rgb = getattr(color, "rgb", None)
    return rgb[-6:] if isinstance(rgb, str) and color.type == "rgb" else None


def _look(ws) -> dict:
    """What a person sees of a sheet, and what Excel prints."""
    cells = {
        c.coordinate: (
            c.value,
            c.fill.fgColor.rgb[-6:] if c.fill.fill_type == "solid" else None,
            bool(c.font.bold),
            _rgb(c.font.color),
            c.number_format if c.value is not None else None,
            c.alignment.wrap_text,
            c.alignment.vertical,
            (c.comment.text, c.comment.author) if c.comment else None,
        )
        for row in ws.iter_rows()
        for c in row
        if c.value is not None or c.comment is not None
    }
    # widths in whole characters (XlsxWriter stores Excel's padding with them, and one
    # entry for a run of equal columns), heights to the point (it rounds to pixels)
    widths = {
        j: int(d.width)
        for d in ws.column_dimensions.values()
        if d.width
        for j in range(d.min, d.max + 1)
    }
    heights = {
        k: round(d.height) for k, d in ws.row_dimensions.items() if d.height not in (None, 15)
    }
    tables = {t.displayName: (t.ref, t.tableStyleInfo.name) for t in ws.tables.values()}
    return {
        "title": ws.title,
        "cells": cells,
        "widths": widths,
        "heights": heights,
        "tables": tables,
        "freeze": ws.freeze_panes,
        "print": (
            ws.page_setup.orientation or "portrait",  # the default
            ws.page_setup.fitToWidth or 1,  # 1 when not said
            ws.page_setup.fitToHeight,
            ws.sheet_properties.pageSetUpPr.fitToPage,
            str(ws.print_title_rows),
        ),
    }


def test_the_issues_sheet_built_looks_as_openpyxl_writes_it(tmp_path):
    wb = Workbook()
    wb.remove(wb.active)
    write_table_sheet(wb, FEEDBACK_ISSUES, ROWS, validation=False)
    write_text_sheet(wb, "About this copy", TEXT)
    wb.save(tmp_path / "openpyxl.xlsx")
    book = BuiltWorkbook()
    assert book.table_sheet(FEEDBACK_ISSUES, ROWS) == 2
    book.text_sheet("About this copy", TEXT)
    book.save(tmp_path / "built.xlsx")
    theirs = openpyxl.load_workbook(tmp_path / "openpyxl.xlsx")
    ours = openpyxl.load_workbook(tmp_path / "built.xlsx")
    assert ours.sheetnames == theirs.sheetnames == ["Issues", "About this copy"]
    for name in ours.sheetnames:
        built, written = _look(ours[name]), _look(theirs[name])
        assert built == written, name
    issues = _look(ours["Issues"])
    assert issues["cells"]["A1"][1:4] == ("1F4E78", True, "FFFFFF")  # white on dark blue
    assert issues["cells"]["B3"][0] == "DUPL" and issues["cells"]["G3"][0] == "=1+1"
    assert ours["Issues"]["G3"].data_type == "s"  # text, never a formula
    assert issues["tables"] == {"Issues": ("A1:G3", "TableStyleMedium2")}


def test_values_are_written_by_their_type(tmp_path):
    book = BuiltWorkbook()
    ws = book.sheet("Values")
    values = [
        "text",
        "=SUM(A1:A2)",
        "-5 not a number",
        "\x01control\x7f",
        "é" * 40_000,  # beyond a cell's 32,767 characters
        7,
        2.5,
        10**400,
        float("nan"),
        float("inf"),
        True,
        date(2026, 1, 31),
        datetime(2026, 1, 31, 13, 45),
        time(6, 30),
        date(1, 1, 1),  # a typing slip: before any spreadsheet date
        datetime(2026, 1, 31, 13, 45, tzinfo=UTC),
        ["a", "b"],
        None,
        "",
    ]
    for i, value in enumerate(values):
        book.write(ws, i, 0, value)
    book.save(tmp_path / "v.xlsx")
    got = [c.value for c in openpyxl.load_workbook(tmp_path / "v.xlsx")["Values"]["A"]]
    assert got[:3] == ["text", "=SUM(A1:A2)", "-5 not a number"]
    # a control character XML cannot hold, escaped as Excel reads it back (openpyxl would
    # have refused the cell, and the sender got no feedback)
    assert got[3] == "_x0001_control\x7f"
    assert got[4] == "é" * 32_767
    assert got[5:8] == [7, 2.5, str(10**400)]
    assert got[8] is None and got[9] == "inf"
    assert got[10] is True
    assert got[11] == datetime(2026, 1, 31) and got[12] == datetime(2026, 1, 31, 13, 45)
    assert got[13] == time(6, 30)
    assert got[14:16] == ["0001-01-01", "2026-01-31T13:45:00+00:00"]  # as text
    assert got[16] == "a;b"
    assert len(got) == 17  # None and "" write nothing
    sheet = openpyxl.load_workbook(tmp_path / "v.xlsx")["Values"]
    assert sheet["A2"].data_type == "s" and sheet["A2"].quotePrefix  # shown as typed


def test_a_csv_copy_marks_each_problem_cell_an_error_first(tmp_path):
    """The built copy of a small CSV: every value as sent (text stays text), the problem
    cells coloured with every problem of the cell in its note; a cell with an error and a
    warning takes the error's colour."""
    sent = tmp_path / "st.csv"
    sent.write_text(
        "Invoice Number,Quantity,Note\nINV-1,=2+3,007\nINV-1,x,\n",
        encoding="utf-8",
    )
    issues = [
        Issue(
            "DUPL",
            "the same invoice line appears earlier",
            WARNING,
            "st.csv",
            line=3,
            column="Invoice Number",
        ),
        Issue("REF", "unknown invoice", ERROR, "st.csv", line=3, column="Invoice Number"),
        Issue("QUAN", "Quantity is not a number", ERROR, "st.csv", line=2, column="Quantity"),
        Issue("DOCU", "a note past the values", WARNING, "st.csv", line=3, column="Note"),
    ]
    xlsx, js = write_feedback(sent, issues, {"status": "accepted"}, tmp_path / "out")
    wb = openpyxl.load_workbook(xlsx)
    assert wb.sheetnames == ["Issues", "Data"] and wb.active.title == "Issues"
    data = wb["Data"]
    assert [[c.value for c in row] for row in data.iter_rows(max_col=3)] == [
        ["Invoice Number", "Quantity", "Note"],
        ["INV-1", "=2+3", "007"],
        ["INV-1", "x", None],
    ]
    assert data["B2"].data_type == "s"
    assert data["A3"].fill.fgColor.rgb.endswith("F8CBAD")  # the error's colour wins
    assert "(DUPL)" in data["A3"].comment.text and "(REF)" in data["A3"].comment.text
    assert data["A3"].comment.author == "channelxl"
    assert data["B2"].fill.fgColor.rgb.endswith("F8CBAD")
    assert data["C3"].fill.fgColor.rgb.endswith("FFE699") and data["C3"].comment is not None
    assert data["A2"].comment is None and data["A2"].fill.fill_type is None
    listed = [[c.value for c in row] for row in wb["Issues"].iter_rows(min_row=2)]
    assert [row[1] for row in listed] == ["QUAN", "REF", "DUPL", "DOCU"]  # errors first, by line
    assert len(json.loads(js.read_text())["issues"]) == 4


def test_a_sheet_sent_under_the_feedback_sheet_name_is_kept_renamed(tmp_path, monkeypatch):
    """A large workbook (copied from what calamine reads) whose sheet is called Issues:
    the copy keeps it as "Issues (2)", beside the feedback's own Issues sheet."""
    from channelxl.io import feedback_workbook

    monkeypatch.setattr(feedback_workbook, "FULL_COPY_WORKBOOK_BYTES", 100)
    sent = tmp_path / "st.xlsx"
    wb = Workbook()
    wb.active.title = "Issues"
    wb.active.append(["Invoice Number", "Quantity"])
    wb.active.append(["INV-1", "x"])
    wb.save(sent)
    issue = Issue("QUAN", "Quantity is not a number", ERROR, "st.xlsx", sheet="Issues", cell="B2")
    xlsx, _ = write_feedback(sent, [issue], {"status": "accepted"}, tmp_path / "out")
    back = openpyxl.load_workbook(xlsx)
    assert back.sheetnames == ["Issues", "About this copy", "Issues (2)"]
    copy = back["Issues (2)"]
    assert [c.value for c in copy[2]] == [2, "INV-1", "x"]  # its row number, then the row
    assert copy["C2"].fill.fgColor.rgb.endswith("F8CBAD") and copy.freeze_panes == "B2"
    assert copy["A1"].font.bold


def test_a_senders_own_workbook_keeps_its_sheet_named_issues(tmp_path):
    """A small workbook marked in place (openpyxl) with sheets called Issues and
    "Issues (2)": both kept (the first renamed), its problem marked on it, and the
    feedback's Issues sheet first."""
    sent = tmp_path / "st.xlsx"
    wb = Workbook()
    wb.active.title = "Issues"
    wb.active.append(["Invoice Number", "Quantity"])
    wb.active.append(["INV-1", "x"])
    wb.create_sheet("Issues (2)")["A1"] = "their notes"
    wb.save(sent)
    issue = Issue("QUAN", "Quantity is not a number", ERROR, "st.xlsx", sheet="Issues", cell="B2")
    xlsx, _ = write_feedback(sent, [issue], {"status": "accepted"}, tmp_path / "out")
    back = openpyxl.load_workbook(xlsx)
    assert back.sheetnames == ["Issues", "Issues (3)", "Issues (2)"]
    assert back["Issues (3)"]["B2"].value == "x"
    assert back["Issues (3)"]["B2"].fill.fgColor.rgb.endswith("F8CBAD")
    assert back["Issues (2)"]["A1"].value == "their notes"
    assert back["Issues"]["B2"].value == "QUAN"

"""Feedback for the sender of a file: a copy of what they sent with every problem cell
highlighted and commented, an Issues sheet, and the same as JSON beside it.

The original is never touched: workbooks are re-read (cached values only, so nothing they
sent runs as a formula in the copy) and CSV files are laid out on a sheet. What is written
comes from the issues found and a summary of what happened to the file (``IngestResult.
outcome()``): nothing here knows the ledger.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter

from channelxl.io.atomic import write_atomically
from channelxl.io.csv_dialect import file_format, sniff_csv
from channelxl.io.table_sheets import BAD_FILL, save_atomically, write_table_sheet, write_value
from channelxl.issues import Issue
from channelxl.schema.outputs import FEEDBACK_ISSUES

WARN_FILL = PatternFill("solid", fgColor="FFE699")


def _copy(path: Path):
    """A workbook to annotate: the sender's own (values only), or their CSV on a sheet."""
    fmt = file_format(path)
    if fmt == "zip":
        try:
            return load_workbook(path, data_only=True), None
        except Exception:
            pass  # .ods and the like: rebuilt from what calamine reads
    wb = Workbook()
    ws = wb.active
    ws.title = "Data"
    header = None
    if fmt == "text":
        dialect = sniff_csv(path)
        encoding = "utf-8-sig" if dialect.encoding == "utf-8" else "latin-1"
        with open(path, encoding=encoding, newline="") as f:
            for i, row in enumerate(csv.reader(f, delimiter=dialect.delimiter), start=1):
                for j, value in enumerate(row, start=1):
                    write_value(ws.cell(row=i, column=j), value)
                if i == 1:
                    header = row
        return wb, header
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    wb.remove(ws)
    for name in book.sheet_names:
        sheet = wb.create_sheet(name[:31])
        for i, row in enumerate(
            book.get_sheet_by_name(name).to_python(skip_empty_area=False), start=1
        ):
            for j, value in enumerate(row, start=1):
                write_value(sheet.cell(row=i, column=j), value if value != "" else None)
    return wb, None


def write_feedback(
    sent: str | os.PathLike, issues: list[Issue], outcome: dict, out_dir: str | os.PathLike
) -> tuple[Path, Path]:
    """feedback_<file>.xlsx and .json in ``out_dir`` for the file ``sent``, its ``issues``
    and its ``outcome`` (status, kind, submission, line counts, message); returns both paths."""
    path = Path(sent)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"feedback_{path.stem}"
    try:
        wb, csv_header = _copy(path)
    except Exception:  # unreadable: the Issues sheet alone
        wb, csv_header = Workbook(), None
        wb.remove(wb.active)
    for issue in issues:
        ws, ref = None, None
        if issue.sheet and issue.cell and issue.sheet in wb.sheetnames:
            ws, ref = wb[issue.sheet], issue.cell
        elif issue.line and csv_header is not None and "Data" in wb.sheetnames:
            ws = wb["Data"]
            keys = [h.strip().casefold() for h in csv_header]
            j = (
                keys.index(issue.column.casefold())
                if issue.column and issue.column.casefold() in keys
                else 0
            )
            ref = f"{get_column_letter(j + 1)}{issue.line}"
        if ws is None:
            continue
        cell = ws[ref]
        cell.fill = BAD_FILL if issue.severity == "error" else WARN_FILL
        note = f"{issue.code}: {issue.message}"
        if cell.comment is not None and cell.comment.author == "channelxl":
            note = cell.comment.text + "\n" + note
        cell.comment = Comment(note, "channelxl", width=320, height=120)
    if FEEDBACK_ISSUES.title in wb.sheetnames:
        del wb[FEEDBACK_ISSUES.title]
    rows = [
        {
            "severity": i.severity,
            "code": i.code,
            "sheet": i.sheet,
            "cell": i.cell,
            "line": i.line,
            "column": i.column,
            "message": i.message,
        }
        for i in issues
    ]
    write_table_sheet(wb, FEEDBACK_ISSUES, rows, validation=False)
    wb.move_sheet(FEEDBACK_ISSUES.title, offset=-(len(wb.sheetnames) - 1))
    wb.active = 0
    xlsx = save_atomically(wb, out_dir / f"{stem}.xlsx")
    report = {"file": path.name, **outcome, "issues": rows}
    json_path = out_dir / f"{stem}.json"
    write_atomically(json_path, json.dumps(report, indent=2, default=str))
    return xlsx, json_path

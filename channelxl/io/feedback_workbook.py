"""Feedback for the sender of a file: a copy of what they sent with every problem cell
highlighted and commented, an Issues sheet, and the same as JSON beside it.

The original is never touched: workbooks are re-read (cached values only, so nothing they
sent runs as a formula in the copy) and CSV files are laid out on a sheet. What is written
comes from the issues found and a summary of what happened to the file (``IngestResult.
outcome()``): nothing here knows the ledger.

A large file is not copied whole: the copy holds its header and the lines with problems,
each with its line (or row) number in the sender's file, and says so. Its cost stays that
of the problems, not of the file: a file of a million good lines and one bad one gets a
copy of one line. At most ``MAX_MARKED_LINES`` lines are copied and marked and
``MAX_ISSUE_ROWS`` problems listed on the Issues sheet (the JSON lists every one).

Names: ``feedback_<file name>_<8 hex digits of the file's SHA-256>.xlsx`` and ``.json``.
The whole file name keeps ``st.csv`` and ``st.xlsx`` apart; the hash keeps a corrected
file's answer beside the first one, and gives the same file the same name every time.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.utils import column_index_from_string

from channelxl.core.wording import plural
from channelxl.errors import FileRefused
from channelxl.io.atomic import FORBIDDEN_IN_NAMES, atomic_file, path_inside
from channelxl.io.built_workbook import BuiltWorkbook
from channelxl.io.csv_dialect import csv_records, file_format, sniff_csv
from channelxl.io.edi import SNIFF_BYTES, is_edi
from channelxl.io.safety import check_sheet_extent, check_workbook, check_zip
from channelxl.io.table_sheets import (
    BAD_FILL,
    BAD_RGB,
    save_atomically,
    sheet_title,
    write_table_sheet,
    write_text_sheet,
)
from channelxl.issues import ERROR, Issue, label
from channelxl.schema.outputs import FEEDBACK_ISSUES

WARN_RGB = "FFE699"  # a cell with a warning (an error's: table_sheets.BAD_RGB)
WARN_FILL = PatternFill("solid", fgColor=WARN_RGB)
# the two colours for io.built_workbook, by whether an error is among the cell's problems
LOOK = {
    True: {"pattern": 1, "bg_color": f"#{BAD_RGB}"},
    False: {"pattern": 1, "bg_color": f"#{WARN_RGB}"},
}
NOTE_SIZE = {"width": 320, "height": 120}  # a problem's note, in pixels
FULL_COPY_BYTES = 1 << 20  # a CSV up to 1 MiB is copied whole; a larger one, its problem lines
FULL_COPY_WORKBOOK_BYTES = 256 << 10  # the same for a workbook (zipped: ~10 times the data)
MAX_MARKED_LINES = 5_000  # lines (or rows) copied with their problems marked
MAX_ISSUE_ROWS = 10_000  # problems listed on the Issues sheet
MAX_NAME_CHARS = 100  # of the sender's file name kept in the feedback's name
LINE_HEADER = "Line in your file"
ROW_HEADER = "Row in your sheet"
COPY_SHEET = "Data"
ABOUT_SHEET = "About this copy"


def _digest(path: Path) -> str:
    """SHA-256 of the file's bytes (of its name when it cannot be read)."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
    except OSError:
        return hashlib.sha256(path.name.encode("utf-8", "surrogateescape")).hexdigest()
    return h.hexdigest()


def feedback_stem(sent: str | os.PathLike, digest: str | None = None) -> str:
    """``feedback_<file name>_<8 hex digits of its SHA-256>``: unique per file content,
    the same for the same file; characters no file name may hold become ``_``."""
    path = Path(sent)
    name = FORBIDDEN_IN_NAMES.sub("_", path.name).strip(" .")[:MAX_NAME_CHARS] or "file"
    return f"feedback_{name}_{(digest or _digest(path))[:8]}"


def _in_order(issues: list[Issue]) -> list[Issue]:
    """What is said of the file as a whole first (why it was refused, or held for the
    analyst), then errors (lines not accepted) before warnings, each in the order of the
    file."""
    return sorted(
        issues,
        key=lambda i: (
            i.code != "FILE",
            i.severity != ERROR,
            i.sheet or "",
            i.line or 0,
            _row_of(i.cell) or 0,
        ),
    )


_A1 = re.compile(r"\$?([A-Za-z]{1,3})\$?([1-9][0-9]{0,6})")


def _a1(cell: str | None) -> tuple[str, int] | None:
    """("J", 4) for "J4"; None for anything that is not one cell's reference."""
    found = _A1.fullmatch(cell or "")
    return (found.group(1).upper(), int(found.group(2))) if found else None


def _row_of(cell: str | None) -> int | None:
    where = _a1(cell)
    return where[1] if where else None


def _marked_places(issues: list[Issue]) -> tuple[set[int], dict[str, set[int]]]:
    """The first ``MAX_MARKED_LINES`` CSV lines and sheet rows with problems."""
    lines: set[int] = set()
    rows: dict[str, set[int]] = {}
    count = 0
    for issue in issues:
        if count >= MAX_MARKED_LINES:
            break
        row = _row_of(issue.cell)
        if issue.sheet and row is not None:
            if row not in rows.setdefault(issue.sheet, set()):
                rows[issue.sheet].add(row)
                count += 1
        elif issue.line is not None and issue.line not in lines:
            lines.add(issue.line)
            count += 1
    return lines, rows


# ----------------------------------------------------------------- reading what was sent
def _csv_records(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(physical line where it starts, values) of every record, as ``csv_line_numbers``
    counts lines (a quoted value may span lines)."""
    for record in csv_records(path, sniff_csv(path)):  # the file's own encoding
        yield record.line, record.fields


def _sheet_rows(path: Path) -> Iterator[tuple[str, list[list]]]:
    """(sheet name, rows of cached values) of a workbook, as python-calamine reads it.

    ``_copy`` has run ingest's guards on the file first (it may be the hostile one that
    was just refused); each sheet's extent is checked again before it is read."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    for name in book.sheet_names:
        sheet = book.get_sheet_by_name(name)
        check_sheet_extent(path, name, sheet.end)
        yield name, sheet.to_python(skip_empty_area=False)


class _Sheet:
    """A sheet of the copy built from what was sent: its cells row by row (row 1 first);
    ``header``: the first row bold and frozen with the number column (a copy of the
    problem lines only)."""

    def __init__(self, title: str, header: bool = False):
        self.title, self.header = title, header
        self.rows: list[list] = []


class _Copy:
    """The workbook sent back, and where each located problem is in it: the sender's own
    workbook (``wb``, openpyxl: marked in place), or sheets built from what they sent
    (``sheets``, written by ``io.built_workbook``)."""

    def __init__(self, wb: Workbook | None = None, note: list[str] | None = None):
        self.wb = wb
        self.sheets: list[_Sheet] = []
        self.note = note or []  # what the copy holds, when not the whole file
        self.csv_rows: dict[int, int] = {}  # CSV physical line -> row in the copy
        self.csv_columns: dict[str, int] = {}  # CSV header (casefolded) -> column in the copy
        self.sheet_rows: dict[str, dict[int, int]] = {}  # sheet -> its row -> row in the copy
        self.sheet_names: dict[str, str] = {}  # sender's sheet name -> name in the copy
        self.column_shift = 0  # columns added in front (the line or row number)
        # the feedback's own sheets come first: a sheet sent under one of their names is
        # renamed in a built copy
        self.sheetnames = [FEEDBACK_ISSUES.title, ABOUT_SHEET]

    def new_sheet(self, name: str, header: bool = False) -> _Sheet:
        sheet = _Sheet(sheet_title(self, name), header)
        self.sheetnames.append(sheet.title)
        self.sheets.append(sheet)
        return sheet

    def place(self, issue: Issue) -> tuple[str, int, int] | None:
        """(the copy's sheet, row, column; 1-based) for ``issue``, or None when it is not
        in the copy."""
        if issue.sheet and issue.cell and issue.sheet in self.sheet_names:
            where = _a1(issue.cell)
            if where is None:
                return None
            letters, row = where
            rows = self.sheet_rows.get(issue.sheet)
            if rows is not None:
                row = rows.get(row)
            if row is None:
                return None
            column = column_index_from_string(letters) + self.column_shift
            return self.sheet_names[issue.sheet], row, column
        if issue.line is not None and self.csv_rows and issue.line in self.csv_rows:
            key = (issue.column or "").strip().casefold()
            column = self.csv_columns.get(key, 1 + self.column_shift)
            return COPY_SHEET, self.csv_rows[issue.line], column
        return None


def _whole_csv(path: Path) -> _Copy:
    copy = _Copy()
    rows = copy.new_sheet(COPY_SHEET).rows
    for i, (line, record) in enumerate(_csv_records(path), start=1):
        rows.append(record)
        copy.csv_rows[line] = i
        if i == 1:
            copy.csv_columns = {h.strip().casefold(): j for j, h in enumerate(record, start=1)}
    return copy


def _csv_problem_lines(path: Path, wanted: set[int], total_problem_lines: int) -> _Copy:
    copy = _Copy()
    copy.column_shift = 1
    rows = copy.new_sheet(COPY_SHEET, header=True).rows
    rows.append([LINE_HEADER])
    lines = 0
    for line, record in _csv_records(path):
        lines = line
        if line == 1:
            rows[0] = [LINE_HEADER, *record]
            copy.csv_columns = {h.strip().casefold(): j for j, h in enumerate(record, start=2)}
        elif line in wanted:
            rows.append([line, *record])
            copy.csv_rows[line] = len(rows)
    copy.note = _note(len(rows) - 1, total_problem_lines, f"{lines:,} lines", "line")
    return copy


def _note(copied: int, problems: int, size: str, unit: str) -> list[str]:
    more = (
        f" (the first {copied:,} of the {problems:,} {unit}s with problems)"
        if problems > copied
        else ""
    )
    return [
        "# About this copy",
        f"Your file is large ({size}), so this copy does not repeat all of it: it holds the "
        f"header and only the {unit}s with problems{more}. Column A gives each one's {unit} "
        "number in your file; the problem cells are coloured, with a note saying what is "
        "wrong.",
        "The Issues sheet lists the problems. Please correct them in your own file and send "
        "the whole file again.",
    ]


def _sheets_copy(path: Path, wanted: dict[str, set[int]] | None, problems: int) -> _Copy:
    """Sheets rebuilt from what calamine reads: every row (``wanted`` None), or each
    sheet's first row (its header) and the rows ``wanted``, numbered as in the file."""
    copy = _Copy()
    copy.column_shift = 0 if wanted is None else 1
    copied, size = 0, 0
    for name, grid in _sheet_rows(path):
        size += len(grid)
        rows = None if wanted is None else wanted.get(name, set())
        if rows is not None and not rows:
            continue
        sheet = copy.new_sheet(name, header=rows is not None)
        copy.sheet_names[name] = sheet.title
        if rows is None:
            sheet.rows = grid
            continue
        copy.sheet_rows[name] = {}
        header = next((i for i, r in enumerate(grid) if any(v != "" for v in r)), 0)
        sheet.rows.append([ROW_HEADER, *(grid[header] if grid else [])])
        for i in sorted(rows):
            if 1 <= i <= len(grid):
                sheet.rows.append([i, *grid[i - 1]])
                copy.sheet_rows[name][i] = len(sheet.rows)
        copied += len(sheet.rows) - 1
    if wanted is not None:
        copy.note = _note(copied, problems, f"{size:,} rows", "row")
    return copy


def _edi_note(path: Path, outcome: dict) -> list[str]:
    """What the feedback on an EDI file holds (there is no grid to mark)."""
    try:
        with open(path, "rb") as f:
            if not is_edi(f.read(SNIFF_BYTES)):
                return []
    except OSError:
        return []
    whose = f", sent by {outcome['distributor']}" if outcome.get("distributor") else ""
    return [
        f"# Your EDI file {path.name}{whose}",
        "The Issues sheet lists each problem where the EDI file has it: the interchange "
        "control number, the transaction set or message, the segment (its position counted "
        "from ST or UNH, and its id) and the element.",
        "The acknowledgement sent with this workbook (997 for X12, CONTRL for EDIFACT) "
        "answers the file's syntax; this workbook says what its lines mean for the program "
        "(unknown products or resellers, dates, prices, duplicates).",
    ]


def _drop_blank_cells(ws) -> None:
    """Forget the cells that hold nothing and show nothing: no value, no note or link, no
    font, fill, border, alignment or protection of their own, at most a number format
    (which an empty cell does not show). A returned template has 2,000 such rows a sheet,
    formatted for typing; the copy looks the same without them and is written in a
    fraction of the time (openpyxl keeps its cells in ``ws._cells``)."""
    blank = [
        where
        for where, cell in ws._cells.items()
        if cell.value is None
        and not isinstance(cell, MergedCell)  # a merged block's note goes on its first cell
        and cell.comment is None
        and cell.hyperlink is None
        and not (
            cell._style.fontId
            or cell._style.fillId
            or cell._style.borderId
            or cell._style.alignmentId
            or cell._style.protectionId
        )
    ]
    for where in blank:
        del ws._cells[where]


def _copy(path: Path, issues: list[Issue]) -> _Copy:
    """A workbook to annotate: the sender's own (values only) or their CSV on a sheet when
    small; the header and the problem lines or rows when large."""
    fmt = file_format(path)
    if fmt == "text":
        with open(path, "rb") as f:
            if is_edi(f.read(SNIFF_BYTES)):  # no grid to mark: the Issues sheet names segments
                raise FileRefused(str(path), [])
    if fmt in ("zip", "ole"):
        # the same guards as ingest: the file may be the zip bomb or the reader-killing
        # workbook that was just refused (FileRefused: the sender gets the Issues sheet)
        if fmt == "zip":
            check_zip(path)
        check_workbook(path, fmt)
    limit = FULL_COPY_BYTES if fmt == "text" else FULL_COPY_WORKBOOK_BYTES
    large = path.stat().st_size > limit
    lines, rows = _marked_places(issues)
    if fmt == "text":
        if not large:
            return _whole_csv(path)
        problem_lines = len({i.line for i in issues if i.line is not None})
        return _csv_problem_lines(path, lines, problem_lines)
    if large:
        problem_rows = len({(i.sheet, _row_of(i.cell)) for i in issues if i.sheet and i.cell})
        return _sheets_copy(path, rows, problem_rows)
    if fmt == "zip":
        try:
            wb = load_workbook(path, data_only=True)
        except Exception:
            pass  # .ods and the like: rebuilt from what calamine reads
        else:
            copy = _Copy(wb)
            ours = {title.casefold() for title in copy.sheetnames}
            copy.sheetnames += wb.sheetnames  # a new name is none of these
            for ws in wb.worksheets:
                _drop_blank_cells(ws)
                name = ws.title
                if name.casefold() in ours:  # the feedback's own sheets keep their names
                    ws.title = sheet_title(copy, name)
                    copy.sheetnames.append(ws.title)
                copy.sheet_names[name] = ws.title
            return copy
    return _sheets_copy(path, None, 0)


# ----------------------------------------------------------------- writing the answer
def _merged_anchor(ws, row: int, column: int) -> tuple[int, int, str | None] | None:
    """The cell of the sender's sheet ``ws`` to mark for (``row``, ``column``): itself, or,
    inside a merged block (which holds no value, fill or note of its own), the block's
    first cell, with the block (``D2:D3``)."""
    cell = ws.cell(row=row, column=column)
    if not isinstance(cell, MergedCell):
        return row, column, None
    for block in ws.merged_cells.ranges:
        if cell.coordinate in block:
            return block.min_row, block.min_col, block.coord
    return None


def _marks(copy: _Copy, issues: list[Issue]) -> dict[tuple[str, int, int], list]:
    """Each problem cell of the copy, (sheet, row, column) 1-based -> [whether one of its
    problems is an error (its colour), its notes in order]."""
    marks: dict[tuple[str, int, int], list] = {}
    for issue in issues:
        where = copy.place(issue)
        if where is None:
            continue
        title, row, column = where
        block = None
        if copy.wb is not None:
            anchored = _merged_anchor(copy.wb[title], row, column)
            if anchored is None:
                continue
            row, column, block = anchored
        mark = marks.get((title, row, column))
        if mark is None:
            if len(marks) >= MAX_MARKED_LINES * 4:
                continue  # enough notes for anyone to read; the Issues sheet has the rest
            mark = marks[title, row, column] = [False, []]
        mark[0] = mark[0] or issue.severity == ERROR
        # words first; the code after them matches the Issues sheet's Code column
        note = f"{label(issue.code)} ({issue.code}): {issue.message}"
        if block is not None and not issue.message.startswith(f"{issue.cell} "):
            # said of a cell inside the block: name that cell
            note = f"{issue.cell} (in the merged cells {block}): {note}"
        mark[1].append(note)
    return marks


def _write_marked(copy: _Copy, marks: dict, listed: list[dict], target: Path) -> Path:
    """The sender's own workbook (openpyxl), marked, with the Issues sheet first."""
    wb = copy.wb
    for (title, row, column), (error, notes) in marks.items():
        cell = wb[title].cell(row=row, column=column)
        cell.fill = BAD_FILL if error else WARN_FILL
        cell.comment = Comment("\n".join(notes), "channelxl", **NOTE_SIZE)
    write_table_sheet(wb, FEEDBACK_ISSUES, listed, validation=False)
    wb.move_sheet(FEEDBACK_ISSUES.title, offset=-(len(wb.sheetnames) - 1))
    if copy.note:
        write_text_sheet(wb, ABOUT_SHEET, copy.note, index=1)
    wb.active = 0
    return save_atomically(wb, target)


def _write_built(copy: _Copy, marks: dict, listed: list[dict], target: Path) -> Path:
    """The Issues sheet, what the copy holds and the sheets built from what was sent,
    marked (``io.built_workbook``)."""
    book = BuiltWorkbook()
    book.table_sheet(FEEDBACK_ISSUES, listed)
    if copy.note:
        book.text_sheet(ABOUT_SHEET, copy.note)
    by_sheet: dict[str, dict[tuple[int, int], list]] = {}
    for (title, r, c), mark in marks.items():
        by_sheet.setdefault(title, {})[r, c] = mark
    for sheet in copy.sheets:
        ws = book.sheet(sheet.title)
        here = by_sheet.get(sheet.title, {})
        for i, row in enumerate(sheet.rows):
            bold = {"bold": True} if sheet.header and i == 0 else {}
            for j, value in enumerate(row):
                mark = here.get((i + 1, j + 1))
                book.write(ws, i, j, value, **({**bold, **LOOK[mark[0]]} if mark else bold))
        for (r, c), (error, notes) in here.items():
            if r > len(sheet.rows) or c > len(sheet.rows[r - 1]):  # beyond the row's values
                book.write(ws, r - 1, c - 1, None, **LOOK[error])
            ws.write_comment(r - 1, c - 1, "\n".join(notes), {"author": "channelxl", **NOTE_SIZE})
        if sheet.header:
            ws.freeze_panes(1, 1)
    return book.save(target)


def _issue_row(i: Issue) -> dict:
    return {
        "severity": i.severity,
        "code": i.code,
        "sheet": i.sheet,
        "cell": i.cell,
        "line": i.line,
        "column": i.column,
        "message": i.message,
    }


def write_feedback(
    sent: str | os.PathLike,
    issues: list[Issue],
    outcome: dict,
    out_dir: str | os.PathLike,
    *,
    digest: str | None = None,
) -> tuple[Path, Path]:
    """``feedback_<file>_<hash>.xlsx`` and ``.json`` (:func:`feedback_stem`) in ``out_dir``
    for the file ``sent``, its ``issues`` and its ``outcome`` (status, kind, submission, line
    counts, message); returns both paths. ``digest``: the file's SHA-256, when known."""
    path = Path(sent)
    out_dir = Path(out_dir)
    stem = feedback_stem(path, digest)
    ordered = _in_order(issues)
    try:
        copy = _copy(path, ordered)
    except Exception:  # unreadable, or EDI: the Issues sheet alone
        copy = _Copy(note=_edi_note(path, outcome))
    marks = _marks(copy, ordered)
    listed = [_issue_row(i) for i in ordered[:MAX_ISSUE_ROWS]]
    if len(ordered) > MAX_ISSUE_ROWS:
        listed.append(
            {
                "message": f"... and {plural(len(ordered) - MAX_ISSUE_ROWS, 'more problem')}: "
                f"the first {MAX_ISSUE_ROWS:,} are listed here. Correct these, send the file "
                "again, and the rest will be listed then."
            }
        )
    write = _write_built if copy.wb is None else _write_marked
    xlsx = write(copy, marks, listed, path_inside(out_dir, f"{stem}.xlsx"))
    report = {"file": path.name, **outcome}
    if copy.note:
        report["copy"] = copy.note[1]
    json_path = path_inside(out_dir, f"{stem}.json")
    with atomic_file(json_path, "w", encoding="utf-8") as fh:
        fh.writelines(_json_lines(report, (_issue_row(i) for i in issues)))
    return xlsx, json_path


def _json_lines(report: dict, issues: Iterable[dict]) -> Iterator[str]:
    """``report`` with its ``issues`` as JSON, a field or an issue a line: as readable as
    an indented document, and written piece by piece by the C encoder (``json.dump`` with
    an indent runs in Python: 300,000 issues took 45 s)."""
    yield "{\n"
    for key, value in report.items():
        yield f"  {json.dumps(key)}: {json.dumps(value, default=str)},\n"
    yield '  "issues": ['
    separator = "\n    "
    for row in issues:
        yield separator + json.dumps(row, default=str)
        separator = ",\n    "
    yield ("\n  ]" if separator != "\n    " else "]") + "\n}\n"

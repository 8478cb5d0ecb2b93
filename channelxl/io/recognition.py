"""Recognising the files people send: what a received file is and which tables it holds.

A CSV or a spreadsheet export is recognised from its header row (the first row with
anything in it, or one of the few below it when a title sits on top), matched against the
layouts declared in ``schema.received`` ignoring case, spaces, underscores and column
order; a returned monthly report template by the distributor and period stored in it
(``io.template_workbook``), or, for a sheet of it exported as CSV, by the name it was sent
with. :func:`read_received` does both and returns the file's parts (a CSV, a workbook
sheet, the two sheets of a template) with the distributor and period it is for. Nothing
here loads anything; ``ledger.ingest_file`` does.

Rules for workbooks as they really arrive:

- Only **visible** worksheets are data. A hidden sheet that matches a layout while no
  visible one does is refused, saying so; beside the sheet read, it is left out with a
  warning naming it (``Part.notes``); the template's own hidden sheets (``Lists``,
  ``_channelxl``) are never data.
- **One table per file.** Several visible sheets that each match a layout are refused,
  listing them: a second matching sheet is most often a stale copy or last month's, and
  loading either silently could load the wrong one or count lines twice. A template is
  read from its two sheets; another visible sheet holding report lines is refused too.
- **Merged cells** read empty except their first cell: a data cell inside a merged block
  whose first cell holds a value is named as such (``SheetGrid.merged``) by the loader,
  not called "required"; a header row with merged cells is named in the refusal.
- A sheet that cannot be read (damaged XML, not XML) is refused naming the sheet; every
  sheet is held to ``io.safety``'s size budget before it is read into memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from python_calamine import CalamineSheet, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from channelxl.errors import FileRefused
from channelxl.io.cells import is_blank
from channelxl.io.csv_dialect import CsvDialect, file_format, sniff_csv
from channelxl.io.safety import (
    check_sheet_extent,
    check_zip,
    is_reader_failure,
    open_workbook,
    reader_message,
    refusal,
)
from channelxl.io.template_workbook import (
    META_SHEET,
    TemplateMetaError,
    kept_in_file_names,
    scope_from_file_name,
    template_scope,
    template_sources,
)
from channelxl.issues import WARNING, Issue, a1
from channelxl.schema import EXPORT_TABLES, TEMPLATE_SHEETS, Column, Table, normalize_header

HEADER_ROWS = 10  # rows, from the first with anything in it, searched for the header row


@dataclass
class Layout:
    """How a file's columns map onto a declared table."""

    table: Table
    mapping: dict[int, Column]  # file column position -> declared column
    extra: list[str]  # file headers not in the layout (ignored, with a warning)

    def position(self, field: str) -> int | None:
        """The file column holding ``field`` (None: not in the file)."""
        return self.positions.get(field)

    @cached_property
    def positions(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for j, c in self.mapping.items():
            out.setdefault(c.field, j)  # the first column wins, as a scan would find it
        return out


def recognise(header: list[object]) -> tuple[Layout | None, str]:
    """Match a header row to a layout; return it, or None and a message saying what is missing."""
    keys = [normalize_header(h) for h in header]
    scored = []
    for table in EXPORT_TABLES:
        by_key = {c.key for c in table.columns}
        missing = [c.name for c in table.required if c.key not in keys]
        scored.append((sum(1 for k in keys if k in by_key), missing, table))
    complete = [s for s in scored if not s[1]]
    if not complete:
        matched, missing, nearest = max(scored, key=lambda s: s[0])
        if matched:
            return None, (
                f"looks like a {nearest.title} file but lacks the column(s) "
                f"{', '.join(missing)}; see docs/LAYOUTS.md"
            )
        known = ", ".join(t.name.replace("_", " ") for t in EXPORT_TABLES)
        return None, (
            f"the header row matches no layout channelxl reads ({known}); see docs/LAYOUTS.md"
        )
    table = max(complete, key=lambda s: s[0])[2]
    by_key = {c.key: c for c in table.columns}
    mapping, extra, seen = {}, [], set()
    for j, (h, k) in enumerate(zip(header, keys, strict=True)):
        if k in by_key and k not in seen:
            mapping[j] = by_key[k]
            seen.add(k)
        elif str(h or "").strip():
            extra.append(str(h))
    return Layout(table, mapping, extra), ""


# ---------------------------------------------------------------- a received file's parts
class SheetGrid(list):
    """A sheet's rows as read, header row first, and ``merged``: each data cell that reads
    empty because it lies inside a merged block whose first cell holds a value, as
    (sheet row, column), both 0-based -> the block in A1 form (``A2:A5``)."""

    def __init__(self, rows, merged: dict[tuple[int, int], str] | None = None):
        super().__init__(rows)
        self.merged = merged or {}


@dataclass
class Part:
    """One table of a received file: a CSV, a workbook sheet, one sheet of a template, or
    one kind of report in an EDI file."""

    layout: Layout
    grid: SheetGrid | None = None  # workbook rows (header first); None for CSV
    sheet: tuple | None = None  # (sheet name, header row)
    dialect: CsvDialect | None = None
    edi: object | None = None  # rows read from an EDI file (ledger.load_edi.EdiRows)
    notes: list[Issue] = field(default_factory=list)  # said of the file, not of a line


@dataclass
class Received:
    """What a received file is: its parts, its kind when it is a returned template, and the
    distributor and period it is for (from the template or its file name, else from the
    command line)."""

    parts: list[Part]
    kind: str | None  # "template" for a returned template; else the layout's table name
    distributor: str | None
    period: str | None


def read_received(path: Path, *, distributor: str | None, period: str | None) -> Received:
    """Recognise ``path``; raise ``FileRefused`` saying why when it cannot be taken.

    ``distributor`` and ``period`` are what the command line says the file is for; a
    returned template (or a file named as one is sent) that says otherwise is refused, and
    a report that says neither in its columns, its template nor on the command line is
    refused too.
    """
    fmt = file_format(path)
    if fmt == "binary":
        raise refusal(path, "not a spreadsheet or CSV file")
    if fmt in ("zip", "ole"):
        if fmt == "zip":
            check_zip(path)
        book = open_workbook(path, fmt)
        try:
            return _read_workbook(path, book, distributor, period)
        finally:
            book.close()
    dialect = sniff_csv(path)
    layout, why = recognise(dialect.header)
    if layout is None:
        raise refusal(path, why)
    distributor, period = _scope_from_name(path, layout.table, distributor, period)
    return _received(path, [Part(layout, dialect=dialect)], None, distributor, period)


def _read_workbook(
    path: Path, book: CalamineWorkbook, distributor: str | None, period: str | None
) -> Received:
    scope = _template_scope(path, book)
    if scope is None and _has_template_sheets(book):
        # a template whose properties and hidden sheet are gone: the name it was sent with
        scope = scope_from_file_name(path)
        if scope is None:
            raise refusal(
                path,
                "the workbook has the template's sheets but no longer says whose report it "
                "is or for which month; send the template we sent you, under the name it "
                "came with",
            )
    if scope is None:
        part = _data_sheet(path, book)
        distributor, period = _scope_from_name(path, part.layout.table, distributor, period)
        return _received(path, [part], None, distributor, period)
    for flag, value, what in ((distributor, scope[0], "distributor"), (period, scope[1], "period")):
        if flag and flag != value:
            raise refusal(
                path,
                f"this template is for {what} {value}, not {flag} as it was loaded; check "
                "that it is the right file",
                "SCOPE",
            )
    named = scope_from_file_name(path)
    # an id a file name cannot hold as it is was sent under another form of it
    comparable = kept_in_file_names(scope[0])
    if named and (
        (comparable and named[0].casefold() != scope[0].casefold()) or named[1] != scope[1]
    ):
        raise refusal(
            path,
            f"the file's name says distributor {named[0]} and period {named[1]}, but the "
            f"template inside it was made for distributor {scope[0]} and period {scope[1]}; "
            "send each month's report in the template we sent you for that month, under "
            "the name it came with",
            "SCOPE",
        )
    return _received(path, _template_parts(path, book), "template", *scope)


def _received(path: Path, parts: list[Part], kind, distributor, period) -> Received:
    """The file's parts and scope, once every report says whose it is and for which month."""
    for part in parts:
        table = part.layout.table
        if table.supersede != "period":
            continue
        for value, column in ((distributor, "distributor_id"), (period, "period")):
            if value is None and part.layout.position(column) is None:
                name = table.column(column).name
                # Read by the sender too, who never types a command: no option names here
                raise refusal(
                    path,
                    f"a {table.title} must say which {column.split('_')[0]} it is for: add "
                    f"a {name} column, or send the report in the template we sent you",
                    "COLUMN",
                    column=name,
                )
    return Received(parts, kind, distributor, period)


def _template_scope(path: Path, book: CalamineWorkbook) -> tuple[str, str] | None:
    """(distributor, period) of a returned template; None when the file is not one."""
    try:
        properties, sheet = template_sources(path, book)
        if not properties and not sheet:
            return None
        return template_scope(properties, sheet)
    except TemplateMetaError as exc:
        raise refusal(path, str(exc)) from None
    except BaseException as exc:
        if not is_reader_failure(exc):
            raise
        raise refusal(
            path,
            f"the template's hidden {META_SHEET} sheet cannot be read "
            f"({reader_message(exc)}); send the template we sent you, filled in",
            sheet=META_SHEET,
        ) from None


def _scope_from_name(path: Path, table: Table, distributor, period) -> tuple:
    """A report's distributor and period from its file name when it is named as a template
    is sent (a sheet exported as CSV keeps only that); the command line must agree."""
    named = scope_from_file_name(path) if table.supersede == "period" else None
    if named is None:
        return distributor, period
    for flag, value, what in ((distributor, named[0], "distributor"), (period, named[1], "period")):
        if flag and flag.casefold() != value.casefold():
            raise refusal(
                path,
                f"the file's name says it is for {what} {value}, not {flag} as it was "
                "loaded; check that it is the right file",
                "SCOPE",
            )
    return distributor or named[0], period or named[1]


def _has_template_sheets(book: CalamineWorkbook) -> bool:
    names = {n.casefold() for n in book.sheet_names}
    return all(sheet.title.casefold() in names for sheet in TEMPLATE_SHEETS)


def _usable(meta) -> bool:
    return meta.visible == SheetVisibleEnum.Visible and meta.typ == SheetTypeEnum.WorkSheet


def _template_parts(path: Path, book: CalamineWorkbook) -> list[Part]:
    """The template's sheets, each checked against the layout it was made from; no other
    visible sheet may hold report lines."""
    parts = []
    metadata = {m.name: m for m in book.sheets_metadata}
    names = {n.casefold(): n for n in book.sheet_names}
    for sheet in TEMPLATE_SHEETS:
        name = names.get(sheet.title.casefold())
        if name is None:
            raise refusal(
                path,
                f"the template's {sheet.title} sheet is missing; send the "
                "template back with both sheets",
                "COLUMN",
            )
        if metadata[name].visible != SheetVisibleEnum.Visible:
            raise refusal(
                path,
                f"the template's {name} sheet is hidden; unhide it (right-click a sheet "
                "tab, Unhide) and send the file again",
                "SHEET",
                sheet=name,
            )
        found, why = _look(path, book, name, whole=True)
        if found is None or found.layout.table.name != sheet.name:
            raise refusal(
                path,
                f"sheet {name}: {why or 'the header row was changed'}; keep the "
                "template's header row",
                "COLUMN",
                sheet=name,
                cell="A1",
            )
        parts.append(_part(path, found))
    taken = {part.sheet[0] for part in parts}
    others = [
        found
        for m in book.sheets_metadata
        if m.name not in taken and _usable(m)
        for found in [_look(path, book, m.name)[0]]
        if found is not None
    ]
    if others:
        raise refusal(
            path,
            f"{_listed(others)} also {'holds' if len(others) == 1 else 'hold'} report lines, "
            f"but a template is read from its "
            f"{' and '.join(s.title for s in TEMPLATE_SHEETS)} sheets only; move those lines "
            f"there and delete the other sheet{'s' if len(others) > 1 else ''}, so that "
            "nothing is left out",
            "SHEET",
            sheet=others[0].name,
        )
    parts[0].notes = _hidden_copies(path, book, [part.sheet[0] for part in parts])
    return parts


def _hidden_copies(path: Path, book: CalamineWorkbook, read: list[str]) -> list[Issue]:
    """A warning for each hidden sheet that matches a layout beside the sheets ``read``:
    most often a stale copy, but its sender must know that its lines were not loaded."""
    notes = []
    for m in book.sheets_metadata:
        if _usable(m) or m.name in read or m.name == META_SHEET:
            continue
        try:
            match = _look(path, book, m.name)[0]
        except FileRefused:
            continue  # a hidden sheet that cannot be read is not read either way
        if match is None:
            continue
        notes.append(
            Issue(
                "SHEET",
                f"sheet {m.name} ({match.layout.table.title}) is hidden and was not read: "
                f"only {'sheet' if len(read) == 1 else 'sheets'} {' and '.join(read)} "
                f"{'was' if len(read) == 1 else 'were'}. If its lines "
                "belong to this report, move them there and send the file again; if it is an "
                "old copy, delete it",
                WARNING,
                path.name,
                sheet=m.name,
            )
        )
    return notes


def _data_sheet(path: Path, book: CalamineWorkbook) -> Part:
    """The one visible sheet whose header row matches a layout."""
    usable = [m.name for m in book.sheets_metadata if _usable(m)]
    found, why = [], "" if usable else "the workbook has no visible sheet"
    for name in usable:
        match, reason = _look(path, book, name)
        if match is not None:
            found.append(match)
        why = why or reason
    if len(found) == 1:
        part = _part(path, found[0])
        part.notes = _hidden_copies(path, book, [found[0].name])
        return part
    if found:
        raise refusal(
            path,
            f"{_listed(found)} each hold a table channelxl reads, and a file is read as one "
            "table: send each in a file of its own, or delete the sheets that are not the "
            "report",
            "SHEET",
        )
    for m in book.sheets_metadata:
        if m.visible != SheetVisibleEnum.Visible and m.name != META_SHEET:
            match = _look(path, book, m.name)[0]
            if match is not None:
                raise refusal(
                    path,
                    f"sheet {m.name} matches ({match.layout.table.title}) but is hidden: "
                    "unhide it (right-click a sheet tab, Unhide), or delete it if it is "
                    "not the report",
                    "SHEET",
                    sheet=m.name,
                )
    raise refusal(path, why or "the workbook's sheets are empty")


@dataclass
class _Match:
    """A sheet whose header row matches a layout, before its data rows are read."""

    name: str
    sheet: CalamineSheet
    layout: Layout
    header_row: int
    rows: list  # the sheet's rows read so far, from A1
    whole: bool  # ``rows`` is the whole sheet


def _listed(found: list[_Match]) -> str:
    named = [f"{m.name} ({m.layout.table.title})" for m in found]
    return ("sheet " if len(named) == 1 else "sheets ") + ", ".join(named)


def _look(
    path: Path, book: CalamineWorkbook, name: str, *, whole: bool = False
) -> tuple[_Match | None, str]:
    """Sheet ``name`` when a row near its top matches a layout; else None and why not.
    Only its top rows are converted, unless ``whole`` (a sheet that will be read)."""
    try:
        sheet = book.get_sheet_by_name(name)
        start, end = sheet.start, sheet.end
    except BaseException as exc:
        if not is_reader_failure(exc):
            raise
        raise _unreadable(path, name, exc) from None
    check_sheet_extent(path, name, end)
    if start is None:
        return None, ""
    rows = _rows(path, name, sheet, None if whole else start[0] + HEADER_ROWS)
    why = ""
    for i in range(start[0], min(len(rows), start[0] + HEADER_ROWS)):
        if all(is_blank(v) for v in rows[i]):
            continue
        layout, reason = recognise(rows[i])
        if layout is not None:
            return _Match(name, sheet, layout, i, rows, whole), ""
        why = why or reason + _merged_header_hint(sheet, i)
    return None, why


def _part(path: Path, found: _Match) -> Part:
    """The matched sheet read whole, header row first, with its merged data cells."""
    rows = found.rows if found.whole else _rows(path, found.name, found.sheet)
    grid = rows[found.header_row :]
    merged = _merged_data_cells(path, found.name, found.sheet, grid, found.header_row, found.layout)
    return Part(found.layout, SheetGrid(grid, merged), (found.name, found.header_row))


def _rows(path: Path, name: str, sheet: CalamineSheet, nrows: int | None = None) -> list:
    try:
        return sheet.to_python(skip_empty_area=False, nrows=nrows)
    except BaseException as exc:
        if not is_reader_failure(exc):
            raise
        raise _unreadable(path, name, exc) from None


def _unreadable(path: Path, name: str, exc: BaseException):
    return refusal(
        path,
        f"sheet {name} cannot be read ({reader_message(exc)}): the file is damaged; open it, "
        "save it again as .xlsx and send it again",
        sheet=name,
    )


def _merged_ranges(sheet: CalamineSheet) -> list:
    """The sheet's merged blocks ((first row, col), (last row, col)); none for .ods, where
    calamine does not report them."""
    try:
        return sheet.merged_cell_ranges or []
    except Exception:  # merged blocks only ever add an explanation
        return []


def _merged_header_hint(sheet: CalamineSheet, row: int) -> str:
    blocks = [
        f"{a1(r0, c0)}:{a1(r1, c1)}"
        for (r0, c0), (r1, c1) in _merged_ranges(sheet)
        if r0 <= row <= r1 and c1 > c0
    ]
    if not blocks:
        return ""
    return (
        f"; the header row has merged cells ({', '.join(blocks[:3])}): unmerge them so that "
        "each column has its own name"
    )


def _merged_data_cells(
    path: Path, name: str, sheet: CalamineSheet, grid: list, header_row: int, layout: Layout
) -> dict[tuple[int, int], str]:
    """The data cells of the layout's columns that read empty because they lie inside a
    merged block whose first cell holds a value (see :class:`SheetGrid`)."""
    first, last = header_row + 1, header_row + len(grid) - 1
    columns = sorted(layout.mapping)
    room, covered, out = max(1, last - first + 1) * max(1, len(columns)), 0, {}
    for (r0, c0), (r1, c1) in _merged_ranges(sheet):
        if r1 < first or r0 > last:
            continue
        if r0 >= header_row:
            anchor = grid[r0 - header_row]
            if c0 >= len(anchor) or is_blank(anchor[c0]):
                continue  # an empty block hides nothing
        rows = range(max(r0, first), min(r1, last) + 1)
        inside = [j for j in columns if c0 <= j <= c1]
        covered += len(rows) * len(inside)
        if covered > room:  # blocks that overlap: no spreadsheet saves those
            raise refusal(
                path,
                f"sheet {name}: its merged cells overlap, which no spreadsheet program "
                "saves: the file is damaged; open it, save it again as .xlsx and send it "
                "again",
                sheet=name,
            )
        block = f"{a1(r0, c0)}:{a1(r1, c1)}"
        for i in rows:
            for j in inside:
                if (i, j) != (r0, c0):
                    out[(i, j)] = block
    return out

"""Loading one received file into the ledger: recognise, validate, load, supersede.

Each file is one transaction. What validation finds comes back as :class:`Issue` records
with file, line (CSV) or sheet and cell (workbooks), column and a plain message.

Policy:
- file-level problems (not a table, unknown layout, unreadable, every line bad) refuse
  the file and change nothing;
- line-level errors quarantine those lines and the rest is accepted; ``strict=True``
  refuses the whole file instead;
- warnings are recorded and the line is loaded;
- the same bytes twice change nothing (SHA-256), said plainly.

The CSV path is DuckDB's own reader with the declared column types, so a million-line
export loads at close to the speed of a bare ``read_csv``; rows it cannot cast come back
from its rejects table with their line and column.
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
from python_calamine import CalamineWorkbook

from channelxl._faults import checkpoint
from channelxl.core.periods import Month
from channelxl.core.reconcile import DUPLICATE_LINE_KEY
from channelxl.errors import FileRefused
from channelxl.io.cells import CellError, column_parser, is_blank
from channelxl.io.exports import (
    CsvDialect,
    Layout,
    csv_line_numbers,
    file_format,
    precheck,
    recognise,
    sniff_csv,
)
from channelxl.issues import ERROR, WARNING, Issue, a1
from channelxl.ledger.schema import duck_type, lines_table
from channelxl.ledger.store import Ledger, file_sha256, frame_for_insert, insert_sql
from channelxl.schema import REFERENCE_SEVERITY, Column, Table


@dataclass
class IngestResult:
    """What happened to one file."""

    path: str
    status: str  # accepted | duplicate | refused
    kind: str | None = None
    submission_id: int | None = None
    lines_read: int = 0
    lines_loaded: int = 0
    quarantined: int = 0
    issues: list[Issue] = field(default_factory=list)
    superseded: list[int] = field(default_factory=list)
    message: str = ""
    feedback: str | None = None  # the feedback workbook written for the sender, if any

    @property
    def ok(self) -> bool:
        return self.status in ("accepted", "duplicate")

    @property
    def warnings(self) -> int:
        return sum(1 for i in self.issues if i.severity == WARNING)

    def summary(self) -> str:
        name = Path(self.path).name
        if self.status == "duplicate":
            return f"{name}: unchanged — {self.message}"
        if self.status == "refused":
            return f"{name}: REFUSED — {self.message}"
        parts = [
            f"{self.lines_loaded:,} lines loaded as {self.kind} (submission {self.submission_id})"
        ]
        if self.quarantined:
            parts.append(f"{self.quarantined:,} quarantined")
        if self.warnings:
            parts.append(f"{self.warnings:,} warnings")
        if self.superseded:
            parts.append("supersedes submission " + ", ".join(map(str, self.superseded)))
        return f"{name}: accepted — " + "; ".join(parts)


def issue_code(column: Column) -> str:
    """The data-quality class a bad value of ``column`` belongs to."""
    f = column.field
    if column.type == "date" or f == "period":
        return "DATE"
    if f in ("quantity", "on_hand", "in_transit", "order_line"):
        return "QUAN"
    if f in ("unit_price", "cost", "mdf_claimed"):
        return "PRIC"
    if f in ("invoice_number", "order_number", "activity_id"):
        return "DOCU"
    if f == "sku":
        return "PROD"
    if f == "reseller_id":
        return "PART"
    if f == "distributor_id":
        return "REF"
    return "TYPE"


@dataclass
class _Load:
    ledger: Ledger
    path: Path
    table: Table
    layout: Layout
    sid: int
    distributor: str | None
    period: str | None
    today: date
    locate: object = None  # k (0-based record among loaded rows) -> location dict
    pairs: list = field(default_factory=list)  # (distributor, period) a report covers
    normalized: bool = False  # text already in normal form (small CSV files, workbooks)
    locale: str | None = None  # the distributor's, for dates and numbers typed as text
    issues: list[Issue] = field(default_factory=list)


def ingest_file(
    ledger: Ledger,
    path: str | os.PathLike,
    *,
    distributor: str | None = None,
    period: str | None = None,
    received_at: datetime | None = None,
    strict: bool = False,
    today: date | None = None,
    digest: str | None = None,
) -> IngestResult:
    """Validate and load one file. Never raises for bad input: the result says why.

    ``digest`` is the file's SHA-256 when the caller already has it.
    """
    path = Path(path)
    name = path.name
    refused = precheck(path, name)
    if refused:
        return IngestResult(str(path), "refused", issues=refused, message=refused[0].message)
    if digest is None and path.stat().st_size >= HASH_IN_BACKGROUND:
        # A large file is hashed while DuckDB reads it; a repeat is caught before commit.
        pending = ThreadPoolExecutor(1, thread_name_prefix="sha256").submit(file_sha256, path)
    else:
        digest = digest or file_sha256(path)
        pending = None
        repeat = _already_loaded(ledger, path, digest)
        if repeat:
            return repeat
    if period is not None:
        try:
            period = str(Month.parse(period))
        except ValueError as exc:
            issue = Issue("FILE", str(exc), file=name)
            return IngestResult(str(path), "refused", issues=[issue], message=issue.message)
    try:
        return _ingest(
            ledger,
            path,
            digest or pending,
            distributor,
            period,
            received_at,
            strict,
            today or date.today(),
        )
    except _Repeat as repeat:
        return repeat.result
    except FileRefused as exc:
        return IngestResult(
            str(path),
            "refused",
            kind=getattr(exc, "kind", None),
            issues=exc.issues,
            message=exc.issues[0].message,
        )


HASH_IN_BACKGROUND = 8 << 20  # bytes
SMALL_FILE = 4 << 20  # bytes: below this a CSV is normalised as it is read


class _Repeat(Exception):
    """Raised inside the load transaction when the file turns out to be loaded already."""

    def __init__(self, result: IngestResult):
        self.result = result


def _already_loaded(ledger: Ledger, path: Path, digest: str) -> IngestResult | None:
    rows = ledger.con.execute(
        "SELECT submission_id, kind, loaded_at FROM submissions WHERE sha256 = ?", [digest]
    ).fetchall()
    if not rows:
        return None
    sid, kind, loaded_at = rows[0]
    return IngestResult(
        str(path),
        "duplicate",
        kind=kind,
        submission_id=sid,
        message=f"the same file was loaded as submission {sid} ({kind}) on "
        f"{loaded_at:%Y-%m-%d %H:%M}; nothing changed",
    )


def _refuse(path: Path, message: str, code: str = "FILE", **where) -> FileRefused:
    return FileRefused(str(path), [Issue(code, message, file=path.name, **where)])


MAX_UNZIPPED_BYTES = 2 << 30  # 2 GiB: a workbook that inflates past this is refused
MAX_ZIP_RATIO = 200  # and so is one whose parts inflate more than 200 times


@dataclass
class _Part:
    """One table of a file: a CSV, a workbook sheet, or one sheet of a returned template."""

    layout: Layout
    grid: list | None = None  # workbook rows (header first); None for CSV
    sheet: tuple | None = None  # (sheet name, header row)
    dialect: CsvDialect | None = None


def _check_zip(path: Path) -> None:
    """Refuse a workbook that inflates absurdly or whose XML declares a DTD or entities."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            total = sum(i.file_size for i in infos)
            packed = max(1, sum(i.compress_size for i in infos))
            if total > MAX_UNZIPPED_BYTES or total / packed > MAX_ZIP_RATIO:
                raise _refuse(
                    path,
                    f"the workbook would expand to {total / 2**20:,.0f} MiB "
                    f"({total / packed:,.0f} times its size): refused as unsafe",
                )
            for info in infos:
                if info.filename.endswith((".xml", ".rels", ".vml")):
                    with z.open(info) as f:
                        head = f.read(8192).upper()
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                        raise _refuse(
                            path,
                            f"{info.filename} in the workbook declares a DTD or "
                            "entities, which spreadsheets never need: refused as unsafe",
                        )
    except zipfile.BadZipFile:
        raise _refuse(
            path, "the workbook is damaged (not a valid zip); save it again as .xlsx"
        ) from None


def _open_book(path: Path) -> CalamineWorkbook:
    from python_calamine import PasswordError

    try:
        return CalamineWorkbook.from_path(str(path))
    except PasswordError:
        raise _refuse(
            path,
            "the workbook is password-protected; remove the password (File > "
            "Info > Protect Workbook) and send it again",
        ) from None
    except Exception as exc:
        if file_format(path) == "ole":
            raise _refuse(
                path,
                "the file is encrypted or not a workbook channelxl can read; save "
                "it as .xlsx without a password and send it again",
            ) from None
        raise _refuse(
            path, f"the workbook cannot be read ({exc}); save it again as .xlsx"
        ) from None


def _sheet_grid(book: CalamineWorkbook, name: str) -> tuple[list, int]:
    grid = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    header_row = next((i for i, r in enumerate(grid) if any(not is_blank(v) for v in r)), 0)
    return grid[header_row:], header_row


def _template_parts(path: Path, book: CalamineWorkbook, meta: dict) -> list[_Part]:
    from channelxl.templates import INVENTORY_SHEET, SELL_THROUGH_SHEET

    parts = []
    names = {n.casefold(): n for n in book.sheet_names}
    for sheet in (SELL_THROUGH_SHEET, INVENTORY_SHEET):
        name = names.get(sheet.title.casefold())
        if name is None:
            raise _refuse(
                path,
                f"the template's {sheet.title} sheet is missing; send the "
                "template back with both sheets",
                "COLUMN",
            )
        grid, header_row = _sheet_grid(book, name)
        layout, why = recognise(grid[0] if grid else [])
        if (
            layout is None
            or layout.table.name
            != {"SellThrough": "sell_through", "Inventory": "inventory"}[sheet.title]
        ):
            raise _refuse(
                path,
                f"sheet {name}: {why or 'the header row was changed'}; keep the "
                "template's header row",
                "COLUMN",
                sheet=name,
                cell="A1",
            )
        parts.append(_Part(layout, grid, (name, header_row)))
    return parts


def _ingest(ledger, path, digest, distributor, period, received_at, strict, today):
    fmt = file_format(path)
    if fmt == "binary":
        raise _refuse(path, "not a spreadsheet or CSV file")
    kind = None
    if fmt in ("zip", "ole"):
        if fmt == "zip":
            _check_zip(path)
        book = _open_book(path)
        meta = _template_meta(path) if fmt == "zip" else {}
        if meta.get("kind") == "monthly_report":
            for flag, key, what in (
                (distributor, "distributor_id", "distributor"),
                (period, "period", "period"),
            ):
                if flag and flag != meta.get(key):
                    raise _refuse(
                        path,
                        f"this template is for {what} {meta.get(key)}, not {flag}; "
                        "check the file or the command line",
                        "SCOPE",
                    )
            distributor, period = meta["distributor_id"], meta["period"]
            parts, kind = _template_parts(path, book, meta), "template"
        else:
            parts = [_first_recognised(path, book)]
    else:
        dialect = sniff_csv(path)
        layout, why = recognise(dialect.header)
        if layout is None:
            raise _refuse(path, why)
        parts = [_Part(layout, dialect=dialect)]
    for part in parts:
        table = part.layout.table
        if table.supersede == "period":
            for flag, column, label in (
                (distributor, "distributor_id", "--distributor D001"),
                (period, "period", "--period 2026-10"),
            ):
                if flag is None and part.layout.position(column) is None:
                    raise _refuse(
                        path,
                        f"a {table.title} must say which {column.split('_')[0]} it "
                        f"is for: add a {table.column(column).name} column or give "
                        f"{label}",
                    )
    locale = None
    if distributor:
        rows = ledger.con.execute(
            "SELECT locale FROM distributors WHERE distributor_id = ?", [distributor]
        ).fetchall()
        locale = rows[0][0] if rows else None
    con = ledger.con
    with ledger.transaction():
        sid = ledger.next_submission_id()
        loads, read, quarantined, issues, superseded = [], 0, 0, [], []
        for part in parts:
            load = _Load(
                ledger,
                path,
                part.layout.table,
                part.layout,
                sid,
                distributor,
                period,
                today,
                locale=locale,
            )
            n, bad = _load_part(load, part)
            loads.append(load)
            read += n
            quarantined += bad
            issues.extend(load.issues)
        loaded = read - quarantined
        if strict and quarantined:
            raise FileRefused(
                str(path),
                [
                    Issue(
                        "FILE",
                        f"{quarantined} line(s) have errors and --strict refuses the whole file",
                        file=path.name,
                    ),
                    *issues,
                ],
            )
        if read and loaded <= 0:
            raise FileRefused(
                str(path),
                [
                    Issue(
                        "FILE",
                        f"none of the {read:,} lines could be accepted; the first problem: "
                        f"{issues[0].message if issues else 'unknown'}",
                        file=path.name,
                    ),
                    *issues,
                ],
            )
        if not isinstance(digest, str):
            digest = digest.result()
            repeat = _already_loaded(ledger, path, digest)
            if repeat:
                raise _Repeat(repeat)
        checkpoint("after-insert")
        for load in loads:
            superseded.extend(x for x in _supersede(load) if x not in superseded)
        first = loads[0]
        table = first.table
        mtime = datetime.fromtimestamp(path.stat().st_mtime)
        by_period = table.supersede == "period"
        con.execute(
            "INSERT INTO submissions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'accepted', ?, ?, ?, ?, "
            "NULL)",
            [
                sid,
                kind or table.name,
                path.name,
                str(path.resolve()),
                digest,
                path.stat().st_size,
                (distributor or _one(first.pairs, 0))
                if by_period
                else _single(con, table, sid, "distributor_id"),
                (period or _one(first.pairs, 1)) if by_period else None,
                received_at or mtime,
                datetime.now(),
                read,
                loaded,
                quarantined,
                sum(1 for i in issues if i.severity == WARNING),
            ],
        )
        if superseded:
            con.execute(
                "UPDATE submissions SET superseded_by = ? WHERE list_contains(?, submission_id)",
                [sid, superseded],
            )
        _store_issues(con, sid, issues)
    return IngestResult(
        str(path),
        "accepted",
        kind or table.name,
        sid,
        read,
        loaded,
        quarantined,
        issues,
        superseded,
    )


def _template_meta(path: Path) -> dict:
    from channelxl.templates import read_template_meta

    try:
        return read_template_meta(path)
    except Exception:  # not an xlsx openpyxl can open (e.g. .ods): no template metadata
        return {}


def _first_recognised(path: Path, book: CalamineWorkbook) -> _Part:
    """The first sheet whose header row matches a layout."""
    why = "the workbook has no sheets"
    for name in book.sheet_names:
        grid, header_row = _sheet_grid(book, name)
        if not grid:
            continue
        layout, why = recognise(grid[0])
        if layout is not None:
            return _Part(layout, grid, (name, header_row))
    raise _refuse(path, why)


def _load_part(load: _Load, part: _Part) -> tuple[int, int]:
    """Insert, normalise, validate and quarantine one part; return (lines read, quarantined)."""
    con, path = load.ledger.con, load.path
    for name in part.layout.extra:
        where = {"sheet": part.sheet[0]} if part.sheet else {}
        load.issues.append(
            Issue(
                "COLUMN",
                f"column {name!r} is not part of the layout and was ignored",
                WARNING,
                path.name,
                column=name,
                **where,
            )
        )
    if part.grid is not None:
        read, cast_issues, rows = _insert_grid(load, part.grid, part.sheet)
        rejected = read - len(rows)  # rows with a cell that could not be read
        load.locate = lambda k: {"sheet": part.sheet[0], "row": rows[k]}
    else:
        read, cast_issues, rejected_lines = _insert_csv(load, part.dialect)
        rejected = len(rejected_lines)
        lines = None

        def locate(k, _dialect=part.dialect, _skip=rejected_lines):
            nonlocal lines
            if lines is None:
                lines = csv_line_numbers(path, _dialect, _skip)
            return {"line": lines[k] if k < len(lines) else None}

        load.locate = locate
    load.issues.extend(cast_issues)
    _normalize(load)
    bad = _validate(load)
    if bad:
        con.execute(
            f"DELETE FROM {lines_table(load.table)} WHERE submission_id = ? AND rowid IN "
            "(SELECT unnest(?))",
            [load.sid, sorted(bad)],
        )
    # a line with several bad cells is one quarantined line, however many issues it has
    return read, len(bad) + rejected


def _one(pairs: list[tuple], i: int) -> str | None:
    """The one distributor (i=0) or period (i=1) a report covers, if there is exactly one."""
    values = {p[i] for p in pairs}
    return values.pop() if len(values) == 1 else None


def _single(con, table: Table, sid: int, field: str) -> str | None:
    """The one value of ``field`` in this submission's lines, if there is exactly one."""
    if field not in (c.field for c in table.columns):
        return None
    rows = con.execute(
        f"SELECT DISTINCT {field} FROM {lines_table(table)} WHERE submission_id = ? LIMIT 2", [sid]
    ).fetchall()
    return rows[0][0] if len(rows) == 1 else None


# ---------------------------------------------------------------- CSV
def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _insert_csv(load: _Load, dialect: CsvDialect) -> tuple[int, list[Issue], set[int]]:
    """Read the CSV straight into the lines table, typed; return (records, cast issues, lines)."""
    con, table, layout = load.ledger.con, load.table, load.layout
    small = load.path.stat().st_size < SMALL_FILE
    load.normalized = small
    columns = {}
    for j, header in enumerate(dialect.header):
        column = layout.mapping.get(j)
        kind = (
            duck_type(column) if column and column.type in ("int", "decimal", "date") else "VARCHAR"
        )
        columns[header or f"column{j}"] = kind
    header_of = {c.field: (dialect.header[j] or f"column{j}") for j, c in layout.mapping.items()}
    select = []
    for c in table.columns:
        src = header_of.get(c.field)
        # A large file is read raw and _normalize fixes only the rows that need it, which
        # keeps the read as fast as a bare read_csv; a small one is normalised as it is read
        # (one statement fewer per file).
        expr = f'"{src}"' if src else "NULL"
        if small and c.type in _TEXT_TYPES:
            expr = _normal(c, expr)
        if c.field == "distributor_id" and load.distributor:
            expr = f"COALESCE({expr}, {_sql_text(load.distributor)})"
        if c.field == "period" and load.period:
            expr = f"COALESCE({expr}, {_sql_text(load.period)})"
        select.append(f"CAST({expr} AS {duck_type(c)})")
    options = {
        "header": "true",
        "delim": _sql_text(dialect.delimiter),
        "quote": "'\"'",
        "escape": "'\"'",
        "encoding": _sql_text(dialect.encoding),
        "dateformat": "'%Y-%m-%d'",
        "columns": "{" + ", ".join(f"{_sql_text(k)}: '{v}'" for k, v in columns.items()) + "}",
        "store_rejects": "true",
        "rejects_table": "'chx_rejects'",
        "rejects_scan": "'chx_scans'",
        "null_padding": "true",
    }
    opts = ", ".join(f"{k}={v}" for k, v in options.items())
    con.execute("DROP TABLE IF EXISTS chx_rejects")
    con.execute("DROP TABLE IF EXISTS chx_scans")
    try:
        names = ", ".join(c.field for c in table.columns)
        con.execute(
            f"INSERT INTO {lines_table(table)} (submission_id, {names}) "
            f"SELECT {load.sid}, {', '.join(select)} "
            f"FROM read_csv({_sql_text(str(load.path))}, {opts})"
        )
    except Exception as exc:  # DuckDB raises its own types for malformed text
        raise _refuse(
            load.path, f"the CSV file cannot be read ({str(exc).splitlines()[0]})"
        ) from None
    loaded = con.execute(
        f"SELECT count(*) FROM {lines_table(table)} WHERE submission_id = ?", [load.sid]
    ).fetchall()[0][0]
    rejects = con.execute(
        "SELECT line, column_name, error_type, csv_line FROM chx_rejects ORDER BY line"
    ).fetchall()
    issues, lines = [], set()
    by_header = {h: layout.mapping.get(j) for j, h in enumerate(dialect.header)}
    for line, column_name, error_type, csv_line in rejects:
        if line in lines:
            continue
        lines.add(line)
        if error_type != "CAST" or by_header.get(column_name) is None:
            issues.append(
                Issue(
                    "TYPE",
                    f"the line does not fit the header ({error_type.lower()})",
                    file=load.path.name,
                    line=line,
                )
            )
            continue
        # DuckDB names the first value it could not cast; the line's other cells are
        # checked the same way here, so the sender learns every one at once
        fields = _fields_of(csv_line, dialect)
        for j, header in enumerate(dialect.header):
            column = by_header.get(header)
            value = fields[j] if j < len(fields) else ""
            if column is None or (header != column_name and _casts(value, column.type)):
                continue
            issues.append(
                Issue(
                    issue_code(column),
                    f"{value!r} is not {_EXPECTED.get(column.type, column.type)}",
                    file=load.path.name,
                    line=line,
                    column=column.name,
                )
            )
    con.execute("DROP TABLE IF EXISTS chx_rejects")
    con.execute("DROP TABLE IF EXISTS chx_scans")
    return loaded + len(lines), issues, lines


_EXPECTED = {
    "int": "a whole number",
    "decimal": "a number like 1234.50",
    "date": "a date as YYYY-MM-DD",
}
_INT = re.compile(r"\s*[+-]?\d+\s*")


def _casts(value: str, kind: str) -> bool:
    """Would DuckDB's typed CSV reader accept ``value`` for a column of ``kind``?"""
    text = value.strip()
    if not text or kind not in _EXPECTED:
        return True  # blanks are NULL; text types take anything
    if kind == "int":
        return bool(_INT.fullmatch(text))
    if kind == "decimal":
        try:
            return Decimal(text).is_finite()
        except ArithmeticError:
            return False
    try:
        return len(text) == 10 and date.fromisoformat(text) is not None
    except ValueError:
        return False


def _fields_of(csv_line: str, dialect: CsvDialect) -> list[str]:
    import csv as _csv
    import io

    return next(_csv.reader(io.StringIO(csv_line.strip("\r\n")), delimiter=dialect.delimiter), [])


# ---------------------------------------------------------------- workbooks
def _last_data_row(grid) -> int:
    """Index (in ``grid``) of the last row with any value."""
    for k in range(len(grid) - 1, 0, -1):
        if any(not is_blank(v) for v in grid[k]):
            return k
    return 0


def _is_totals(raw) -> bool:
    """A row a person added below the data to sum it: its first text says total/sum."""
    first = next((v for v in raw if not is_blank(v)), None)
    return isinstance(first, str) and first.strip().casefold().rstrip(":") in (
        "total",
        "totals",
        "sum",
        "grand total",
        "gesamt",
        "summe",
        "totaal",
    )


def _insert_grid(load: _Load, grid, sheet) -> tuple[int, list[Issue], list[int]]:
    """Parse a sheet column by column (types from the declarations); insert the good rows.

    Returns the rows read, the cells that could not be read, and the sheet row (0-based)
    of each row inserted, in order.
    """
    sheet_name, header_row = sheet
    table, layout = load.table, load.layout
    # required/min checks run in SQL for every format, so cells are parsed leniently here
    plan = [
        (
            j,
            column,
            column_parser(
                Column(
                    column.name, column.type, column.help, required=False, allowed=column.allowed
                ),
                load.locale,
            ),
            load.distributor
            if column.field == "distributor_id"
            else load.period
            if column.field == "period"
            else None,
        )
        for j, column in layout.mapping.items()
    ]
    fill = {c.field: c.default for c in table.columns if c.default is not None}
    fields = {c.field for c in table.columns}
    fill.update(
        (f, v)
        for f, v in (("distributor_id", load.distributor), ("period", load.period))
        if v and f in fields
    )
    # the data rows: blank rows skipped, a totals row at the bottom left out
    last = _last_data_row(grid)
    data, where, issues = [], [], []
    for i, raw in enumerate(grid[1:], start=header_row + 1):
        first = raw[0] if raw else None
        # a filled first cell settles it; only otherwise look at the whole row
        if (first is None or (type(first) is str and not first.strip())) and all(
            v is None or (isinstance(v, str) and not v.strip()) for v in raw
        ):
            continue
        if i - header_row == last and _is_totals(raw):
            issues.append(
                Issue(
                    "TOTAL",
                    "a totals row at the bottom was left out",
                    WARNING,
                    load.path.name,
                    sheet=sheet_name,
                    cell=a1(i, 0),
                )
            )
            continue
        data.append(raw)
        where.append(i)
    n = len(data)
    ok = [True] * n
    columns: dict[str, list] = {}
    bad_cells = []
    for j, column, parse, flag in plan:
        out = [None] * n
        for k, raw in enumerate(data):
            value = raw[j] if j < len(raw) else None
            if flag is not None and is_blank(value):
                value = flag
            try:
                out[k] = parse(value)
            except CellError as exc:
                ok[k] = False
                bad_cells.append((where[k], j, issue_code(column), str(exc), column.name))
        columns[column.field] = out
    for i, j, code, message, name in sorted(bad_cells):  # row by row, as a person reads
        issues.append(
            Issue(code, message, file=load.path.name, sheet=sheet_name, cell=a1(i, j), column=name)
        )
    keep = [k for k in range(n) if ok[k]]
    frame = {}
    for c in table.columns:
        values = columns.get(c.field)
        values = [values[k] for k in keep] if values is not None else [None] * len(keep)
        default = fill.get(c.field)
        if default is not None:
            values = [default if v is None else v for v in values]
        frame[c.field] = values
    frame = frame_for_insert(pd.DataFrame(frame, dtype=object), table)
    con = load.ledger.con
    con.register("incoming", frame)
    con.execute(insert_sql(lines_table(table), "incoming", table, load.sid))
    con.unregister("incoming")
    return n, issues, [where[k] for k in keep]


# ---------------------------------------------------------------- validation (SQL)
_TEXT_TYPES = ("id", "text", "enum", "country", "currency", "month")


def _normal(c: Column, expr: str) -> str:
    """SQL for the normal form of a text value: trimmed, blank as NULL, codes upper-case,
    enumerations lower-case, the declared default for a blank."""
    expr = f"NULLIF(trim({expr}), '')"
    if c.type in ("country", "currency"):
        expr = f"upper({expr})"
    elif c.type == "enum":
        expr = f"lower({expr})"
    if c.default is not None:
        expr = f"COALESCE({expr}, {_sql_text(c.default)})"
    return expr


def _normalize(load: _Load) -> None:
    """Trim text, upper-case codes, lower-case enumerations, fill defaults: one UPDATE that
    touches only the rows that need it (most files need none)."""
    if load.normalized:
        return
    sets, needs = [], []
    for c in load.table.columns:
        if c.type not in _TEXT_TYPES:
            continue
        f = c.field
        expr = _normal(c, f)
        if c.default is not None:
            needs.append(f"{f} IS NULL")
        sets.append(f"{f} = {expr}")
        needs.append(f"{f} <> {expr}")
    if sets:
        load.ledger.con.execute(
            f"UPDATE {lines_table(load.table)} SET {', '.join(sets)} WHERE submission_id = ? "
            f"AND ({' OR '.join(needs)})",
            [load.sid],
        )


def _checks(load: _Load) -> list[tuple[str, str, str, str, str]]:
    """(severity, code, column field, SQL condition true for a bad row, message SQL)."""
    table = load.table
    out = []
    for c in table.columns:
        f = c.field
        code = issue_code(c)
        if c.required or (c.field in ("distributor_id", "period") and table.supersede == "period"):
            out.append((ERROR, code, f, f"{f} IS NULL", f"'{c.name} is required'"))
        if c.minimum is not None:
            out.append(
                (
                    ERROR,
                    code,
                    f,
                    f"{f} < {c.minimum}",
                    f"'{c.name} ' || {f} || ' is below {c.minimum:g}'",
                )
            )
        if c.maximum is not None:
            out.append(
                (
                    ERROR,
                    code,
                    f,
                    f"{f} > {c.maximum}",
                    f"'{c.name} ' || {f} || ' is above {c.maximum:g}'",
                )
            )
        if c.allowed:
            allowed = ", ".join(_sql_text(a) for a in c.allowed)
            out.append(
                (
                    ERROR,
                    code,
                    f,
                    f"{f} NOT IN ({allowed})",
                    f"'{c.name} ' || {f} || ' is not one of: {', '.join(c.allowed)}'",
                )
            )
        if c.type == "country":
            out.append(
                (
                    ERROR,
                    code,
                    f,
                    f"{f} NOT IN (SELECT code FROM iso_countries)",
                    f"{f} || ' is not an ISO 3166-1 alpha-2 country code'",
                )
            )
        if c.type == "currency":
            out.append(
                (
                    ERROR,
                    code,
                    f,
                    f"{f} NOT IN (SELECT code FROM iso_currencies)",
                    f"{f} || ' is not an ISO 4217 currency code'",
                )
            )
        if c.type == "month":
            out.append(
                (
                    ERROR,
                    code,
                    f,
                    f"NOT regexp_full_match({f}, '\\d{{4}}-(0[1-9]|1[0-2])')",
                    f"{f} || ' is not a month; write YYYY-MM'",
                )
            )
        if c.type == "date" and c.past:
            out.append(
                (ERROR, code, f, f"{f} > $today", f"'{c.name} ' || {f} || ' is in the future'")
            )
        if c.references:
            target, column = c.references.split(".")
            key = _target_field(column)
            sev = REFERENCE_SEVERITY.get(target, ERROR)
            out.append(
                (
                    sev,
                    code,
                    f,
                    f"{f} NOT IN (SELECT {key} FROM {target})",
                    f"{f} || ' is not in the program workbook ({target})'",
                )
            )
    if table.name == "sell_through":
        lt = lines_table(table)
        reporting = _sql_text(load.ledger.settings().get("reporting_currency", "EUR"))
        out += [
            (
                ERROR,
                "DATE",
                "invoice_date",
                "strftime(invoice_date, '%Y-%m') <> period",
                "'Invoice Date ' || invoice_date || ' is outside the reported period ' || period",
            ),
            # Warnings: the line is real and is loaded; reconciliation shows them too.
            (
                WARNING,
                "PART",
                "reseller_id",
                f"NOT list_contains(coalesce((SELECT r.authorized_distributors FROM resellers r WHERE "
                f"r.reseller_id = {lt}.reseller_id), [{lt}.distributor_id]), {lt}.distributor_id)",
                "'reseller ' || reseller_id || ' is not authorized to buy from ' || distributor_id",
            ),
            (
                WARNING,
                "FX",
                "currency",
                f"{lt}.currency <> {reporting} AND NOT EXISTS (SELECT 1 FROM fx_rates f WHERE "
                f"f.currency = {lt}.currency AND f.month = {lt}.period)",
                "'no FX rate for ' || currency || ' in ' || period || ' in the program workbook: "
                "the line is loaded, but reports cannot convert it'",
            ),
            (
                WARNING,
                "PRIC",
                "unit_price",
                f"unit_price * (CASE WHEN {lt}.currency = {reporting} THEN 1 ELSE (SELECT f.rate FROM "
                f"fx_rates f WHERE f.currency = {lt}.currency AND f.month = {lt}.period) END) < "
                f"(SELECT p.floor_price FROM products p WHERE p.sku = {lt}.sku)",
                "'unit price ' || unit_price || ' ' || currency || ' is below the floor price of ' "
                "|| sku",
            ),
        ]
    # A file said (on the command line) to be for one distributor and period holds no other.
    fields = {c.field for c in table.columns}
    for name, flag in (("distributor_id", load.distributor), ("period", load.period)):
        if flag and name in fields:
            v = _sql_text(flag)
            out.append(
                (
                    ERROR,
                    "SCOPE",
                    name,
                    f"{name} <> {v}",
                    f"'this line is for ' || {name} || ' but the file is for ' || {v}",
                )
            )
    return out


def _target_field(column_name: str) -> str:
    from channelxl.schema import normalize_header as _n

    return {"distributorid": "distributor_id", "sku": "sku", "resellerid": "reseller_id"}[
        _n(column_name)
    ]


def _validate(load: _Load) -> set[int]:
    """Run every declared check; return the rowids of lines with errors (to quarantine)."""
    con, table, sid = load.ledger.con, load.table, load.sid
    lt = lines_table(table)
    first = con.execute(f"SELECT min(rowid) FROM {lt} WHERE submission_id = ?", [sid]).fetchall()[
        0
    ][0]
    today = _literal(load.today)
    checks = [
        (sev, code, f, cond.replace("$today", today), msg)
        for sev, code, f, cond, msg in _checks(load)
    ]
    found = []
    if checks:
        # First one cheap scan for the rows with any problem (most files have none), then,
        # for those rows only, which checks they fail and the message of each.
        any_hit = " OR ".join(f"({cond})" for *_, cond, _ in checks)
        flagged = con.execute(
            f"SELECT rowid FROM {lt} WHERE submission_id = {sid} AND ({any_hit})"
        ).fetchall()
        if flagged:
            hits = ", ".join(
                f"CASE WHEN {cond} THEN {{'i': {i}, 'm': {message}}} END"
                for i, (_, _, _, cond, message) in enumerate(checks)
            )
            rows = con.execute(
                f"SELECT rowid, unnest(list_filter([{hits}], lambda x: x IS NOT NULL)) FROM {lt} "
                f"WHERE submission_id = {sid} AND rowid IN (SELECT unnest(?))",
                [[r[0] for r in flagged]],
            ).fetchall()
            found = [(rowid, *checks[hit["i"]][:3], hit["m"]) for rowid, hit in rows]
    if table.unique:
        key = ", ".join(table.column(n).field for n in table.unique)
        label = " / ".join(table.unique)
        found += con.execute(
            f"SELECT rowid, 'error', 'DUPL', {_sql_text(table.column(table.unique[-1]).field)}, "
            f"'the same {label} appears earlier in this file' FROM "
            # group on a hash first (cheap), then number only the rows whose hash repeats
            f"(SELECT rowid, row_number() OVER (PARTITION BY {key} ORDER BY rowid) AS n FROM {lt} "
            f"WHERE submission_id = {sid} AND hash({key}) IN (SELECT h FROM (SELECT hash({key}) "
            f"AS h FROM {lt} WHERE submission_id = {sid}) GROUP BY h HAVING count(*) > 1)) "
            "WHERE n > 1"
        ).fetchall()
    if table.name == "sell_through":
        found += con.execute(
            f"SELECT rowid, 'warning', 'DUPL', 'invoice_number', 'the same invoice line appears "
            "earlier in this report' FROM (SELECT rowid, row_number() OVER (PARTITION BY "
            f"{', '.join(DUPLICATE_LINE_KEY)} ORDER BY rowid) "
            f"AS n FROM {lt} WHERE submission_id = {sid}) WHERE n > 1"
        ).fetchall()
        found += _territory_warnings(load)
    bad = set()
    by_field = {c.field: c for c in table.columns}
    for rowid, severity, code, f, message in sorted(found, key=lambda r: (r[0], r[3])):
        if severity == ERROR:
            bad.add(rowid)
        where = load.locate(rowid - first)
        column = by_field[f]
        if "sheet" in where:
            j = load.layout.position(f)
            location = {
                "sheet": where["sheet"],
                "cell": a1(where["row"], j if j is not None else 0),
            }
        else:
            location = {"line": where["line"]}
        load.issues.append(
            Issue(code, message, severity, load.path.name, column=column.name, **location)
        )
    _explain_uncached_formulas(load)
    return bad


def _explain_uncached_formulas(load: _Load) -> None:
    """A required cell that reads empty because its formula's result was not saved says so."""
    empty = [
        (k, i)
        for k, i in enumerate(load.issues)
        if i.sheet and i.cell and i.message == f"{i.column} is required"  # the required check
    ]
    if not empty or load.path.suffix.lower() not in (".xlsx", ".xlsm"):
        return
    from dataclasses import replace

    from channelxl.io.formulas import uncached_formulas

    formulas = {s: uncached_formulas(load.path, s) for s in {i.sheet for _, i in empty}}
    for k, issue in empty:
        formula = formulas[issue.sheet].get(issue.cell)
        if formula is not None:
            load.issues[k] = replace(
                issue,
                message=f"{issue.column} holds the formula ={formula} but not its result (the "
                "file was saved by a program, not by Excel); open it in Excel, save it and send "
                "it again, or type the value",
            )


def _territory_warnings(load: _Load) -> list[tuple]:
    """TERR warnings from the territory engine (core.territory), the one definition of it."""
    from channelxl.core.territory import IN, statuses

    lt = lines_table(load.table)
    lines = load.ledger.con.execute(
        f"SELECT l.rowid, l.distributor_id, coalesce(l.end_customer_country, "
        f"l.reseller_country, r.country), coalesce(l.end_customer_segment, ''), l.invoice_date "
        f"FROM {lt} l LEFT JOIN resellers r USING (reseller_id) "
        f"WHERE l.submission_id = {load.sid} AND l.invoice_date IS NOT NULL"
    ).fetchall()
    if not lines:
        return []
    territories = load.ledger.con.execute(
        "SELECT distributor_id, country, segment, valid_from, valid_to FROM territories"
    ).fetchall()
    status = statuses([line[1:] for line in lines], territories)
    out = []
    for (rowid, d, country, *_), st in zip(lines, status, strict=True):
        if st != IN:
            what = (
                "has no territory on that date"
                if st != "OUT"
                else f"is not appointed for {country}"
            )
            out.append(
                (
                    int(rowid),
                    WARNING,
                    "TERR",
                    "end_customer_country",
                    f"out of territory: {d} {what}",
                )
            )
    return out


def _literal(value) -> str:
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    return "[" + ", ".join(_sql_text(v) for v in value) + "]"


def _supersede(load: _Load) -> list[int]:
    """Mark what this file replaces; return submissions now wholly superseded."""
    con, table, sid = load.ledger.con, load.table, load.sid
    lt = lines_table(table)
    if table.supersede == "key":
        key = ", ".join(table.column(n).field for n in table.unique)
        con.execute(
            f"UPDATE {lt} SET superseded_by = ? WHERE superseded_by IS NULL AND submission_id <> ? "
            f"AND ({key}) IN (SELECT ({key}) FROM {lt} WHERE submission_id = ?)",
            [sid, sid, sid],
        )
        return [
            r[0]
            for r in con.execute(
                f"SELECT s.submission_id FROM submissions s WHERE s.kind = ? AND s.superseded_by IS "
                f"NULL AND NOT EXISTS (SELECT 1 FROM {lt} l WHERE l.submission_id = s.submission_id "
                f"AND l.superseded_by IS NULL) AND EXISTS (SELECT 1 FROM {lt} l WHERE l.submission_id "
                "= s.submission_id)",
                [table.name],
            ).fetchall()
        ]
    pairs = con.execute(
        f"SELECT DISTINCT distributor_id, period FROM {lt} WHERE submission_id = ?", [sid]
    ).fetchall()
    if load.distributor and load.period:
        pairs = sorted(set(pairs) | {(load.distributor, load.period)})
    load.pairs = pairs
    if pairs:
        con.execute(
            "INSERT INTO submission_periods SELECT ?, ?, unnest(?), unnest(?), NULL",
            [sid, table.name, [d for d, _ in pairs], [p for _, p in pairs]],
        )
    # RETURNING tells which earlier submissions lost a period; only those are checked
    touched = {
        r[0]
        for r in con.execute(
            "UPDATE submission_periods SET superseded_by = ? WHERE kind = ? AND submission_id <> ? "
            "AND superseded_by IS NULL AND (distributor_id, period) IN (SELECT (distributor_id, "
            "period) FROM submission_periods WHERE submission_id = ?) RETURNING submission_id",
            [sid, table.name, sid, sid],
        ).fetchall()
    }
    if not touched:
        return []
    return [
        r[0]
        for r in con.execute(
            "SELECT submission_id FROM submission_periods WHERE list_contains(?, submission_id) "
            "GROUP BY submission_id HAVING bool_and(superseded_by IS NOT NULL)",
            [sorted(touched)],
        ).fetchall()
    ]


def _store_issues(con, sid: int, issues: list[Issue]) -> None:
    if not issues:
        return
    frame = pd.DataFrame(
        [
            (sid, i.severity, i.code, i.line, i.sheet, i.cell, i.column, None, i.message)
            for i in issues
        ],
        columns=[
            "submission_id",
            "severity",
            "code",
            "line",
            "sheet",
            "cell",
            "column_name",
            "value",
            "message",
        ],
        dtype=object,
    )
    con.register("incoming_issues", frame)
    con.execute(
        "INSERT INTO submission_issues SELECT submission_id, severity, code, "
        "CAST(line AS BIGINT), sheet, cell, column_name, value, message "
        "FROM incoming_issues"
    )
    con.unregister("incoming_issues")

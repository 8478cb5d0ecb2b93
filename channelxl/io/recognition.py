"""Recognising the files people send: what a received file is and which tables it holds.

A CSV or a spreadsheet export is recognised from its header row, matched against the
layouts declared in ``schema.received`` ignoring case, spaces, underscores and column
order; a returned monthly report template by the distributor and period stored in it.
:func:`read_received` does both and returns the file's parts (a CSV, a workbook sheet, the
two sheets of a template) with the distributor and period it is for. Nothing here loads
anything; ``ledger.ingest_file`` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from python_calamine import CalamineWorkbook

from channelxl.io.cells import is_blank
from channelxl.io.csv_dialect import CsvDialect, file_format, sniff_csv
from channelxl.io.safety import check_zip, open_workbook, refusal
from channelxl.io.template_workbook import TEMPLATE_KIND, read_template_meta
from channelxl.schema import EXPORT_TABLES, TEMPLATE_SHEETS, Column, Table, normalize_header


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
        return None, (
            "the header row matches no layout channelxl reads (shipments, sell-through, "
            "inventory, certifications, activities); see docs/LAYOUTS.md"
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
@dataclass
class Part:
    """One table of a received file: a CSV, a workbook sheet, or one sheet of a template."""

    layout: Layout
    grid: list | None = None  # workbook rows (header first); None for CSV
    sheet: tuple | None = None  # (sheet name, header row)
    dialect: CsvDialect | None = None


@dataclass
class Received:
    """What a received file is: its parts, its kind when it is a returned template, and the
    distributor and period it is for (from the template, else from the command line)."""

    parts: list[Part]
    kind: str | None  # "template" for a returned template; else the layout's table name
    distributor: str | None
    period: str | None


def read_received(path: Path, *, distributor: str | None, period: str | None) -> Received:
    """Recognise ``path``; raise ``FileRefused`` saying why when it cannot be taken.

    ``distributor`` and ``period`` are what the command line says the file is for; a
    returned template that says otherwise is refused, and a report that says neither in
    its columns nor on the command line is refused too.
    """
    fmt = file_format(path)
    if fmt == "binary":
        raise refusal(path, "not a spreadsheet or CSV file")
    kind = None
    if fmt in ("zip", "ole"):
        if fmt == "zip":
            check_zip(path)
        book = open_workbook(path, fmt)
        meta = _template_meta(path) if fmt == "zip" else {}
        if meta.get("kind") == TEMPLATE_KIND:
            for flag, key, what in (
                (distributor, "distributor_id", "distributor"),
                (period, "period", "period"),
            ):
                if flag and flag != meta.get(key):
                    raise refusal(
                        path,
                        f"this template is for {what} {meta.get(key)}, not {flag}; "
                        "check the file or the command line",
                        "SCOPE",
                    )
            distributor, period = meta["distributor_id"], meta["period"]
            parts, kind = _template_parts(path, book), "template"
        else:
            parts = [_first_recognised(path, book)]
    else:
        dialect = sniff_csv(path)
        layout, why = recognise(dialect.header)
        if layout is None:
            raise refusal(path, why)
        parts = [Part(layout, dialect=dialect)]
    for part in parts:
        table = part.layout.table
        if table.supersede == "period":
            for flag, column, label in (
                (distributor, "distributor_id", "--distributor D001"),
                (period, "period", "--period 2026-10"),
            ):
                if flag is None and part.layout.position(column) is None:
                    raise refusal(
                        path,
                        f"a {table.title} must say which {column.split('_')[0]} it "
                        f"is for: add a {table.column(column).name} column or give "
                        f"{label}",
                    )
    return Received(parts, kind, distributor, period)


def _template_meta(path: Path) -> dict:
    try:
        return read_template_meta(path)
    except Exception:  # not an xlsx openpyxl can open (e.g. .ods): no template metadata
        return {}


def _sheet_grid(book: CalamineWorkbook, name: str) -> tuple[list, int]:
    grid = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    header_row = next((i for i, r in enumerate(grid) if any(not is_blank(v) for v in r)), 0)
    return grid[header_row:], header_row


def _template_parts(path: Path, book: CalamineWorkbook) -> list[Part]:
    """The template's sheets, each checked against the layout it was made from."""
    parts = []
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
        grid, header_row = _sheet_grid(book, name)
        layout, why = recognise(grid[0] if grid else [])
        if layout is None or layout.table.name != sheet.name:
            raise refusal(
                path,
                f"sheet {name}: {why or 'the header row was changed'}; keep the "
                "template's header row",
                "COLUMN",
                sheet=name,
                cell="A1",
            )
        parts.append(Part(layout, grid, (name, header_row)))
    return parts


def _first_recognised(path: Path, book: CalamineWorkbook) -> Part:
    """The first sheet whose header row matches a layout."""
    why = "the workbook has no sheets"
    for name in book.sheet_names:
        grid, header_row = _sheet_grid(book, name)
        if not grid:
            continue
        layout, why = recognise(grid[0])
        if layout is not None:
            return Part(layout, grid, (name, header_row))
    raise refusal(path, why)

"""The program workbook: the vendor's master data, kept by analysts in Excel.

:func:`write_program` lays it out from the declarations in :mod:`channelxl.schema`;
:func:`check_program` reads it back (python-calamine) and reports every problem at once,
each with sheet, cell and a plain message; :func:`read_program` refuses a workbook with
errors, whole.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from python_calamine import CalamineWorkbook

from channelxl.errors import ProgramInvalid
from channelxl.io.atomic import MAX_NAME_PART, name_problem
from channelxl.io.cells import CellError, is_blank, parse_cell
from channelxl.io.cross_reference_checks import check_cross_references
from channelxl.io.mdf_decisions import check_mdf_decisions
from channelxl.io.quarter_labels import check_quarter_labels
from channelxl.io.table_sheets import (
    save_atomically,
    write_lists_sheet,
    write_table_sheet,
    write_text_sheet,
)
from channelxl.io.waiver_checks import check_waivers
from channelxl.issues import ERROR, WARNING, Issue, a1, errors
from channelxl.schema import (
    DISTRIBUTOR_TYPES,
    PROGRAM_TABLES,
    SETTINGS,
    SETTINGS_TABLE,
    Column,
    Table,
    normalize_header,
)

INSTRUCTIONS = [
    "# Program workbook",
    "This workbook is the master data of your distributor program. channelxl reads it every time it runs; when it has errors, channelxl lists each one with its sheet and cell and uses nothing from it until they are fixed.",
    "## How to edit",
    "Each sheet is an Excel table: type below the last row and the table grows. Headers carry a note saying what the column holds; drop-downs offer the allowed values. Keep the header names as they are; you may reorder columns.",
    "Ids (Distributor ID, SKU, Reseller ID, Program ID) must be unique in their sheet; every other sheet may only use ids that exist.",
    "Dates: type them as dates (2026-10-31). Months: YYYY-MM. Quarters: YYYYQn (2026Q3).",
    "Money: in the reporting currency (Settings) unless a Currency column says otherwise. Rates are fractions: 2 % is 0.02.",
    "## Sheets",
    "Distributors - who they are, what currency and locale their files use.",
    "Territories - where each may sell: country x segment (* = all), exclusive or not, from/to.",
    "Products - the price list: list, distributor and floor (minimum resale) price, and the GTIN (UPC or EAN) distributors' EDI reports may name it by.",
    "Resellers - the resellers and the distributors each is authorized to buy from (D001;D002), with their GLN and DUNS numbers when you know them.",
    "Cross References - the codes distributors name products and resellers by (their own part and account numbers, manufacturer part numbers, other GTINs), each with the SKU or Reseller ID it means; leave Distributor ID blank for a code any distributor may send. Keep it empty when distributors use your SKUs and Reseller IDs.",
    "Rebate Programs and Rebate Tiers - how rebates are earned; tiers ascend within a program. Scorecard and Scorecard Payouts - optional multi-metric programs: metric weights (adding up to 1) and the payout each score earns.",
    "Targets - the joint business plan, per distributor and quarter.",
    "FX Rates - one unit of a currency in the reporting currency, per month. Every currency a distributor reports in needs rates.",
    "MDF Decisions - your decision on each MDF claim distributors sent: approved (with the amount granted, in the claim's currency) or rejected (with the reason); a claim with no row is pending.",
    "Waivers - a late report or a failed gate you forgive for one distributor and quarter (one program, or blank for all), with the reason, who approved it and when; the statement shows the gate as FAIL, waived by whom and why. Keep it empty when nothing is waived.",
    "Settings - reporting currency, fiscal year, reconciliation tolerances, report due day.",
]


@dataclass
class Program:
    """A validated program: one DataFrame per sheet (columns = field names) and settings."""

    tables: dict[str, pd.DataFrame]
    settings: dict[str, object]
    path: str = ""
    warnings: list[Issue] = field(default_factory=list)

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)


# ---------------------------------------------------------------- writing
def settings_rows(values: dict[str, object] | None = None) -> list[dict]:
    values = values or {}
    return [
        {"setting": s.name, "value": str(values.get(s.field, s.default)), "notes": s.help}
        for s in SETTINGS
    ]


def write_program(path: str | os.PathLike, rows: dict[str, list[dict]], settings=None) -> Path:
    """Write the program workbook at ``path`` from rows keyed by table name.

    ``rows["distributors"]`` is a list of dicts keyed by column field
    (``distributor_id``, ``name``...). The file is written to a temporary name and moved
    into place, so a reader never sees half a workbook.
    """
    path = Path(path)
    wb = Workbook()
    wb.remove(wb.active)
    write_text_sheet(wb, "Instructions", INSTRUCTIONS)
    data_tables = [t for t in PROGRAM_TABLES if t is not SETTINGS_TABLE]
    lists = write_lists_sheet(wb, PROGRAM_TABLES)
    id_sources = {
        "distributors.Distributor ID": "Distributors!$A$2:$A$2000",
        "rebate_programs.Program ID": "'Rebate Programs'!$A$2:$A$2000",
    }
    for t in data_tables:
        write_table_sheet(wb, t, rows.get(t.name, []), lists=lists, id_sources=id_sources)
    write_table_sheet(wb, SETTINGS_TABLE, settings_rows(settings))
    wb.move_sheet("Lists", offset=len(wb.sheetnames))
    save_atomically(wb, path)
    return path


# ---------------------------------------------------------------- reading
def _read_sheet(
    book: CalamineWorkbook, table: Table, file: str, issues: list[Issue]
) -> pd.DataFrame | None:
    """Parse one table sheet; returns a frame with a ``sheet_row`` column (0-based sheet row)."""
    sheet_names = {normalize_header(n): n for n in book.sheet_names}
    name = sheet_names.get(normalize_header(table.title))
    if name is None:
        headers = ", ".join(c.name for c in table.columns)
        if table.optional_sheet:
            issues.append(
                Issue(
                    "SHEET",
                    f"sheet {table.title!r} is missing, so it is taken as "
                    f"empty; add it (headers {headers}) to use it",
                    WARNING,
                    file,
                )
            )
            frame = pd.DataFrame(
                columns=["sheet_row", *(c.field for c in table.columns)], dtype=object
            )
            frame.attrs.update(sheet=table.title, positions={})
            return frame
        issues.append(
            Issue(
                "SHEET",
                f"sheet {table.title!r} is missing; add it back with the headers {headers}",
                file=file,
            )
        )
        return None
    grid = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    header_row = next((i for i, r in enumerate(grid) if any(not is_blank(v) for v in r)), None)
    if header_row is None:
        grid, header_row = [[]], 0
    header = {normalize_header(v): j for j, v in enumerate(grid[header_row]) if not is_blank(v)}
    positions: dict[str, int] = {}
    for column in table.columns:
        if column.key in header:
            positions[column.field] = header[column.key]
        elif column.required:
            issues.append(
                Issue(
                    "COLUMN",
                    f"required column {column.name!r} is missing from the header row",
                    file=file,
                    sheet=name,
                    cell=a1(header_row, len(header)),
                )
            )
    known = {c.key for c in table.columns}
    for key, j in header.items():
        if key not in known:
            issues.append(
                Issue(
                    "COLUMN",
                    f"column {grid[header_row][j]!r} is not used by channelxl and was ignored",
                    WARNING,
                    file,
                    sheet=name,
                    cell=a1(header_row, j),
                )
            )
    records = []
    for i in range(header_row + 1, len(grid)):
        raw = grid[i]
        if all(is_blank(v) for v in raw):
            continue
        record = {"sheet_row": i}
        for column in table.columns:
            j = positions.get(column.field)
            value = raw[j] if j is not None and j < len(raw) else None
            try:
                record[column.field] = parse_cell(value, column) if j is not None else None
            except CellError as exc:
                issues.append(Issue("TYPE", str(exc), file=file, sheet=name, cell=a1(i, j)))
                record[column.field] = None
        records.append(record)
    # object dtype keeps blanks as None and Decimals as Decimals (no inference to str/float)
    frame = pd.DataFrame(
        records, columns=["sheet_row", *(c.field for c in table.columns)], dtype=object
    )
    frame.attrs["sheet"] = name
    frame.attrs["positions"] = positions
    return frame


def _cell(frame: pd.DataFrame, row: int, column: Column) -> str:
    """A1 reference of ``column`` in sheet row ``row`` of ``frame``."""
    j = frame.attrs["positions"].get(column.field, 0)
    return a1(row, j)


def _where(frame, file, row, table: Table, column_name: str) -> dict:
    return {
        "file": file,
        "sheet": frame.attrs["sheet"],
        "cell": _cell(frame, row, table.column(column_name)),
    }


def _check_unique(frame, table: Table, file: str, issues: list[Issue]):
    if not table.unique:
        return
    fields = [table.column(n).field for n in table.unique]
    seen: dict[tuple, int] = {}
    for rec in frame[["sheet_row", *fields]].itertuples(index=False):
        key = tuple(rec[1:])
        if any(v is None for v in key):
            continue
        if key in seen:
            label = " / ".join(str(k) for k in key)
            issues.append(
                Issue(
                    "DUPL",
                    f"{label} is already on row {seen[key] + 1}; each "
                    f"{' + '.join(table.unique)} may appear once",
                    **_where(frame, file, rec[0], table, table.unique[-1]),
                )
            )
        else:
            seen[key] = rec[0]


def _check_references(frames: dict[str, pd.DataFrame], file: str, issues: list[Issue]):
    by_name = {t.name: t for t in PROGRAM_TABLES}
    for t in PROGRAM_TABLES:
        frame = frames.get(t.name)
        if frame is None:
            continue
        for column in t.columns:
            if not column.references:
                continue
            target_table, target_column = column.references.split(".")
            target = frames.get(target_table)
            if target is None:
                continue
            known = set(target[by_name[target_table].column(target_column).field].dropna())
            for row, value in frame[["sheet_row", column.field]].itertuples(index=False):
                values = value if isinstance(value, tuple) else (value,)
                for v in values:
                    if v is not None and v not in known:
                        issues.append(
                            Issue(
                                "REF",
                                f"{v} is not on the {by_name[target_table].title} sheet",
                                **_where(frame, file, row, t, column.name),
                            )
                        )


def _overlaps(a_from: date, a_to: date | None, b_from: date, b_to: date | None) -> bool:
    return a_from <= (b_to or date.max) and b_from <= (a_to or date.max)


def _check_dates(frame, table: Table, file, issues):
    if frame is None or "valid_from" not in frame:
        return
    for row, start, end in frame[["sheet_row", "valid_from", "valid_to"]].itertuples(index=False):
        if start is not None and end is not None and end < start:
            issues.append(
                Issue(
                    "DATE",
                    f"Valid To {end} is before Valid From {start}",
                    **_where(frame, file, row, table, "Valid To"),
                )
            )


def _check_territories(frame, file, issues):
    from channelxl.schema import TERRITORIES

    groups = defaultdict(list)
    for rec in frame.itertuples(index=False):
        if rec.distributor_id and rec.country and rec.segment and rec.valid_from:
            groups[(rec.distributor_id, rec.country)].append(rec)
    for rows in groups.values():
        for i, a in enumerate(rows):
            for b in rows[:i]:
                same_segment = a.segment == b.segment or "*" in (a.segment, b.segment)
                if same_segment and _overlaps(a.valid_from, a.valid_to, b.valid_from, b.valid_to):
                    issues.append(
                        Issue(
                            "OVERLAP",
                            f"{a.distributor_id} in {a.country} segment {a.segment} overlaps "
                            f"row {b.sheet_row + 1} (segment {b.segment}) in time; one row per distributor, "
                            "country and segment at any date",
                            **_where(frame, file, a.sheet_row, TERRITORIES, "Valid From"),
                        )
                    )


def _check_ascending(frame, table: Table, value_column: str, what: str, file, issues) -> dict:
    """Values of ``value_column`` must ascend within each Program ID; returns the last row
    seen per program (value, sheet row)."""
    field = table.column(value_column).field
    last: dict[str, tuple] = {}
    for rec in frame.itertuples(index=False):
        pid, value = rec.program_id, getattr(rec, field)
        if pid is None or value is None:
            continue
        if pid in last and value <= last[pid][0]:
            issues.append(
                Issue(
                    "TIER",
                    f"{what} of {pid} must ascend: {value} follows {last[pid][0]} "
                    f"(row {last[pid][1] + 1})",
                    **_where(frame, file, rec.sheet_row, table, value_column),
                )
            )
        last[pid] = (value, rec.sheet_row)
    return last


def _check_ids_as_names(frame, file, issues):
    """A distributor id names files and sheets (its template, its statement sheet, its
    review): it must be something every file system and Excel accept, and differ from the
    others in more than letter case (Windows, macOS and Excel ignore case in names)."""
    from channelxl.schema import DISTRIBUTORS

    seen: dict[str, tuple] = {}
    for rec in frame[["sheet_row", "distributor_id"]].itertuples(index=False):
        row, value = rec
        if value is None:
            continue
        why = name_problem(str(value))
        if why is not None:
            issues.append(
                Issue(
                    "TYPE",
                    f"Distributor ID {value!r} cannot name its files: {why}. Use letters, "
                    "digits, '-' and '_' (D004, ACME-DE), up to "
                    f"{MAX_NAME_PART} characters",
                    **_where(frame, file, row, DISTRIBUTORS, "Distributor ID"),
                )
            )
        key = str(value).casefold()
        if key in seen and seen[key][1] != value:
            issues.append(
                Issue(
                    "DUPL",
                    f"Distributor ID {value!r} differs from {seen[key][1]!r} (row "
                    f"{seen[key][0] + 1}) only in upper and lower case; files named after "
                    "them would overwrite each other: make them differ",
                    **_where(frame, file, row, DISTRIBUTORS, "Distributor ID"),
                )
            )
        seen.setdefault(key, (row, value))


def _check_programs(frames, file, issues):
    from channelxl.schema import REBATE_PROGRAMS, REBATE_TIERS

    programs, tiers = frames.get("rebate_programs"), frames.get("rebate_tiers")
    distributors = frames.get("distributors")
    if programs is None or tiers is None:
        return
    known = set(distributors["distributor_id"].dropna()) if distributors is not None else set()
    measure_of = {}
    for rec in programs.itertuples(index=False):
        measure_of[rec.program_id] = rec.measure
        applies = rec.applies_to
        if applies and applies != "*" and applies not in DISTRIBUTOR_TYPES and applies not in known:
            issues.append(
                Issue(
                    "REF",
                    f"Applies To {applies!r} is neither a distributor id, a "
                    f"distributor type ({', '.join(DISTRIBUTOR_TYPES)}) nor *",
                    **_where(programs, file, rec.sheet_row, REBATE_PROGRAMS, "Applies To"),
                )
            )
        if rec.measure == "growth" and not rec.growth_basis:
            issues.append(
                Issue(
                    "TYPE",
                    "a growth program needs a Growth Basis (increment or whole)",
                    **_where(programs, file, rec.sheet_row, REBATE_PROGRAMS, "Growth Basis"),
                )
            )
    last = _check_ascending(tiers, REBATE_TIERS, "Threshold", "tier thresholds", file, issues)
    for rec in tiers.itertuples(index=False):
        rate, measure = rec.rate, measure_of.get(rec.program_id)
        if rate is not None and measure in ("revenue", "growth") and rate > 1:
            issues.append(
                Issue(
                    "RANGE",
                    f"rate {rate} is over 100 % of the measure; write 2 % as 0.02",
                    **_where(tiers, file, rec.sheet_row, REBATE_TIERS, "Rate"),
                )
            )
    for rec in programs.itertuples(index=False):
        if rec.program_id and rec.program_id not in last:
            issues.append(
                Issue(
                    "TIER",
                    f"program {rec.program_id} has no rows on the Rebate Tiers sheet",
                    **_where(programs, file, rec.sheet_row, REBATE_PROGRAMS, "Program ID"),
                )
            )


def _check_scorecards(frames, file, issues):
    from decimal import Decimal

    from channelxl.schema import SCORECARD, SCORECARD_PAYOUTS

    metrics, payouts = frames.get("scorecard"), frames.get("scorecard_payouts")
    if metrics is None or payouts is None:
        return
    weights: dict[str, list] = defaultdict(list)
    for rec in metrics.itertuples(index=False):
        if rec.program_id and rec.weight is not None:
            weights[rec.program_id].append((rec.weight, rec.sheet_row))
    for pid, rows in weights.items():
        total = sum((w for w, _ in rows), Decimal(0))
        if total != 1:
            issues.append(
                Issue(
                    "RANGE",
                    f"the weights of {pid} add up to {total}; they must add up to 1",
                    **_where(metrics, file, rows[0][1], SCORECARD, "Weight"),
                )
            )
    last = _check_ascending(payouts, SCORECARD_PAYOUTS, "Min Score", "min scores", file, issues)
    for pid, rows in weights.items():
        if pid not in last:
            issues.append(
                Issue(
                    "TIER",
                    f"{pid} has scorecard weights but no rows on the Scorecard Payouts sheet",
                    **_where(metrics, file, rows[0][1], SCORECARD, "Program ID"),
                )
            )
    for pid, (_, row) in last.items():
        if pid not in weights:
            issues.append(
                Issue(
                    "TIER",
                    f"{pid} has payouts but no metrics on the Scorecard sheet",
                    **_where(payouts, file, row, SCORECARD_PAYOUTS, "Program ID"),
                )
            )


def _read_settings(frame, file, issues) -> dict[str, object]:
    values: dict[str, object] = {}
    rows = {}
    if frame is not None:
        rows = {normalize_header(r.setting): r for r in frame.itertuples(index=False) if r.setting}
    for s in SETTINGS:
        column = Column(s.name, s.type, s.help, minimum=s.minimum, maximum=s.maximum)
        rec = rows.get(normalize_header(s.name))
        if rec is None:
            values[s.field] = parse_cell(s.default, column)
            issues.append(
                Issue(
                    "SETTING",
                    f"setting {s.name!r} is missing; using {s.default}",
                    WARNING,
                    file,
                    sheet=SETTINGS_TABLE.title,
                )
            )
            continue
        try:
            values[s.field] = parse_cell(rec.value, column)
        except CellError as exc:
            issues.append(
                Issue(
                    "TYPE",
                    f"{s.name}: {exc}",
                    file=file,
                    sheet=frame.attrs["sheet"],
                    cell=_cell(frame, rec.sheet_row, SETTINGS_TABLE.column("Value")),
                )
            )
    return values


def _check_fx(frames, settings, file, issues):
    from channelxl.schema import DISTRIBUTORS

    distributors, fx = frames.get("distributors"), frames.get("fx_rates")
    if distributors is None or fx is None:
        return
    reporting = settings.get("reporting_currency")
    have = set(fx["currency"].dropna())
    for rec in distributors.itertuples(index=False):
        if rec.currency and rec.currency != reporting and rec.currency not in have:
            issues.append(
                Issue(
                    "FX",
                    f"{rec.distributor_id} reports in {rec.currency} but the FX "
                    f"Rates sheet has no {rec.currency} rate",
                    **_where(distributors, file, rec.sheet_row, DISTRIBUTORS, "Currency"),
                )
            )


def check_program(path: str | os.PathLike) -> tuple[Program | None, list[Issue]]:
    """Read and validate the program workbook; return it (or None) and every issue found."""
    path = Path(path)
    file = path.name
    issues: list[Issue] = []
    try:
        book = CalamineWorkbook.from_path(str(path))
    except FileNotFoundError:
        return None, [
            Issue("FILE", f"no program workbook at {path}; run 'channelxl init'", file=file)
        ]
    except Exception as exc:  # calamine raises several types for damaged or foreign files
        return None, [Issue("FILE", f"cannot be read as a workbook ({exc})", file=file)]
    frames = {}
    for t in PROGRAM_TABLES:
        frame = _read_sheet(book, t, file, issues)
        if frame is not None:
            frames[t.name] = frame
            _check_unique(frame, t, file, issues)
            _check_dates(frame, t, file, issues)
    if "distributors" in frames:
        _check_ids_as_names(frames["distributors"], file, issues)
    settings = _read_settings(frames.get("settings"), file, issues)
    _check_references(frames, file, issues)
    if "territories" in frames:
        _check_territories(frames["territories"], file, issues)
    _check_programs(frames, file, issues)
    _check_scorecards(frames, file, issues)
    _check_fx(frames, settings, file, issues)
    check_quarter_labels(frames, settings, file, issues)
    check_mdf_decisions(frames, file, issues)
    check_waivers(frames, file, issues)
    check_cross_references(frames, file, issues)
    if errors(issues):
        return None, issues
    tables = {
        name: f.drop(columns="sheet_row").reset_index(drop=True)
        for name, f in frames.items()
        if name != "settings"
    }
    return Program(
        tables, settings, str(path), [i for i in issues if i.severity == WARNING]
    ), issues


def read_program(path: str | os.PathLike) -> Program:
    """The validated program; raises :class:`ProgramInvalid` listing every error."""
    program, issues = check_program(path)
    if program is None:
        raise ProgramInvalid(str(path), issues)
    return program


__all__ = ["ERROR", "Program", "check_program", "read_program", "write_program"]

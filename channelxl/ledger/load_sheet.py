"""A received workbook sheet into the ledger: parsed a column at a time, typed by the
declaration, so every problem carries its sheet and A1 cell.

Blank rows are skipped and a totals row a person added at the bottom is left out (with a
warning). A cell that reads empty because it lies inside a merged block (the grid's
``merged``, from ``io.recognition``) is named as such: an error that quarantines the line
in a required column, a warning in an optional one (the line loads without the value).
Cells are parsed leniently here (``io.cells.column_parser``: the distributor's
locale for numbers and dates typed as text, whether the file is known to be theirs or its
Distributor ID column names them: :func:`named_locales`); whether a value is required, in range or
known is checked in SQL afterwards, the same way for every format (``line_checks``).
"""

from __future__ import annotations

from itertools import zip_longest

import pandas as pd
import pyarrow as pa

from channelxl.io.cells import (
    CellError,
    agreed_parser,
    column_parser,
    is_blank,
    parse_column,
    parse_id,
)
from channelxl.issues import ERROR, WARNING, Issue, a1
from channelxl.ledger.ddl import lines_table
from channelxl.ledger.received_part import PartLoad
from channelxl.ledger.store import frame_for_insert, insert_sql
from channelxl.schema import Column


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


def insert_grid(load: PartLoad, grid, sheet) -> tuple[int, list[Issue], list[int]]:
    """Parse a sheet column by column (types from the declarations); insert the good rows.

    Returns the rows read, the cells that could not be read, and the sheet row (0-based)
    of each row inserted, in order.
    """
    sheet_name, header_row = sheet
    table, layout = load.table, load.layout
    locale, several = load.locale, ()
    if load.distributor is None:  # whose it is, the rows say: their locale, as if given
        locale, several = named_locales(load, grid)
    # required/min checks run in SQL for every format, so cells are parsed leniently here
    plan = [
        (
            j,
            column,
            (agreed_parser if several else column_parser)(
                Column(
                    column.name, column.type, column.help, required=False, allowed=column.allowed
                ),
                several or locale,
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
    # the sheet a column at a time (rows shorter than the widest read as blank to the right)
    by_column = list(zip_longest(*data)) if data else []
    blank_column = (None,) * n
    for j, column, parse, flag in plan:
        values = by_column[j] if j < len(by_column) else blank_column
        if flag is not None:
            values = [flag if is_blank(v) else v for v in values]
        try:
            columns[column.field] = parse_column(parse, column, values)
            continue
        except CellError:
            pass  # a cell that cannot be read: the column again, cell by cell, to find each
        out = [None] * n
        for k, value in enumerate(values):
            try:
                out[k] = parse(value)
            except CellError as exc:
                ok[k] = False
                bad_cells.append((where[k], j, column.issue_code, str(exc), column.name))
        columns[column.field] = out
    merged = getattr(grid, "merged", None)
    if merged:
        row_index = {row: k for k, row in enumerate(where)}
        bad_cells += _merged_cells(merged, layout.mapping, row_index, ok)
    for i, j, code, message, name, *severity in sorted(bad_cells):  # row by row
        issues.append(
            Issue(
                code,
                message,
                *severity,
                file=load.path.name,
                sheet=sheet_name,
                cell=a1(i, j),
                column=name,
            )
        )
    keep = [k for k in range(n) if ok[k]]
    load.normalized = _normal_case(table, columns)
    _insert(load, columns, keep if len(keep) < n else None, fill, n)
    return n, issues, [where[k] for k in keep]


def _normal_case(table, columns: dict[str, list]) -> bool:
    """Put the parsed text in its normal form (``Column.normal_sql``) before it is
    inserted, so that ``line_checks.normalize`` need not scan the lines: DuckDB reads lines
    not yet committed about 8 times slower than committed ones (0.16 s for 100,000 where
    the same statement takes 0.02 s once they are committed).

    The parsers already trim (Python's ``strip``, which removes every space SQL's ``trim``
    does and more) and read a blank as None, and ``_insert`` fills the defaults; what is
    left is the case of codes and enumerations, done here where the text is ASCII (Python
    and DuckDB agree there: not on ``straße``). False when a value is not ASCII text: the
    SQL statement then decides, as for every other format.
    """
    for c in table.columns:
        values = columns.get(c.field)
        if values is None or not c.kind.case:
            continue
        to_case, change = getattr(str, c.kind.case), {}  # the SQL function's name: str's too
        for value in set(values) - {None}:  # few distinct codes, each looked at once
            if type(value) is not str or not value.isascii():
                return False
            normal = to_case(value)
            if normal != value:
                change[value] = normal
        if change:
            columns[c.field] = [change.get(v, v) for v in values]
    return True


def distributor_locales(ledger) -> dict[str, str | None]:
    """Each distributor's locale (program workbook), read once while the ledger is open."""
    return ledger.program_fact(
        "locales",
        lambda: dict(
            ledger.con.execute("SELECT distributor_id, locale FROM distributors").fetchall()
        ),
    )


def named_locales(load: PartLoad, grid) -> tuple[str | None, tuple[str | None, ...]]:
    """The locale for text numbers and dates of a sheet that does not say whose it is as a
    whole, from the distributors its Distributor ID column names: (their one locale, ())
    when they write numbers alike, as if the distributor had been given for the file;
    (None, their locales) when they do not (``io.cells.agreed_parser``). Ids the program
    does not know say nothing here (their lines are quarantined by the checks)."""
    j = load.layout.position("distributor_id")
    if j is None:
        return load.locale, ()
    column = load.layout.mapping[j]
    cells = {row[j] for row in grid[1:] if j < len(row)}  # each distinct value read once
    named = {parse_id(v, column).casefold() for v in cells if not is_blank(v)}
    if not named:
        return load.locale, ()
    by_id = {d.casefold(): loc for d, loc in distributor_locales(load.ledger).items()}
    found = {by_id[d] for d in named if d in by_id}
    if len(found) > 1:
        return None, tuple(sorted(found, key=lambda loc: loc or ""))
    return (found.pop() if found else load.locale), ()


# The Arrow type of a column whose parser gives one Python type (text kinds: str), given
# rather than inferred from 100,000 values; a value of another type raises, and the column
# goes the pandas way as any mixed column does.
_ARROW = {"int": pa.int64(), "date": pa.date32(), "decimal": pa.string()}  # decimals as text


def _insert(load: PartLoad, columns: dict[str, list], keep: list[int] | None, fill: dict, n: int):
    """Insert the parsed rows (``keep``: their indexes, None for all ``n``) into the lines
    table.

    The values go to DuckDB once, as an Arrow table (decimals as exact text, ID lists as
    lists), and ``insert_sql`` casts each column to its declared type, as for every format;
    a column Arrow cannot hold as one type goes the pandas way (``frame_for_insert``).
    """
    table = load.table
    arrays, types = {}, {}
    for c in table.columns:
        values = columns.get(c.field)
        if values is None:
            values = [None] * (len(keep) if keep is not None else n)
        elif keep is not None:
            values = [values[k] for k in keep]
        default = fill.get(c.field)
        if default is not None:
            values = [default if v is None else v for v in values]
        if c.type == "decimal":
            values = [None if v is None else str(v) for v in values]
        elif c.type == "idlist":
            values = [list(v) if v else [] for v in values]
        arrays[c.field] = values
        types[c.field] = _ARROW.get(c.type) or (pa.string() if c.kind.text else None)
    try:
        incoming = pa.table({f: pa.array(v, types[f]) for f, v in arrays.items()})
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):  # mixed types in a column
        incoming = frame_for_insert(pd.DataFrame(arrays, dtype=object), table)
    con = load.ledger.con
    con.register("incoming", incoming)
    try:
        con.execute(insert_sql(lines_table(table), "incoming", table, load.sid))
    finally:
        con.unregister("incoming")


def _merged_cells(merged: dict, mapping: dict, row_index: dict, ok: list) -> list[tuple]:
    """Each data cell of the layout hidden by a merged block, as a located problem; a
    required one marks its line bad (``ok``)."""
    found = []
    for (i, j), block in merged.items():
        k, column = row_index.get(i), mapping.get(j)
        if k is None or column is None:
            continue  # a blank row, a totals row, or a column the layout does not read
        severity = ERROR if column.required else WARNING
        if severity == ERROR:
            ok[k] = False
        message = (
            f"{a1(i, j)} is part of the merged cells {block} and reads empty (only the "
            f"first cell of a merged block keeps a value); unmerge them and fill in the "
            f"{column.name} on every row"
        )
        if severity == WARNING:
            message += "; the line was loaded without it"
        found.append((i, j, column.issue_code, message, column.name, severity))
    return found

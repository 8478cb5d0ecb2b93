"""A received workbook sheet into the ledger: parsed a column at a time, typed by the
declaration, so every problem carries its sheet and A1 cell.

Blank rows are skipped and a totals row a person added at the bottom is left out (with a
warning). A cell that reads empty because it lies inside a merged block (the grid's
``merged``, from ``io.recognition``) is named as such: an error that quarantines the line
in a required column, a warning in an optional one (the line loads without the value).
Cells are parsed leniently here (``io.cells.column_parser``: the distributor's
locale for numbers and dates typed as text); whether a value is required, in range or
known is checked in SQL afterwards, the same way for every format (``line_checks``).
"""

from __future__ import annotations

import pandas as pd

from channelxl.io.cells import CellError, column_parser, is_blank
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

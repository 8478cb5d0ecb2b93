"""A received CSV into the ledger: DuckDB's own reader, typed by the declaration.

A million-line export loads at close to the speed of a bare ``read_csv``: the file goes
straight from the reader into the lines table, each column cast to its declared type;
rows the reader cannot cast come back from its rejects table with their line, and every
bad value of such a line is named (not only the first DuckDB saw).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal

from channelxl.io.csv_dialect import CsvDialect
from channelxl.io.safety import refusal
from channelxl.issues import Issue
from channelxl.ledger.ddl import lines_table
from channelxl.ledger.received_part import PartLoad
from channelxl.schema.columns import sql_text

SMALL_FILE = 4 << 20  # bytes: below this a CSV is normalised as it is read


def insert_csv(load: PartLoad, dialect: CsvDialect) -> tuple[int, list[Issue], set[int]]:
    """Read the CSV straight into the lines table, typed; return (records, cast issues, lines)."""
    con, table, layout = load.ledger.con, load.table, load.layout
    small = load.path.stat().st_size < SMALL_FILE
    load.normalized = small
    columns = {}
    for j, header in enumerate(dialect.header):
        column = layout.mapping.get(j)
        kind = (
            column.duck_type if column and column.type in ("int", "decimal", "date") else "VARCHAR"
        )
        columns[header or f"column{j}"] = kind
    header_of = {c.field: (dialect.header[j] or f"column{j}") for j, c in layout.mapping.items()}
    select = []
    for c in table.columns:
        src = header_of.get(c.field)
        # A large file is read raw and normalize() fixes only the rows that need it, which
        # keeps the read as fast as a bare read_csv; a small one is normalised as it is read
        # (one statement fewer per file).
        expr = f'"{src}"' if src else "NULL"
        if small and c.kind.text:
            expr = c.normal_sql(expr)
        if c.field == "distributor_id" and load.distributor:
            expr = f"COALESCE({expr}, {sql_text(load.distributor)})"
        if c.field == "period" and load.period:
            expr = f"COALESCE({expr}, {sql_text(load.period)})"
        select.append(f"CAST({expr} AS {c.duck_type})")
    options = {
        "header": "true",
        "delim": sql_text(dialect.delimiter),
        "quote": "'\"'",
        "escape": "'\"'",
        "encoding": sql_text(dialect.encoding),
        "dateformat": "'%Y-%m-%d'",
        "columns": "{" + ", ".join(f"{sql_text(k)}: '{v}'" for k, v in columns.items()) + "}",
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
            f"FROM read_csv({sql_text(str(load.path))}, {opts})"
        )
    except Exception as exc:  # DuckDB raises its own types for malformed text
        raise refusal(
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
                    column.issue_code,
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
    return next(csv.reader(io.StringIO(csv_line.strip("\r\n")), delimiter=dialect.delimiter), [])

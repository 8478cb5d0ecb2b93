"""A received CSV into the ledger: DuckDB's own reader, typed by the declaration.

A million-line export loads at close to the speed of a bare ``read_csv``: the file goes
straight from the reader into the lines table, each column cast to its declared type, and
the file is read again (with Python's csv module) only when a problem must be located.

Rules:

- **Its own bytes, whatever its name.** DuckDB takes a path as a glob pattern
  (``ship[1].csv`` would read ``ship1.csv``), so the pattern characters are escaped
  (:func:`duckdb_path`). Columns are named by position (c0, c1...), never by the sender's
  header text. UTF-16 and Windows-1252 files are read through a UTF-8 copy outside the
  inbox (``io.csv_dialect.utf8_source``); the original is never modified.
- **Not data:** blank lines (every value empty or spaces, such as the ``,,,,`` Excel
  writes for an empty row) are skipped in SQL; a copy of the header row (files joined
  together) is left out and reported, not counted as a line (every layout has a date,
  number or whole-number column its header's text cannot fill, so the copy comes back as
  a problem line). ``io.csv_dialect`` leaves out the same records when it numbers lines.
- **Whole numbers are whole.** They are read as text and must look like ``12`` (or
  ``12.00``): ``1.5`` is never rounded to 2, and a value outside the ledger's range is
  named too large. Dates and decimals are typed by the reader (1234.50; no grouping).
- **A line that cannot be read is quarantined, every bad value in it named** with its line
  and column: a line the reader rejects (a value it cannot cast, too few or too many
  values, a quote that does not close) comes back from its rejects table; a line whose
  whole number is not one (:data:`UNREADABLE` in the loaded row), or whose text holds a
  control character (looked for only when the file holds one), is taken out again.
- A quote opened and never closed makes the rest of the file one value: the file is
  refused, naming the line the quote is on.
- **A small plain file skips the reader** (``ledger.plain_csv``): split in Python, and
  inserted through the same SELECT expressions, or typed in Python when every value is
  plain beyond doubt; anything else takes the reader. All three give the same rows.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import duckdb

from channelxl.errors import FileRefused
from channelxl.io.cells import CONTROL_CHARACTERS, control_character, fits, too_large
from channelxl.io.csv_dialect import (
    SAVE_AS_UTF8,
    CsvDialect,
    Record,
    csv_records,
    lone_carriage_return,
    utf8_source,
)
from channelxl.io.safety import refusal
from channelxl.issues import WARNING, Issue
from channelxl.ledger.ddl import lines_table
from channelxl.ledger.plain_csv import insert_typed, plain_columns
from channelxl.ledger.received_part import PartLoad
from channelxl.schema import Column
from channelxl.schema.columns import sql_text

SMALL_FILE = 4 << 20  # bytes: below this a CSV is normalised as it is read

# A whole number as a CSV holds it: digits, a sign, spaces around, a point and zeros after.
WHOLE_NUMBER = r" *[+-]?[0-9]+(\.0*)? *"
_WHOLE_NUMBER = re.compile(WHOLE_NUMBER)
# Loaded in place of a whole number that is not one (1.5, ten, 10^20): outside the range a
# value may take (``io.cells.WHOLE_MAX``), so it means only this; such lines are taken out.
UNREADABLE = -(2**63)
_UNREADABLE_SQL = f"CAST('{UNREADABLE}' AS BIGINT)"

_GLOB = re.compile(r"([\[*?])")
_SEPARATOR = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}
_EXPECTED = {
    "int": "a whole number",
    "decimal": "a number like 1234.50",
    "date": "a date as YYYY-MM-DD",
}


def duckdb_path(path: Path) -> str:
    """``path`` as DuckDB must be given it to read exactly that file: absolute (a leading
    ``~`` is not the home folder) and with ``[``, ``*`` and ``?`` escaped, which DuckDB
    would otherwise expand as a glob (``ship[1].csv`` -> ``ship1.csv``)."""
    return _GLOB.sub(r"[\1]", str(Path(path).absolute()))


def insert_csv(load: PartLoad, dialect: CsvDialect) -> tuple[int, list[Issue], set[int]]:
    """Read the CSV straight into the lines table, typed; return (records, issues, lines):
    the data records read, what was found in them, and the lines quarantined (each line a
    record starts on, with any line a record swallowed)."""
    con, table, layout = load.ledger.con, load.table, load.layout
    small = load.path.stat().st_size < SMALL_FILE
    load.normalized = small
    # the reader's columns, by position: the declared type for dates and decimals, text
    # for everything else (whole numbers are checked as text, see WHOLE_NUMBER)
    kinds = {}
    for j in range(dialect.width):
        column = layout.mapping.get(j)
        kinds[j] = column.duck_type if column and column.type in ("decimal", "date") else "VARCHAR"
    select = [_value_sql(c, load, small, dialect.width) for c in table.columns]
    options = {
        "header": "true",
        "auto_detect": "false",  # the dialect is known; sniffing a small odd file fails
        "delim": sql_text(dialect.delimiter),
        "quote": "'\"'",
        "escape": "'\"'",
        "encoding": "'utf-8'",
        "dateformat": "'%Y-%m-%d'",
        "columns": "{" + ", ".join(f"'c{j}': '{t}'" for j, t in kinds.items()) + "}",
        "store_rejects": "true",
        "rejects_table": "'chx_rejects'",
        "rejects_scan": "'chx_scans'",
        # a short line is a problem of its own (not NULL-padded), and a value may span
        # lines (Alt+Enter in Excel), which the parallel reader allows only without padding
        "null_padding": "false",
    }
    lt, names = lines_table(table), ", ".join(c.field for c in table.columns)
    plain = plain_columns(load.path, dialect, kinds) if small else None
    if plain is not None:
        typed = insert_typed(load, plain, kinds)
        if typed is None:
            # the same expressions as the reader's path, over the values split in Python
            source = ", ".join(f"unnest(CAST(? AS VARCHAR[])) AS c{j}" for j in kinds)
            con.execute(
                f"INSERT INTO {lt} (submission_id, {names}) SELECT {load.sid}, "
                f"{', '.join(select)} FROM (SELECT {source}) WHERE {_data_lines_sql(kinds)}",
                plain,
            )
        else:
            # the rows are the values inserted; only where they went is asked (in file
            # order, consecutive: see _take_out)
            first, count = con.execute(
                f"SELECT min(rowid), count(*) FROM {lt} WHERE submission_id = ?", [load.sid]
            ).fetchone()
            if count == len(typed):
                load.rows = [{"rowid": first + k, **row} for k, row in enumerate(typed)]
        rows = load.line_rows()
        load.first = first = rows[0]["rowid"] if rows else None
        loaded, rejects = len(rows), []
        unreadable = _unreadable_in_rows(load, rows, first)
    else:
        first, loaded, rejects = _read(load, dialect, kinds, select, options)
        unreadable = _unreadable_rows(load, dialect, first) if loaded else {}
    if not rejects and not unreadable:
        return loaded, [], set()
    # the error path: the file is read again to locate and name each problem
    found = _Located(load, dialect, _by_line(rejects), set(unreadable))
    if unreadable:
        _take_out(load, list(unreadable.values()))
        load.first = None  # the rows kept were inserted again
        load.rows = None
    return loaded - len(unreadable) + len(found.lines), found.issues, found.lines


def _read(load: PartLoad, dialect: CsvDialect, kinds: dict, select: list[str], options: dict):
    """DuckDB's reader into the lines table; (first rowid, rows loaded, rejects)."""
    con, lt = load.ledger.con, lines_table(load.table)
    names = ", ".join(c.field for c in load.table.columns)
    opts = ", ".join(f"{k}={v}" for k, v in options.items())
    # no chx_rejects table is left over: each load drops it, and a failed load rolls back
    # the transaction that made it (fewer statements: a small file's cost is their count)
    with utf8_source(load.path, dialect) as source:
        try:
            con.execute(
                f"INSERT INTO {lt} (submission_id, {names}) "
                f"SELECT {load.sid}, {', '.join(select)} "
                f"FROM read_csv({sql_text(duckdb_path(source))}, {opts}) "
                f"WHERE {_data_lines_sql(kinds)}"
            )
        except duckdb.Error:
            # the reader gave up on the whole file (and the transaction with it); its own
            # message names its internals, so say what a person can see instead
            raise _unreadable_file(load.path, dialect) from None
    first, loaded, rejects = con.execute(
        f"SELECT min(rowid), count(*), (SELECT list({{'l': line, 'c': column_name, 'e': "
        f"error_type}} ORDER BY line) FROM chx_rejects) FROM {lt} WHERE submission_id = ?",
        [load.sid],
    ).fetchone()
    rejects = [(r["l"], r["c"], r["e"]) for r in rejects or []]
    con.execute("DROP TABLE chx_rejects; DROP TABLE chx_scans")
    load.first = first
    return first, loaded, rejects


def _unreadable_in_rows(load: PartLoad, rows: list[dict], first: int | None) -> dict[int, int]:
    """:func:`_unreadable_rows` over rows read already (a plain file: no control
    character): a whole number that is not one."""
    fields = [
        c.field
        for c in load.table.columns
        if c.type == "int" and load.layout.position(c.field) is not None
    ]
    return {r["rowid"] - first: r["rowid"] for r in rows if any(r[f] == UNREADABLE for f in fields)}


def _unreadable_file(path: Path, dialect: CsvDialect) -> FileRefused:
    line = lone_carriage_return(path, dialect)
    if line is not None:
        return refusal(
            path,
            f"line {line} ends with a lone carriage return, unlike the other lines, so the "
            f"file cannot be read as lines of values; {SAVE_AS_UTF8}",
            line=line,
        )
    separator = _SEPARATOR.get(dialect.delimiter, repr(dialect.delimiter))
    return refusal(
        path,
        f"the file cannot be read as lines of values separated by a {separator}; {SAVE_AS_UTF8}",
    )


def _value_sql(c: Column, load: PartLoad, small: bool, width: int) -> str:
    """The SELECT expression of declared column ``c`` from the reader's columns."""
    j = load.layout.position(c.field)
    src = f"c{j}" if j is not None and j < width else None
    expr = src or "NULL"
    if src and c.type == "int":
        # never DuckDB's cast of '1.5' (it rounds): what is not whole becomes UNREADABLE
        # (digits alone, the usual value, are told by a GLOB, cheaper than the pattern)
        whole = f"coalesce(TRY_CAST({src} AS BIGINT), {_UNREADABLE_SQL})"
        expr = (
            f"CASE WHEN {src} <> '' AND NOT ({src} GLOB '*[!0-9]*') THEN {whole} "
            f"WHEN regexp_full_match({src}, {sql_text(WHOLE_NUMBER)}) THEN {whole} "
            f"WHEN trim({src}) <> '' THEN {_UNREADABLE_SQL} END"
        )
    elif small and c.kind.text:
        # A large file is read raw and normalize() fixes only the rows that need it, which
        # keeps the read as fast as a bare read_csv; a small one is normalised as it is read
        # (one statement fewer per file).
        expr = c.normal_sql(expr)
    if c.field == "distributor_id" and load.distributor:
        expr = f"COALESCE({expr}, {sql_text(load.distributor)})"
    if c.field == "period" and load.period:
        expr = f"COALESCE({expr}, {sql_text(load.period)})"
    return f"CAST({expr} AS {c.duck_type})"


def _data_lines_sql(kinds: dict[int, str]) -> str:
    """The condition a line that is not blank meets (``CsvDialect.is_blank`` is the same
    rule: some value is more than spaces)."""
    return " OR ".join(
        f"coalesce(trim(c{j}), '') <> ''" if t == "VARCHAR" else f"c{j} IS NOT NULL"
        for j, t in kinds.items()
    )


def _unreadable_rows(load: PartLoad, dialect: CsvDialect, first: int) -> dict[int, int]:
    """Loaded rows that must come out again, as {record index: rowid}: a whole number that
    is not one, or text holding a control character (looked for only when the file has
    one: the pattern costs a scan)."""
    conditions = []
    for c in load.table.columns:
        if load.layout.position(c.field) is None:
            continue
        if c.type == "int":
            conditions.append(f"{c.field} = {_UNREADABLE_SQL}")
        elif c.kind.text and dialect.controls:
            conditions.append(f"regexp_matches({c.field}, {sql_text(CONTROL_CHARACTERS)})")
    if not conditions:
        return {}
    rows = load.ledger.con.execute(
        f"SELECT rowid FROM {lines_table(load.table)} WHERE submission_id = ? "
        f"AND ({' OR '.join(conditions)})",
        [load.sid],
    ).fetchall()
    return {rowid - first: rowid for (rowid,) in rows}


def _take_out(load: PartLoad, rowids: list[int]) -> None:
    """Delete these rows, keeping the others' rowids consecutive and in file order (the
    checks locate a row by its distance from the first)."""
    con, lt, sid = load.ledger.con, lines_table(load.table), load.sid
    con.execute(
        f"CREATE TEMP TABLE chx_kept AS SELECT * FROM {lt} WHERE submission_id = ? "
        "AND rowid NOT IN (SELECT unnest(?)) ORDER BY rowid",
        [sid, rowids],
    )
    con.execute(f"DELETE FROM {lt} WHERE submission_id = ?", [sid])
    con.execute(f"INSERT INTO {lt} SELECT * FROM chx_kept ORDER BY rowid")
    con.execute("DROP TABLE chx_kept")


def _by_line(rejects: list[tuple]) -> dict[int, list[tuple[str, int | None]]]:
    """The reader's rejects by its line number (a record's ordinal): [(error, column)]."""
    out: dict[int, list[tuple[str, int | None]]] = {}
    for line, column_name, error_type in rejects:
        position = (
            int(column_name[1:])
            if column_name and (column_name[1:].isascii() and column_name[1:].isdigit())
            else None
        )
        out.setdefault(line, []).append((error_type, position))
    return out


class _Located:
    """The problem lines of a CSV, located by reading it again: ``issues`` and ``lines``
    (each quarantined record's first physical line, and the lines a stray quote made part
    of it)."""

    def __init__(self, load: PartLoad, dialect: CsvDialect, rejected: dict, unreadable: set):
        self.load, self.dialect = load, dialect
        self.issues: list[Issue] = []
        self.lines: set[int] = set()
        records: dict[int, Record] = {}  # rejected records by ordinal
        rows: dict[int, Record] = {}  # loaded rows to take out, by record index
        last, k = None, 0
        for record in csv_records(load.path, dialect):
            last = record.ordinal
            if record.ordinal == 1:
                continue  # the header
            if record.ordinal in rejected:
                records[record.ordinal] = record
            elif not dialect.is_blank(record.fields):  # a loaded row, header copies too
                if k in unreadable:
                    rows[k] = record
                k += 1
        for ordinal, errors in sorted(rejected.items()):
            if ordinal in records:
                self._rejected(records[ordinal], errors, final=ordinal == last)
            else:  # Python's reader parts the file otherwise: a line, though not where
                self._unplaced(-ordinal)
        for k in sorted(unreadable):
            if k not in rows:
                self._unplaced(-(10**12) - k)
            elif not self._header_copy(rows[k]):
                self._values(rows[k], [])
        self.issues.sort(key=lambda i: i.line or 0)

    def _issue(self, record: Record, code: str, message: str, **more) -> None:
        self.issues.append(Issue(code, message, file=self.load.path.name, line=record.line, **more))

    def _quarantine(self, record: Record, code: str, message: str, swallowed: bool = False):
        """An error on the line: quarantined (with the lines it swallowed, if any)."""
        self._issue(record, code, message)
        self.lines.update(range(record.line, (record.end if swallowed else record.line) + 1))

    def _unplaced(self, key: int) -> None:
        self.issues.append(
            Issue("TYPE", "a line of the file cannot be read", file=self.load.path.name)
        )
        self.lines.add(key)  # counted as quarantined; no real line has a negative number

    def _header_copy(self, record: Record) -> bool:
        """A copy of the header row is not data: said, left out, not counted as a line."""
        if not self.dialect.is_header(record.fields):
            return False
        message = "this line repeats the header row (were two files joined?); it was left out"
        self._issue(record, "FILE", message, severity=WARNING)
        return True

    def _rejected(self, record: Record, errors: list, final: bool) -> None:
        fields, width = record.fields, self.dialect.width
        if self.dialect.is_blank(fields):
            return  # spaces in a date or number column of an empty line: not data
        if self._header_copy(record):
            return
        kinds = {error for error, _ in errors}
        separator = _SEPARATOR.get(self.dialect.delimiter, repr(self.dialect.delimiter))
        if "UNQUOTED VALUE" in kinds:
            if final and record.end > record.line:
                raise refusal(
                    self.load.path,
                    f'line {record.line} opens a quote (") that is never closed, so '
                    f"everything from there to the end of the file (line {record.end}) "
                    "reads as one value; remove that quote, or close it, and send the "
                    "file again",
                    line=record.line,
                )
            runs_on = (
                f", so lines {record.line} to {record.end} were read as one line"
                if record.end > record.line
                else ""
            )
            self._quarantine(
                record,
                "TYPE",
                f'a quote (") in this line is not closed where its value ends{runs_on}; '
                "remove the stray quote, or put the whole value in quotes",
                swallowed=True,
            )
        elif "LINE SIZE OVER MAXIMUM" in kinds:
            self._quarantine(
                record,
                "TYPE",
                "the line is too long to read (over 2 million characters); check it for a "
                "quote that is not closed",
                swallowed=True,
            )
        elif "MISSING COLUMNS" in kinds or len(fields) < width:
            self._quarantine(
                record,
                "TYPE",
                f"the line has {_how_many(len(fields))} but the header row has {width} "
                f"columns: a value or a {separator} is missing, or the line was split in two",
            )
        elif "TOO MANY COLUMNS" in kinds:
            self._quarantine(
                record,
                "TYPE",
                f"the line has {_how_many(len(fields))} but the header row has {width} "
                f"columns: a value may hold a {separator} without quotes around it",
            )
        else:  # a value the reader could not cast: name it, and every other bad one
            self._values(record, [j for error, j in errors if error == "CAST"])

    def _values(self, record: Record, named_by_reader: list[int]) -> None:
        """Every bad value of a line; one the reader named is reported even when it looks
        right here (the reader's word is final on what it took)."""
        found = False
        for j, column in sorted(self.load.layout.mapping.items()):
            value = record.fields[j] if j < len(record.fields) else ""
            message = value_problem(value, column, self.dialect.controls)
            if message is None and j in named_by_reader:
                message = f"{value!r} is not {_EXPECTED.get(column.type, column.type)}"
            if message is not None:
                found = True
                self._issue(record, column.issue_code, message, column=column.name)
        if not found:
            self._issue(record, "TYPE", "the line cannot be read; check its values")
        self.lines.add(record.line)


def value_problem(value: str, column: Column, controls: bool = True) -> str | None:
    """What is wrong with a CSV value for ``column`` as the loader reads it; None if
    nothing. The same rules as the load: ``WHOLE_NUMBER``, DuckDB's decimal and date
    casts, control characters in text."""
    if column.kind.text:
        return control_character(value) if controls else None
    # blanks are NULL (the checks say if one is required); for whole numbers, as in SQL,
    # a blank is empty or spaces
    text = value.strip(" ") if column.type == "int" else value.strip()
    if not text or column.type not in _EXPECTED:
        return None
    if column.type == "date":
        try:
            return None if len(text) == 10 and date.fromisoformat(text) else _not(value, column)
        except ValueError:
            return _not(value, column)
    if column.type == "int" and not _WHOLE_NUMBER.fullmatch(value):
        return _not(value, column)
    try:
        number = Decimal(text)
    except InvalidOperation:
        return _not(value, column)
    if not number.is_finite():
        return _not(value, column)
    if not fits(number, column):
        return too_large(repr(value), column)
    return None


def _how_many(n: int) -> str:
    return "1 value" if n == 1 else f"{n} values"


def _not(value: str, column: Column) -> str:
    return f"{value!r} is not {_EXPECTED[column.type]}"

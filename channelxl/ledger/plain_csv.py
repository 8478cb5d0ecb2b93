"""A small plain CSV into the ledger without DuckDB's reader: the fixed cost of a file.

A monthly report is a few dozen lines, and each statement costs it more than its lines
do: the reader (``ledger.load_csv``) costs one statement for the read, two for its rejects
tables, and the cast and normal-form expressions of 15 columns cost as much as the read.
So a file that is plain beyond doubt is read here instead, with the same result:

- :func:`plain_columns`: a UTF-8 file of at most :data:`PLAIN_BYTES`, with no quote, no
  control character, one kind of line end (LF, or CR LF on every line), every line as
  wide as the header, and every date and decimal written plainly (``2026-09-30``,
  ``-1234.5``, no more decimals than the column keeps) splits the same in Python as through
  the reader; its values, column by column, an empty value as NULL (as the reader takes
  it). ``load_csv`` inserts them through its own SELECT expressions.
- :func:`insert_typed`: when, besides, every whole number is digits alone (at most 18) and
  every text value ends in a printable ASCII character or is spaces (so DuckDB's ``trim``,
  which also trims Unicode spaces, trims only the spaces ``str.strip(" ")`` does) and codes
  to change case are ASCII (DuckDB's ``upper('ß')`` is not Python's), the values are typed
  and put in normal form here (``Column.normal_sql`` in Python: trimmed, blank as NULL,
  case, default; the distributor and period the file is for) and inserted in one
  statement, each column a typed list.

Anything else takes the reader. Tests load generated files all three ways and compare the
rows.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from itertools import zip_longest
from pathlib import Path

from channelxl.io.csv_dialect import CsvDialect
from channelxl.ledger.ddl import lines_table
from channelxl.ledger.received_part import PartLoad

PLAIN_BYTES = 512 << 10  # bytes: a larger file takes the reader (its rows are cheap there)
TYPED = True  # False: plain files go through the SQL expressions (tests compare both)

_PLAIN_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_PLAIN_DECIMAL = re.compile(r"-?([0-9]+)(?:\.([0-9]+))?")
_DECIMAL_TYPE = re.compile(r"DECIMAL\(([0-9]+),([0-9]+)\)")
_DIGITS = re.compile(r"[0-9]{1,18}")  # below 2**63: never out of range


def plain_columns(path: Path, dialect: CsvDialect, kinds: dict[int, str]) -> list | None:
    """The file's data values column by column (``kinds``: the reader's type of each
    column), when the file is plain (above); None otherwise."""
    width = dialect.width
    if (
        dialect.encoding != "utf-8"
        or dialect.controls
        or len(dialect.header) != width
        or path.stat().st_size > PLAIN_BYTES
    ):
        return None
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return None
    text = text.removeprefix("\ufeff")
    if '"' in text:
        return None
    if "\r" in text:  # every line ending CR LF, or the reader decides
        crlf = text.count("\r\n")
        if text.count("\r") != crlf or text.count("\n") != crlf:
            return None
        text = text.replace("\r\n", "\n")
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    records = [line.split(dialect.delimiter) for line in lines[1:]]
    if any(len(r) != width for r in records):
        return None
    columns = [[v or None for v in column] for column in zip_longest(*records)] or [
        [] for _ in range(width)
    ]
    for j, kind in kinds.items():
        if kind == "DATE":
            if not all(v is None or _plain_date(v) for v in columns[j]):
                return None
        elif kind != "VARCHAR":
            size = _DECIMAL_TYPE.fullmatch(kind)
            if size is None:
                return None
            whole, scale = int(size[1]) - int(size[2]), int(size[2])
            if not all(v is None or _plain_decimal(v, whole, scale) for v in columns[j]):
                return None
    return columns


def _plain_date(value: str) -> bool:
    if not _PLAIN_DATE.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _plain_decimal(value: str, whole: int, scale: int) -> bool:
    m = _PLAIN_DECIMAL.fullmatch(value)
    return m is not None and len(m[1]) <= whole and len(m[2] or "") <= scale


def insert_typed(load: PartLoad, plain: list, kinds: dict[int, str]) -> list[dict] | None:
    """Insert the plain values typed and in normal form (above) and return them as rows
    (each declared field; no rowid yet); None, inserting nothing, when a value is not plain
    beyond doubt or the lines table is not laid out as declared (a ledger from before a
    column was added)."""
    if not TYPED:
        return None
    table, layout = load.table, load.layout
    lt = lines_table(table)
    ledger = load.ledger
    layout_now = ledger.program_fact(
        f"columns of {lt}",
        lambda: [
            (name, kind)
            for name, kind in ledger.con.execute(
                "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ? "
                "AND schema_name = 'main' ORDER BY column_index",
                [lt],
            ).fetchall()
        ],
    )
    declared = [("submission_id", "BIGINT"), *((c.field, c.duck_type) for c in table.columns)]
    if layout_now != declared:
        return None
    # which lines are data: some value more than spaces (load_csv's _data_lines_sql)
    n = len(plain[0]) if plain else 0
    keep = [False] * n
    for j, kind in kinds.items():
        for k, v in enumerate(plain[j]):
            if v is None:
                continue
            if kind != "VARCHAR":
                keep[k] = True
            elif not _plain_text(v):
                return None
            elif v.strip(" "):
                keep[k] = True
    typed: list[list] = []
    for c in table.columns:
        j = layout.position(c.field)
        values = plain[j] if j is not None and j < len(plain) else [None] * n
        values = [v for v, kept in zip(values, keep, strict=True) if kept]
        out = _typed(c, values)
        if out is None:
            return None
        if c.kind.text and c.default is not None:
            out = [c.default if v is None else v for v in out]
        given = {"distributor_id": load.distributor, "period": load.period}.get(c.field)
        if given:
            out = [given if v is None else v for v in out]
        typed.append(out)
    # one statement, each column a typed list (cheaper for a small file than an Arrow table)
    columns = ", ".join(f"unnest(CAST(? AS {c.duck_type}[]))" for c in table.columns)
    ledger.con.execute(f"INSERT INTO {lt} SELECT ?, {columns}", [load.sid, *typed])
    fields = [c.field for c in table.columns]
    return [dict(zip(fields, row, strict=True)) for row in zip(*typed, strict=True)]


def _plain_text(value: str) -> bool:
    """Spaces, or text whose first and last characters other than spaces are printable
    ASCII: DuckDB's ``trim`` and ``str.strip(" ")`` agree on it."""
    text = value.strip(" ")
    return not text or ("!" <= text[0] <= "~" and "!" <= text[-1] <= "~")


def _typed(c, values: list) -> list | None:
    """Column ``c``'s values as the SELECT expressions of ``load_csv`` make them, or None
    when one is not plain beyond doubt."""
    if c.type == "int":
        if not all(v is None or _DIGITS.fullmatch(v) for v in values):
            return None
        return [None if v is None else int(v) for v in values]
    if c.type == "date":
        return [None if v is None else date.fromisoformat(v) for v in values]
    if c.type == "decimal":
        return [None if v is None else Decimal(v) for v in values]
    if not c.kind.text:
        return None
    out = []
    for v in values:
        text = None if v is None else (v.strip(" ") or None)
        if text is not None and c.kind.case:
            if not text.isascii():
                return None
            text = text.upper() if c.kind.case == "upper" else text.lower()
        out.append(text)
    return out

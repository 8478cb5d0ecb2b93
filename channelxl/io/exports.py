"""Recognising and opening the files people send: CSV or spreadsheet exports.

A file's kind is recognised from its header row, matched against the layouts declared
in :mod:`channelxl.schema` ignoring case, spaces, underscores and column order. Nothing
here loads anything; :mod:`channelxl.ledger.ingest` does.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from channelxl.issues import Issue
from channelxl.schema import EXPORT_TABLES, Column, Table, normalize_header

MAX_FILE_BYTES = 1 << 30  # 1 GiB: a larger "export" is a mistake, not a report
SNIFF_BYTES = 64 * 1024

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and encrypted .xlsx


@dataclass
class CsvDialect:
    delimiter: str
    encoding: str  # as DuckDB names it: utf-8 or latin-1
    header: list[str]


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


def file_format(path: Path) -> str:
    """``xlsx`` (zip), ``ole`` (xls or encrypted workbook) or ``text``; ``binary`` otherwise."""
    with open(path, "rb") as f:
        head = f.read(SNIFF_BYTES)
    if head.startswith(ZIP_MAGIC):
        return "zip"
    if head.startswith(OLE_MAGIC):
        return "ole"
    if b"\x00" in head:
        return "binary"
    return "text"


def sniff_csv(path: Path) -> CsvDialect:
    """Encoding (UTF-8, else Latin-1), delimiter (, ; tab |) and header of a CSV file."""
    with open(path, "rb") as f:
        head = f.read(SNIFF_BYTES)
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    try:
        text, encoding = head.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        # A cut in the middle of a multi-byte character at the sniff boundary is still UTF-8.
        if exc.start >= len(head) - 3:
            text, encoding = head[: exc.start].decode("utf-8"), "utf-8"
        else:
            text, encoding = head.decode("latin-1"), "latin-1"
    first = text.splitlines()[0] if text.strip() else ""
    counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    header = next(csv.reader(io.StringIO(first), delimiter=delimiter), [])
    return CsvDialect(delimiter, encoding, [h.strip() for h in header])


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


def precheck(path: Path, file: str) -> list[Issue]:
    """File-level refusals that need no parsing: missing, empty, too large, not a table."""
    if not path.is_file():
        return [Issue("FILE", "no such file", file=file)]
    size = path.stat().st_size
    if size == 0:
        return [Issue("FILE", "the file is empty", file=file)]
    if size > MAX_FILE_BYTES:
        return [
            Issue(
                "FILE",
                f"the file is {size / 2**20:,.0f} MiB, over the "
                f"{MAX_FILE_BYTES / 2**20:,.0f} MiB limit; split it by month",
                file=file,
            )
        ]
    return []


def csv_line_numbers(path: Path, dialect: CsvDialect, skip_lines: set[int]) -> list[int]:
    """Physical line number of each data record, in order, leaving out ``skip_lines``.

    Only called when a problem must be located: the load itself never pays for it.
    Blank lines are skipped as the CSV reader skips them; a quoted field may span lines.
    """
    out = []
    with open(
        path, encoding="utf-8-sig" if dialect.encoding == "utf-8" else "latin-1", newline=""
    ) as f:
        reader = csv.reader(f, delimiter=dialect.delimiter)
        start = 1
        for i, record in enumerate(reader):
            line = start
            start = reader.line_num + 1
            if i == 0 or not any(x.strip() for x in record) or line in skip_lines:
                continue
            out.append(line)
    return out

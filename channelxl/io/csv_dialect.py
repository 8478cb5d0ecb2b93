"""Received text files: what kind of bytes a file holds, a CSV's dialect, its line numbers.

:func:`file_format` tells a workbook (zip, OLE) from text from anything else by the first
bytes; :func:`sniff_csv` finds a CSV's encoding, delimiter and header; :func:`csv_line_numbers`
maps records to the physical lines a person sees in an editor (only called when a problem
must be located).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

SNIFF_BYTES = 64 * 1024

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and encrypted .xlsx


@dataclass
class CsvDialect:
    delimiter: str
    encoding: str  # as DuckDB names it: utf-8 or latin-1
    header: list[str]


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

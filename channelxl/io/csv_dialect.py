"""Received text files: what kind of bytes a file holds, a CSV's encoding and dialect, its
records and the physical lines they start on.

- :func:`file_format` tells a workbook (zip, OLE) from text from anything else by the first
  bytes; text saved by Excel as "Unicode Text" (UTF-16) is text.
- :func:`sniff_csv` reads the whole file once: its encoding (UTF-8 with or without a BOM;
  UTF-16 with a BOM, or without one when every other byte says so; else Windows-1252, what
  Excel writes for "CSV (Comma delimited)" on a Western Windows), whether a control
  character hides anywhere in its text, its delimiter (, ; tab |) and its header. A byte
  that is no character in any of them refuses the file, naming its line.
- :func:`utf8_source` gives DuckDB a UTF-8 file to read: the original, or a temporary
  copy outside the inbox (the original is never modified).
- :func:`csv_records` and :func:`csv_line_numbers` re-read a file with Python's csv module
  when a problem must be located: physical line numbers, as a person sees them in an
  editor (a record whose quoted value spans lines starts on its first line).

Which records are data: not the header, not a blank record (every value empty or spaces:
an empty line, or ``,,,,`` as Excel writes an empty row; the loader, ``ledger.load_csv``,
skips the same in SQL) and not a copy of the header row (files joined together; the
loader takes them out, as every layout has a column a header's text cannot fill).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import NamedTuple

import numpy as np

from channelxl.io.cells import CONTROL_CHARACTERS
from channelxl.io.safety import refusal
from channelxl.schema import normalize_header

SNIFF_BYTES = 64 * 1024
CHUNK_BYTES = 4 << 20  # the whole-file scan reads this much at a time

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and encrypted .xlsx

# What to do when the bytes cannot be read, in the words of a person with Excel
SAVE_AS_UTF8 = 'save it again as "CSV UTF-8 (Comma delimited)" and send it again'

# Control characters (``io.cells.CONTROL_CHARACTERS``) as bytes: C0 (below 0x20) but tab,
# line feed and carriage return, the bytes allowed below; DEL (0x7F); and in UTF-8 the C1
# range U+0080-U+009F, 0xC2 followed by 0x80-0x9F. In decoded text (UTF-16), the pattern.
_C0_TAB_LF_CR = np.array([0x09, 0x0A, 0x0D], dtype=np.uint8)
_C1_IN_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")
_CONTROL_TEXT = re.compile(CONTROL_CHARACTERS)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass
class CsvDialect:
    """How to read a CSV file: its delimiter, encoding and header row."""

    delimiter: str
    encoding: str  # what the text is: "utf-8" (a BOM or not), "utf-16" or "cp1252"
    header: list[str]
    codec: str = "utf-8-sig"  # the Python codec that reads it (utf-8-sig skips a BOM)
    controls: bool = False  # a control character (U+0000-U+001F but tab/LF/CR, DEL, C1)

    @property
    def width(self) -> int:
        """Columns read: the header's, less empty names at its end (a trailing delimiter,
        whose empty column is ignored whether a line has it or not)."""
        width = len(self.header)
        while width and not self.header[width - 1]:
            width -= 1
        return width

    def open_text(self, path: Path):
        """The file's text, line endings as they are (for ``csv.reader``)."""
        return open(path, encoding=self.codec, newline="")

    def is_blank(self, fields: list[str]) -> bool:
        """Every value read is empty or spaces (``ledger.load_csv`` skips the same rows)."""
        return all(not f.strip(" ") for f in fields[: self.width])

    def is_header(self, fields: list[str]) -> bool:
        """The record repeats the header row: each named column holds its own name (as
        recognition compares names: case, spaces and underscores aside)."""
        named = self._named_columns
        return bool(named) and all(
            j < len(fields) and normalize_header(fields[j]) == key for j, key in named
        )

    @cached_property
    def _named_columns(self) -> tuple[tuple[int, str], ...]:
        # asked once per record when problems are located: the header's keys are worked out
        # once (normalising 14 names per record cost ~0.2 ms, 20 s for 100,000 records)
        return tuple((j, normalize_header(h)) for j, h in enumerate(self.header[: self.width]) if h)


def file_format(path: Path) -> str:
    """``zip`` (xlsx), ``ole`` (xls or encrypted workbook) or ``text``; ``binary`` otherwise."""
    with open(path, "rb") as f:
        head = f.read(SNIFF_BYTES)
    if head.startswith(ZIP_MAGIC):
        return "zip"
    if head.startswith(OLE_MAGIC):
        return "ole"
    if _utf16_codec(head):
        return "text"
    # A stray NUL or two in a text file is a located problem of its line, not a binary
    # file; an image or an executable is full of control bytes from its first ones.
    a = np.frombuffer(head, dtype=np.uint8)
    low = a[a < 0x20]
    controls = np.count_nonzero(~np.isin(low, _C0_TAB_LF_CR)) + int(np.count_nonzero(a == 0x7F))
    if controls > 1 + len(head) // 100:
        return "binary"
    return "text"


def _utf16_codec(head: bytes) -> str | None:
    """The codec of UTF-16 text (Excel's "Unicode Text"): by its BOM, or, without one, by
    the zero byte beside every ASCII character; None for anything else."""
    if head.startswith(codecs.BOM_UTF32_LE):
        return None  # UTF-32 starts like UTF-16 LE; not a text format anyone sends
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[: 4096 - 4096 % 2] if len(head) >= 4096 else head[: len(head) - len(head) % 2]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) >= 0.9 * len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) >= 0.9 * len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


def sniff_csv(path: Path) -> CsvDialect:
    """Encoding, delimiter (, ; tab |) and header of a CSV file, and whether a control
    character hides in it; refuses a file whose bytes are not text in a known encoding."""
    with open(path, "rb") as f:
        head = f.read(SNIFF_BYTES)
    utf16 = _utf16_codec(head)
    if utf16:
        encoding, codec, controls = "utf-16", utf16, _scan_utf16(path, utf16)
    else:
        encoding, codec, controls = _scan_bytes(path, bom=head.startswith(codecs.BOM_UTF8))
    # the head may end inside a character: the incremental decoder keeps that part back
    text = codecs.getincrementaldecoder(codec)(errors="replace").decode(head, final=False)
    first = _LINE_BREAK.split(text, maxsplit=1)[0] if text.strip() else ""
    counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    header = next(csv.reader(io.StringIO(first), delimiter=delimiter), [])
    return CsvDialect(delimiter, encoding, [h.strip() for h in header], codec, controls)


def _c0_controls(chunk: bytes) -> bool:
    """A C0 control other than tab, LF and CR, or DEL, in ``chunk``: the bytes below 0x20
    are counted at once and compared with the line breaks and tabs among them (numpy: the
    whole-file scan must cost little beside the load)."""
    a = np.frombuffer(chunk, dtype=np.uint8)
    low = np.count_nonzero(a < 0x20)
    # counted only as far as needed: LF, then CR (Windows), then tabs
    for allowed in (0x0A, 0x0D, 0x09):
        if not low:
            break
        low -= np.count_nonzero(a == allowed)
    return bool(low) or b"\x7f" in chunk


def _scan_bytes(path: Path, bom: bool) -> tuple[str, str, bool]:
    """(encoding, codec, controls) of a file that is not UTF-16: UTF-8 when every byte of
    it is, else Windows-1252 (a file with a UTF-8 BOM must be UTF-8 throughout)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    c0, c1, bad_at, offset = False, False, None, 0
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK_BYTES):
            plain = chunk.isascii()  # most files: valid UTF-8 with no C1 character
            c0 = c0 or _c0_controls(chunk)
            c1 = c1 or (not plain and _C1_IN_UTF8.search(chunk) is not None)
            pending = len(decoder.getstate()[0])
            if bad_at is None and not (plain and not pending):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    bad_at = offset - pending + exc.start
            offset += len(chunk)
    if bad_at is None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            bad_at = offset - len(decoder.getstate()[0])
    if bad_at is None:
        # a C1 character whose two bytes fall on either side of a chunk boundary is in
        # neither chunk: look at the boundaries too
        return "utf-8", "utf-8-sig", c0 or c1 or _c1_at_boundaries(path, offset)
    if bom:
        line = _line_at(path, bad_at)
        raise refusal(
            path,
            f"the file says it is UTF-8 text, but line {line} is not (it holds the byte "
            f"0x{_byte_at(path, bad_at):02X}); {SAVE_AS_UTF8}",
            line=line,
        )
    _check_cp1252(path)
    return "cp1252", "cp1252", c0


def _c1_at_boundaries(path: Path, size: int) -> bool:
    """A UTF-8 C1 character whose two bytes lie on either side of a chunk boundary."""
    with open(path, "rb") as f:
        for boundary in range(CHUNK_BYTES, size, CHUNK_BYTES):
            f.seek(boundary - 1)
            if _C1_IN_UTF8.match(f.read(2)):
                return True
    return False


def _check_cp1252(path: Path) -> None:
    """Refuse a file with a byte Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90,
    0x9D): it is in some other encoding, and reading it as this one would change its text."""
    offset = 0
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK_BYTES):
            try:
                chunk.decode("cp1252")
            except UnicodeDecodeError as exc:
                at = offset + exc.start
                line = _line_at(path, at)
                raise refusal(
                    path,
                    f"line {line} holds a character that cannot be read (the byte "
                    f"0x{chunk[exc.start]:02X}): the file is neither UTF-8 nor Windows "
                    f"text; {SAVE_AS_UTF8}",
                    line=line,
                ) from None
            offset += len(chunk)


def _scan_utf16(path: Path, codec: str) -> bool:
    """Whether UTF-16 text holds a control character; refuses text that is not UTF-16."""
    decoder = codecs.getincrementaldecoder(codec)()
    controls, lines, last_cr = False, 1, False
    with open(path, "rb") as f:
        while True:
            chunk = f.read(CHUNK_BYTES)
            try:
                text = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                # the text of this piece up to the bad bytes, for the line they are on
                before = exc.object[: exc.start].decode(exc.encoding, errors="replace")
                line = lines + len(_LINE_BREAK.findall(before)) - (before[:1] == "\n" and last_cr)
                raise refusal(
                    path,
                    f"line {line} cannot be read as Unicode text (UTF-16); {SAVE_AS_UTF8}",
                    line=line,
                ) from None
            controls = controls or _CONTROL_TEXT.search(text) is not None
            # a CR ending one piece and an LF starting the next are one line break
            lines += len(_LINE_BREAK.findall(text)) - (text[:1] == "\n" and last_cr)
            last_cr = text[-1:] == "\r" if text else last_cr
            if not chunk:
                return controls


def _byte_at(path: Path, offset: int) -> int:
    with open(path, "rb") as f:
        f.seek(offset)
        return f.read(1)[0]


def _line_at(path: Path, offset: int) -> int:
    """The physical line (1-based) holding byte ``offset``: CR LF, CR and LF each end one."""
    line, last_cr = 1, False
    with open(path, "rb") as f:
        while offset > 0:
            chunk = f.read(min(CHUNK_BYTES, offset))
            if not chunk:
                break
            offset -= len(chunk)
            breaks = chunk.count(b"\n") + chunk.count(b"\r") - chunk.count(b"\r\n")
            if last_cr and chunk.startswith(b"\n"):
                breaks -= 1  # the CR ending the previous chunk and this LF are one break
            line += breaks
            last_cr = chunk.endswith(b"\r")
    return line


@contextmanager
def utf8_source(path: Path, dialect: CsvDialect) -> Iterator[Path]:
    """A UTF-8 file with the text of ``path`` (for DuckDB, which reads UTF-8): the file
    itself, or a temporary copy, removed afterwards. Line breaks are kept as they are, so
    records and their order are the same in both."""
    if dialect.encoding == "utf-8":
        yield path
        return
    folder = Path(tempfile.mkdtemp(prefix="channelxl-"))
    try:
        copy = folder / "received.csv"
        with dialect.open_text(path) as source, open(copy, "w", encoding="utf-8", newline="") as f:
            shutil.copyfileobj(source, f, CHUNK_BYTES)
        yield copy
    finally:
        shutil.rmtree(folder, ignore_errors=True)


class Record(NamedTuple):
    """One record of a CSV file as Python's csv module reads it."""

    ordinal: int  # the header is 1; an empty line counts, as DuckDB numbers its rejects
    line: int  # the physical line it starts on
    end: int  # the physical line it ends on (a quoted value may span lines)
    fields: list[str]


def csv_records(path: Path, dialect: CsvDialect) -> Iterator[Record]:
    """Every record of the file, the header first, blank ones included.

    Only called when a problem must be located: the load itself never pays for it.
    """
    limit = csv.field_size_limit()
    # a quote never closed makes the rest of the file one value: read it to report it
    csv.field_size_limit(max(limit, path.stat().st_size + 1))
    try:
        with dialect.open_text(path) as f:
            reader = csv.reader(f, delimiter=dialect.delimiter)
            start = 1
            for ordinal, fields in enumerate(reader, start=1):
                yield Record(ordinal, start, reader.line_num, fields)
                start = reader.line_num + 1
    finally:
        csv.field_size_limit(limit)


def lone_carriage_return(path: Path, dialect: CsvDialect) -> int | None:
    """The first line ending in a carriage return alone, in a file whose other lines end in
    a line feed (an old Mac line end pasted into a Windows or Unix file), or None."""
    first_cr, line_feed = None, False
    with dialect.open_text(path) as f:
        for number, line in enumerate(f, start=1):
            if line.endswith("\n"):
                line_feed = True
            elif line.endswith("\r") and first_cr is None:
                first_cr = number
            if line_feed and first_cr:
                return first_cr
    return None


def csv_line_numbers(path: Path, dialect: CsvDialect, skip_lines: set[int]) -> list[int]:
    """Physical line number of each data record, in order, leaving out ``skip_lines``.

    Data records are the records the loader keeps: after the header, not blank, not a copy
    of the header. Only called when a problem must be located: the load never pays for it.
    """
    return [
        r.line
        for r in csv_records(path, dialect)
        if r.ordinal > 1
        and r.line not in skip_lines
        and not dialect.is_blank(r.fields)
        and not dialect.is_header(r.fields)
    ]

"""File safety: what a received file must pass before anything parses it for real.

Refused here, with a plain reason and nothing loaded: a missing, empty or oversized file;
a workbook that would inflate absurdly (a zip bomb) or whose XML declares a DTD or entities
(entity expansion, external entities); a workbook the reader would not survive; a
password-protected or encrypted workbook; a damaged one. These are refusals of the file as
a whole (``FileRefused``), never of a line.

**A workbook the reader would not survive.** python-calamine reads a sheet into a grid as
wide and as tall as its farthest cell: one stray value at XFD1048576 asks for 17 billion
cells and the process aborts (no exception to catch), on every later run too. So no sheet
is read whose grid (A1 to its last used cell, :data:`MAX_SHEET_CELLS`) would not fit:

- ``.xlsx``/``.xlsm``: each worksheet's XML is scanned for cell references before calamine
  opens it (:func:`check_workbook`). One byte-regex pass finds nothing in a sheet of at
  most 50 columns and 999,999 rows, which cannot exceed the budget; only otherwise is the
  used range computed, and a sheet over the budget is refused naming its stray cell. The
  ``<dimension>`` element is never trusted. A shared-string table that asks for absurd
  room is refused too (calamine reserves what it declares).
- ``.ods``, ``.xls`` and anything the scan cannot bound (cells without references,
  another encoding, a binary workbook): calamine parses these whole when it opens them,
  so they are first read once by a separate process with a memory limit
  (:func:`_check_in_child`); what it cannot survive, or a sheet over the budget, is
  refused. A report in these formats is small (.xls has at most 65,536 rows), so the
  second read costs little.
"""

from __future__ import annotations

import json
import posixpath
import re
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path
from xml.etree import ElementTree

from isal import isal_zlib
from python_calamine import CalamineWorkbook, PasswordError

from channelxl.errors import FileRefused
from channelxl.issues import Issue, a1

MAX_FILE_BYTES = 1 << 30  # 1 GiB: a larger "export" is a mistake, not a report
MAX_UNZIPPED_BYTES = 2 << 30  # 2 GiB: a workbook that inflates past this is refused
MAX_ZIP_RATIO = 200  # and so is one whose parts inflate more than 200 times
MAX_SHEET_CELLS = 50_000_000  # a sheet's grid, A1 to its last used cell (~1.6 GB to read)
MAX_SHARED_STRINGS = MAX_SHEET_CELLS  # distinct texts a workbook may declare
CHILD_MEMORY = 2 << 30  # address space for the separate read (a 100,000-line .ods needs ~0.2 GB)
CHILD_TIMEOUT = 300  # seconds it may take
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def refusal(path: Path, message: str, code: str = "FILE", **where) -> FileRefused:
    """A refusal of the whole file ``path``: one located issue saying why."""
    return FileRefused(str(path), [Issue(code, message, file=path.name, **where)])


def precheck(path: Path) -> list[Issue]:
    """File-level refusals that need no parsing: missing, empty, too large."""
    file = path.name
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


def check_zip(path: Path) -> None:
    """Refuse a workbook that inflates absurdly or whose XML declares a DTD or entities."""
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            total = sum(i.file_size for i in infos)
            packed = max(1, sum(i.compress_size for i in infos))
            if total > MAX_UNZIPPED_BYTES or total / packed > MAX_ZIP_RATIO:
                raise refusal(
                    path,
                    f"the workbook would expand to {total / 2**20:,.0f} MiB "
                    f"({total / packed:,.0f} times its size): refused as unsafe",
                )
            for info in infos:
                if info.filename.endswith((".xml", ".rels", ".vml")):
                    with z.open(info) as f:
                        head = f.read(8192).upper()
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                        raise refusal(
                            path,
                            f"{info.filename} in the workbook declares a DTD or "
                            "entities, which spreadsheets never need: refused as unsafe",
                        )
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError, OSError, ValueError):
        raise refusal(
            path, "the workbook is damaged (not a valid zip); save it again as .xlsx"
        ) from None


def is_reader_failure(exc: BaseException) -> bool:
    """An error a workbook reader raised on a bad file: any ``Exception``, and a Rust panic
    inside python-calamine (pyo3's ``PanicException`` derives from ``BaseException``)."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


def open_workbook(path: Path, fmt: str) -> CalamineWorkbook:
    """The workbook at ``path`` (``fmt`` from ``csv_dialect.file_format``) once
    :func:`check_workbook` has passed it, or a refusal saying what to do: remove a
    password, save it again as .xlsx, clear a stray cell."""
    check_workbook(path, fmt)
    try:
        return CalamineWorkbook.from_path(str(path))
    except PasswordError:
        raise refusal(
            path,
            "the workbook is password-protected; remove the password (File > "
            "Info > Protect Workbook) and send it again",
        ) from None
    except BaseException as exc:
        if not is_reader_failure(exc):
            raise
        if fmt == "ole":
            raise refusal(
                path,
                "the file is encrypted or not a workbook channelxl can read; save "
                "it as .xlsx without a password and send it again",
            ) from None
        raise refusal(
            path,
            f"the workbook cannot be read ({reader_message(exc)}); save it again as .xlsx",
        ) from None


def check_sheet_extent(path: Path, sheet: str, end: tuple[int, int] | None) -> None:
    """Refuse reading ``sheet`` into memory when its grid (A1 to ``end``, calamine's last
    used cell, 0-based) is over the budget: a second guard after :func:`check_workbook`."""
    if end is not None and (end[0] + 1) * (end[1] + 1) > MAX_SHEET_CELLS:
        raise _far_refusal(path, sheet, end[0] + 1, end[1] + 1, [a1(*end)], reaches=True)


# ---------------------------------------------------------------- bounding a workbook's grids
def check_workbook(path: Path, fmt: str) -> None:
    """Refuse a workbook calamine would not survive reading (see the module's docstring).

    An .xlsx package is scanned here; anything else, or an .xlsx the scan cannot bound, is
    first read by a separate process with a memory limit.
    """
    if fmt == "zip" and _scan_xlsx(path):
        return
    _check_in_child(path)


_CHUNK = 16 << 20  # the scan reads each part in pieces: memory stays flat on large sheets
_OVERLAP = 64  # bytes kept from the previous piece: a cell tag's head is shorter

# A cell tag other than a near one (column A..AX, row 1..999,999): a sheet without any
# spans at most 50 x 999,999 cells, under the budget. A prefixed tag (<x:c) is looked for
# only where ":c" occurs at all (a literal first byte keeps the common scan fast).
_NOT_NEAR = re.compile(rb'<c(?! r="(?:[A-Z]|A[A-X])[0-9]{1,6}")[\s/>]')
_NOT_NEAR_PREFIXED = re.compile(rb':c(?! r="(?:[A-Z]|A[A-X])[0-9]{1,6}")[\s/>]')
# A cell tag whose reference is not plain (none, lowercase, odd spacing, absurd): only a
# separate read can say where calamine puts such a cell.
_ODD = re.compile(rb'[<:]c(?! r="[A-Z]{1,3}[0-9]{1,7}")[\s/>]')
_REF_COLUMN = re.compile(rb'[<:]c r="([A-Z]{1,3})[0-9]')
_REF_ROW = re.compile(rb'[<:]c r="[A-Z]{1,3}([0-9]{1,7})"')
# A plain cell tag with its attributes; group 3 is "/" for <c .../> and group 4 an
# immediate </c>: a cell without content, which calamine does not count
_CELL = re.compile(
    rb'[<:]c r="([A-Z]{1,3})([0-9]{1,7})"(?:\s+[^\s=/>"\']+\s*=\s*(?:"[^"]*"|\'[^\']*\'))*'
    rb"\s*(/?)>(</(?:[^\s<>/:]+:)?c>)?"
)
_UNIQUE_COUNT = re.compile(rb'uniqueCount\s*=\s*["\']\s*([0-9]+)')
_DECLARED_ENCODING = re.compile(rb'\s*<\?xml[^>]*?encoding\s*=\s*["\']([^"\']*)')
_SAFE_ENCODINGS = {"utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "latin1", "windows-1252"}


def _scan_xlsx(path: Path) -> bool:
    """Scan an .xlsx package's sheets; refuse one over the budget. False when another
    reader could take the file or a sheet cannot be bounded this way."""
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            names = [_normal(i.filename) for i in infos]
            if "mimetype" in names or any(n.endswith("workbook.bin.rels") for n in names):
                return False  # calamine may read it as .ods or .xlsb
            # part -> sheet name; with a part name given twice, which copy a reader takes is
            # not certain: every part is scanned then
            sheets = xlsx_sheet_parts(z) if len(set(names)) == len(names) else {}
            targets = {_normal(p) for p in sheets}
            for info, name in zip(infos, names, strict=True):
                if name.endswith("sharedstrings.xml"):
                    _check_shared_strings(path, z, info)
                if sheets and name not in targets:
                    continue
                sheet = sheets.get(info.filename, info.filename)
                if not _check_sheet_part(path, z, info, sheet):
                    return False
    except FileRefused:
        raise
    except Exception:  # a package Python cannot take apart: let a separate read decide
        return False
    return True


def _normal(name: str) -> str:
    return name.replace("\\", "/").lower()


def _chunks(z: zipfile.ZipFile, info: zipfile.ZipInfo):
    """A part's bytes in pieces, each starting with the last bytes of the one before, and
    where its own matches end: a match starting later is cut off here and seen whole at
    the start of the next piece (the last piece's own matches run to its end)."""
    tail = b""
    pieces = _pieces(z, info)
    piece = next(pieces, b"")
    while piece:
        following = next(pieces, b"")
        chunk = tail + piece
        yield chunk, len(chunk) if not following else len(chunk) - _OVERLAP
        tail, piece = piece[-_OVERLAP:], following


def _pieces(z: zipfile.ZipFile, info: zipfile.ZipInfo):
    """A part's bytes, ``_CHUNK`` at a time (the last piece shorter), no more than the size
    its entry declares (what ``check_zip`` bounded). A part whose data holds more than that
    raises ``BadZipFile``: the reader (the zip crate under calamine) reads an entry's
    compressed bytes to their end whatever size it declares, and would see cells the scan
    did not.

    A deflated part is inflated by ISA-L (python-isal), about 2.5 times zlib's speed, and
    without zipfile's CRC pass (the reader checks it): a 100,000-line sheet's 64 MB in
    0.07 s rather than 0.13 s, a part the reader inflates again. Anything else (stored,
    another method, encrypted, no local header where the directory says) goes through
    ``zipfile``.
    """
    start = _data_start(z, info)
    if start is None:
        if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
            raise zipfile.BadZipFile(f"{info.filename} holds more or less than it declares")
        with z.open(info) as f:
            while piece := f.read(_CHUNK):
                yield piece
        return
    inflate = isal_zlib.decompressobj(-15)  # a raw deflate stream, as in every zip entry
    left_in, left_out, pending, parts, size = info.compress_size, info.file_size, b"", [], 0

    def more_input() -> bytes:
        nonlocal left_in
        data = z.fp.read(min(left_in, _CHUNK))  # most pieces: one call, no join
        if not data:
            raise zipfile.BadZipFile(f"{info.filename} is cut short")
        left_in -= len(data)
        return data

    z.fp.seek(start)
    # Past the declared size the rest of the stream, however long (blocks that give nothing
    # can pad it), must give nothing more: asked for one byte at a time until it ends.
    while not inflate.eof:
        if not pending and left_in:
            pending = more_input()
        before = len(pending)
        # with no input left, the inflater may still hold output a limit held back
        out = inflate.decompress(pending, min(_CHUNK - size, left_out) or 1)
        pending = inflate.unconsumed_tail
        if out and not left_out:
            raise zipfile.BadZipFile(f"{info.filename} inflates past its declared size")
        if not out and not inflate.eof and (len(pending) == before if pending else not left_in):
            raise zipfile.BadZipFile(f"{info.filename} ends early")  # or takes no more in
        parts.append(out)
        size += len(out)
        left_out -= len(out)
        if size == _CHUNK:
            yield b"".join(parts)
            parts, size = [], 0
    if size:
        yield b"".join(parts)


def _data_start(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> int | None:
    """Where a deflated, unencrypted part's compressed bytes start in the package (after
    its local header); None for any other part, left to ``zipfile``."""
    if info.compress_type != zipfile.ZIP_DEFLATED or info.flag_bits & 1 or z.fp is None:
        return None
    z.fp.seek(info.header_offset)
    header = z.fp.read(30)
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        return None
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    return info.header_offset + 30 + name_length + extra_length


def _found(pattern: re.Pattern, chunk: bytes, limit: int) -> bool:
    m = pattern.search(chunk)
    return m is not None and m.start() < limit


def _check_shared_strings(path: Path, z: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    declared = max(
        (int(n) for c, _ in _chunks(z, info) for n in _UNIQUE_COUNT.findall(c)), default=0
    )
    if declared > MAX_SHARED_STRINGS:
        raise refusal(
            path,
            f"the workbook's table of texts says it holds {declared:,} of them, far more "
            "than any workbook can: the file is damaged; open it, save it again as .xlsx "
            "and send it again",
        )


def _check_sheet_part(path: Path, z: zipfile.ZipFile, info: zipfile.ZipInfo, sheet: str) -> bool:
    """Refuse ``sheet`` over the budget; False when its cells cannot be bounded here."""
    first = True
    for chunk, limit in _chunks(z, info):
        if first:
            first = False
            if chunk[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\0" in chunk[:512]:
                return False  # UTF-16: the scan would not see the tags
            bom = 3 if chunk.startswith(b"\xef\xbb\xbf") else 0  # matched in place: no copy
            declared = _DECLARED_ENCODING.match(chunk, bom)
            if declared and declared.group(1).decode("latin-1").lower() not in _SAFE_ENCODINGS:
                return False
        if _found(_NOT_NEAR, chunk, limit) or (
            b":c" in chunk and _found(_NOT_NEAR_PREFIXED, chunk, limit)
        ):
            break
    else:
        return True  # every cell within 50 columns and 999,999 rows
    # Far, wide or odd cells: bound the grid by every cell's reference
    rows = columns = 0
    for chunk, limit in _chunks(z, info):
        if _found(_ODD, chunk, limit):
            return False
        columns = max(columns, max(map(_column_number, set(_REF_COLUMN.findall(chunk))), default=0))
        rows = max(rows, max(map(int, set(_REF_ROW.findall(chunk))), default=0))
    if rows * columns <= MAX_SHEET_CELLS:
        return True
    # Over the budget counting every cell: count only cells with content, as calamine does
    data = z.read(info)
    far_rows, far_columns, rows, columns, seen = {}, {}, 0, 0, 0
    for m in _CELL.finditer(data):
        seen += 1
        if m.group(3) or m.group(4):
            continue
        column, row = _column_number(m.group(1)), int(m.group(2))
        ref = (m.group(1) + m.group(2)).decode()
        if row >= rows:
            rows = row
            far_rows[row] = ref
        if column >= columns:
            columns = column
            far_columns[column] = ref
    if seen != data.count(b'<c r="') + data.count(b':c r="'):
        return False  # a tag the pattern does not follow: let a separate read decide
    if rows * columns <= MAX_SHEET_CELLS:
        return True
    refs = list(dict.fromkeys((far_columns[columns], far_rows[rows])))
    raise _far_refusal(path, sheet, rows, columns, refs)


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _far_refusal(
    path: Path, sheet: str, rows: int, columns: int, refs: list[str], reaches: bool = False
) -> FileRefused:
    cells = " and ".join(refs)
    what = f"its last used cell is {cells}" if reaches else f"cell {cells} holds something"
    return refusal(
        path,
        f"sheet {sheet}: {what} far outside any report, which would make the sheet "
        f"{columns:,} columns by {rows:,} rows ({rows * columns:,} cells, over the "
        f"{MAX_SHEET_CELLS:,} channelxl reads); clear {'it' if len(refs) == 1 else 'them'} "
        "(select everything right of and below your data and delete it), save and send "
        "the file again",
        sheet=sheet,
        cell=refs[0],
    )


def xlsx_sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """Part name inside an .xlsx package -> the sheet it holds, resolved as calamine does
    (the workbook's folder from the package relationships; targets relative to it or
    absolute; names matched ignoring case). Empty when the package does not say."""
    by_name = {_normal(n): n for n in z.namelist()}

    def read(name: str) -> ElementTree.Element | None:
        found = by_name.get(_normal(name))
        return ElementTree.fromstring(z.read(found)) if found else None

    def local(tag: str) -> str:
        return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]

    try:
        package = read("_rels/.rels")
        document = next(
            (
                el.get("Target", "")
                for el in (package.iter() if package is not None else ())
                if local(el.tag) == "Relationship"
                and el.get("Type", "").endswith("/relationships/officeDocument")
            ),
            "xl/workbook.xml",
        )
        folder = document[: document.rfind("/") + 1].lstrip("/")
        rels = read(f"{folder}_rels/workbook.xml.rels")
        book = read(f"{folder}workbook.xml")
        if rels is None or book is None:
            return {}
        targets = {
            el.get("Id"): el.get("Target", "")
            for el in rels.iter()
            if local(el.tag) == "Relationship"
        }
        out = {}
        for el in book.iter():
            if local(el.tag) != "sheet":
                continue
            rid = next((v for k, v in el.attrib.items() if local(k) == "id"), None)
            target = targets.get(rid)
            if target is None:
                continue
            part = target[1:] if target.startswith("/") else posixpath.join(folder, target)
            out[by_name.get(_normal(part), part)] = el.get("name", "")
        return out
    except (ElementTree.ParseError, KeyError, OSError, zipfile.BadZipFile, zlib.error, ValueError):
        return {}


# ---------------------------------------------------------------- a separate, limited read
_READ_IN_CHILD = """
import json, sys
try:
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[2]), int(sys.argv[2])))
except (ImportError, ValueError, OSError):
    pass
def failure(exc):
    return {"error": type(exc).__name__, "message": str(exc)[:300]}
try:
    from python_calamine import CalamineWorkbook
    book = CalamineWorkbook.from_path(sys.argv[1])
except BaseException as exc:
    print(json.dumps(failure(exc)))
    sys.exit(0)
ends, failed = {}, {}
for name in book.sheet_names:  # every sheet, even after one fails
    try:
        ends[name] = book.get_sheet_by_name(name).end
    except BaseException as exc:
        failed[name] = failure(exc)
print(json.dumps({"ends": ends, "failed": failed}))
"""


def _check_in_child(path: Path) -> None:
    """Read the whole workbook once in a separate process with a memory limit; refuse what
    it cannot survive or a sheet over the budget. An ordinary reading error is left for
    :func:`open_workbook` to explain."""
    try:
        run = subprocess.run(
            [sys.executable, "-I", "-c", _READ_IN_CHILD, str(path), str(CHILD_MEMORY)],
            capture_output=True,
            timeout=CHILD_TIMEOUT,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise refusal(
            path,
            f"the workbook could not be read within {CHILD_TIMEOUT} seconds; save it "
            "again as .xlsx (or split it) and send it again",
        ) from None
    try:
        answer = json.loads(run.stdout.decode().strip().splitlines()[-1])
    except (ValueError, IndexError, UnicodeDecodeError):
        answer = None
    if run.returncode != 0 or not isinstance(answer, dict):
        raise refusal(
            path,
            "the workbook cannot be read safely: reading it would take far more memory "
            "than any report (a stray cell far from the data, or a damaged file); clear "
            "everything right of and below your data, save it as .xlsx and send it again",
        )
    # An ordinary error (a password, damaged XML) repeats the same way in this process and
    # is explained there; running out of memory, or a panic, must not be tried again here.
    for sheet, failure in [(None, answer), *(answer.get("failed") or {}).items()]:
        if failure.get("error") in ("MemoryError", "PanicException"):
            where = {"sheet": sheet} if sheet else {}
            raise refusal(
                path,
                f"the workbook cannot be read ({failure['message'] or 'out of memory'}); "
                "clear everything right of and below your data, save it as .xlsx and send "
                "it again",
                **where,
            )
    for sheet, end in (answer.get("ends") or {}).items():
        check_sheet_extent(path, sheet, tuple(end) if end else None)


def reader_message(exc: BaseException) -> str:
    """The reader's own words, first line only (never a Python type name: a sender reads it)."""
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else "it is damaged"

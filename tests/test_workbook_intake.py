"""Workbooks as they really arrive: hostile and careless files refused with a located reason
(never an aborted process or an internal error), only visible sheets read, merged cells
named, and returned templates that keep who they are through .ods, .xls and CSV saves."""

from __future__ import annotations

import csv
import io
import re
import shutil
import struct
import subprocess
import sys
import zipfile
import zlib
from datetime import date, datetime
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import pytest
from helpers import ledger_snapshot, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from channelxl.errors import FileRefused
from channelxl.io.safety import MAX_SHEET_CELLS, check_workbook
from channelxl.io.template_workbook import (
    META_SHEET,
    NAME_SAFE_ID,
    kept_in_file_names,
    read_template_meta,
    scope_from_file_name,
    template_file_name,
)
from channelxl.ledger.ingest_file import ingest_file
from channelxl.schema import INVENTORY_SHEET, SELL_THROUGH_SHEET
from channelxl.schema.received import SHIPMENTS

TODAY = date(2026, 11, 25)
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHIPMENT_HEADER = [c.name for c in SHIPMENTS.columns if c.name != "Type"]


# ---------------------------------------------------------------- files built here
def line(reseller, sku, invoice="INV-1", qty=3, when=datetime(2025, 2, 5)):
    return [
        when,
        invoice,
        reseller["reseller_id"],
        reseller["name"],
        reseller["country"],
        "Acme",
        reseller["country"],
        "smb",
        sku,
        qty,
        1500.0,
        "USD",
        None,
    ]


def fill(path, rows, inventory=(), out=None):
    wb = openpyxl.load_workbook(path)
    for sheet, values in (("SellThrough", rows), ("Inventory", inventory)):
        for i, row in enumerate(values, start=2):
            for j, value in enumerate(row, start=1):
                wb[sheet].cell(row=i, column=j, value=value)
    wb.save(out or path)
    return Path(out or path)


def rewrite(src: Path, dst: Path, edits: dict, drop=()) -> Path:
    """A copy of a zip package with some parts changed (name -> function of the bytes)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename in drop:
                continue
            data = zin.read(info)
            if info.filename in edits:
                data = edits[info.filename](data)
            zout.writestr(info.filename, data)
    return dst


def workbook(path: Path, sheets: dict[str, list[list]], hidden=()) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        if name in hidden:
            ws.sheet_state = "hidden"
    wb.save(path)
    return path


def shipments(order="SO1", n=2):
    return [SHIPMENT_HEADER] + [
        [order, k, date(2026, 1, 5), "D001", "SWI-0001", 4, 10.05, "USD"] for k in range(1, n + 1)
    ]


def with_sheet_xml(tmp_path: Path, name: str, xml: bytes) -> Path:
    """A one-sheet workbook whose sheet XML is ``xml``, as a hostile program could write it."""
    base = workbook(tmp_path / f"base-{name}", {"Data": [["x"]]})
    return rewrite(base, tmp_path / name, {"xl/worksheets/sheet1.xml": lambda _: xml})


def sheet_xml(rows: str, prefix: str = "") -> bytes:
    p = f"{prefix}:" if prefix else ""
    ns = f"xmlns:{prefix}" if prefix else "xmlns"
    return (
        f'<{p}worksheet {ns}="{MAIN_NS}"><{p}sheetData>{rows}</{p}sheetData></{p}worksheet>'
    ).encode()


def _record(kind: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def xls_bytes(sheets: list[tuple[str, object, int]]) -> bytes:
    """A BIFF8 .xls (as Excel 97-2003 saves it): (name, rows or {(row, col): value},
    state 0 visible / 1 hidden / 2 very hidden) per sheet; text and numbers only."""

    def body(rows):
        cells = (
            rows
            if isinstance(rows, dict)
            else {
                (i, j): v
                for i, row in enumerate(rows)
                for j, v in enumerate(row)
                if v not in (None, "")
            }
        )
        height = max((i for i, _ in cells), default=0) + 1
        width = min(max((j for _, j in cells), default=0) + 1, 0xFFFF)
        out = _record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010, 0x0DBB, 0x07CC, 0, 6))
        out += _record(0x0200, struct.pack("<IIHHH", 0, height, 0, width, 0))
        for (i, j), v in sorted(cells.items()):
            if isinstance(v, str):
                raw = v.encode("latin-1")
                out += _record(0x0204, struct.pack("<HHHHB", i, j, 0, len(raw), 0) + raw)
            else:
                out += _record(0x0203, struct.pack("<HHHd", i, j, 0, float(v)))
        return out + _record(0x000A)

    bodies = [body(rows) for _, rows, _ in sheets]

    def globals_(positions):
        out = _record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 6))
        out += _record(0x0042, struct.pack("<H", 1200))
        for (name, _, state), pos in zip(sheets, positions, strict=True):
            raw = name.encode("latin-1")
            out += _record(0x0085, struct.pack("<IBBBB", pos, state, 0, len(raw), 0) + raw)
        return out + _record(0x000A)

    at, positions = len(globals_([0] * len(sheets))), []
    for b in bodies:
        positions.append(at)
        at += len(b)
    stream = globals_(positions) + b"".join(bodies)
    return _compound_file("Workbook", stream.ljust(4096, b"\0"))


def _compound_file(name: str, stream: bytes) -> bytes:
    """An OLE compound file holding one stream (at least 4096 bytes, 512-byte sectors):
    its FAT sectors first, then the directory, then the stream."""
    n = -(-len(stream) // 512)
    fats = 1
    while fats * 128 < fats + 1 + n:
        fats += 1
    assert fats <= 109, "the header's own FAT list in this builder"
    first = fats + 1
    fat = [0xFFFFFFFD] * fats + [0xFFFFFFFE]
    fat += [first + 1 + k for k in range(n - 1)] + [0xFFFFFFFE]
    fat += [0xFFFFFFFF] * (fats * 128 - len(fat))
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
    header += struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
    header += struct.pack("<IIIIIIIII", 0, fats, fats, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    header += struct.pack("<109I", *range(fats), *([0xFFFFFFFF] * (109 - fats)))

    def entry(label, kind, child, start, size):
        raw = label.encode("utf-16-le") + b"\0\0"
        return (
            raw.ljust(64, b"\0")
            + struct.pack("<HBBIII", len(raw), kind, 1, 0xFFFFFFFF, 0xFFFFFFFF, child)
            + b"\0" * 36
            + struct.pack("<IQ", start, size)
        )

    directory = entry("Root Entry", 5, 1, 0xFFFFFFFE, 0) + entry(
        name, 2, 0xFFFFFFFF, first, len(stream)
    )
    return (
        header
        + struct.pack(f"<{len(fat)}I", *fat)
        + directory.ljust(512, b"\0")
        + stream.ljust(n * 512, b"\0")
    )


ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"'
)


def ods_bytes(sheets=(), properties=None, tables: str | None = None) -> bytes:
    """An .ods as LibreOffice saves one: (name, rows, hidden) per sheet, the custom
    properties as user-defined metadata; ``tables`` replaces the sheets' XML."""

    def cell(v):
        if v is None or v == "":
            return "<table:table-cell/>"
        if isinstance(v, str):
            return (
                '<table:table-cell office:value-type="string">'
                f"<text:p>{escape(v)}</text:p></table:table-cell>"
            )
        return f'<table:table-cell office:value-type="float" office:value="{v}"/>'

    if tables is None:
        tables = "".join(
            f'<table:table table:name="{name}" table:style-name="{"ta2" if hidden else "ta1"}">'
            + "".join(
                "<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>"
                for row in rows
            )
            + "</table:table>"
            for name, rows, hidden in sheets
        )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NS}>'
        '<office:automatic-styles><style:style style:name="ta1" style:family="table">'
        '<style:table-properties table:display="true"/></style:style>'
        '<style:style style:name="ta2" style:family="table">'
        '<style:table-properties table:display="false"/></style:style>'
        "</office:automatic-styles><office:body><office:spreadsheet>"
        f"{tables}</office:spreadsheet></office:body></office:document-content>"
    )
    meta = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {ODS_NS}><office:meta>'
        + "".join(
            f'<meta:user-defined meta:name="{k}" meta:value-type="string">{v}</meta:user-defined>'
            for k, v in (properties or {}).items()
        )
        + "</office:meta></office:document-meta>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
        '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type='
        '"application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>'
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        for name, text in (("META-INF/manifest.xml", manifest), ("content.xml", content)):
            z.writestr(name, text, zipfile.ZIP_DEFLATED)
        z.writestr("meta.xml", meta, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def saved_elsewhere(path: Path) -> list[tuple[str, list[list], int]]:
    """A filled template's sheets as another program saves them: (name, rows, state), with
    dates as text and the hidden sheets still hidden."""
    wb = openpyxl.load_workbook(path)
    states = {"visible": 0, "hidden": 1, "veryHidden": 2}
    out = []
    for ws in wb.worksheets:
        rows = [
            [v.date().isoformat() if isinstance(v, datetime) else v for v in row]
            for row in ws.iter_rows(values_only=True)
            if any(v is not None for v in row)
        ]
        out.append((ws.title, rows, states[ws.sheet_state]))
    return out


def sender_words(message: str) -> bool:
    """A message a distributor reads: no command-line options."""
    return "--" not in message and "command line" not in message


def count(led, table: str) -> int:
    return led.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


# ---------------------------------------------------------------- 1. readers that abort
def _far_files(tmp_path: Path) -> dict[str, Path]:
    """Files that abort python-calamine (or eat the machine) when read naively."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    files = {}
    wb = openpyxl.Workbook()
    wb.active.title = "Data"
    wb.active["A1"], wb.active["XFD1048576"] = "x", "x"
    wb.save(tmp_path / "far.xlsx")
    files["far.xlsx"] = tmp_path / "far.xlsx"
    far = (
        '<{p}row r="1048576"><{p}c r="XFD1048576" t="inlineStr">'
        "<{p}is><{p}t>y</{p}t></{p}is></{p}c></{p}row>"
    )
    files["prefixed.xlsx"] = with_sheet_xml(
        tmp_path, "prefixed.xlsx", sheet_xml(far.format(p="x:"), prefix="x")
    )
    # cells without references: calamine counts them along the row
    no_refs = (
        '<row r="1">' + "<c/>" * 16383 + "<c><v>1</v></c></row>"
        '<row r="1048576"><c><v>1</v></c></row>'
    )
    files["no_refs.xlsx"] = with_sheet_xml(tmp_path, "no_refs.xlsx", sheet_xml(no_refs))
    utf16 = '<?xml version="1.0" encoding="UTF-16"?>' + sheet_xml(far.format(p="")).decode()
    files["utf16.xlsx"] = with_sheet_xml(tmp_path, "utf16.xlsx", utf16.encode("utf-16"))
    base = workbook(tmp_path / "base-sst.xlsx", {"Data": [["x"]]})
    sst = (
        f'<sst xmlns="{MAIN_NS}" count="1" uniqueCount="99999999999"><si><t>x</t></si></sst>'
    ).encode()
    files["strings.xlsx"] = rewrite(
        base,
        tmp_path / "strings.xlsx",
        {
            "[Content_Types].xml": lambda d: d.replace(
                b"</Types>",
                b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
                b'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
            ),
            "xl/_rels/workbook.xml.rels": lambda d: d.replace(
                b"</Relationships>",
                b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                b'relationships/sharedStrings" Target="sharedStrings.xml" Id="rId99"/>'
                b"</Relationships>",
            ),
        },
    )
    with zipfile.ZipFile(files["strings.xlsx"], "a") as z:
        z.writestr("xl/sharedStrings.xml", sst)
    (tmp_path / "far.xls").write_bytes(xls_bytes([("Data", {(0, 0): "x", (65535, 65535): "y"}, 0)]))
    files["far.xls"] = tmp_path / "far.xls"
    repeated = (
        '<table:table table:name="Data"><table:table-row table:number-rows-repeated="1048576">'
        '<table:table-cell table:number-columns-repeated="16384" office:value-type="float" '
        'office:value="1"/></table:table-row></table:table>'
    )
    (tmp_path / "repeated.ods").write_bytes(ods_bytes(tables=repeated))
    files["repeated.ods"] = tmp_path / "repeated.ods"
    spaces = (
        '<table:table table:name="Data"><table:table-row><table:table-cell '
        'office:value-type="string"><text:p>a<text:s text:c="2000000000"/></text:p>'
        "</table:table-cell></table:table-row></table:table>"
    )
    (tmp_path / "spaces.ods").write_bytes(ods_bytes(tables=spaces))
    files["spaces.ods"] = tmp_path / "spaces.ods"
    return files


def _hostile_inbox(workspace, template, tmp_path) -> dict[str, Path]:
    """The inbox: every hostile file, then a filled template and a shipments export whose
    only far cell is an empty, formatted one (not data: calamine skips it, so does the check)."""
    path, reseller, sku = template
    inbox = workspace.inbox
    inbox.mkdir(exist_ok=True)
    hostile = _far_files(tmp_path / "made")
    for name, made in hostile.items():
        shutil.copy(made, inbox / name)
    fill(path, [line(reseller, sku)], [(sku, 4, 0)], out=inbox / path.name)
    styled = workbook(tmp_path / "styled.xlsx", {"Export": shipments()})
    rewrite(
        styled,
        inbox / "styled_far.xlsx",
        {
            "xl/worksheets/sheet1.xml": lambda d: d.replace(
                b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" s="0"/></row></sheetData>'
            )
        },
    )
    return hostile


_INGEST_INBOX = """
import sys
from pathlib import Path
from channelxl.commands.ingest import ingest
from channelxl.workspace import Workspace
ws = Workspace.find(Path(sys.argv[1]))
with ws.open_ledger() as led:
    for r in ingest(led, inbox=ws.inbox).results:
        print(Path(r.path).name, r.status, r.issues[0].cell if r.issues else None, sep="|")
"""


def test_a_file_that_would_abort_the_reader_is_refused_and_the_inbox_goes_on(
    empty_workspace, template, tmp_path
):
    # in a separate process: a regression must fail this test, not abort the test run
    hostile = _hostile_inbox(empty_workspace, template, tmp_path)
    r = subprocess.run(
        [sys.executable, "-c", _INGEST_INBOX, str(empty_workspace.root)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, (r.returncode, r.stderr[-2000:])  # not killed by a signal
    results = {}
    for row in r.stdout.splitlines():
        name, status, cell = row.split("|")
        results[name] = (status, cell)
    for name in hostile:
        assert results[name][0] == "refused", name
    assert results["far.xlsx"][1] == "XFD1048576"  # the stray cell is named
    assert results["sellthrough_D001_2025-02.xlsx"][0] == "accepted"
    assert results["styled_far.xlsx"][0] == "accepted"
    with empty_workspace.open_ledger() as led:
        assert count(led, "sell_through") == 1 and count(led, "inventory") == 1
        assert count(led, "shipments") == 2


def test_the_command_line_survives_an_inbox_of_hostile_files(empty_workspace, template, tmp_path):
    hostile = _hostile_inbox(empty_workspace, template, tmp_path)
    r = run_cli("ingest", cwd=empty_workspace.root, timeout=600)
    assert r.returncode == 2, (r.returncode, r.stderr[-2000:])  # refused, not a signal
    said = r.stdout + r.stderr
    assert "Traceback" not in said and "internal error" not in said
    for name in hostile:
        assert f"{name}: REFUSED" in said, name
    with empty_workspace.open_ledger() as led:
        assert count(led, "sell_through") == 1 and count(led, "shipments") == 2
    # the same file named again, as every later run would meet it: refused again
    again = run_cli("ingest", hostile["far.xlsx"], cwd=empty_workspace.root)
    assert again.returncode == 2 and "far.xlsx: REFUSED" in again.stderr, again.stderr


def test_a_stray_far_cell_is_named_by_sheet_and_cell(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Report"
    wb.active["A1"] = "Order Number"
    wb.active["XFD1048576"] = "oops"
    wb.save(tmp_path / "far.xlsx")
    with pytest.raises(FileRefused) as refused:
        check_workbook(tmp_path / "far.xlsx", "zip")
    (issue,) = refused.value.issues
    assert (issue.sheet, issue.cell) == ("Report", "XFD1048576")
    assert "16,384 columns by 1,048,576 rows" in issue.message and "clear it" in issue.message


@settings(max_examples=25, deadline=None)
@given(row=st.integers(1, 1_048_576), column=st.integers(1, 16_384))
def test_the_scan_refuses_exactly_the_sheets_over_the_budget(tmp_path_factory, row, column):
    # a value at (row, column) makes the grid row x column cells; the fast pass (near cells)
    # and the exact one (wide or tall sheets) must both draw the line in the same place
    path = tmp_path_factory.mktemp("grid") / "one.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "header"
    wb.active.cell(row=row, column=column, value=1)
    wb.save(path)
    if row * column > MAX_SHEET_CELLS:
        with pytest.raises(FileRefused):
            check_workbook(path, "zip")
    else:
        check_workbook(path, "zip")


@settings(max_examples=60, deadline=None)
@given(
    cells=st.lists(
        st.sampled_from(['<c r="B7">', '<c r="AY7">', "<c>", '<c r="A1234567">', "<col/>", "x"]),
        max_size=40,
    ),
    chunk=st.integers(65, 200),
    exact=st.booleans(),
)
def test_the_scan_sees_a_far_cell_wherever_its_pieces_are_cut(cells, chunk, exact):
    """The scan reads a sheet in pieces: a cell
    tag cut by a piece's end, or in the last bytes of a part that ends on a full piece, is
    seen as a whole-part search sees it."""
    from channelxl.io import safety

    data = "".join(cells).encode()
    if exact:  # the part ends exactly on a piece
        data = data.rjust(-(-max(len(data), 1) // chunk) * chunk, b" ")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("sheet.xml", data)
    with pytest.MonkeyPatch.context() as patch, zipfile.ZipFile(buffer) as z:
        patch.setattr(safety, "_CHUNK", chunk)
        pieces = list(safety._chunks(z, z.getinfo("sheet.xml")))
        seen = any(safety._found(safety._NOT_NEAR, c, limit) for c, limit in pieces)
    assert seen == (safety._NOT_NEAR.search(data) is not None)
    # each piece after the first starts with the last bytes of the one before: without
    # them, the pieces are the part, every byte once
    whole = b"".join(c if k == 0 else c[safety._OVERLAP :] for k, (c, _) in enumerate(pieces))
    assert whole == data


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
@pytest.mark.parametrize(("encoding", "bounded"), [("UTF-8", True), ("cp500", False)])
def test_the_scan_leaves_a_sheet_in_another_encoding_to_a_separate_read(bom, encoding, bounded):
    # a sheet that declares an encoding the byte scan cannot read (EBCDIC here) is not
    # passed as near: the tags the scan looks for would not be there to see. With a
    # byte-order mark before the declaration too.
    from channelxl.io import safety

    data = bom + f'<?xml version="1.0" encoding="{encoding}"?><worksheet/>'.encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("sheet.xml", data)
    with zipfile.ZipFile(buffer) as z:
        assert safety._check_sheet_part(Path("x.xlsx"), z, z.getinfo("sheet.xml"), "S") is bounded


@pytest.mark.parametrize("method", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED, zipfile.ZIP_BZIP2])
def test_the_scan_reads_a_part_as_zipfile_does(method):
    # deflated parts are inflated by ISA-L, in pieces of exactly _CHUNK bytes; other methods
    # through zipfile: the same bytes either way, over several pieces
    from channelxl.io import safety

    data = bytes(range(256)) * 40_000 + b"<c r='A1'/>" * 50_000
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as z:
        z.writestr("sheet.xml", data)
    with pytest.MonkeyPatch.context() as patch, zipfile.ZipFile(buffer) as z:
        patch.setattr(safety, "_CHUNK", 1 << 20)
        pieces = list(safety._pieces(z, z.getinfo("sheet.xml")))
    assert b"".join(pieces) == data
    assert {len(p) for p in pieces[:-1]} == {1 << 20} and 0 < len(pieces[-1]) <= 1 << 20


def test_a_sheet_that_inflates_past_its_declared_size_is_not_passed_by_the_scan(tmp_path):
    # the entry says the sheet is shorter than it is, hiding a far cell after that length
    # from a scan that stops there: the scan leaves such a package to a separate read
    import struct

    from channelxl.io import safety

    wb = openpyxl.Workbook()
    wb.active["A1"], wb.active["XFD1048576"] = "x", "x"
    wb.save(tmp_path / "plain.xlsx")
    raw = bytearray((tmp_path / "plain.xlsx").read_bytes())
    with zipfile.ZipFile(tmp_path / "plain.xlsx") as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
        declared = info.file_size // 2  # before the far cell, at the end of the sheet
    local = info.header_offset
    struct.pack_into("<I", raw, local + 22, declared)  # the local header's size
    central = raw.find(b"PK\x01\x02")  # the sheet's entry in the central directory
    while raw[central + 46 : central + 46 + 24] != b"xl/worksheets/sheet1.xml":
        central = raw.find(b"PK\x01\x02", central + 4)
    struct.pack_into("<I", raw, central + 24, declared)
    (tmp_path / "short.xlsx").write_bytes(bytes(raw))
    with zipfile.ZipFile(tmp_path / "short.xlsx") as z:
        assert z.getinfo("xl/worksheets/sheet1.xml").file_size == declared
    with pytest.raises(FileRefused):  # the whole sheet read: its far cell refused
        safety._scan_xlsx(tmp_path / "plain.xlsx")
    assert safety._scan_xlsx(tmp_path / "short.xlsx") is False


def _one_entry_zip(data: bytes, file_size: int, method: int) -> zipfile.ZipFile:
    """A package of one entry, sheet.xml, holding ``data`` as given (compressed or not) and
    declaring ``file_size`` bytes inflated: what no honest writer makes."""
    name = b"sheet.xml"
    crc = zlib.crc32(data) if method == 0 else 0  # stored: read through zipfile, which checks
    # method, time, date, CRC, compressed and inflated sizes, name length
    entry = (method, 0, 0, crc, len(data), file_size, len(name))
    local = struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, *entry, 0) + name
    central = struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0, *entry, 0, 0, 0, 0, 0, 0)
    central += name
    end = struct.pack(
        "<4s4H2IH", b"PK\x05\x06", 0, 0, 1, 1, len(central), len(local) + len(data), 0
    )
    return zipfile.ZipFile(io.BytesIO(local + data + central + end))


FAR_CELL = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'


@pytest.mark.parametrize("declared", ["nothing", "the first part"])
@pytest.mark.parametrize("far", [True, False])
def test_a_far_cell_after_empty_blocks_past_the_declared_size_is_not_passed(declared, far):
    """A deflate stream may be padded with empty blocks (five bytes each, no output) before
    more data: the scan reads the whole stream past the declared size, however long the
    padding, and a sheet that gives more than it declares is left to a separate read."""
    from channelxl.io import safety

    first = b'<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
    head = zlib.compressobj(9, zlib.DEFLATED, -15)
    stream = head.compress(first) + head.flush(zlib.Z_SYNC_FLUSH)
    stream += b"\x00\x00\x00\xff\xff" * 20_000  # 100 KB of empty blocks
    tail = zlib.compressobj(9, zlib.DEFLATED, -15)
    stream += tail.compress(FAR_CELL if far else b"") + tail.flush()
    size = 0 if declared == "nothing" else len(first)
    with pytest.MonkeyPatch.context() as patch, _one_entry_zip(stream, size, 8) as z:
        patch.setattr(safety, "_CHUNK", 1 << 12)
        info = z.getinfo("sheet.xml")
        if far or size < len(first):
            with pytest.raises(zipfile.BadZipFile, match="past its declared size"):
                list(safety._pieces(z, info))
        else:  # the padding alone gives nothing: the declared bytes, read as they are
            assert b"".join(safety._pieces(z, info)) == first


def test_a_stored_sheet_holding_more_than_it_declares_is_not_passed():
    # stored (not compressed): zipfile stops at the declared size, the reader does not
    from channelxl.io import safety

    first = b'<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
    with (
        _one_entry_zip(first + FAR_CELL, len(first), 0) as z,
        pytest.raises(zipfile.BadZipFile, match="than it declares"),
    ):
        list(safety._pieces(z, z.getinfo("sheet.xml")))
    with _one_entry_zip(first, len(first), 0) as z:  # as declared: read through zipfile
        assert b"".join(safety._pieces(z, z.getinfo("sheet.xml"))) == first


def test_a_wide_export_is_read(empty_workspace, tmp_path):
    # 60 columns: beyond what the fast pass takes for granted, well within the budget
    header = SHIPMENT_HEADER + [f"Extra {k}" for k in range(52)]
    rows = [header, ["SO1", 1, date(2026, 1, 5), "D001", "SWI-0001", 4, 10.05, "USD"] + [1] * 52]
    path = workbook(tmp_path / "wide.xlsx", {"Export": rows})
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, path, today=TODAY)
    assert r.status == "accepted" and r.lines_loaded == 1, r.summary()


# ---------------------------------------------------------------- 2. hidden sheets
def test_only_a_hidden_sheet_matches(empty_workspace, tmp_path):
    path = workbook(
        tmp_path / "hidden.xlsx",
        {"Notes": [["see the other sheet"]], "Old": shipments()},
        hidden=("Old",),
    )
    with empty_workspace.open_ledger() as led:
        before = ledger_snapshot(led)
        r = ingest_file(led, path, today=TODAY)
        assert ledger_snapshot(led) == before
    assert r.status == "refused" and r.issues[0].sheet == "Old"
    assert "sheet Old matches (Shipments (sell-in)) but is hidden: unhide it" in r.message


def test_a_hidden_stale_copy_is_not_read(empty_workspace, tmp_path):
    path = workbook(
        tmp_path / "two.xlsx",
        {"Old": shipments("SO-OLD", 5), "Export": shipments("SO-NEW", 2)},
        hidden=("Old",),
    )
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, path, today=TODAY)
        assert r.status == "accepted" and r.lines_loaded == 2, r.summary()
        orders = led.con.execute("SELECT DISTINCT order_number FROM shipments").fetchall()
    assert orders == [("SO-NEW",)]


def test_two_visible_matching_sheets_are_listed_not_guessed(empty_workspace, tmp_path):
    path = workbook(
        tmp_path / "two.xlsx", {"January": shipments("SO-1"), "February": shipments("SO-2")}
    )
    with empty_workspace.open_ledger() as led:
        before = ledger_snapshot(led)
        r = ingest_file(led, path, today=TODAY)
        assert ledger_snapshot(led) == before
    assert r.status == "refused" and len(r.issues) == 1
    assert "sheets January (Shipments (sell-in)), February (Shipments (sell-in))" in r.message


def test_a_template_with_its_report_sheet_hidden_or_copied(empty_workspace, template, tmp_path):
    path, reseller, sku = template
    fill(path, [line(reseller, sku)])
    wb = openpyxl.load_workbook(path)
    wb["SellThrough"].sheet_state = "hidden"
    wb.save(tmp_path / "hidden.xlsx")
    wb = openpyxl.load_workbook(path)
    copy = wb.copy_worksheet(wb["SellThrough"])
    copy.title = "SellThrough (2)"
    wb.save(tmp_path / "copied.xlsx")
    with empty_workspace.open_ledger() as led:
        hidden = ingest_file(led, tmp_path / "hidden.xlsx", today=TODAY)
        copied = ingest_file(led, tmp_path / "copied.xlsx", today=TODAY)
        assert count(led, "sell_through") == 0
    assert hidden.status == "refused" and "SellThrough sheet is hidden; unhide it" in hidden.message
    assert copied.status == "refused" and "SellThrough (2) (Sell-through report)" in copied.message
    assert sender_words(hidden.message) and sender_words(copied.message)


# ---------------------------------------------------------------- 3. malformed workbooks
@pytest.mark.parametrize(
    ("damage", "xml"),
    [
        ("truncated", lambda d: d[: len(d) // 2]),
        ("not XML", lambda d: b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8),
        ("unclosed tags", lambda d: d.replace(b"</row>", b"", 1)),
        ("control characters", lambda d: d.replace(b"<t>", b"<t>\x01\x02", 3)),
    ],
)
def test_a_damaged_sheet_is_refused_with_its_name_and_the_next_file_loads(
    empty_workspace, template, tmp_path, damage, xml
):
    path, reseller, sku = template
    good = fill(path, [line(reseller, sku)], out=tmp_path / "good.xlsx")
    with zipfile.ZipFile(good) as z:
        part = next(p for p in z.namelist() if p.startswith("xl/worksheets/sheet2"))
    bad = rewrite(good, tmp_path / "bad.xlsx", {part: xml})
    following = workbook(tmp_path / "next.xlsx", {"Export": shipments()})
    with empty_workspace.open_ledger() as led:
        first = ingest_file(led, bad, today=TODAY)
        second = ingest_file(led, following, today=TODAY)
    assert first.status in ("refused", "accepted"), damage  # never an exception
    if first.status == "refused":
        assert first.issues[0].sheet == "SellThrough" and sender_words(first.message)
    assert second.status == "accepted" and second.lines_loaded == 2


def test_merged_cells_over_data_are_named(empty_workspace, template):
    path, reseller, sku = template
    fill(
        path,
        [
            line(reseller, sku, "INV-7"),
            line(reseller, sku, "INV-7", qty=2),
            line(reseller, sku, "INV-7", qty=1),
            line(reseller, sku, "INV-8"),
            line(reseller, sku, "INV-9"),
        ],
    )
    wb = openpyxl.load_workbook(path)
    wb["SellThrough"].merge_cells("B2:B4")  # one invoice number over three lines
    wb["SellThrough"].merge_cells("F5:F6")  # an optional column: the line loads without it
    wb.save(path)
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, path, today=TODAY)
    assert r.status == "accepted" and r.lines_loaded == 3 and r.quarantined == 2, r.issues
    by_cell = {i.cell: i for i in r.issues}
    assert by_cell["B3"].severity == "error" and by_cell["B4"].severity == "error"
    assert "part of the merged cells B2:B4" in by_cell["B3"].message
    assert "required" not in by_cell["B3"].message
    assert by_cell["F6"].severity == "warning" and "F5:F6" in by_cell["F6"].message
    assert "B2" not in by_cell and "F5" not in by_cell  # a block's first cell holds the value


def test_a_merged_header_row_is_named(empty_workspace, tmp_path):
    path = workbook(tmp_path / "merged.xlsx", {"Export": shipments()})
    wb = openpyxl.load_workbook(path)
    wb["Export"].merge_cells("A1:B1")
    wb.save(path)
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, path, today=TODAY)
    assert r.status == "refused"
    assert "the header row has merged cells (A1:B1): unmerge them" in r.message


def test_a_title_row_above_the_header(empty_workspace, tmp_path):
    rows = [["Shipments export, January"], [None], *shipments()]
    rows[3][5] = "many"  # the first line's quantity: sheet row 4, column F
    path = workbook(tmp_path / "titled.xlsx", {"Export": rows})
    wb = openpyxl.load_workbook(path)
    wb["Export"].merge_cells("A1:H1")
    wb.save(path)
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, path, today=TODAY)
    assert r.status == "accepted" and r.lines_loaded == 1
    assert [(i.sheet, i.cell) for i in r.issues if i.severity == "error"] == [("Export", "F4")]


# ---------------------------------------------------------------- 4. template identity
def _retag(path: Path, out: Path, properties: dict | None, sheet: dict | None) -> Path:
    """The template with its properties and hidden sheet changed (None: removed)."""
    wb = openpyxl.load_workbook(path)
    props = {p.name: p for p in wb.custom_doc_props.props}
    for name in list(props):
        del wb.custom_doc_props[name]
    if properties is not None:
        from openpyxl.packaging.custom import StringProperty

        current = {n.removeprefix("channelxl."): p.value for n, p in props.items()}
        for k, v in {**current, **properties}.items():
            wb.custom_doc_props.append(StringProperty(name="channelxl." + k, value=v))
    if sheet is None:
        del wb[META_SHEET]
    else:
        ws = wb[META_SHEET]
        for row in ws.iter_rows():
            if row[0].value in sheet:
                row[1].value = sheet[row[0].value]
    wb.save(out)
    return out


@pytest.mark.parametrize(
    ("properties", "sheet", "expect"),
    [
        ({"kind": "statement"}, {"kind": "statement"}, "says it is a 'statement'"),
        ({"period": "2025-13"}, {"period": "2025-13"}, "period '2025-13' is not a month"),
        ({"distributor_id": "../D001"}, {"distributor_id": "../D001"}, "is not one channelxl"),
        ({"distributor_id": "D002"}, {}, "distributor is 'D002' in its document properties"),
        ({"template_version": "7"}, {"template_version": "7"}, "newer version of channelxl"),
        ({"template_version": "one"}, {"template_version": "one"}, "not one channelxl writes"),
    ],
)
def test_a_tampered_template_is_refused_saying_what(
    empty_workspace, template, tmp_path, properties, sheet, expect
):
    path, reseller, sku = template
    fill(path, [line(reseller, sku)])
    bad = _retag(path, tmp_path / "tampered.xlsx", properties, sheet)
    with empty_workspace.open_ledger() as led:
        before = ledger_snapshot(led)
        r = ingest_file(led, bad, today=TODAY)
        assert ledger_snapshot(led) == before
    assert r.status == "refused" and expect in r.message, r.message
    assert sender_words(r.message)


@pytest.mark.parametrize(
    ("how", "name"),
    [
        ("no properties", "a.xlsx"),
        ("no hidden sheet", "b.xlsx"),
        ("unreadable properties", "c.xlsx"),
        ("nothing inside, but the name it was sent with", "sellthrough_D001_2025-02.xlsx"),
    ],
)
def test_a_template_that_lost_one_source_is_still_read(
    empty_workspace, template, tmp_path, how, name
):
    path, reseller, sku = template
    fill(path, [line(reseller, sku)])
    out = tmp_path / name
    if how == "no properties":
        _retag(path, out, None, {})
    elif how == "no hidden sheet":
        _retag(path, out, {}, None)
    elif how == "unreadable properties":
        rewrite(path, out, {"docProps/custom.xml": lambda d: d[: len(d) // 2]})
    else:
        _retag(path, out, None, None)
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, out, today=TODAY)
        assert r.status == "accepted" and r.lines_loaded == 1, r.summary()
        assert led.con.execute("SELECT distributor_id, period FROM sell_through").fetchall() == [
            ("D001", "2025-02")
        ]


@pytest.mark.parametrize(
    "renamed", ["sellthrough_D002_2025-02.xlsx", "sellthrough_D001_2025-03.xlsx"]
)
def test_a_renamed_template_is_refused_saying_which_says_what(
    empty_workspace, template, tmp_path, renamed
):
    path, reseller, sku = template
    fill(path, [line(reseller, sku)], out=tmp_path / renamed)
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, tmp_path / renamed, today=TODAY)
        assert count(led, "sell_through") == 0
    assert r.status == "refused" and r.issues[0].code == "SCOPE"
    stem = Path(renamed).stem.split("_")
    assert f"the file's name says distributor {stem[1]} and period {stem[2]}" in r.message
    assert "made for distributor D001 and period 2025-02" in r.message


def test_a_template_under_another_name_is_read(empty_workspace, template, tmp_path):
    path, reseller, sku = template
    out = fill(path, [line(reseller, sku)], out=tmp_path / "February report (final).xlsx")
    with empty_workspace.open_ledger() as led:
        assert ingest_file(led, out, today=TODAY).status == "accepted"


@pytest.mark.parametrize("with_properties", [True, False])
def test_a_template_saved_as_ods_keeps_who_it_is(
    empty_workspace, template, tmp_path, with_properties
):
    path, reseller, sku = template
    fill(path, [line(reseller, sku), line(reseller, sku, "INV-2")], [(sku, 7, 1)])
    sheets = [(n, rows, state > 0) for n, rows, state in saved_elsewhere(path)]
    props = read_template_meta(path) if with_properties else None
    ods = tmp_path / "report.ods"
    ods.write_bytes(ods_bytes(sheets, {f"channelxl.{k}": v for k, v in (props or {}).items()}))
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, ods, today=TODAY)  # no distributor or period given
        assert r.status == "accepted" and r.kind == "template", r.summary()
        assert r.lines_loaded == 3
        got = led.con.execute("SELECT DISTINCT distributor_id, period FROM inventory").fetchall()
        assert got == [("D001", "2025-02")]


def test_a_template_saved_as_xls_keeps_who_it_is(empty_workspace, template, tmp_path):
    path, reseller, sku = template
    fill(path, [line(reseller, sku)], [(sku, 7, 1)])
    xls = tmp_path / "report.xls"
    xls.write_bytes(xls_bytes(saved_elsewhere(path)))
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, xls, today=TODAY)
        assert r.status == "accepted" and r.kind == "template" and r.lines_loaded == 2, r.summary()
        row = led.con.execute(
            "SELECT distributor_id, period, quantity FROM sell_through"
        ).fetchall()
        assert row == [("D001", "2025-02", 3)]


def _csv(rows) -> str:
    out = io.StringIO()
    csv.writer(out).writerows([["" if v is None else v for v in row] for row in rows])
    return out.getvalue()


@pytest.mark.parametrize(
    "name",
    [
        "sellthrough_D001_2025-02.csv",  # Excel: Save As CSV keeps the name
        "sellthrough_D001_2025-02-SellThrough.csv",  # LibreOffice: one file per sheet
        "sellthrough_D001_2025-02 - SellThrough.csv",  # a download of one sheet
    ],
)
def test_a_sheet_exported_as_csv_loads_as_that_report(empty_workspace, template, tmp_path, name):
    _, reseller, sku = template
    header = [c.name for c in SELL_THROUGH_SHEET.columns]
    row = line(reseller, sku)
    row[0] = "2025-02-05"
    (tmp_path / name).write_text(_csv([header, row]))
    inventory = tmp_path / name.replace("SellThrough", "Inventory").replace(".csv", "-inv.csv")
    inventory.write_text(_csv([[c.name for c in INVENTORY_SHEET.columns], [sku, 9, 0]]))
    with empty_workspace.open_ledger() as led:
        st_ = ingest_file(led, tmp_path / name, today=TODAY)
        inv = ingest_file(led, inventory, today=TODAY)
        assert st_.status == "accepted" and st_.kind == "sell_through", st_.summary()
        assert inv.status == "accepted" and inv.kind == "inventory", inv.summary()
        got = led.con.execute(
            "SELECT kind, distributor_id, period FROM submissions "
            "WHERE kind IN ('sell_through', 'inventory') ORDER BY kind"
        ).fetchall()
    assert got == [("inventory", "D001", "2025-02"), ("sell_through", "D001", "2025-02")]


def test_a_csv_export_loaded_for_another_distributor_is_refused(empty_workspace, tmp_path):
    path = tmp_path / "sellthrough_D001_2025-02-Inventory.csv"
    path.write_text(_csv([[c.name for c in INVENTORY_SHEET.columns], ["SWI-0001", 9, 0]]))
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, path, distributor="D002", today=TODAY)
    assert r.status == "refused" and r.issues[0].code == "SCOPE"
    assert "the file's name says it is for distributor D001, not D002" in r.message


@settings(max_examples=60, deadline=None)
@given(
    # an id holding "_YYYY-MM" itself would be ambiguous in any such name
    distributor=st.from_regex(NAME_SAFE_ID, fullmatch=True).filter(
        lambda d: kept_in_file_names(d) and not re.search(r"_\d{4}-\d{2}", d)
    ),
    year=st.integers(2000, 2099),
    month=st.integers(1, 12),
    suffix=st.sampled_from(["", "-SellThrough", " - Inventory", " (1)", "_final", ".copy"]),
    extension=st.sampled_from([".xlsx", ".csv", ".ods", ".xls"]),
)
def test_the_name_a_template_is_sent_with_says_whose_it_is(
    distributor, year, month, suffix, extension
):
    period = f"{year:04d}-{month:02d}"
    name = Path(template_file_name(distributor, period)).stem + suffix + extension
    assert scope_from_file_name(name) == (distributor, period)


# ---------------------------------------------------------------- 5. words for the sender
def test_a_report_that_does_not_say_whose_it_is_asks_in_the_senders_words(
    empty_workspace, tmp_path
):
    path = tmp_path / "st.csv"
    path.write_text(
        "Invoice Date,Invoice Number,Reseller ID,SKU,Quantity,Unit Price,Currency\n"
        "2025-01-15,INV-1,R00001,SWI-0001,2,150.00,USD\n"
    )
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, path, today=TODAY)
    assert r.status == "refused" and sender_words(r.message)
    assert "add a Distributor ID column, or send the report in the template we sent you" in (
        r.message
    )
    assert r.issues[0].code == "COLUMN" and r.issues[0].column == "Distributor ID"


def test_the_template_meta_contract(template, tmp_path):
    path, _, _ = template
    assert read_template_meta(path) == {
        "distributor_id": "D001",
        "period": "2025-02",
        "template_version": "1",
        "kind": "monthly_report",
    }
    assert read_template_meta(workbook(tmp_path / "plain.xlsx", {"A": [["x"]]})) == {}

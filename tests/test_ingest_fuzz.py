"""Random malformed bytes into ``ingest``: an answer every time, never a crash.

Starting from real files (a sell-through CSV, a returned template, a workbook export), the
tests damage them the ways careless and hostile senders do (truncation, flipped and
inserted bytes, stray delimiters and quotes, control characters, other encodings, sheet
XML replaced by garbage) and assert for each: no exception escapes ``ingest_file``, the
answer is accepted, refused or unchanged with a message, a refused file leaves the ledger
exactly as it was, and the process is still alive (a reader that aborts would end the
test run). One example goes through the command line in a child process.
"""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from helpers import ledger_snapshot, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channelxl.commands.template import write_templates
from channelxl.core.periods import Month
from channelxl.ledger.ingest_file import ingest_file

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ANSWERS = {"accepted", "held", "refused", "duplicate"}
FORBIDDEN = ("Traceback", "internal error", "Error:", "Exception", "<class")


@pytest.fixture(scope="module")
def originals(tmp_path_factory, small_channel):
    """A good sell-through CSV, a filled returned template and a workbook export."""
    from channelxl.workspace import init

    folder = tmp_path_factory.mktemp("fuzz")
    ws = init(folder / "ws", rows=small_channel.program, settings=small_channel.settings)
    period = small_channel.months[-1]
    d = small_channel.program["distributors"][0]["distributor_id"]
    lines = small_channel.sell_through[
        (small_channel.sell_through.distributor_id == d)
        & (small_channel.sell_through.period == str(period))
    ].head(12)
    header = [
        "Distributor ID",
        "Period",
        "Invoice Date",
        "Invoice Number",
        "Reseller ID",
        "SKU",
        "Quantity",
        "Unit Price",
        "Currency",
    ]
    fields = [
        "distributor_id",
        "period",
        "invoice_date",
        "invoice_number",
        "reseller_id",
        "sku",
        "quantity",
        "unit_price",
        "currency",
    ]
    rows = [",".join(header)] + [
        ",".join(str(getattr(r, f)) for f in fields) for r in lines.itertuples(index=False)
    ]
    csv_bytes = ("\r\n".join(rows) + "\r\n").encode("utf-8")
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "Report"
    sheet.append(header)
    for r in lines.itertuples(index=False):
        sheet.append([getattr(r, f) for f in fields])
    buf = io.BytesIO()
    wb.save(buf)
    with ws.open_ledger() as led:
        (template,) = write_templates(
            led, Month.parse(str(period)), folder / "sent", distributors=[d]
        ).paths
    filled = openpyxl.load_workbook(template)
    st_sheet = filled["SellThrough"]
    for i, r in enumerate(lines.itertuples(index=False), start=2):
        st_sheet.cell(row=i, column=1, value=r.invoice_date)
        st_sheet.cell(row=i, column=2, value=r.invoice_number)
        st_sheet.cell(row=i, column=3, value=r.reseller_id)
        st_sheet.cell(row=i, column=9, value=r.sku)
        st_sheet.cell(row=i, column=10, value=int(r.quantity))
        st_sheet.cell(row=i, column=11, value=float(r.unit_price))
        st_sheet.cell(row=i, column=12, value=r.currency)
    tbuf = io.BytesIO()
    filled.save(tbuf)
    return {"csv": csv_bytes, "xlsx": buf.getvalue(), "template": tbuf.getvalue()}


def _answer(workspace, path):
    """Ingest ``path``; the answer must be an answer, and a refusal must change nothing."""
    with workspace.open_ledger() as led:
        before = ledger_snapshot(led)
        result = ingest_file(led, path)
        assert result.status in ANSWERS, result
        text = result.summary() + " ".join(str(i) for i in result.issues)
        assert not any(word in text for word in FORBIDDEN), text
        if result.status in ("refused", "duplicate"):
            assert ledger_snapshot(led) == before
        assert result.message or result.status in ("accepted", "held")
    return result


def _mutate(data: bytes, edits) -> bytes:
    out = bytearray(data)
    for kind, position, value in edits:
        if not out:
            break
        i = position % len(out)
        if kind == "flip":
            out[i] = value
        elif kind == "insert":
            out[i:i] = bytes([value])
        elif kind == "delete":
            del out[i]
        else:  # truncate
            del out[i:]
    return bytes(out)


EDITS = st.lists(
    st.tuples(
        st.sampled_from(["flip", "insert", "delete", "truncate"]),
        st.integers(0, 10_000),
        st.sampled_from([0, 1, 9, 10, 13, 34, 44, 59, 124, 0x80, 0xA0, 0xE9, 0xFF, 0x31, 0x2E]),
    ),
    min_size=1,
    max_size=8,
)


@FUZZ
@given(edits=EDITS, name=st.sampled_from(["st.csv", "st[1].csv", "x_*.csv", "r é?.txt"]))
def test_damaged_csv_gets_an_answer(empty_workspace, originals, tmp_path, edits, name):
    path = tmp_path / name
    path.write_bytes(_mutate(originals["csv"], edits))
    _answer(empty_workspace, path)


@FUZZ
@given(
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"]),
    extra=st.sampled_from(["", ",", ",,,,,,,,\r\n", '"', "\x00", "\x1a", "\r", ";;;\r\n"]),
    where=st.integers(0, 2_000),
)
def test_csv_in_other_encodings_and_with_stray_characters_gets_an_answer(
    empty_workspace, originals, tmp_path, encoding, extra, where
):
    text = originals["csv"].decode("utf-8")
    i = where % (len(text) + 1)
    text = text[:i] + extra + text[i:]
    path = tmp_path / "report.csv"
    try:
        path.write_bytes(text.encode(encoding))
    except UnicodeEncodeError:
        return
    _answer(empty_workspace, path)


def _rezip(data: bytes, change) -> bytes:
    """The workbook with each member passed through ``change(name, bytes)``."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            out.writestr(info.filename, change(info.filename, src.read(info)))
    return buf.getvalue()


@FUZZ
@given(
    which=st.sampled_from(["xlsx", "template"]),
    member=st.sampled_from(["sheet", "workbook", "styles", "shared", "props"]),
    edits=EDITS,
)
def test_workbook_with_damaged_xml_gets_an_answer(
    empty_workspace, originals, tmp_path, which, member, edits
):
    targets = {
        "sheet": "xl/worksheets/",
        "workbook": "xl/workbook.xml",
        "styles": "xl/styles.xml",
        "shared": "xl/sharedStrings.xml",
        "props": "docProps/",
    }

    def change(name, content):
        return _mutate(content, edits) if name.startswith(targets[member]) else content

    path = tmp_path / f"{which}.xlsx"
    path.write_bytes(_rezip(originals[which], change))
    _answer(empty_workspace, path)


@FUZZ
@given(which=st.sampled_from(["xlsx", "template"]), edits=EDITS)
def test_workbook_with_damaged_bytes_gets_an_answer(
    empty_workspace, originals, tmp_path, which, edits
):
    path = tmp_path / f"{which}.xlsx"
    path.write_bytes(_mutate(originals[which], edits))
    _answer(empty_workspace, path)


def test_a_damaged_file_does_not_stop_the_inbox(empty_workspace, originals, tmp_path):
    """As a user runs it: a damaged workbook, then a good report; the good one loads."""
    import os
    import shutil

    root = tmp_path / "ws"
    shutil.copytree(empty_workspace.root, root)
    (root / "inbox" / "a_broken.xlsx").write_bytes(originals["xlsx"][: len(originals["xlsx"]) // 2])
    good = root / "inbox" / "b_report.csv"
    good.write_bytes(originals["csv"])
    os.utime(good, (2e9, 2e9))  # after the broken one
    done = run_cli("ingest", "--dir", root)
    assert done.returncode == 2, done.stdout + done.stderr  # one file refused
    out = done.stdout + done.stderr
    assert not any(word in out for word in ("Traceback", "internal error")), out
    assert "a_broken.xlsx" in out and "1 accepted" in out, out

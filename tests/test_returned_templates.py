"""Returned templates: recognised by what they say they are, validated cell by cell,
loaded with their inventory, answered with a feedback workbook; unsafe files refused."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from helpers import ledger_snapshot, run_cli

from channelxl.feedback import write_feedback
from channelxl.ledger.ingest import ingest_file
from channelxl.templates import write_templates

TODAY = date(2026, 11, 25)


@pytest.fixture
def template(empty_workspace, tmp_path, small_channel):
    """D001's October template, as sent."""
    with empty_workspace.open_ledger() as led:
        (path,) = write_templates(led, "2026-10", tmp_path / "sent", distributors=["D001"])
    reseller = next(
        r for r in small_channel.program["resellers"] if "D001" in r["authorized_distributors"]
    )
    sku = next(p["sku"] for p in small_channel.program["products"] if p["active"] == "Y")
    return path, reseller, sku


def fill(path, rows, inventory=(), out=None):
    wb = openpyxl.load_workbook(path)
    ws = wb["SellThrough"]
    for i, row in enumerate(rows, start=2):
        for j, value in enumerate(row, start=1):
            ws.cell(row=i, column=j, value=value)
    inv = wb["Inventory"]
    for i, row in enumerate(inventory, start=2):
        for j, value in enumerate(row, start=1):
            inv.cell(row=i, column=j, value=value)
    wb.save(out or path)
    return out or path


def line(reseller, sku, **kw):
    base = [
        datetime(2026, 10, 5),
        "INV-1",
        reseller["reseller_id"],
        reseller["name"],
        reseller["country"],
        "Acme",
        reseller["country"],
        "smb",
        sku,
        3,
        120.5,
        "USD",
        None,
    ]
    for k, v in kw.items():
        base[{"date": 0, "invoice": 1, "reseller": 2, "sku": 8, "qty": 9, "price": 10}[k]] = v
    return base


def test_a_filled_template_loads_both_sheets(empty_workspace, template):
    path, reseller, sku = template
    fill(path, [line(reseller, sku), line(reseller, sku, invoice="INV-2", qty=1)], [(sku, 40, 5)])
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, path, today=TODAY)
        assert r.status == "accepted" and r.kind == "template", r.summary()
        assert r.lines_loaded == 3 and not r.issues
        st = led.con.execute(
            "SELECT distributor_id, period, quantity, unit_price FROM sell_through"
        ).fetchall()
        assert sorted(st) == [
            ("D001", "2026-10", 1, Decimal("120.5000")),
            ("D001", "2026-10", 3, Decimal("120.5000")),
        ]
        assert led.con.execute("SELECT sku, on_hand, in_transit FROM inventory").fetchall() == [
            (sku, 40, 5)
        ]
        kinds = led.con.execute("SELECT kind FROM submission_periods ORDER BY kind").fetchall()
        assert kinds == [("inventory",), ("sell_through",)]


def test_problem_cells_are_named_and_answered_in_a_feedback_workbook(
    empty_workspace, template, tmp_path
):
    path, reseller, sku = template
    fill(
        path,
        [
            line(reseller, sku),
            line(reseller, sku, date="someday"),  # row 3: DATE
            line(reseller, sku, qty=2.5),  # row 4: QUAN
            line(reseller, "NOPE-1"),  # row 5: PROD warning
            line(reseller, sku, date=datetime(2026, 9, 30)),  # row 6: outside the period
        ],
    )
    original = path.read_bytes()
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, path, today=TODAY)
    assert r.status == "accepted" and r.lines_loaded == 2 and r.quarantined == 3
    found = {(i.sheet, i.cell, i.code) for i in r.issues}
    assert {
        ("SellThrough", "A3", "DATE"),
        ("SellThrough", "J4", "QUAN"),
        ("SellThrough", "I5", "PROD"),
        ("SellThrough", "A6", "DATE"),
    } <= found
    xlsx, js = write_feedback(r, tmp_path / "outbox")
    assert path.read_bytes() == original  # the original is never modified
    wb = openpyxl.load_workbook(xlsx)
    assert wb.sheetnames[0] == "Issues"
    cell = wb["SellThrough"]["A3"]
    assert (
        cell.comment is not None
        and "DATE" in cell.comment.text
        and cell.fill.fgColor.rgb.endswith("F8CBAD")
    )
    report = json.loads(js.read_text())
    assert report["lines_quarantined"] == 3 and len(report["issues"]) == len(r.issues)


def test_dates_and_numbers_typed_in_the_distributors_locale(
    empty_workspace, template, small_channel
):
    path, reseller, sku = template
    d001 = next(d for d in small_channel.program["distributors"] if d["distributor_id"] == "D001")
    assert d001["locale"] == "en_US"
    fill(path, [line(reseller, sku, date="10/31/2026", price="1,234.50", qty="1,000")])
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, path, today=TODAY)
        assert r.status == "accepted" and not r.issues, r.issues
        assert led.con.execute(
            "SELECT invoice_date, quantity, unit_price FROM sell_through"
        ).fetchall() == [(date(2026, 10, 31), 1000, Decimal("1234.5000"))]


def test_a_template_for_another_distributor_or_period_is_refused(empty_workspace, template):
    path, reseller, sku = template
    fill(path, [line(reseller, sku)])
    with empty_workspace.open_ledger() as led:
        before = ledger_snapshot(led)
        r = ingest_file(led, path, distributor="D002", today=TODAY)
        assert (
            r.status == "refused" and "this template is for distributor D001, not D002" in r.message
        )
        r = ingest_file(led, path, period="2026-11", today=TODAY)
        assert r.status == "refused" and "period 2026-10, not 2026-11" in r.message
        assert ledger_snapshot(led) == before


def test_a_corrected_template_supersedes_both_sheets(empty_workspace, template, tmp_path):
    path, reseller, sku = template
    first = fill(path, [line(reseller, sku)], [(sku, 10, 0)], out=tmp_path / "v1.xlsx")
    second = fill(path, [line(reseller, sku, qty=7)], [(sku, 6, 0)], out=tmp_path / "v2.xlsx")
    with empty_workspace.open_ledger() as led:
        a = ingest_file(led, first, today=TODAY)
        b = ingest_file(led, second, today=TODAY)
        assert b.superseded == [a.submission_id]
        assert led.con.execute("SELECT quantity FROM sell_through").fetchall() == [(7,)]
        assert led.con.execute("SELECT on_hand FROM inventory").fetchall() == [(6,)]


@pytest.mark.skipif(not shutil.which("libreoffice"), reason="LibreOffice is not installed")
@pytest.mark.parametrize("fmt", ["ods", "xls"])
def test_a_template_saved_by_libreoffice_as_ods_or_xls(empty_workspace, template, tmp_path, fmt):
    path, reseller, sku = template
    fill(path, [line(reseller, sku)], [(sku, 3, 0)])
    out = tmp_path / "lo"
    subprocess.run(
        ["libreoffice", "--headless", "--convert-to", fmt, "--outdir", str(out), str(path)],
        capture_output=True,
        timeout=180,
        check=True,
    )
    converted = next(out.glob(f"*.{fmt}"))
    with empty_workspace.open_ledger() as led:
        # .ods/.xls carry no template properties: the command line says who and when
        r = ingest_file(led, converted, distributor="D001", period="2026-10", today=TODAY)
        assert r.status == "accepted", r.summary()
        assert led.count("sell_through") == 1


def _zip_with(tmp_path, name, member, data):
    p = tmp_path / name
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(member, data)
    return p


@pytest.mark.parametrize(
    ("member", "data", "expect"),
    [
        (
            "xl/workbook.xml",
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>',
            "DTD or entities",
        ),
        ("xl/big.bin", b"\0" * (50 * 2**20), "would expand"),
    ],
)
def test_unsafe_workbooks_are_refused(empty_workspace, tmp_path, member, data, expect):
    path = _zip_with(tmp_path, "evil.xlsx", member, data)
    with empty_workspace.open_ledger() as led:
        before = ledger_snapshot(led)
        r = ingest_file(led, path, today=TODAY)
        assert r.status == "refused" and expect in r.message
        assert ledger_snapshot(led) == before


def test_cli_ingest_writes_feedback_to_the_outbox(empty_workspace, template):
    path, reseller, sku = template
    fill(path, [line(reseller, sku), line(reseller, sku, qty="lots")])
    r = run_cli("ingest", str(path), cwd=empty_workspace.root)
    assert r.returncode == 0, r.stderr
    assert "feedback for the sender" in r.stdout
    assert (empty_workspace.outbox / f"feedback_{path.stem}.xlsx").exists()
    assert (empty_workspace.outbox / f"feedback_{path.stem}.json").exists()

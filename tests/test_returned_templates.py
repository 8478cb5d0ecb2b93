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
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channelxl.io.feedback_workbook import feedback_stem, write_feedback
from channelxl.ledger.ingest_file import ingest_file

TODAY = date(2026, 11, 25)


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
        datetime(2025, 2, 5),
        "INV-1",
        reseller["reseller_id"],
        reseller["name"],
        reseller["country"],
        "Acme",
        reseller["country"],
        "smb",
        sku,
        3,
        1500.0,
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
            ("D001", "2025-02", 1, Decimal("1500.0000")),
            ("D001", "2025-02", 3, Decimal("1500.0000")),
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
            line(reseller, sku, date=datetime(2025, 1, 31)),  # row 6: outside the period
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
    xlsx, js = write_feedback(r.path, r.issues, r.outcome(), tmp_path / "outbox")
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
    fill(path, [line(reseller, sku, date="02/28/2025", price="1,234.50", qty="1,000")])
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, path, today=TODAY)
        assert r.status == "accepted" and not r.issues, r.issues
        assert led.con.execute(
            "SELECT invoice_date, quantity, unit_price FROM sell_through"
        ).fetchall() == [(date(2025, 2, 28), 1000, Decimal("1234.5000"))]


def test_a_template_for_another_distributor_or_period_is_refused(empty_workspace, template):
    path, reseller, sku = template
    fill(path, [line(reseller, sku)])
    with empty_workspace.open_ledger() as led:
        before = ledger_snapshot(led)
        r = ingest_file(led, path, distributor="D002", today=TODAY)
        assert (
            r.status == "refused" and "this template is for distributor D001, not D002" in r.message
        )
        r = ingest_file(led, path, period="2025-03", today=TODAY)
        assert r.status == "refused" and "period 2025-02, not 2025-03" in r.message
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
        r = ingest_file(led, converted, distributor="D001", period="2025-02", today=TODAY)
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
    stem = feedback_stem(path)
    assert (empty_workspace.outbox / f"{stem}.xlsx").exists()
    assert (empty_workspace.outbox / f"{stem}.json").exists()


def test_quality_warnings_load_the_line_and_say_why(empty_workspace, template, small_channel):
    path, reseller, sku = template
    other = next(
        r for r in small_channel.program["resellers"] if "D001" not in r["authorized_distributors"]
    )
    floor = next(p["floor_price"] for p in small_channel.program["products"] if p["sku"] == sku)
    fill(
        path,
        [
            line(reseller, sku),
            line(reseller, sku),  # row 3: the same line again -> DUPL
            line(other, sku, invoice="INV-3"),  # row 4: not authorized for D001 -> PART
            line(
                reseller, sku, invoice="INV-4", price=float(floor) / 100
            ),  # row 5: below floor -> PRIC
        ],
    )
    wb = openpyxl.load_workbook(path)
    wb["SellThrough"]["G6"] = "JP"  # end customer in a country D001 does not cover -> TERR
    for j, v in enumerate(line(reseller, sku, invoice="INV-5"), start=1):
        if j != 7:
            wb["SellThrough"].cell(row=6, column=j, value=v)
    wb.save(path)
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, path, today=TODAY)
    assert r.status == "accepted" and r.quarantined == 0 and r.lines_loaded == 5, r.issues
    warnings = {(i.code, i.cell) for i in r.issues if i.severity == "warning"}
    assert {("DUPL", "B3"), ("PART", "C4"), ("PRIC", "K5"), ("TERR", "G6")} <= warnings
    assert not any(code == "FX" for code, _ in warnings)


def test_a_currency_without_a_rate_that_month_is_a_warning(empty_workspace, template):
    path, reseller, sku = template
    fill(path, [[*line(reseller, sku)[:11], "NOK", None]])
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, path, today=TODAY)
    assert r.lines_loaded == 1 and [(i.code, i.cell) for i in r.issues] == [("FX", "L2")]


def test_extra_columns_blank_rows_and_a_totals_row(empty_workspace, template):
    path, reseller, sku = template
    fill(path, [line(reseller, sku), [None] * 13, line(reseller, sku, invoice="INV-2")])
    wb = openpyxl.load_workbook(path)
    ws = wb["SellThrough"]
    ws["N1"] = "Our note"
    ws["N2"] = "thanks"
    ws["A6"], ws["J6"] = "Total", 6
    wb.save(path)
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, path, today=TODAY)
    assert r.status == "accepted" and r.lines_loaded == 2 and r.quarantined == 0
    codes = {(i.code, i.severity) for i in r.issues}
    assert ("COLUMN", "warning") in codes and ("TOTAL", "warning") in codes


def test_dates_in_a_1904_workbook(empty_workspace, template):
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    path, reseller, sku = template
    fill(path, [line(reseller, sku)])
    wb = openpyxl.load_workbook(path)
    wb.epoch = CALENDAR_MAC_1904
    wb.save(path)
    with empty_workspace.open_ledger() as led:
        r = ingest_file(led, path, today=TODAY)
        assert r.status == "accepted" and r.lines_loaded == 1, r.issues
        assert led.con.execute("SELECT invoice_date FROM sell_through").fetchall() == [
            (date(2025, 2, 5),)
        ]


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    qty=st.integers(1, 5000),
    qty_as=st.sampled_from(["int", "float", "text", "grouped", "padded"]),
    price=st.decimals(min_value=1500, max_value=99999, places=2),
    price_as=st.sampled_from(["float", "text", "grouped"]),
    day=st.integers(1, 28),
    date_as=st.sampled_from(["datetime", "iso", "us"]),
    currency=st.sampled_from(["USD", "usd", " USD ", "Usd"]),
    junk=st.one_of(st.none(), st.text(alphabet="abcxyzXYZ !?#/", min_size=1, max_size=6)),
)
def test_messy_cells_load_as_meant_or_are_named(
    empty_workspace, template, qty, qty_as, price, price_as, day, date_as, currency, junk
):
    path, reseller, sku = template
    q = {
        "int": qty,
        "float": float(qty),
        "text": str(qty),
        "grouped": f"{qty:,}",
        "padded": f" {qty} ",
    }[qty_as]
    p = {"float": float(price), "text": str(price), "grouped": f"{price:,.2f}"}[price_as]
    d = {
        "datetime": datetime(2025, 2, day),
        "iso": f"2025-02-{day:02d}",
        "us": f"02/{day:02d}/2025",
    }[date_as]
    good = line(reseller, sku, date=d, qty=q, price=p)
    good[11] = currency
    bad = line(reseller, sku, invoice="INV-X", qty=junk)
    target = tmp = path.with_name("messy.xlsx")
    fill(path, [good, bad], out=tmp)
    with empty_workspace.open_ledger() as led:
        before = led.count("sell_through")
        r = ingest_file(led, target, today=TODAY)
        assert r.status == "accepted", r.summary()
        got = led.con.execute(
            "SELECT invoice_date, quantity, unit_price, currency FROM sell_through WHERE invoice_number = 'INV-1'"
        ).fetchall()
        assert got == [
            (date(2025, 2, day), qty, Decimal(str(price)).quantize(Decimal("0.0001")), "USD")
        ]
        # the junk quantity (or a blank one) is quarantined and named by its cell
        assert [(i.code, i.cell) for i in r.issues if i.severity == "error"] == [("QUAN", "J3")]
        assert r.lines_loaded == 1 and r.quarantined == 1
        ledger_was = before
    assert ledger_was >= 0

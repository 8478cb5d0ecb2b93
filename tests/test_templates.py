"""Monthly report templates: what a distributor receives, and what it says about itself."""

from __future__ import annotations

import shutil
import subprocess

import openpyxl
import pytest
from helpers import run_cli

from channelxl.commands.template import write_templates
from channelxl.core.periods import Month
from channelxl.io.template_workbook import read_template_meta
from channelxl.schema import INVENTORY_SHEET, SELL_THROUGH_SHEET

SELL_THROUGH_HEADERS = [
    "Invoice Date",
    "Invoice Number",
    "Reseller ID",
    "Reseller Name",
    "Reseller Country",
    "End Customer Name",
    "End Customer Country",
    "End Customer Segment",
    "SKU",
    "Quantity",
    "Unit Price",
    "Currency",
    "Deal Registration ID",
]


@pytest.fixture
def templates(empty_workspace, tmp_path):
    with empty_workspace.open_ledger() as led:
        return write_templates(led, Month.parse("2026-10"), tmp_path / "out").paths


def test_one_template_per_distributor_with_the_agreed_layout(templates, small_channel):
    assert len(templates) == len(small_channel.program["distributors"])
    wb = openpyxl.load_workbook(templates[0])
    assert wb.sheetnames[:3] == ["Instructions", "SellThrough", "Inventory"]
    assert [c.value for c in wb["SellThrough"][1]] == SELL_THROUGH_HEADERS
    assert [c.value for c in wb["Inventory"][1]] == ["SKU", "On Hand", "In Transit"]
    assert [c.name for c in SELL_THROUGH_SHEET.columns] == SELL_THROUGH_HEADERS
    assert wb["SellThrough"].freeze_panes == "A2" and wb["SellThrough"].tables
    assert wb["SellThrough"]["A2"].number_format == "yyyy-mm-dd"
    assert wb["Inventory"]["B50"].number_format == "#,##0"
    assert "10 November 2026" in wb["Instructions"]["A2"].value  # due day 10 of the next month
    assert wb["SellThrough"]["C1"].comment is not None  # the header says what it needs
    assert INVENTORY_SHEET.title == "Inventory"


def test_drop_downs_offer_this_distributors_resellers_and_active_skus(templates, small_channel):
    path = next(p for p in templates if "D002" in p.name)
    wb = openpyxl.load_workbook(path)
    lists = wb["Lists"]
    assert lists.sheet_state == "hidden"
    resellers = {c.value for c in lists["A"][1:] if c.value}
    expected = {
        r["reseller_id"]
        for r in small_channel.program["resellers"]
        if "D002" in r["authorized_distributors"]
    }
    assert resellers == expected
    skus = {c.value for c in lists["C"][1:] if c.value}
    assert skus == {p["sku"] for p in small_channel.program["products"] if p["active"] == "Y"}
    formulas = {
        dv.formula1 for dv in wb["SellThrough"].data_validations.dataValidation if dv.type == "list"
    }
    assert any("Lists!$A$2" in f for f in formulas) and any("Lists!$C$2" in f for f in formulas)
    prompts = [
        dv.prompt for dv in wb["SellThrough"].data_validations.dataValidation if dv.showInputMessage
    ]
    assert prompts


def test_a_template_says_what_it_is(templates):
    meta = read_template_meta(templates[0])
    assert meta == {
        "distributor_id": "D001",
        "period": "2026-10",
        "template_version": "1",
        "kind": "monthly_report",
    }
    wb = openpyxl.load_workbook(templates[0])
    assert wb["_channelxl"].sheet_state == "veryHidden"
    # without the custom properties (a program that drops them), the hidden sheet still tells
    del wb.custom_doc_props["channelxl.period"]
    for name in [p.name for p in wb.custom_doc_props.props]:
        del wb.custom_doc_props[name]
    wb.save(templates[0])
    assert read_template_meta(templates[0])["period"] == "2026-10"


@pytest.mark.skipif(not shutil.which("libreoffice"), reason="LibreOffice is not installed")
def test_libreoffice_opens_it(templates, tmp_path):
    out = tmp_path / "lo"
    r = subprocess.run(
        [
            "libreoffice",
            "--headless",
            "--convert-to",
            "csv",
            "--outdir",
            str(out),
            str(templates[0]),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert r.returncode == 0 and list(out.glob("*.csv")), r.stderr


def test_cli_template(empty_workspace):
    r = run_cli(
        "template", "--period", "2026-10", "--distributor", "D003", cwd=empty_workspace.root
    )
    assert r.returncode == 0, r.stderr
    assert (empty_workspace.outbox / "sellthrough_D003_2026-10.xlsx").exists()
    bad = run_cli("template", "--period", "2026-13", cwd=empty_workspace.root)
    assert bad.returncode == 2 and "YYYY-MM" in bad.stderr
    unknown = run_cli(
        "template", "--period", "2026-10", "--distributor", "D999", cwd=empty_workspace.root
    )
    assert unknown.returncode == 2 and "unknown distributor(s): D999" in unknown.stderr

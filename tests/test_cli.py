"""The command line as a user types it (subprocess)."""

from __future__ import annotations

import csv
import json

import openpyxl
from helpers import run_cli

COMMANDS = (
    "init",
    "check",
    "ingest",
    "export",
    "demo",
    "functions",
    "rebates",
    "reconcile",
    "territory",
    "template",
    "qbr",
    "held",
    "received",
    "approve",
    "addin",
)


def test_help_lists_every_command_with_an_example():
    r = run_cli("--help")
    assert r.returncode == 0
    for command in COMMANDS:
        assert command in r.stdout
        sub = run_cli(command, "--help")
        assert sub.returncode == 0 and "Example" in sub.stdout, command


def test_init_then_check(tmp_path):
    r = run_cli("init", "acme", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    root = tmp_path / "acme"
    for name in ("program.xlsx", "channel.duckdb", "inbox", "outbox", "reports"):
        assert (root / name).exists()
    assert run_cli("check", cwd=root).returncode == 0
    again = run_cli("init", "acme", cwd=tmp_path)
    assert again.returncode == 2 and "will not overwrite" in again.stderr


def test_broken_program_is_refused_with_cells(tmp_path):
    run_cli("init", "acme", cwd=tmp_path)
    root = tmp_path / "acme"
    wb = openpyxl.load_workbook(root / "program.xlsx")
    wb["Distributors"]["A3"] = wb["Distributors"]["A2"].value
    wb["Products"]["D2"] = "cheap"
    wb.save(root / "program.xlsx")
    r = run_cli("check", cwd=root)
    assert r.returncode == 2
    assert "sheet Distributors, cell A3" in r.stdout and "sheet Products, cell D2" in r.stdout
    r = run_cli("ingest", cwd=root)
    assert r.returncode == 2 and "cell A3" in r.stderr and "Traceback" not in r.stderr


def test_outside_a_working_folder(tmp_path):
    r = run_cli("ingest", cwd=tmp_path)
    assert r.returncode == 2 and "channelxl init" in r.stderr and "Traceback" not in r.stderr


def test_ingest_export_round_trip(workspace, small_channel):
    r = run_cli("ingest", "--quiet", cwd=workspace.root)
    assert r.returncode == 0, r.stderr
    assert "refused" in r.stdout and " 0 refused" in r.stdout
    again = run_cli("ingest", cwd=workspace.root)
    assert again.returncode == 0 and "Nothing new" in again.stdout
    quarter = str(small_channel.months[-1].quarter)
    r = run_cli(
        "export", "sell_through", "--period", quarter, "--out", "st.csv", cwd=workspace.root
    )
    assert r.returncode == 0, r.stderr
    with open(workspace.root / "st.csv") as f:
        rows = list(csv.DictReader(f))
    months = {str(m) for m in small_channel.months if str(m.quarter) == quarter}
    expected = small_channel.sell_through[small_channel.sell_through.period.isin(months)]
    assert len(rows) == len(expected) and {r["period"] for r in rows} == months
    r = run_cli(
        "export", "shipments", "--distributor", "D001", "--out", "out/d1.xlsx", cwd=workspace.root
    )
    assert r.returncode == 0, r.stderr
    ws = openpyxl.load_workbook(workspace.root / "out" / "d1.xlsx").active
    assert ws.freeze_panes == "A2" and ws["B1"].value == "Order Number"
    assert {c.value for c in ws["E"][1:]} == {"D001"}


def test_ingest_exit_code_when_a_file_is_refused(workspace, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("what,is,this\n1,2,3\n")
    r = run_cli("ingest", str(bad), "inbox/shipments.csv", cwd=workspace.root)
    assert r.returncode == 2
    assert "bad.csv: REFUSED" in r.stderr and "shipments.csv: accepted" in r.stdout


def test_export_refuses_unknown_table_and_bad_period(workspace):
    r = run_cli("export", "nonsense", "--out", "x.csv", cwd=workspace.root)
    assert r.returncode == 2 and "choose one of" in r.stderr
    r = run_cli("export", "shipments", "--period", "Q3", "--out", "x.csv", cwd=workspace.root)
    assert r.returncode == 2 and "neither a month" in r.stderr


def test_text_that_looks_like_a_formula_stays_text(empty_workspace, tmp_path):
    src = tmp_path / "act.csv"
    src.write_text(
        "Activity ID,Distributor ID,Activity Type,Name,Planned Date,Cost,Currency,Status\n"
        'A1,D001,event,"=HYPERLINK(""http://x"")",2025-01-10,100,USD,planned\n'
    )
    assert run_cli("ingest", str(src), cwd=empty_workspace.root).returncode == 0
    assert (
        run_cli("export", "activities", "--out", "a.xlsx", cwd=empty_workspace.root).returncode == 0
    )
    ws = openpyxl.load_workbook(empty_workspace.root / "a.xlsx").active
    names = [c for c in ws[2] if isinstance(c.value, str) and c.value.startswith("=")]
    assert names and all(c.data_type == "s" for c in names)
    assert (
        run_cli("export", "activities", "--out", "a.csv", cwd=empty_workspace.root).returncode == 0
    )
    with open(empty_workspace.root / "a.csv", newline="", encoding="utf-8") as fh:
        cells = [c for row in csv.reader(fh) for c in row]
    assert '\'=HYPERLINK("http://x")' in cells and not any(c.startswith("=") for c in cells)


SMALL_DEMO = (
    "--distributors",
    "6",
    "--resellers",
    "60",
    "--skus",
    "20",
    "--months",
    "6",
    "--lines",
    "800",
)


def test_demo_runs_end_to_end(tmp_path):
    r = run_cli("demo", "--dir", "demo", *SMALL_DEMO, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    root = tmp_path / "demo"
    for label in ("program workbook", "ledger", "planted anomalies"):
        assert label in r.stdout
    planted = json.loads((root / "planted.json").read_text())
    assert planted["seed"] == 7 and planted["late_report"]
    # the cross-distributor export goes with the quarter's reports, never out to distributors
    assert list(root.glob("reports/*/sell_through_*.xlsx"))
    assert not list((root / "outbox").glob("sell_through_*.xlsx"))
    assert "templates for" in r.stdout and "with mistakes" in r.stdout
    assert list((root / "outbox").glob("sellthrough_D*.xlsx"))  # the templates sent
    assert list((root / "outbox").glob("feedback_returned_*.xlsx"))  # answers to careless returns
    assert "supersedes submission" in r.stdout  # the corrected resubmission
    # it ends with a review per distributor and the index's path
    index = next(root.glob("reports/*/index.html"))
    assert f"Open the reviews: {index}" in r.stdout
    manifest = json.loads((index.parent / "manifest.json").read_text())
    assert len(manifest["reports"]) == 6
    assert {r["status"] for r in manifest["reports"].values()} == {"ok"}
    assert all((index.parent / r["html"]).exists() for r in manifest["reports"].values())
    again = run_cli("demo", "--dir", "demo", *SMALL_DEMO, cwd=tmp_path)  # a rerun clears it
    assert again.returncode == 0
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "keep.txt").write_text("mine")
    refused = run_cli("demo", "--dir", "mine", cwd=tmp_path)
    assert refused.returncode == 2 and (tmp_path / "mine" / "keep.txt").exists()


def test_functions_lists_the_registry_and_matches_the_docs():
    from pathlib import Path

    r = run_cli("functions")
    assert r.returncode == 0 and "CHX_REBATE(measure, tiers, [method])" in r.stdout
    md = run_cli("functions", "--markdown")
    docs = Path(__file__).resolve().parents[1] / "docs" / "FUNCTIONS.md"
    assert md.stdout == docs.read_text()


def test_a_demo_too_small_for_its_planted_anomalies_is_refused_plainly(tmp_path):
    """The planted exclusivity conflict needs two VADs (the 2nd and 6th distributors)."""
    r = run_cli("demo", str(tmp_path / "d"), "--distributors", "5", cwd=tmp_path)
    assert r.returncode == 2 and "x>=6" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "d").exists()

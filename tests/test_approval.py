"""``channelxl approve``: a quarter's statement frozen in the ledger, written again byte for
byte, refusals said plainly, and kept through a schema rebuild."""

from __future__ import annotations

import csv
import io
import json
import shutil
import time
import zipfile
from decimal import Decimal

import pytest
from helpers import run_cli

from channelxl.workspace import Workspace


@pytest.fixture
def ws(tmp_path, loaded_channel):
    root = tmp_path / "ws"
    shutil.copytree(loaded_channel[0].root, root)
    return Workspace.find(root)


def _approve(ws, *extra):
    return run_cli("approve", "--quarter", "2024Q4", "--by", "Ana Ruiz", *extra, cwd=ws.root)


def test_rerun_of_an_approved_quarter_writes_the_same_bytes(ws):
    done = _approve(ws, "--note", "paid 2025-01-20")
    assert done.returncode == 0, done.stderr
    assert "2024Q4 approved on" in done.stdout and "by Ana Ruiz" in done.stdout
    folder = ws.quarter_folder("2024Q4")
    xlsx, csv_path = folder / "rebates_2024Q4.xlsx", folder / "rebates_2024Q4.csv"
    approved = xlsx.read_bytes(), csv_path.read_bytes()
    xlsx.unlink()
    csv_path.unlink()
    time.sleep(2.1)  # a zip member's time has 2-second steps: a later write would differ
    rerun = run_cli("rebates", "--quarter", "2024Q4", cwd=ws.root)
    assert rerun.returncode == 0, rerun.stderr
    assert "figures frozen" in rerun.stdout and "by Ana Ruiz" in rerun.stdout
    assert (xlsx.read_bytes(), csv_path.read_bytes()) == approved
    # the workbook says it was made at the approval, not at the re-run
    core = zipfile.ZipFile(io.BytesIO(approved[0])).read("docProps/core.xml").decode()
    listed = run_cli("approve", "--list", cwd=ws.root)
    assert listed.returncode == 0, listed.stderr
    when = listed.stdout.split("approved on ")[1][:16].replace(" ", "T")  # 2026-11-29T22:58
    assert f'<dcterms:created xsi:type="dcterms:W3CDTF">{when}' in core
    assert f'<dcterms:modified xsi:type="dcterms:W3CDTF">{when}' in core
    assert "paid 2025-01-20" in listed.stdout


def test_approval_stores_each_amount_exactly(ws):
    assert _approve(ws).returncode == 0
    with open(ws.quarter_folder("2024Q4") / "rebates_2024Q4.csv", newline="") as f:
        paid = {(r["Distributor ID"], r["Program ID"]): r["Amount"] for r in csv.DictReader(f)}
    with ws.open_ledger() as led:
        rows = led.con.execute(
            "SELECT row_json FROM approved_rows WHERE sheet = 'statement'"
        ).fetchall()
        results = dict(
            ((d, p), a)
            for d, p, a in led.con.execute(
                "SELECT distributor_id, program_id, amount FROM approved_results"
            ).fetchall()
        )
        total = led.con.execute("SELECT total FROM approvals").fetchone()[0]
    stored = {}
    for (text,) in rows:
        row = json.loads(text)
        stored[(row["distributor_id"], row["program_id"])] = row["amount"]["decimal"]
    assert stored == paid == results
    assert Decimal(total) == sum(Decimal(v) for v in paid.values())


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--quarter", "2099Q1", "--by", "Ana"), "2099Q1 has not ended"),
        (("--quarter", "2023Q1", "--by", "Ana"), "has no sell-through in the ledger"),
        (("--quarter", "2024Q4"), "who approves"),
    ],
)
def test_refusals_say_why(ws, args, words):
    result = run_cli("approve", *args, cwd=ws.root)
    assert result.returncode == 2, result.stderr
    assert words in result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    with ws.open_ledger() as led:
        assert led.count("approvals") == 0


def test_approving_twice_is_refused_naming_when_and_whom(ws):
    assert _approve(ws).returncode == 0
    again = run_cli("approve", "--quarter", "2024Q4", "--by", "Ben Ode", cwd=ws.root)
    assert again.returncode == 2
    assert "2024Q4 is already approved on" in again.stderr and "by Ana Ruiz" in again.stderr
    assert "prior-period adjustment" in again.stderr
    with ws.open_ledger() as led:
        assert led.count("approvals") == 1


def test_a_distributor_subset_of_an_approved_quarter_is_refused(ws):
    assert _approve(ws).returncode == 0
    result = run_cli("rebates", "--quarter", "2024Q4", "--distributor", "D001", cwd=ws.root)
    assert result.returncode == 2
    assert "frozen and covers every distributor" in result.stderr


def test_approvals_survive_a_schema_rebuild(ws):
    assert _approve(ws).returncode == 0
    with ws.open_ledger() as led:
        led.con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
        led.con.execute("UPDATE meta SET value = 'old' WHERE key = 'schema_sha256'")
    listed = run_cli("approve", "--list", cwd=ws.root)
    assert listed.returncode == 0, listed.stderr
    assert "2024Q4: approved on" in listed.stdout
    with ws.open_ledger() as led:
        assert led.count("approved_files") == 4

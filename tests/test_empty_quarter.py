"""A quarter with no sell-through is refused by every quarterly command unless asked for,
and a refused statement says what prior-period adjustments wait in it."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from helpers import run_cli

from channelxl.commands.approve import approve_quarter
from channelxl.commands.ingest import ingest
from channelxl.core.periods import Quarter
from channelxl.workspace import Workspace

Q4, Q1 = Quarter(2024, 4), Quarter(2025, 1)


@pytest.mark.parametrize(
    ("command", "written"),
    [
        ("qbr", "this quarter's reviews"),
        ("reconcile", "this quarter's exception workbook"),
        ("territory", "this quarter's exception workbook"),
    ],
)
def test_a_quarter_without_data_is_refused_by_every_quarterly_command(
    loaded_channel, tmp_path, command, written
):
    ws, last = loaded_channel
    future = last + 3
    out = tmp_path / "out"
    r = run_cli(command, "--quarter", str(future), "--out", str(out), cwd=ws.root)
    assert r.returncode == 2, r.stdout + r.stderr
    assert f"{future} (" in r.stderr and "has no sell-through in the ledger" in r.stderr
    assert f"the last quarter that has data is {last}" in r.stderr  # how to go on
    assert f"Written now, {written} would" in r.stderr  # why
    assert f"--allow-empty to write {written} anyway" in r.stderr
    assert "internal error" not in r.stderr and "Traceback" not in r.stderr
    assert not out.exists()  # nothing written
    # one distributor asked for: refused for that distributor, named
    one = run_cli(command, "--quarter", str(future), "--distributor", "D001", cwd=ws.root)
    assert one.returncode == 2 and "in the ledger for D001" in one.stderr


@pytest.mark.parametrize("command", ["reconcile", "territory"])
def test_allow_empty_writes_the_workbook_with_a_warning(loaded_channel, tmp_path, command):
    ws, last = loaded_channel
    future = last + 3
    r = run_cli(
        command, "--quarter", str(future), "--out", str(tmp_path), "--allow-empty", cwd=ws.root
    )
    assert r.returncode == 0, r.stderr
    assert "WARNING:" in r.stdout and f"the last quarter that has data is {last}" in r.stdout
    assert (tmp_path / f"{command}_{future}.xlsx").exists()


@pytest.fixture
def adjusted_empty_quarter(tmp_path, loaded_channel):
    """2024Q4 and 2025Q1 approved, then D008's corrected 2024-11 report (its first line one
    unit more): the adjustment waits in 2025Q2, which has no sell-through. Returns the
    workspace and the expected difference, computed by hand from the approved line."""
    root = tmp_path / "ws"
    shutil.copytree(loaded_channel[0].root, root)
    ws = Workspace.find(root)
    with ws.open_ledger() as led:
        approve_quarter(
            led, Q4, "Ana Ruiz", out_dir=ws.quarter_folder(Q4), now=datetime(2026, 1, 15)
        )
        approve_quarter(led, Q1, "Ben Ode", now=datetime(2026, 4, 20))
    with open(ws.quarter_folder(Q4) / "rebates_2024Q4.csv", newline="", encoding="utf-8") as f:
        (row,) = [
            r
            for r in csv.DictReader(f)
            if (r["Distributor ID"], r["Program ID"]) == ("D008", "P-ST")
        ]
    with open(ws.inbox / "processed" / "sellthrough_D008_2024-11.csv", newline="") as f:
        lines = list(csv.DictReader(f))
    assert lines[0]["Currency"] == "EUR"
    lines[0]["Quantity"] = str(int(lines[0]["Quantity"]) + 1)
    with open(ws.inbox / "sellthrough_D008_2024-11_corrected.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(lines[0]))
        writer.writeheader()
        writer.writerows(lines)
    with ws.open_ledger() as led:
        assert ingest(led, inbox=ws.inbox).count("accepted") == 1
    # same tier and payout; the basis one unit (its EUR price) larger
    basis = Decimal(row["Basis"]) + Decimal(lines[0]["Unit Price"])
    recomputed = (basis * Decimal(row["Rate"]) * Decimal(row["Payout"])).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )
    return ws, recomputed - Decimal(row["Amount"])


def test_a_refused_statement_names_the_adjustments_waiting_in_it(adjusted_empty_quarter, tmp_path):
    ws, difference = adjusted_empty_quarter
    assert difference != 0
    r = run_cli("rebates", "--quarter", "2025Q2", "--out", str(tmp_path / "st"), cwd=ws.root)
    assert r.returncode == 2, r.stderr
    assert "2025Q2 (2025-04 to 2025-06) has no sell-through in the ledger" in r.stderr
    said = r.stderr.replace("\n", " ")
    assert f"1 prior-period adjustment (EUR {difference:+,.2f} net)" in said
    assert "of approved 2024Q4 wait" in said and "in 2025Q2: only --allow-empty writes the" in said
    assert not (tmp_path / "st").exists()
    ok = run_cli(
        "rebates",
        "--quarter",
        "2025Q2",
        "--out",
        str(tmp_path / "st"),
        "--allow-empty",
        cwd=ws.root,
    )
    assert ok.returncode == 0, ok.stderr
    assert f"Prior-period adjustments: 1 line(s), EUR {difference:,.2f}" in ok.stdout


def test_reviews_made_with_allow_empty_say_so_in_their_index(loaded_channel, tmp_path):
    """The warning printed by ``qbr --allow-empty`` is also where the reviews are looked at:
    index.html and manifest.json, for whoever opens them later."""
    ws, last = loaded_channel
    future = last + 3
    out = tmp_path / "reviews"
    r = run_cli(
        "qbr", "--quarter", future, "--distributor", "D001", "--out", out, "--allow-empty",
        cwd=ws.root,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    said = f"the last quarter that has data is {last}"
    assert said in r.stdout
    index = (out / "index.html").read_text(encoding="utf-8").replace("\n", " ")
    assert 'class="note">WARNING: ' in index and said in index and "has no sell-through" in index
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert any(said in note for note in manifest["notes"])

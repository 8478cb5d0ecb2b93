"""A load cut short by killing the process leaves the ledger exactly as it was."""

from __future__ import annotations

import signal

import pytest
from helpers import ledger_snapshot, run_cli

from channelxl.ledger import Ledger


@pytest.mark.parametrize("point", ["after-insert", "before-commit"])
def test_killed_ingest_leaves_the_ledger_unchanged(workspace, point):
    with workspace.open_ledger() as led:  # program loaded, as any command would
        before = ledger_snapshot(led)
    killed = run_cli(
        "ingest", "inbox/shipments.csv", cwd=workspace.root, env={"CHANNELXL_KILL_AT": point}
    )
    assert killed.returncode == -signal.SIGKILL
    with Ledger.open(workspace.ledger_path) as led:
        assert ledger_snapshot(led) == before
    done = run_cli("ingest", "inbox/shipments.csv", cwd=workspace.root)
    assert done.returncode == 0, done.stderr
    with Ledger.open(workspace.ledger_path) as led:
        assert led.count("shipments") > 0


def test_killed_program_load_keeps_the_previous_program(workspace):
    import openpyxl

    with workspace.open_ledger() as led:
        names = led.con.execute("SELECT name FROM distributors ORDER BY 1").fetchall()
    wb = openpyxl.load_workbook(workspace.program)
    wb["Distributors"]["B2"] = "Renamed Distribution"
    wb.save(workspace.program)
    killed = run_cli(
        "export",
        "distributors",
        "--out",
        "d.csv",
        cwd=workspace.root,
        env={"CHANNELXL_KILL_AT": "before-commit"},
    )
    assert killed.returncode == -signal.SIGKILL
    with Ledger.open(workspace.ledger_path) as led:
        assert led.con.execute("SELECT name FROM distributors ORDER BY 1").fetchall() == names
    ok = run_cli("export", "distributors", "--out", "d.csv", cwd=workspace.root)
    assert ok.returncode == 0 and "Renamed Distribution" in (workspace.root / "d.csv").read_text()

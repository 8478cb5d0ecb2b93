"""What a user sees while files load: a progress bar on a terminal, none in a log.

``channelxl ingest`` draws its bar on stderr only when stderr is a terminal (here a
pseudo-terminal), never with ``--no-progress``, and never in a pipe, where the output is
exactly the lines printed. The demo prints each step's lines as the step ends, in order.
"""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios

import pytest
from helpers import run_cli

KEEP = 4  # report files left in the inbox: enough for a bar to move


@pytest.fixture
def few_files(workspace):
    """A working folder whose inbox holds a few distributor reports (the rest removed)."""
    reports = sorted(workspace.inbox.glob("sellthrough_*.csv"))[:KEEP]
    for path in workspace.inbox.iterdir():
        if path.is_file() and path not in reports:
            path.unlink()
    return workspace, reports


def _run_on_terminal(*args, cwd) -> tuple[int, str, str]:
    """Run ``channelxl`` with stderr on a pseudo-terminal and stdout in a pipe: (exit code,
    stdout, what the terminal showed)."""
    primary, secondary = pty.openpty()
    # a terminal 100 columns wide (a new pseudo-terminal has none)
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "channelxl", *map(str, args)],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=secondary,
        stdin=subprocess.DEVNULL,
        env={k: v for k, v in os.environ.items() if k != "CHANNELXL_DEBUG"},
    )
    os.close(secondary)
    shown = b""
    while True:
        try:
            chunk = os.read(primary, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(primary)
    out = proc.stdout.read().decode()
    proc.wait(timeout=300)
    return proc.returncode, out, shown.decode(errors="replace")


def test_no_bar_when_the_output_goes_to_a_log(few_files):
    ws, reports = few_files
    r = run_cli("ingest", cwd=ws.root)
    assert r.returncode == 0, r.stderr
    # one line per file, then the totals; nothing else on either stream
    lines = r.stdout.splitlines()
    assert [line.split(":")[0] for line in lines[:KEEP]] == [p.name for p in reports]
    assert lines[-1].startswith(f"{KEEP} file(s): {KEEP} accepted")
    assert r.stderr == ""
    assert "\r" not in r.stdout


def test_a_bar_on_a_terminal_and_the_same_lines(few_files):
    ws, reports = few_files
    code, out, shown = _run_on_terminal("ingest", cwd=ws.root)
    assert code == 0, shown
    assert "Ingesting" in shown and f"/{KEEP}" in shown  # the bar: files done of all
    assert f"{KEEP}/{KEEP}" in shown
    lines = out.splitlines()
    assert [line.split(":")[0] for line in lines[:KEEP]] == [p.name for p in reports]
    assert lines[-1].startswith(f"{KEEP} file(s): {KEEP} accepted")


def test_no_progress_turns_the_bar_off(few_files):
    ws, _ = few_files
    code, out, shown = _run_on_terminal("ingest", "--no-progress", cwd=ws.root)
    assert code == 0, shown
    assert shown == ""
    assert out.splitlines()[-1].startswith(f"{KEEP} file(s): {KEEP} accepted")


DEMO = ("--distributors", "6", "--resellers", "60", "--skus", "20", "--months", "6")


def test_the_demo_says_each_step_when_it_happens(tmp_path):
    r = run_cli("demo", "--dir", tmp_path / "demo", *DEMO, "--lines", "800")
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""  # no bar in a log
    lines = r.stdout.splitlines()

    def at(start: str) -> int:
        return next(i for i, line in enumerate(lines) if line.startswith(start))

    steps = [
        at("Generating a synthetic channel"),
        at("Ingesting the inbox"),
        at("  81 files accepted, 0 refused"),  # what the ingest did, right after it
        at("Evaluating rebate programs"),
        at("Approving 2024Q4"),
        at("A late correction to 2024Q4 comes in"),
        at("Reconciling and checking territories"),
        at("  reconciliation:"),
        at("Making the quarterly business reviews"),
        at("  6/6 reports"),
        at("Planted for the checks to find"),
        at("Outputs:"),
        at("Done in"),
    ]
    assert steps == sorted(steps)
    # each step's results come before the next step begins
    supersedes = at("  returned_D004_2025-03_corrected.xlsx: accepted")
    assert steps[2] < supersedes < steps[3]
    assert steps[5] < at("  1 accepted: D002") < steps[6]

"""A second process waits a bounded time for the ledger, then says so plainly."""

from __future__ import annotations

import subprocess
import sys
import time

from helpers import run_cli

HOLD = """
import sys, time
from channelxl.ledger import Ledger
led = Ledger.open(sys.argv[1])
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
led.close()
"""


def hold(path, seconds: float) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "holding"
    return proc


def test_gives_up_after_the_timeout_with_a_clear_message(empty_workspace):
    holder = hold(empty_workspace.ledger_path, 30)
    try:
        start = time.monotonic()
        r = run_cli("ingest", "--lock-timeout", "1.5", cwd=empty_workspace.root)
        waited = time.monotonic() - start
    finally:
        holder.kill()
        holder.wait()
    assert r.returncode == 2
    assert "in use by another channelxl process" in r.stderr and "waited 2 s" in r.stderr
    assert "Traceback" not in r.stderr
    assert waited >= 1.5


def test_waits_while_the_other_process_finishes(empty_workspace):
    holder = hold(empty_workspace.ledger_path, 1.0)
    try:
        r = run_cli("ingest", "--lock-timeout", "30", cwd=empty_workspace.root)
    finally:
        holder.wait()
    assert r.returncode == 0, r.stderr
    assert "Nothing new to load" in r.stdout

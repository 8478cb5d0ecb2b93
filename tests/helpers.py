"""Helpers shared by the tests (import as ``from helpers import ...``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from channelxl.synth import Sizes

SMALL = Sizes(distributors=8, resellers=120, skus=30, months=6, lines=1500)


def run_cli(
    *args,
    cwd: Path | None = None,
    env: dict | None = None,
    timeout: float = 300,
    preexec_fn=None,
):
    """Run ``channelxl`` as a user types it, in a subprocess (each argument as its text);
    ``preexec_fn`` runs in the child first (a resource limit, dropped privileges)."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("CHANNELXL_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "channelxl", *map(str, args)],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=preexec_fn,
    )


def ledger_snapshot(ledger) -> dict:
    """Everything a load could change, to compare before and after."""
    tables = [
        "submissions",
        "submission_periods",
        "submission_issues",
        "shipments_lines",
        "sell_through_lines",
        "inventory_lines",
        "certifications_lines",
        "activities_lines",
    ]
    return {
        t: sorted(map(repr, ledger.con.execute(f"SELECT * FROM {t}").fetchall())) for t in tables
    }

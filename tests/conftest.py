"""Shared fixtures: small channels from the project's own generator, working folders."""

from __future__ import annotations

import shutil

import pytest
from helpers import SMALL

from channelxl.commands.template import write_templates
from channelxl.core.periods import Month
from channelxl.synth import generate, write_channel
from channelxl.workspace import init


@pytest.fixture(scope="session")
def small_channel():
    return generate(11, SMALL)


@pytest.fixture(scope="session")
def _written(tmp_path_factory, small_channel):
    root = tmp_path_factory.mktemp("channel")
    init(root, rows=small_channel.program, settings=small_channel.settings)
    write_channel(small_channel, root, program=False)
    return root


@pytest.fixture
def workspace(tmp_path, _written):
    """A fresh copy of a working folder holding a small synthetic channel (not yet ingested)."""
    root = tmp_path / "ws"
    shutil.copytree(_written, root)
    from channelxl.workspace import Workspace

    return Workspace.find(root)


@pytest.fixture
def empty_workspace(tmp_path, small_channel):
    from channelxl.workspace import Workspace

    root = tmp_path / "empty"
    init(root, rows=small_channel.program, settings=small_channel.settings)
    return Workspace.find(root)


@pytest.fixture(scope="session")
def loaded_channel(tmp_path_factory, _written, small_channel):
    """A working folder with the small channel ingested (shared: tests must not change it).

    Returns (workspace, quarter): the channel's last complete quarter (a Quarter).
    """
    from channelxl.commands.ingest import ingest
    from channelxl.workspace import Workspace

    root = tmp_path_factory.mktemp("loaded") / "ws"
    shutil.copytree(_written, root)
    ws = Workspace.find(root)
    with ws.open_ledger() as ledger:
        ingest(ledger, inbox=ws.inbox)
    return ws, small_channel.months[-1].quarter


@pytest.fixture
def template(empty_workspace, tmp_path, small_channel):
    """D001's February 2025 template as sent, an authorized reseller and an active SKU."""
    with empty_workspace.open_ledger() as led:
        (path,) = write_templates(
            led, Month.parse("2025-02"), tmp_path / "sent", distributors=["D001"]
        ).paths
    reseller = next(
        r for r in small_channel.program["resellers"] if "D001" in r["authorized_distributors"]
    )
    sku = next(p["sku"] for p in small_channel.program["products"] if p["active"] == "Y")
    return path, reseller, sku

"""On the synthetic channel every planted anomaly is found, and a clean channel yields none."""

from __future__ import annotations

from datetime import date

import pytest
from helpers import SMALL, run_cli

from channelxl.commands.ingest import ingest
from channelxl.ledger.quarter_checks import reconcile_quarter, territory_quarter
from channelxl.synth import Sizes, generate, write_channel
from channelxl.workspace import Workspace, init

TODAY = date(2026, 11, 25)


def _loaded(root, channel):
    init(root, rows=channel.program, settings=channel.settings)
    write_channel(channel, root, program=False)
    ws = Workspace.find(root)
    with ws.open_ledger() as led:
        ingest(led, inbox=ws.inbox, today=TODAY)
    return ws


@pytest.fixture(scope="module")
def planted(tmp_path_factory, small_channel):
    return _loaded(tmp_path_factory.mktemp("planted"), small_channel), small_channel


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    channel = generate(11, Sizes(**{**SMALL.__dict__, "plant": False}))
    return _loaded(tmp_path_factory.mktemp("clean"), channel), channel


def quarters(channel):
    return sorted({m.quarter for m in channel.months})


def test_every_planted_line_anomaly_is_found(planted):
    ws, channel = planted
    found = {"DUP": set(), "FLOOR": set(), "OUT": set()}
    other = set()
    with ws.open_ledger() as led:
        for q in quarters(channel):
            run = reconcile_quarter(led, q)
            for f in run.lines.itertuples():
                (found.get(f.flag, other)).add((f.distributor_id, f.invoice_number))
            terr = territory_quarter(led, q)
            found["OUT"] |= set(
                zip(terr.exceptions.distributor_id, terr.exceptions.invoice_number, strict=True)
            )
            assert set(terr.exceptions["status"]) <= {"OUT"}

    def keys(name):
        return {(k["distributor_id"], k["invoice_number"]) for k in channel.planted[name]}

    assert found["DUP"] == keys("duplicate_lines")
    assert found["FLOOR"] == keys("below_floor")
    assert found["OUT"] == keys("out_of_territory")
    assert other == set()  # no NOSHIP, UNKSKU, UNKRES or UNAUTH in data that has none


def test_variance_only_where_lines_were_reported_twice(planted):
    ws, channel = planted
    with ws.open_ledger() as led:
        for q in quarters(channel):
            grid = reconcile_quarter(led, q).grid
            flagged = grid[grid["status"] != "OK"]
            assert set(flagged["status"]) <= {
                "DUP",
                "VAR DUP",
                "FLOOR",
                "DUP FLOOR",
                "VAR DUP FLOOR",
            }
            var = flagged[flagged["status"].str.contains("VAR")]
            assert (
                var["variance"] > 0
            ).all()  # reported stock is above what double-counted sales imply


def test_conflict_free_riders_and_loaders_are_found(planted):
    ws, channel = planted
    with ws.open_ledger() as led:
        riders, verdicts = set(), {}
        for q in quarters(channel):
            terr = territory_quarter(led, q)
            riders |= {
                (r.reseller_id, r.family, r.country, r.quarter)
                for r in terr.free_riders.itertuples()
            }
            conflicts = terr.conflicts
            run = reconcile_quarter(led, q)
            verdicts[q] = set(
                run.loading.loc[run.loading["verdict"] == "loading", "distributor_id"]
            )
    c = channel.planted["exclusive_conflict"]
    assert [(r.distributor_a, r.distributor_b, r.country) for r in conflicts.itertuples()] == [
        (*c["distributors"], c["country"])
    ]
    assert str(conflicts.iloc[0]["overlap_from"]) == c["overlap_from"]
    planted_riders = {
        (x["reseller_id"], x["family"], x["country"], x["quarter"])
        for x in channel.planted["free_riding"]
    }
    assert planted_riders <= riders
    last = quarters(channel)[-1]
    assert verdicts[last] == set(channel.planted["inventory_loaders"])


def test_a_clean_channel_yields_no_flag(clean):
    ws, channel = clean
    with ws.open_ledger() as led:
        for q in quarters(channel):
            run = reconcile_quarter(led, q)
            assert set(run.grid["status"]) == {"OK"}, run.flagged.head()
            assert run.lines.empty
            assert set(run.loading["verdict"]) <= {"ok", "watch"}
            terr = territory_quarter(led, q)
            assert terr.exceptions.empty and terr.conflicts.empty and terr.free_riders.empty


def test_cli_reconcile_and_territory_write_workbooks(planted):
    import openpyxl

    ws, channel = planted
    q = quarters(channel)[-1]
    r = run_cli("reconcile", "--quarter", q, "--out", "out", cwd=ws.root)
    assert r.returncode == 0, r.stderr
    assert "rows reconciled" in r.stdout and "loading inventory:" in r.stdout
    wb = openpyxl.load_workbook(ws.root / "out" / f"reconcile_{q}.xlsx")
    assert {"Summary", "Detail", "Lines", "Loading", "Codes"} <= set(wb.sheetnames)
    assert wb["Detail"].freeze_panes == "A2" and wb["Detail"].conditional_formatting
    t = run_cli("territory", "--quarter", q, "--out", "out", cwd=ws.root)
    assert t.returncode == 0, t.stderr and "exclusive conflict" in t.stdout
    wb = openpyxl.load_workbook(ws.root / "out" / f"territory_{q}.xlsx")
    assert {"Summary", "Out of territory", "Exclusive conflicts", "Free-riding"} <= set(
        wb.sheetnames
    )
    assert (ws.root / "out" / f"territory_{q}.csv").exists()

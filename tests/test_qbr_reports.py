"""QBR batch: real kernels, real nbconvert, real WeasyPrint, a real Dask LocalCluster."""

from __future__ import annotations

import json
import re
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import nbformat
import pytest
from helpers import run_cli

from channelxl.reports.batch import run_reports
from channelxl.reports.facts import quarter_report_facts
from channelxl.reports.paths import default_notebook

PNG = "data:image/png;base64,"


@pytest.fixture(scope="module")
def facts(loaded_channel):
    ws, quarter = loaded_channel
    with ws.open_ledger(sync=False) as ledger:
        return quarter_report_facts(ledger, quarter)


def _notebook_with(tmp_path: Path, source: str) -> Path:
    """The report notebook with one more cell right after the facts are loaded."""
    nb = nbformat.read(default_notebook(), as_version=4)
    nb.cells.insert(2, nbformat.v4.new_code_cell(source))
    path = tmp_path / "custom.ipynb"
    nbformat.write(nb, path)
    return path


def _qbr(ws, quarter, *args, env=None):
    """``channelxl qbr`` in a subprocess, in the loaded working folder."""
    return run_cli("qbr", "--dir", str(ws.root), "--quarter", quarter, *args, env=env)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_one_report_end_to_end_shows_the_ledger_figures(loaded_channel, facts, tmp_path):
    ws, quarter = loaded_channel
    d = sorted(facts.by_distributor)[0]
    run = run_reports(facts.only([d]), tmp_path, jobs=1)
    assert run.reports[d]["status"] == "ok", run.reports[d]
    html = (tmp_path / f"{d}.html").read_text(encoding="utf-8")
    text = _text(html)

    # recomputed here from the ledger's lines, not from the facts
    months = [str(m) for m in quarter.months]
    with ws.open_ledger(sync=False) as ledger:
        con = ledger.con
        name = con.execute(
            "SELECT name FROM distributors WHERE distributor_id = ?", [d]
        ).fetchone()[0]
        fx = {
            (c, m): r
            for c, m, r in con.execute("SELECT currency, month, rate FROM fx_rates").fetchall()
        }
        lines = con.execute(
            "SELECT period, reseller_id, quantity, unit_price, currency FROM sell_through "
            "WHERE distributor_id = ?",
            [d],
        ).fetchall()
    revenue, units, resellers = Decimal(0), 0, set()
    for period, reseller, qty, price, cur in lines:
        if period in months:
            revenue += Decimal(qty) * price * (fx.get((cur, period)) or Decimal(1))
            units += qty
            resellers.add(reseller)
    cents = revenue.quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert name in text
    assert f"Quarterly business review · {quarter}".upper() in text.upper()
    assert f"€{cents:,.2f}" in text  # the quarter's sell-through, to the cent
    assert f"{units:,}" in text
    assert (
        f"{len(resellers)} active resellers" in text or f"ACTIVE {len(resellers)}" in text.upper()
    )

    # outputs only: no code, no prompts, no tracebacks; everything embedded
    for code in ("display(p.", "import ", "facts_dir =", "In [", "Traceback"):
        assert code not in html
    assert html.count(PNG) >= 3
    assert not re.search(r'(src|href)="(https?:|file:|/)', html)
    assert "<script" not in html and "<link" not in html
    # print CSS: a running header naming distributor and quarter, page numbers
    assert "@top-left" in html and name in html.rsplit("@top-left", 1)[1][:300]
    assert "counter(pages)" in html

    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["reports"][d]["status"] == "ok"
    assert manifest["reports"][d]["html"] == f"{d}.html"
    assert (tmp_path / manifest["reports"][d]["notebook"]).exists()
    assert (tmp_path / "facts" / f"{d}.json").exists()
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert (
        f'href="{d}.html"' in index and f"€{revenue.quantize(Decimal(1), ROUND_HALF_UP):,}" in index
    )


def test_pdf_has_pages_with_the_running_header(facts, tmp_path):
    from pypdf import PdfReader

    d = sorted(facts.by_distributor)[1]
    run = run_reports(facts.only([d]), tmp_path, formats=("html", "pdf"), jobs=1)
    assert run.reports[d]["status"] == "ok", run.reports[d]
    pdf = tmp_path / f"{d}.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-"
    reader = PdfReader(pdf)
    assert len(reader.pages) >= 2
    first = reader.pages[0].extract_text()
    name = facts.by_distributor[d]["distributor"]["name"]
    assert name in first and facts.quarter in first
    assert f"Page 1 of {len(reader.pages)}" in first


def test_a_failing_notebook_does_not_stop_the_others_and_resume_redoes_only_it(facts, tmp_path):
    ids = sorted(facts.by_distributor)[:3]
    bad = ids[1]
    broken = _notebook_with(
        tmp_path, f'if distributor_id == "{bad}":\n    raise RuntimeError("broken on purpose")'
    )
    out = tmp_path / "out"
    run = run_reports(facts.only(ids), out, jobs=2, notebook=broken)
    assert run.failed == [bad]
    entry = run.reports[bad]
    assert entry["status"] == "failed"
    assert "RuntimeError: broken on purpose" in entry["error"] and "cell" in entry["error"]
    assert not (out / f"{bad}.html").exists()  # no report under its name
    kept = nbformat.read(out / entry["notebook"], as_version=4)  # the partly run notebook
    assert any(o.get("ename") == "RuntimeError" for c in kept.cells for o in c.get("outputs", []))
    for d in set(ids) - {bad}:
        assert run.reports[d]["status"] == "ok"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "broken on purpose" in index
    assert not [p for p in out.rglob("*") if ".tmp" in p.name or "partial" in p.name]

    done_before = {d: (out / f"{d}.html").stat().st_mtime_ns for d in set(ids) - {bad}}
    again = run_reports(facts.only(ids), out, jobs=2, resume=True)
    assert again.ran == [bad] and sorted(again.skipped) == sorted(done_before)
    assert again.failed == []
    assert (out / f"{bad}.html").exists()
    assert not (out / "notebooks" / f"{bad}.failed.ipynb").exists()
    for d, mtime in done_before.items():
        assert (out / f"{d}.html").stat().st_mtime_ns == mtime  # not made again

    # made again and failing: the earlier report stays, and the index says whose it is
    third = run_reports(facts.only([bad]), out, jobs=1, notebook=broken)
    assert third.reports[bad]["status"] == "failed"
    assert third.reports[bad]["earlier_report"] == f"{bad}.html" and (out / f"{bad}.html").exists()
    assert "earlier run's report" in (out / "index.html").read_text(encoding="utf-8")


def test_a_report_past_its_time_limit_is_stopped_and_listed(facts, tmp_path):
    ids = sorted(facts.by_distributor)[:2]
    slow = _notebook_with(
        tmp_path, f'import time\nif distributor_id == "{ids[0]}":\n    time.sleep(600)'
    )
    started = time.monotonic()
    run = run_reports(facts.only(ids), tmp_path / "out", jobs=2, notebook=slow, timeout=15)
    took = time.monotonic() - started
    assert run.reports[ids[0]]["status"] == "timeout"
    assert "time limit" in run.reports[ids[0]]["error"]
    assert run.reports[ids[1]]["status"] == "ok"
    assert took < 120  # far less than the 600 s the cell asked for
    assert (tmp_path / "out" / run.reports[ids[0]]["notebook"]).exists()


def test_the_run_time_limit_stops_reports_not_yet_started(facts, tmp_path):
    ids = sorted(facts.by_distributor)[:3]
    run = run_reports(facts.only(ids), tmp_path, jobs=1, run_timeout=0.001)
    assert {r["status"] for r in run.reports.values()} == {"timeout"}
    assert all("time limit" in r["error"] for r in run.reports.values())


def test_the_same_tasks_run_on_a_dask_cluster(facts, tmp_path):
    distributed = pytest.importorskip("distributed")
    ids = sorted(facts.by_distributor)[:2]
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        run = run_reports(facts.only(ids), tmp_path, scheduler=cluster.scheduler_address)
    assert [run.reports[d]["status"] for d in ids] == ["ok", "ok"]
    for d in ids:
        assert PNG in (tmp_path / f"{d}.html").read_text(encoding="utf-8")


def test_cluster_workers_that_cannot_see_the_files_are_refused_up_front(facts, tmp_path):
    distributed = pytest.importorskip("distributed")
    from channelxl.errors import ChannelxlError
    from channelxl.reports.batch import _check_workers

    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        _check_workers(client, [str(tmp_path)])  # a folder the worker sees: fine
        with pytest.raises(ChannelxlError, match="does not exist on this worker") as err:
            _check_workers(client, [str(tmp_path / "elsewhere")])
        assert "shared disk" in str(err.value)


def test_cli_qbr_as_a_user_types_it(loaded_channel, tmp_path):
    ws, quarter = loaded_channel
    d = "D001"
    out = tmp_path / "q"
    done = run_cli(
        "qbr", "--dir", str(ws.root), "--quarter", quarter, "--distributor", d, "--out", str(out)
    )
    assert done.returncode == 0, done.stderr
    assert f"[1/1] {d} ok" in done.stdout
    assert "1 reports: 1 ok" in done.stdout and str(out / "index.html") in done.stdout
    assert (out / f"{d}.html").exists()

    wrong = _qbr(ws, quarter, "--format", "docx")
    assert wrong.returncode == 2 and "--format" in wrong.stderr and "Traceback" not in wrong.stderr
    (tmp_path / "bad.ipynb").write_text('{"cells": 3}')
    bad_nb = _qbr(ws, quarter, "--notebook", str(tmp_path / "bad.ipynb"))
    assert bad_nb.returncode == 2 and "is not a Jupyter notebook" in bad_nb.stderr
    assert "Reading" not in bad_nb.stdout  # refused before the ledger is read
    kernel = _qbr(ws, quarter, "--kernel", "nosuch")
    assert kernel.returncode == 2 and "no Jupyter kernel named 'nosuch'" in kernel.stderr
    unknown = _qbr(ws, quarter, "--distributor", "NOPE")
    assert (
        unknown.returncode == 2 and "NOPE" in unknown.stderr and "Traceback" not in unknown.stderr
    )


def test_cli_exits_1_and_names_the_failed_report(loaded_channel, tmp_path):
    ws, quarter = loaded_channel
    broken = _notebook_with(tmp_path, 'raise ValueError("no good")')
    done = _qbr(
        ws,
        quarter,
        "--distributor",
        "D002",
        "--out",
        str(tmp_path / "q"),
        "--notebook",
        str(broken),
    )
    assert done.returncode == 1
    assert "D002 failed" in done.stderr and "ValueError: no good" in done.stderr
    assert "--resume" in done.stderr and "Traceback" not in done.stderr


def test_a_run_for_some_distributors_keeps_the_others_listed(facts, tmp_path):
    first, second = sorted(facts.by_distributor)[:2]
    run_reports(facts.only([first]), tmp_path, jobs=1)
    run = run_reports(facts.only([second]), tmp_path, jobs=1)
    assert list(run.reports) == [second] and run.failed == []
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(manifest["reports"]) == [first, second]
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert f'href="{first}.html"' in index and f'href="{second}.html"' in index


def test_when_no_pdf_engine_works_the_html_stays_and_the_report_says_why(
    facts, tmp_path, monkeypatch
):
    d = sorted(facts.by_distributor)[0]
    monkeypatch.setenv("CHANNELXL_CHROMIUM", "/bin/false")  # a browser that always fails
    run = run_reports(
        facts.only([d]), tmp_path, formats=("html", "pdf"), jobs=1, pdf_engines=("chromium",)
    )
    entry = run.reports[d]
    assert entry["status"] == "partial" and run.failed == [d]
    assert "PDF not made" in entry["error"] and "chromium: false exited 1" in entry["error"]
    assert (tmp_path / f"{d}.html").exists() and not (tmp_path / f"{d}.pdf").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_cli_says_when_no_dask_scheduler_answers(loaded_channel, tmp_path):
    ws, quarter = loaded_channel
    done = _qbr(
        ws,
        quarter,
        "--distributor",
        "D001",
        "--out",
        str(tmp_path),
        "--scheduler",
        "tcp://127.0.0.1:9",
        env={"CHANNELXL_SCHEDULER_WAIT": "3"},
    )
    assert done.returncode == 2, done.stderr
    assert "no Dask scheduler answers at tcp://127.0.0.1:9" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_chromium_already_installed_prints_the_same_report(facts, tmp_path):
    import shutil

    from pypdf import PdfReader

    from channelxl.reports.render import CHROMIUM_NAMES, write_pdf

    if not any(shutil.which(n) for n in CHROMIUM_NAMES):
        pytest.skip("no Chromium or Chrome on this machine")
    d = sorted(facts.by_distributor)[2]
    run_reports(facts.only([d]), tmp_path, jobs=1)
    html = (tmp_path / f"{d}.html").read_text(encoding="utf-8")
    assert write_pdf(html, tmp_path / "c.pdf", engines=("chromium",)) == "chromium"
    reader = PdfReader(tmp_path / "c.pdf")
    first = reader.pages[0].extract_text()
    assert len(reader.pages) >= 2 and facts.by_distributor[d]["distributor"]["name"] in first
    assert f"Page 1 of {len(reader.pages)}" in first

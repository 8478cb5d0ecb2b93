"""Warm report kernels: real kernels, the real report notebook, real failures.

Reviews run through ``worker.make_report`` in this process (its warm kernel is this
thread's, so the tests can see which kernel ran what) or through ``run_reports`` on a
one-worker pool (the batch as users run it). Each review writes the process id of its
kernel to a file beside the reports, so "the same kernel" and "a new kernel" are facts the
test reads, not assumptions.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from helpers import run_cli

from channelxl.reports.batch import run_reports
from channelxl.reports.facts import quarter_report_facts
from channelxl.reports.kernel import OWN_KERNEL
from channelxl.reports.kernel_pool import current_pool
from channelxl.reports.paths import default_notebook
from channelxl.reports.worker import make_report

PID = 'import os\nopen(os.path.join({out!r}, "pid-" + distributor_id), "w").write(str(os.getpid()))'


@pytest.fixture(scope="module")
def facts(loaded_channel):
    ws, quarter = loaded_channel
    with ws.open_ledger(sync=False) as ledger:
        return quarter_report_facts(ledger, quarter)


@pytest.fixture(autouse=True)
def _own_kernels():
    """Each test starts without a warm kernel in this process, and leaves none running."""
    current_pool().close()
    yield
    current_pool().close()


def _notebook(folder: Path, *sources: str) -> Path:
    """The report notebook with ``sources`` as cells right after the facts are loaded."""
    nb = nbformat.read(default_notebook(), as_version=4)
    for k, source in enumerate(sources):
        nb.cells.insert(2 + k, nbformat.v4.new_code_cell(source))
    path = folder / "custom.ipynb"
    nbformat.write(nb, path)
    return path


def _review(facts, d: str, out: Path, notebook: Path, **task) -> dict:
    """One review in this process's warm kernel (``kernel_reviews`` from ``task``)."""
    facts.only([d]).write(out / "facts")
    return make_report(
        {
            "distributor_id": d,
            "name": facts.by_distributor[d]["distributor"]["name"],
            "quarter": facts.quarter,
            "notebook": str(notebook),
            "facts_dir": str(out / "facts"),
            "out_dir": str(out),
            "formats": ("html",),
            "timeout": 600,
            "run_deadline": float("inf"),
            "kernel": OWN_KERNEL,
            "pdf_engines": None,
            **task,
        }
    )


def _stream(out: Path, d: str) -> str:
    nb = nbformat.read(out / "notebooks" / f"{d}.ipynb", as_version=4)
    return "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))


def test_names_rc_params_decimal_and_environment_set_by_a_review_are_gone_for_the_next(
    facts, tmp_path
):
    first, changer, after = sorted(facts.by_distributor)[:3]
    nb = _notebook(
        tmp_path,
        PID.format(out=str(tmp_path)),
        "import decimal, matplotlib\n"
        f'if distributor_id == "{changer}":\n'
        '    left_behind = "by the review before"\n'
        '    matplotlib.rcParams["font.size"] = 31\n'
        '    matplotlib.rcParams["axes.prop_cycle"] = matplotlib.cycler(color=["#ff00ff"])\n'
        "    decimal.getcontext().prec = 3\n"
        '    os.environ["CHX_LEFT_BEHIND"] = "yes"\n'
        '    os.chdir("/")\n'
        'print("seen:", "left_behind" in globals(), matplotlib.rcParams["font.size"],'
        ' decimal.getcontext().prec, os.environ.get("CHX_LEFT_BEHIND"), os.getcwd() == "/")',
    )
    results = [_review(facts, d, tmp_path, nb) for d in (first, changer, after)]
    assert [r["status"] for r in results] == ["ok", "ok", "ok"], results
    pids = {d: (tmp_path / f"pid-{d}").read_text() for d in (first, changer, after)}
    assert pids[changer] == pids[after]  # the same kernel, put back, not a new one
    assert "seen: True 31.0 3 yes True" in _stream(tmp_path, changer)
    # matplotlib's defaults, Python's decimal precision, nothing in the environment
    assert "seen: False 10.0 28 None False" in _stream(tmp_path, after)
    assert "seen: False 10.0 28 None False" in _stream(tmp_path, first)
    assert (tmp_path / f"{after}.html").read_text(encoding="utf-8").count("#ff00ff") == 0


def test_a_review_that_patches_a_module_sends_the_next_to_a_new_kernel(facts, tmp_path):
    patcher, after = sorted(facts.by_distributor)[:2]
    nb = _notebook(
        tmp_path,
        PID.format(out=str(tmp_path)),
        f'import wave\nif distributor_id == "{patcher}":\n'
        '    sections.money = lambda *a, **k: "PATCHED"\n'
        "    wave.open = None\n"
        'print("wave.open intact:", wave.open is not None)',
    )
    r1 = _review(facts, patcher, tmp_path, nb)
    r2 = _review(facts, after, tmp_path, nb)
    assert (r1["status"], r2["status"]) == ("ok", "ok")
    assert "PATCHED" in (tmp_path / f"{patcher}.html").read_text(encoding="utf-8")
    html = (tmp_path / f"{after}.html").read_text(encoding="utf-8")
    assert "PATCHED" not in html and "€" in html  # money shown as money again
    assert "wave.open intact: True" in _stream(tmp_path, after)
    assert (tmp_path / f"pid-{patcher}").read_text() != (tmp_path / f"pid-{after}").read_text()
    assert "channelxl.reports.sections.money" in current_pool().last_change


def test_a_crashed_or_hung_review_is_reported_and_the_batch_goes_on_in_a_new_kernel(
    facts, tmp_path
):
    crash, hang, fine = sorted(facts.by_distributor)[:3]
    nb = _notebook(
        tmp_path,
        PID.format(out=str(tmp_path)),
        f'import time\nif distributor_id == "{crash}":\n    os._exit(1)\n'
        f'if distributor_id == "{hang}":\n    time.sleep(600)',
    )
    out = tmp_path / "out"
    run = run_reports(facts.only([crash, hang, fine]), out, jobs=1, notebook=nb, timeout=40)
    assert run.reports[crash]["status"] == "failed"
    assert "kernel died" in run.reports[crash]["error"]
    assert run.reports[hang]["status"] == "timeout"
    assert run.reports[fine]["status"] == "ok"
    assert (out / f"{fine}.html").exists()
    # one worker, three kernels: the crashed one, the one killed at the time limit, a new one
    pids = [(tmp_path / f"pid-{d}").read_text() for d in (crash, hang, fine)]
    assert len(set(pids)) == 3


def _comparable(path: Path) -> dict:
    """The executed notebook without what papermill itself varies from run to run: the
    timings (notebook and cells: start, end, duration; nbclient's per-message times), the
    output path (it names the worker's process) and the id of the parameters cell it
    inserts (random); and the memory addresses in the plain-text form of displayed objects
    (``<... Block at 0x7f...>``, different in any two processes). Execution counts,
    outputs, sources, tags and all other metadata are kept."""
    nb = nbformat.read(path, as_version=4)
    for key in ("start_time", "end_time", "duration", "output_path"):
        nb.metadata.papermill.pop(key)
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.pop("id")
        cell.metadata.pop("execution", None)
        for key in ("start_time", "end_time", "duration"):
            cell.metadata.get("papermill", {}).pop(key, None)
    return json.loads(re.sub(r" at 0x[0-9a-f]+", " at 0x…", json.dumps(nb, sort_keys=True)))


def test_a_warm_kernel_makes_the_same_notebook_and_html_as_a_fresh_one(facts, tmp_path):
    ids = sorted(facts.by_distributor)[:3]
    out = tmp_path / "out"  # one folder: the parameters name it
    warm = run_reports(facts.only(ids), out, jobs=1)
    shutil.copytree(out, tmp_path / "warm")
    fresh = run_reports(facts.only(ids), out, jobs=1, kernel_reviews=0)
    shutil.copytree(out, tmp_path / "fresh")
    assert warm.failed == [] and fresh.failed == []
    for d in ids:
        a = _comparable(tmp_path / "warm" / "notebooks" / f"{d}.ipynb")
        b = _comparable(tmp_path / "fresh" / "notebooks" / f"{d}.ipynb")
        cells = a["cells"]
        assert [c.get("execution_count") for c in cells] == list(range(1, len(cells) + 1))
        assert "injected-parameters" in cells[1]["metadata"]["tags"]
        assert f'distributor_id = "{d}"' in cells[1]["source"]
        assert a == b
        html = (tmp_path / "warm" / f"{d}.html").read_bytes()
        assert html == (tmp_path / "fresh" / f"{d}.html").read_bytes()


def test_a_warm_kernel_stays_the_same_size_over_many_reviews(facts, tmp_path):
    psutil = pytest.importorskip("psutil")
    d = sorted(facts.by_distributor)[0]
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('distributor_id = ""\nquarter = ""\nfacts_dir = ""')
    params.metadata["tags"] = ["parameters"]
    # some memory and a chart per review, as a report makes
    work = (
        "from matplotlib.figure import Figure\n"
        "data = list(range(200_000))\n"
        "fig = Figure()\nfig.add_subplot().plot(data[::1000])\n"
        "import io\nfig.savefig(io.BytesIO(), format='png')"
    )
    nb.cells = [params, nbformat.v4.new_code_cell(work)]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = tmp_path / "small.ipynb"
    nbformat.write(nb, path)
    sizes, pids = {}, set()
    for k in range(1, 201):
        r = _review(facts, d, tmp_path, path, kernel_reviews=1000)
        assert r["status"] == "ok", r
        if k >= 20:  # past the first reviews, which fill caches
            pid = current_pool().warm.pid
            pids.add(pid)
            if k in (20, 200):
                sizes[k] = psutil.Process(pid).memory_info().rss
    assert len(pids) == 1  # one kernel ran reviews 20 to 200
    growth = sizes[200] - sizes[20]
    assert growth < 40 * 2**20, f"kernel grew by {growth / 2**20:.1f} MiB over 180 reviews"


@pytest.mark.parametrize(("option", "kernels"), [((), 1), (("--kernel-reviews", "0"), 3)])
def test_qbr_kernel_reviews_says_how_many_reviews_a_kernel_makes(
    loaded_channel, facts, tmp_path, option, kernels
):
    """``channelxl qbr`` as typed: by default one worker's reviews share a warm kernel;
    ``--kernel-reviews 0`` gives every review a fresh one (the pids the reviews wrote)."""
    ws, quarter = loaded_channel
    ids = sorted(facts.by_distributor)[:3]
    nb = _notebook(tmp_path, PID.format(out=str(tmp_path)))
    picked = [a for d in ids for a in ("--distributor", d)]
    out = tmp_path / "out"
    r = run_cli(
        "qbr", "--dir", ws.root, "--quarter", quarter, "--notebook", nb, "--jobs", "1",
        "--out", out, *picked, *option,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert len({(tmp_path / f"pid-{d}").read_text() for d in ids}) == kernels


def test_qbr_kernel_reviews_refuses_a_negative_count(loaded_channel):
    ws, quarter = loaded_channel
    r = run_cli("qbr", "--dir", ws.root, "--quarter", quarter, "--kernel-reviews", "-1")
    assert r.returncode == 2
    assert "--kernel-reviews" in r.stderr and "Traceback" not in r.stderr

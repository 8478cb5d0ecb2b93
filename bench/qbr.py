"""QBR batch benchmark (run through ``python bench/run.py``; ``--only qbr`` for this one).

On the benchmark ledger (625 distributors, ~1,000,000 sell-through lines), for the first
``n`` distributors of the latest quarter (200, or 40 with ``--quick``; the naive loop and the
floor on the first 20, or 6):

- **ours**: ``channelxl qbr``'s library calls: facts for all ``n`` at once, then one
  notebook per distributor on the default process pool; reports per minute, wall clock,
  facts included;
- **naive loop**: sequential papermill, each notebook opening the ledger and computing its
  own distributor's facts (the same fact code, asked for one distributor; a cell inserted
  before the report's own cells, which read them), then the same HTML export; timed on a
  sample of distributors, as reports per minute;
- **floor**: per report, a fresh kernel (papermill, the standard ``python3`` kernel) that
  runs ``import pandas, matplotlib``, then nbconvert's default HTML export; sequential;
- **marginal cost** of one of our reports: the median time one report takes in a worker
  (kernel start to HTML written) in a one-worker run, its first report left out (worker
  warm-up); compared with the floor.

Each figure is the median of ``repeat`` runs (at most 3).
"""

from __future__ import annotations

import shutil
import statistics
import time
from pathlib import Path

import nbformat

from bench.common import DATA
from bench.shared_ledger import prepare_ledger
from channelxl.core.periods import Quarter
from channelxl.io.atomic import write_atomically
from channelxl.ledger import Ledger
from channelxl.reports.batch import run_reports
from channelxl.reports.facts import quarter_report_facts
from channelxl.reports.paths import default_notebook
from channelxl.reports.render import notebook_html

NAIVE_FACTS = """\
# the naive way: every notebook reads the raw ledger itself, then the report's own cells
# read the facts file it writes
from channelxl.core.periods import Quarter
from channelxl.ledger import Ledger
from channelxl.reports.facts import quarter_report_facts

with Ledger.open(ledger_path, read_only=True) as led:
    quarter_report_facts(led, Quarter.parse(quarter), distributors=[distributor_id]).write(
        facts_dir
    )
"""


def naive_notebook(folder: Path) -> Path:
    """The report notebook with a cell computing its distributor's facts from the ledger
    inserted before its own cells (which read them from ``facts_dir``)."""
    nb = nbformat.read(default_notebook(), as_version=4)
    nb.cells[0].source += '\nledger_path = "channel.duckdb"'
    nb.cells.insert(1, nbformat.v4.new_code_cell(NAIVE_FACTS))
    path = folder / "naive_qbr.ipynb"
    nbformat.write(nb, path)
    return path


def trivial_notebook(folder: Path) -> Path:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import pandas, matplotlib")])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = folder / "trivial.ipynb"
    nbformat.write(nb, path)
    return path


def _sequential(fn, items) -> list[float]:
    times = []
    for item in items:
        t = time.perf_counter()
        fn(item)
        times.append(time.perf_counter() - t)
    return times


def bench_qbr(db: Path, quarter: Quarter, work: Path, repeat: int, n: int, sample: int) -> dict:
    import papermill
    from nbconvert import HTMLExporter

    work.mkdir(parents=True, exist_ok=True)
    with Ledger.open(db, read_only=True) as led:
        ids = [
            d
            for (d,) in led.con.execute(
                "SELECT distributor_id FROM distributors ORDER BY 1 LIMIT ?", [n]
            ).fetchall()
        ]
    few = ids[:sample]

    def ours() -> tuple[float, float]:
        out = work / "ours"
        shutil.rmtree(out, ignore_errors=True)
        t = time.perf_counter()
        with Ledger.open(db, read_only=True) as led:
            facts = quarter_report_facts(led, quarter, distributors=ids)
        t_facts = time.perf_counter() - t
        run = run_reports(facts, out)
        assert not run.failed, {d: run.reports[d]["error"] for d in run.failed}
        return time.perf_counter() - t, t_facts

    def marginal() -> float:
        out = work / "marginal"
        shutil.rmtree(out, ignore_errors=True)
        with Ledger.open(db, read_only=True) as led:
            facts = quarter_report_facts(led, quarter, distributors=few)
        run = run_reports(facts, out, jobs=1)
        assert not run.failed
        ordered = sorted(run.reports.values(), key=lambda r: r["finished_at"])
        return statistics.median(r["seconds"] for r in ordered[1:])

    naive_nb = naive_notebook(work)
    naive_out = work / "naive"
    naive_out.mkdir(exist_ok=True)

    def naive_one(d: str) -> None:
        nb = papermill.execute_notebook(
            str(naive_nb),
            str(naive_out / f"{d}.ipynb"),
            parameters={
                "distributor_id": d,
                "quarter": str(quarter),
                "ledger_path": str(db),
                "facts_dir": str(naive_out / "facts"),
            },
            kernel_name="python3",
            progress_bar=False,
        )
        write_atomically(
            naive_out / f"{d}.html", notebook_html(nb, title=d, page_header=f"{d} {quarter}")
        )

    trivial = trivial_notebook(work)
    exporter = HTMLExporter()

    def floor_one(_: str) -> None:
        nb = papermill.execute_notebook(
            str(trivial), str(work / "trivial_out.ipynb"), kernel_name="python3", progress_bar=False
        )
        exporter.from_notebook_node(nb)

    floor_one("warm-up")  # imports in this process, paid once by every approach
    runs = {"ours": [], "facts": [], "naive": [], "floor": [], "marginal": []}
    for _ in range(repeat):
        total, t_facts = ours()
        runs["ours"].append(total)
        runs["facts"].append(t_facts)
        runs["naive"].append(statistics.median(_sequential(naive_one, few)))
        runs["floor"].append(statistics.median(_sequential(floor_one, few)))
        runs["marginal"].append(marginal())
    med = {k: statistics.median(v) for k, v in runs.items()}
    ours_rpm = 60 * n / med["ours"]
    naive_rpm = 60 / med["naive"]
    return {
        "distributors": n,
        "sample": sample,
        "quarter": str(quarter),
        "ours_seconds": round(med["ours"], 2),
        "ours_facts_seconds": round(med["facts"], 2),
        "ours_reports_per_minute": round(ours_rpm, 1),
        "naive_seconds_per_report": round(med["naive"], 3),
        "naive_reports_per_minute": round(naive_rpm, 1),
        "speedup_vs_naive": round(ours_rpm / naive_rpm, 2),
        "floor_seconds_per_report": round(med["floor"], 3),
        "marginal_seconds_per_report": round(med["marginal"], 3),
        "marginal_vs_floor": round(med["marginal"] / med["floor"], 2),
        "runs": {k: [round(x, 3) for x in v] for k, v in runs.items()},
    }


def run(repeat: int, quick: bool = False) -> dict:
    db, quarters = prepare_ledger()
    # reports are minutes each at full size: three runs, not five
    return bench_qbr(
        db,
        quarters[-1],
        DATA / "qbr",
        repeat=min(repeat, 3),
        n=40 if quick else 200,
        sample=6 if quick else 20,
    )

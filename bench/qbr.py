"""QBR batch benchmark (run through ``python bench/run.py``; ``--only qbr`` for this one).

On the benchmark ledger (625 distributors, ~1,000,000 sell-through lines), for the first
``n`` distributors of the latest quarter (200, or 40 with ``--quick``; the naive loop and the
floor on the first 20, or 6):

- **ours**: ``channelxl qbr``'s library calls: facts for all ``n`` at once, then one
  notebook per distributor on the default process pool (warm kernels); reports per minute,
  wall clock, facts included; HTML, and HTML + PDF (**ours_pdf**);
- **naive loop**: sequential papermill, each notebook opening the ledger and computing its
  own distributor's facts (the same fact code, asked for one distributor; a cell inserted
  before the report's own cells, which read them), then the same HTML export (and, for
  **naive_pdf**, the same PDF: ``render.write_pdf``); timed on a sample of distributors,
  as reports per minute;
- **floor**: per report, a fresh kernel (papermill, the standard ``python3`` kernel) that
  runs ``import pandas, matplotlib``, then nbconvert's default HTML export; sequential;
- **marginal cost** of one of our reports: the median time one report takes in a worker
  (HTML written; ``_pdf``: PDF too) in a one-worker run, its first report left out (worker
  warm-up); with warm kernels, and with a fresh kernel per report (``kernel_reviews=0``,
  the way reports ran before warm kernels); compared with the floor;
- **pdf**: one PDF printed from a report's HTML in this process, the first print (the
  renderer loaded) and the median of the next ones (the renderer reused).

Each figure is the median of ``repeat`` runs (at most 3); ours and the naive loop swap order
from one run to the next.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import nbformat

from bench.common import DATA, ROOT
from bench.shared_ledger import prepare_ledger
from channelxl.core.periods import Month, Quarter
from channelxl.errors import LedgerBusy
from channelxl.io.atomic import write_atomically
from channelxl.ledger import Ledger
from channelxl.reports.batch import run_reports
from channelxl.reports.facts import quarter_report_facts
from channelxl.reports.limits import DEFAULT_MAX_REVIEWS
from channelxl.reports.paths import default_notebook
from channelxl.reports.render import notebook_html, write_pdf

NAIVE_FACTS = """\
# the naive way: every notebook reads the raw ledger itself, then the report's own cells
# read the facts file it writes
import duckdb

from channelxl.core.periods import Quarter
from channelxl.ledger import Ledger
from channelxl.reports.facts import quarter_report_facts

# a plain read-only connection: Ledger.open's "SET enable_progress_bar" is refused by DuckDB
# inside Jupyter without ipywidgets (and skipping its lock only makes this baseline faster)
with Ledger(ledger_path, duckdb.connect(ledger_path, read_only=True)) as led:
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

    def ours(formats: tuple[str, ...]) -> tuple[float, float]:
        out = work / "ours"
        shutil.rmtree(out, ignore_errors=True)
        t = time.perf_counter()
        with Ledger.open(db, read_only=True) as led:
            facts = quarter_report_facts(led, quarter, distributors=ids)
        t_facts = time.perf_counter() - t
        run = run_reports(facts, out, formats=formats)
        assert not run.failed, {d: run.reports[d]["error"] for d in run.failed}
        return time.perf_counter() - t, t_facts

    def marginal(formats: tuple[str, ...], kernel_reviews: int = DEFAULT_MAX_REVIEWS) -> float:
        out = work / "marginal"
        shutil.rmtree(out, ignore_errors=True)
        with Ledger.open(db, read_only=True) as led:
            facts = quarter_report_facts(led, quarter, distributors=few)
        run = run_reports(facts, out, jobs=1, formats=formats, kernel_reviews=kernel_reviews)
        assert not run.failed
        ordered = sorted(run.reports.values(), key=lambda r: r["finished_at"])
        return statistics.median(r["seconds"] for r in ordered[1:])

    naive_nb = naive_notebook(work)
    naive_out = work / "naive"
    naive_out.mkdir(exist_ok=True)

    def naive_one(d: str, pdf: bool = False) -> None:
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
        html = notebook_html(nb, title=d, page_header=f"{d} {quarter}")
        write_atomically(naive_out / f"{d}.html", html)
        if pdf:
            write_pdf(html, naive_out / f"{d}.pdf")

    trivial = trivial_notebook(work)
    exporter = HTMLExporter()

    def floor_one(_: str) -> None:
        nb = papermill.execute_notebook(
            str(trivial), str(work / "trivial_out.ipynb"), kernel_name="python3", progress_bar=False
        )
        exporter.from_notebook_node(nb)

    floor_one("warm-up")  # imports in this process, paid once by every approach
    keys = ("ours", "ours_pdf", "facts", "naive", "naive_pdf", "floor")
    runs = {k: [] for k in keys}
    for k in ("marginal", "marginal_pdf", "marginal_fresh", "marginal_fresh_pdf"):
        runs[k] = []

    def naive_runs() -> None:
        runs["naive"].append(statistics.median(_sequential(naive_one, few)))
        runs["naive_pdf"].append(
            statistics.median(_sequential(lambda d: naive_one(d, pdf=True), few))
        )

    def our_runs() -> None:
        total, t_facts = ours(("html",))
        runs["ours"].append(total)
        runs["facts"].append(t_facts)
        runs["ours_pdf"].append(ours(("html", "pdf"))[0])

    for k in range(repeat):
        for step in (our_runs, naive_runs) if k % 2 == 0 else (naive_runs, our_runs):
            step()
        runs["floor"].append(statistics.median(_sequential(floor_one, few)))
        runs["marginal"].append(marginal(("html",)))
        runs["marginal_pdf"].append(marginal(("html", "pdf")))
        runs["marginal_fresh"].append(marginal(("html",), kernel_reviews=0))
        runs["marginal_fresh_pdf"].append(marginal(("html", "pdf"), kernel_reviews=0))
        # each run's figures as it ends: a long pass stopped early still says something
        print(f"qbr run {k + 1}:", json.dumps({k: v[-1] for k, v in runs.items()}), file=sys.stderr)
    med = {k: statistics.median(v) for k, v in runs.items()}
    rpm = {k: 60 * n / med[k] for k in ("ours", "ours_pdf")}
    rpm.update({k: 60 / med[k] for k in ("naive", "naive_pdf")})
    pdf_first, pdf_next = _pdf_prints(work / "ours")
    return {
        "distributors": n,
        "sample": sample,
        "quarter": str(quarter),
        "ours_seconds": round(med["ours"], 2),
        "ours_facts_seconds": round(med["facts"], 2),
        "ours_reports_per_minute": round(rpm["ours"], 1),
        "naive_seconds_per_report": round(med["naive"], 3),
        "naive_reports_per_minute": round(rpm["naive"], 1),
        "speedup_vs_naive": round(rpm["ours"] / rpm["naive"], 2),
        "ours_pdf_seconds": round(med["ours_pdf"], 2),
        "ours_pdf_reports_per_minute": round(rpm["ours_pdf"], 1),
        "naive_pdf_seconds_per_report": round(med["naive_pdf"], 3),
        "naive_pdf_reports_per_minute": round(rpm["naive_pdf"], 1),
        "speedup_pdf_vs_naive_pdf": round(rpm["ours_pdf"] / rpm["naive_pdf"], 2),
        "floor_seconds_per_report": round(med["floor"], 3),
        "marginal_seconds_per_report": round(med["marginal"], 3),
        "marginal_vs_floor": round(med["marginal"] / med["floor"], 2),
        "marginal_pdf_seconds_per_report": round(med["marginal_pdf"], 3),
        "marginal_fresh_kernel_seconds_per_report": round(med["marginal_fresh"], 3),
        "marginal_fresh_kernel_pdf_seconds_per_report": round(med["marginal_fresh_pdf"], 3),
        "pdf_first_print_seconds": round(pdf_first, 3),
        "pdf_next_prints_seconds": round(pdf_next, 3),
        "runs": {k: [round(x, 3) for x in v] for k, v in runs.items()},
    }


def _pdf_prints(out: Path) -> tuple[float, float]:
    """Seconds to print a report's PDF: the first print in a new process (renderer loaded
    there), then the median of five more prints in that process (renderer reused)."""
    html = next(out.glob("*.html"))
    if html.name == "index.html":
        html = sorted(p for p in out.glob("*.html") if p.name != "index.html")[0]
    code = (
        "import statistics, sys, time\n"
        "from pathlib import Path\n"
        "from channelxl.reports.render import write_pdf\n"
        "html = Path(sys.argv[1]).read_text(encoding='utf-8')\n"
        "times = []\n"
        "for k in range(6):\n"
        "    t = time.perf_counter()\n"
        "    write_pdf(html, Path(sys.argv[2]), engines=('weasyprint',))\n"
        "    times.append(time.perf_counter() - t)\n"
        "print(times[0], statistics.median(times[1:]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(html), str(out / "bench-print.pdf")],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    first, rest = map(float, done.stdout.split())
    return first, rest


def run(repeat: int, quick: bool = False) -> dict:
    try:
        db, quarters = prepare_ledger()
    except LedgerBusy:  # other benchmarks are reading it: it is built, read it as it is
        db = DATA / "rebates.duckdb"
        with Ledger.open(db, read_only=True) as led:
            periods = led.con.execute("SELECT DISTINCT period FROM sell_through").fetchall()
        quarters = sorted({Month.parse(p).quarter for (p,) in periods})
    # reports are minutes each at full size: three runs, not five
    return bench_qbr(
        db,
        quarters[-1],
        DATA / "qbr",
        repeat=min(repeat, 3),
        n=40 if quick else 200,
        sample=6 if quick else 20,
    )

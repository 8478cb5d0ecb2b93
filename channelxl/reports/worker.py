"""One report: run the notebook for one distributor, export HTML (and PDF).

:func:`make_report` is what a worker process (local pool or Dask worker) runs. It takes
and returns plain dicts (picklable, JSON-ready) and never raises for a report that fails:
the failure is its result, with the partly executed notebook kept as
``notebooks/<id>.failed.ipynb``. It imports no database or data-frame library, so a
worker starts quickly.

Kernels: the notebook runs in this worker thread's warm kernel (``reports.kernel_pool``: one
kernel kept between reviews, put back after each, replaced after a failure, a time limit, a
change it cannot undo, or ``kernel_reviews`` reviews), or with ``kernel_reviews`` 0 in a
fresh kernel papermill starts and stops. Either way papermill prepares and records the
notebook, so the executed notebooks are the same.

Time limits: a report's deadline is the earlier of its own limit (counted from when a worker
takes it, not from when it was queued) and the run's. Each cell may run for the time left until it (nbclient's per-cell timeout, set per
cell through ``timeout_func``), so a notebook never outlives its deadline by more than the
kernel's shutdown.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

from channelxl.reports.limits import DEFAULT_MAX_REVIEWS
from channelxl.reports.paths import report_paths

OK, FAILED, TIMEOUT, PARTIAL = "ok", "failed", "timeout", "partial"


def make_report(task: dict) -> dict:
    """Run one report task; the result says what was written or why not.

    ``task``: distributor_id, name, quarter, notebook, facts_dir, out_dir, formats
    (``html``, ``pdf``), timeout (seconds for this report, counted from when a worker takes
    it), run_deadline (epoch seconds), kernel (kernel name), pdf_engines, kernel_reviews
    (reviews per warm kernel; 0: a fresh kernel each).
    """
    started = time.time()
    d = task["distributor_id"]
    paths = report_paths(task["out_dir"], d)
    result = {"distributor_id": d, "status": OK, "error": None}

    def done(status: str, error: str | None = None) -> dict:
        result.update(status=status, error=error, seconds=round(time.time() - started, 3))
        return result

    deadline = min(task["run_deadline"], started + (task["timeout"] or float("inf")))
    if started >= task["run_deadline"]:
        return done(TIMEOUT, "not started: the run's time limit was reached")
    paths["notebook"].parent.mkdir(parents=True, exist_ok=True)
    partial = paths["notebook"].with_name(f".{paths['notebook'].stem}.partial-{os.getpid()}.ipynb")
    try:
        nb = _execute(task, partial, deadline)
    except Exception as exc:
        status, message = _failure(exc, deadline)
        if partial.exists():
            os.replace(partial, paths["failed"])
            result["notebook"] = str(paths["failed"])
        return done(status, message)
    from channelxl.io.atomic import write_atomically
    from channelxl.reports.render import notebook_html, write_pdf

    os.replace(partial, paths["notebook"])  # papermill wrote it whole
    paths["failed"].unlink(missing_ok=True)
    result["notebook"] = str(paths["notebook"])
    html = notebook_html(
        nb,
        title=f"{task['name']} · QBR {task['quarter']}",
        page_header=f"{task['name']} ({d}) · Quarterly business review {task['quarter']}",
    )
    if "html" in task["formats"]:
        result["html"] = str(write_atomically(paths["html"], html))
    if "pdf" in task["formats"]:
        try:
            result["pdf_engine"] = write_pdf(html, paths["pdf"], engines=task.get("pdf_engines"))
            result["pdf"] = str(paths["pdf"])
        except Exception as exc:  # PdfError says why for each engine; the HTML stays
            return done(PARTIAL, str(exc))
    return done(OK)


def _execute(task: dict, output: Path, deadline: float):
    """The executed notebook; in this thread's warm kernel unless the task asks for a fresh
    kernel per review (``kernel_reviews`` 0) or its kernel cannot be pooled."""
    import papermill

    from channelxl.reports.kernel import ENGINE, KERNEL_ARGUMENTS, ReportKernelManager
    from channelxl.reports.kernel_pool import current_pool

    # failures come back as results; papermill's own log lines would only repeat them
    logging.getLogger("papermill").setLevel(logging.CRITICAL)
    reviews = task.get("kernel_reviews", DEFAULT_MAX_REVIEWS)

    def run(**kernel):
        left = max(1.0, deadline - time.time())
        return papermill.execute_notebook(
            task["notebook"],
            str(output),
            parameters={
                "distributor_id": task["distributor_id"],
                "quarter": task["quarter"],
                "facts_dir": task["facts_dir"],
            },
            kernel_name=task["kernel"],
            engine_name=ENGINE,
            progress_bar=False,
            request_save_on_cell_execute=True,  # the engine then keeps a failed notebook
            start_timeout=max(1, int(min(60.0, left))),  # an int trait in nbclient
            timeout_func=lambda cell: max(0.5, deadline - time.time()),
            **kernel,
        )

    if reviews:
        with current_pool(reviews).kernel(task["kernel"], deadline) as warm:
            if warm is not None:
                return run(km=warm.km, kc=warm.kc)
    return run(
        kernel_manager_class=ReportKernelManager,
        extra_arguments=KERNEL_ARGUMENTS,
        shutdown_kernel="immediate",  # nothing to flush; a graceful stop costs ~0.25 s
    )


def _failure(exc: Exception, deadline: float) -> tuple[str, str]:
    """(status, message) for what stopped a notebook."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, CellTimeoutError) or time.time() >= deadline:
        return TIMEOUT, "stopped at its time limit (a cell was still running)"
    if isinstance(exc, PapermillExecutionError):
        return FAILED, f"cell {exc.exec_count}: {exc.ename}: {exc.evalue}"
    if isinstance(exc, DeadKernelError):
        return FAILED, "the notebook's kernel died (out of memory?)"
    first = (str(exc).strip().splitlines() or [""])[0]
    return FAILED, f"{type(exc).__name__}: {first}"


def worker_check(paths: list[str]) -> str | None:
    """On a cluster worker, before any report: None when it can do the work, else why not.

    It runs inside channelxl (so channelxl is installed there); each path must exist on the
    worker, and the output folder (the first) must be writable.
    """
    for k, path in enumerate(paths):
        if not os.path.exists(path):
            return f"{path} does not exist on this worker"
        if k == 0 and not os.access(path, os.W_OK):
            return f"{path} is not writable on this worker"
    return None

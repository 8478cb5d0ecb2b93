"""The QBR batch: facts once for every distributor, then one notebook per distributor on an
executor, with time limits, failure isolation, resume, a manifest and an index page.

Layout of a run's folder (default ``reports/<quarter>/qbr/`` in the working folder)::

    <id>.html, <id>.pdf          the reports (written atomically: whole or absent)
    notebooks/<id>.ipynb         the executed notebooks; <id>.failed.ipynb when one failed
    facts/<id>.json              what each report shows, as exact figures
    index.html, manifest.json    every report with its headline figures and status

Executors: a local process pool (``jobs`` workers, each running one kernel at a time) or,
with ``scheduler``, a Dask distributed cluster through ``Client.get_executor()``; the tasks
are the same plain dicts either way (the cluster's workers need channelxl installed and the
output folder on a shared path).

Kernels: each worker keeps one warm kernel per thread (``reports.kernel_pool``: imports paid
once, the kernel put back between reviews, replaced after ``kernel_reviews`` reviews, after
any failure, or when a review changed it beyond what can be put back); ``kernel_reviews=0``
starts a fresh kernel for every review.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import multiprocessing
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from channelxl.errors import ChannelxlError, SchedulerUnreachable
from channelxl.io.atomic import write_atomically
from channelxl.reports.facts import QuarterReportFacts
from channelxl.reports.index import write_index
from channelxl.reports.kernel import OWN_KERNEL, check_kernel
from channelxl.reports.limits import DEFAULT_MAX_REVIEWS, DEFAULT_TIMEOUT
from channelxl.reports.paths import report_paths, safe_name
from channelxl.reports.render import check_notebook
from channelxl.reports.worker import (
    FAILED,
    OK,
    PARTIAL,
    TIMEOUT,
    make_report,
    worker_check,
)

FORMATS = ("html", "pdf")
GRACE = 30.0  # after the run's limit, how long to wait for reports still finishing
# seconds to reach a Dask scheduler before saying none answers
SCHEDULER_WAIT = float(os.environ.get("CHANNELXL_SCHEDULER_WAIT", "20"))
MANIFEST = "manifest.json"
STATUSES = (OK, PARTIAL, FAILED, TIMEOUT)


@dataclass
class QbrRun:
    quarter: str
    out_dir: Path
    index: Path
    manifest: Path
    reports: dict[str, dict]  # distributor id -> manifest entry
    ran: list[str] = field(default_factory=list)  # made (or tried) in this run
    skipped: list[str] = field(default_factory=list)  # already made (resume)
    notes: list[str] = field(default_factory=list)
    others: dict[str, dict] = field(default_factory=dict)  # earlier runs' other distributors
    span: str = ""  # the quarter's months, as people say them

    @property
    def failed(self) -> list[str]:
        return [d for d, r in self.reports.items() if r["status"] != OK]

    def count(self, status: str) -> int:
        return sum(1 for r in self.reports.values() if r["status"] == status)

    def summary(self) -> str:
        counts = ", ".join(f"{self.count(s)} {s}" for s in STATUSES if self.count(s))
        kept = f"; {len(self.skipped)} kept from the last run" if self.skipped else ""
        months = f" ({self.span})" if self.span else ""
        return f"{self.quarter}{months}: {len(self.reports)} reports: {counts}{kept}"


def load_manifest(out_dir: str | os.PathLike) -> dict | None:
    path = Path(out_dir) / MANIFEST
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _complete(entry: dict | None, out_dir: Path, formats: tuple[str, ...]) -> bool:
    """A report made by an earlier run, with every output asked for still on disk."""
    if not entry or entry.get("status") != OK:
        return False
    paths = report_paths(out_dir, entry["distributor_id"])
    return all(paths[f].exists() for f in formats) and paths["notebook"].exists()


def run_reports(
    facts: QuarterReportFacts,
    out_dir: str | os.PathLike,
    *,
    formats: tuple[str, ...] = ("html",),
    jobs: int | None = None,
    scheduler=None,
    timeout: float = DEFAULT_TIMEOUT,
    run_timeout: float | None = None,
    resume: bool = False,
    notebook: str | os.PathLike | None = None,
    kernel: str = OWN_KERNEL,
    pdf_engines: tuple[str, ...] | None = None,
    on_done: Callable[[dict, int, int], None] | None = None,
    kernel_reviews: int = DEFAULT_MAX_REVIEWS,
    notes: list[str] | None = None,
) -> QbrRun:
    """Make one report per distributor in ``facts``; see the module docstring.

    ``on_done(result, done, total)`` is called as each report finishes (progress).
    ``notes``: what the caller warns of (a quarter without sell-through made anyway); with
    the run's own notes they are printed, kept in manifest.json and shown in index.html.
    """
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown format {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
    nb_path = check_notebook(notebook)
    check_kernel(kernel)
    previous = load_manifest(out) or {}
    # the same label in another calendar (Fiscal Year Start Month changed) is other months
    if (previous.get("quarter"), previous.get("span", facts.span)) != (facts.quarter, facts.span):
        previous = {}
    before = previous.get("reports", {})
    run = QbrRun(facts.quarter, out, out / "index.html", out / MANIFEST, {}, span=facts.span)
    run.notes.extend(notes or ())
    # reports of other distributors made earlier into this folder stay listed
    run.others = {d: r for d, r in before.items() if d not in facts.by_distributor}
    if resume and previous and previous.get("ledger_as_of") != facts.ledger_as_of:
        run.notes.append(
            "the ledger has changed since the reports already made; they are kept as they "
            "were (run without --resume to make every report again)"
        )
    todo = []
    if resume and not previous:
        run.notes.append(f"nothing to resume in {out}: making every report")
    for d in facts.by_distributor:
        if resume and _complete(before.get(d), out, formats):
            run.reports[d] = before[d]
            run.skipped.append(d)
        else:
            todo.append(d)
    # facts only for the reports made now: a kept report keeps the facts it was made from
    facts_dir = out / "facts"
    facts.only(todo).write(facts_dir)
    names = {d: doc["distributor"]["name"] for d, doc in facts.by_distributor.items()}
    started = time.time()
    deadline = started + run_timeout if run_timeout else float("inf")
    header = {
        "quarter": facts.quarter,
        "span": facts.span,
        "calendar": facts.calendar,
        "currency": facts.currency,
        "ledger_as_of": facts.ledger_as_of,
        "notebook": str(nb_path),
        "formats": list(formats),
        "facts_dir": "facts",
    }

    def record(result: dict) -> None:
        d = result["distributor_id"]
        entry = {"distributor_id": d, "name": names[d], **_relative(result, out)}
        entry["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        earlier = before.get(d) or {}
        if entry["status"] != OK and earlier.get("status") == OK and earlier.get("html"):
            # an earlier run's report stays on disk (whole, but not this run's); say so
            entry["earlier_report"] = earlier["html"]
        run.reports[d] = entry
        run.ran.append(d)
        # the manifest and index are rewritten as reports finish, so a run that is
        # killed part-way can still be resumed and looked at
        _save(run, header, facts)

    tasks = [
        {
            "distributor_id": d,
            "name": names[d],
            "quarter": facts.quarter,
            "notebook": str(nb_path),
            "facts_dir": str(facts_dir),
            "out_dir": str(out),
            "formats": tuple(formats),
            "run_deadline": deadline,
            "timeout": timeout,
            "kernel": kernel,
            "pdf_engines": pdf_engines,
            "kernel_reviews": kernel_reviews,
        }
        for d in todo
    ]
    if tasks:
        jobs = min(jobs or os.cpu_count() or 1, len(tasks))  # no idle workers to start
        shared = [str(out), str(facts_dir), str(nb_path)]
        for result in _execute(
            tasks, jobs=jobs, scheduler=scheduler, deadline=deadline, shared=shared
        ):
            record(result)
            if on_done:
                on_done(result, len(run.ran), len(tasks))
    _save(run, header, facts)
    return run


def _relative(result: dict, out: Path) -> dict:
    entry = dict(result)
    for key in ("html", "pdf", "notebook"):
        if entry.get(key):
            entry[key] = os.path.relpath(entry[key], out)
    return entry


def _save(run: QbrRun, header: dict, facts: QuarterReportFacts) -> None:
    listed = {**run.others, **run.reports}
    ordered = {d: listed[d] for d in sorted(listed)}
    manifest = {
        **header,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "counts": {s: sum(r["status"] == s for r in ordered.values()) for s in STATUSES},
        "notes": list(run.notes),
        "reports": ordered,
    }
    write_atomically(run.manifest, json.dumps(manifest, indent=1, ensure_ascii=False))
    docs = dict(facts.by_distributor)
    for d in run.others:  # their figures as they were when their reports were made
        path = run.out_dir / "facts" / f"{safe_name(d)}.json"
        if path.exists():
            docs[d] = json.loads(path.read_text(encoding="utf-8"))
    write_index(run.index, manifest, docs)


# ------------------------------------------------------------------ executors
@contextmanager
def executor(
    jobs: int | None = None, scheduler=None, shared: list[str] | None = None
) -> Iterator[cf.Executor]:
    """A ``concurrent.futures`` executor: a local process pool, or a Dask cluster.

    ``scheduler``: an address (``tcp://host:8786``) or a ``distributed.Client``. ``shared``:
    paths every cluster worker must see (the output folder first, which it must write);
    checked on each worker before any task is sent.
    """
    if scheduler is None:
        # spawn: workers start clean (no inherited database handles or threads)
        context = multiprocessing.get_context("spawn")
        with cf.ProcessPoolExecutor(
            max_workers=jobs or os.cpu_count() or 1, mp_context=context
        ) as ex:
            yield ex
        return
    from distributed import Client

    if isinstance(scheduler, Client):
        client = scheduler
    else:
        try:
            client = Client(scheduler, timeout=f"{SCHEDULER_WAIT:.0f}s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise SchedulerUnreachable(str(scheduler), str(exc)) from None
    try:
        _check_workers(client, shared or [])
        # pure=False: a report made again (resume) is a new task, not a cached result
        yield client.get_executor(pure=False)
    finally:
        if client is not scheduler:
            client.close()


def _check_workers(client, shared: list[str]) -> None:
    """Refuse a cluster with no workers, or whose workers lack channelxl or the folders."""

    if not client.scheduler_info().get("workers"):
        raise ChannelxlError(
            "the Dask cluster has no workers; start some (`dask worker ADDRESS`) and run again"
        )
    answers = client.run(worker_check, shared, on_error="return")
    problems = {
        w: (a if isinstance(a, str) else f"cannot run channelxl ({type(a).__name__}: {a})")
        for w, a in answers.items()
        if a is not None
    }
    if problems:
        raise ChannelxlError(
            "some Dask workers cannot make the reports: "
            + "; ".join(f"{w}: {why}" for w, why in sorted(problems.items()))
            + ". Workers need channelxl installed and the output folder at the same path "
            "(a shared disk)."
        )


def _execute(
    tasks: list[dict], *, jobs, scheduler, deadline: float, shared: list[str] | None = None
) -> Iterator[dict]:
    """Results in the order reports finish; a task whose worker failed still yields one."""
    with executor(jobs, scheduler, shared) as ex:
        pending = {ex.submit(make_report, t): t for t in tasks}
        while pending:
            wait = None if deadline == float("inf") else max(0.0, deadline + GRACE - time.time())
            done, _ = cf.wait(pending, timeout=wait, return_when=cf.FIRST_COMPLETED)
            if not done:  # the run's limit and its grace are over
                for fut, task in pending.items():
                    fut.cancel()
                    yield _lost(task, TIMEOUT, "the run's time limit was reached")
                _stop(ex)
                return
            for fut in done:
                task = pending.pop(fut)
                try:
                    yield fut.result()
                except Exception as exc:  # the worker itself died or could not run the task
                    yield _lost(task, FAILED, f"worker lost: {type(exc).__name__}: {exc}")


def _lost(task: dict, status: str, message: str) -> dict:
    return {
        "distributor_id": task["distributor_id"],
        "status": status,
        "error": message,
        "seconds": None,
    }


def _stop(ex: cf.Executor) -> None:
    """Stop an executor without waiting for the reports still running."""
    ex.shutdown(wait=False, cancel_futures=True)
    # a process pool has no public way to stop running tasks; its workers are ours to end
    for proc in list(getattr(ex, "_processes", {}).values()):
        proc.kill()

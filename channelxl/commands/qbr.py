"""``channelxl qbr``: every distributor's quarterly business review for a quarter.

One library call, :func:`quarterly_reviews`: the kernel and notebook are checked first
(refused before the ledger is read), the facts are read for every distributor at once
(``reports.facts``; the ledger is held only while they are read), then one notebook per
distributor runs on a process pool or a Dask cluster (``reports.batch``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import nullcontext

from channelxl.commands.empty_quarter import QBR, check_quarter_has_data
from channelxl.core.periods import Quarter
from channelxl.ledger.store import Ledger
from channelxl.reports.batch import DEFAULT_MAX_REVIEWS, DEFAULT_TIMEOUT, QbrRun, run_reports
from channelxl.reports.facts import quarter_report_facts
from channelxl.reports.kernel import OWN_KERNEL, check_kernel
from channelxl.reports.render import check_notebook


def quarterly_reviews(
    ledger: Ledger | Callable[[], Ledger],
    quarter: Quarter,
    out_dir: str | os.PathLike,
    *,
    distributors: list[str] | None = None,
    formats: tuple[str, ...] = ("html",),
    jobs: int | None = None,
    scheduler=None,
    timeout: float = DEFAULT_TIMEOUT,
    run_timeout: float | None = None,
    resume: bool = False,
    notebook: str | os.PathLike | None = None,
    kernel: str = OWN_KERNEL,
    pdf_engines: tuple[str, ...] | None = None,
    kernel_reviews: int = DEFAULT_MAX_REVIEWS,
    allow_empty: bool = False,
    on_reading: Callable[[], None] | None = None,
    on_start: Callable[[int], None] | None = None,
    on_done: Callable[[dict, int, int], None] | None = None,
) -> QbrRun:
    """Make the reviews of ``quarter`` into ``out_dir``.

    ``ledger``: an open ledger, or a function that opens one (``Workspace.open_ledger``),
    which is then closed as soon as the facts are read. Progress: ``on_reading()`` is
    called when the ledger is about to be read, ``on_start(n)`` with the number of reviews
    once the facts are read, ``on_done(result, done, total)`` as each review finishes. The
    other options are ``reports.batch.run_reports``'s. A quarter without sell-through is
    refused before any review is made, unless ``allow_empty`` (``commands.empty_quarter``):
    the run's notes then carry the warning.
    """
    check_kernel(kernel)
    check_notebook(notebook)
    if on_reading:
        on_reading()
    held = ledger() if callable(ledger) else nullcontext(ledger)
    with held as led:
        if distributors:
            led.distributors(distributors)  # refuses unknown ids first
        warning = check_quarter_has_data(led, quarter, distributors, QBR, allow_empty=allow_empty)
        facts = quarter_report_facts(led, quarter, distributors=distributors)
    if on_start:
        on_start(len(facts.by_distributor))
    run = run_reports(
        facts,
        out_dir,
        formats=formats,
        jobs=jobs,
        scheduler=scheduler,
        timeout=timeout,
        run_timeout=run_timeout,
        resume=resume,
        notebook=notebook,
        kernel=kernel,
        pdf_engines=pdf_engines,
        kernel_reviews=kernel_reviews,
        on_done=on_done,
        notes=[warning] if warning else None,
    )
    return run

"""Warm report kernels: one long-lived Jupyter kernel per worker thread, reused by reviews.

A fresh kernel per review spends most of the review starting (about 0.5 s) and importing
pandas, matplotlib and the review code (seconds on a loaded machine). A warm kernel pays
that once: :class:`KernelPool` starts a kernel, imports them (``reports.kernel_state``'s
``prepare``), runs reviews in it one after the other, and between two reviews puts it back
(``kernel_state.reset``).

Isolation guaranteed to each review (details in ``reports.kernel_state``):

- it starts with an empty user namespace and execution count 1, matplotlib's figures
  closed and ``rcParams`` as after the imports, and the ``decimal`` context, environment,
  working folder, ``sys.path``, warning filters and pandas options as after the imports;
- it never sees a module an earlier review replaced or one of whose globals it rebound:
  such a kernel is replaced by a fresh one, as is a kernel in which a review loaded modules
  the imports had not (the next kernel imports them up front, so this happens once);
- it never runs in a kernel where anything went wrong: after a review that raised, timed
  out or killed its kernel, or that the pool could not put back, the kernel is shut down
  (killed at once) and the next review starts a new one.

Kernels are also replaced after ``max_reviews`` reviews (what the reset does not catch,
such as caches that grow, cannot pile up). The executed notebook is the one papermill
makes in a fresh kernel: the same parameters cell, metadata and execution counts; only the
timings differ, as they do between any two runs.

A kernel that cannot be prepared (not IPython, or channelxl not importable in it) is not
pooled: its reviews run in a fresh kernel each, as papermill runs them. Pools are per
thread because a kernel client belongs to its thread's event loop; a worker process of the
local pool has one thread, a Dask worker one per ``threads_per_worker``.
"""

from __future__ import annotations

import ast
import atexit
import multiprocessing.util
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from jupyter_core.utils import run_sync

from channelxl.reports.kernel import KERNEL_ARGUMENTS, ReportKernelManager
from channelxl.reports.limits import DEFAULT_MAX_REVIEWS

# what every review imports: the notebook's own cells, and the libraries its charts use
PRELOAD = (
    "pandas",
    "matplotlib",
    "matplotlib.figure",
    "matplotlib.backends.backend_agg",
    "IPython.display",
    "IPython.core.logger",  # IPython's reset imports it
    "babel.dates",  # the review's dates
    "channelxl.reports.sections",
)
RESET_SECONDS = 60.0  # a reset that takes longer: the kernel is replaced
STATE = '__import__("channelxl.reports.kernel_state", fromlist=["_"])'


class KernelUnusable(Exception):
    """The kernel started but cannot be prepared for reuse (not an IPython kernel, or no
    channelxl in it)."""


class WarmKernel:
    """A started kernel, its client, and how many reviews it has run."""

    def __init__(self, kernel_name: str, preload: list[str], deadline: float):
        self.kernel_name = kernel_name
        self.reviews = 0
        self.km = ReportKernelManager(kernel_name=kernel_name)
        self.kc = None
        left = max(1.0, deadline - time.time())
        run_sync(self.km.start_kernel)(extra_arguments=list(KERNEL_ARGUMENTS))
        try:
            self.kc = self.km.client()
            self.kc.start_channels()
            run_sync(self.kc.wait_for_ready)(timeout=min(60.0, left))
            self.kc.allow_stdin = False
            left = max(1.0, deadline - time.time())
            self.call(f"{STATE}.prepare({sorted(preload)!r})", timeout=left)
        except BaseException:
            self.shutdown()
            raise

    @property
    def pid(self) -> int | None:
        process = getattr(self.km.provisioner, "process", None)
        return process.pid if process else None

    def call(self, expression: str, timeout: float):
        """Evaluate ``expression`` in the kernel without touching the user namespace or the
        execution count; its value (a Python literal) or :class:`KernelUnusable`."""
        reply = run_sync(self.kc.execute_interactive)(
            "",
            silent=True,
            store_history=False,
            user_expressions={"r": expression},
            timeout=timeout,
            output_hook=lambda msg: None,  # nothing to show: any output is dropped
        )
        result = reply["content"].get("user_expressions", {}).get("r", {})
        if result.get("status") != "ok":
            raise KernelUnusable(f"{result.get('ename', 'error')}: {result.get('evalue', '')}")
        return ast.literal_eval(result["data"]["text/plain"])

    def shutdown(self) -> None:
        """Stop the kernel at once (a hung review is not waited for)."""
        with suppress(Exception):  # already dead: nothing left to stop
            if self.kc is not None:
                self.kc.stop_channels()
            run_sync(self.km.shutdown_kernel)(now=True)
        with suppress(Exception):  # its folder may be gone already
            run_sync(self.km.cleanup_resources)()


class KernelPool:
    """The warm kernel of one worker thread (see the module docstring)."""

    def __init__(self, max_reviews: int = DEFAULT_MAX_REVIEWS):
        self.max_reviews = max_reviews
        self.warm: WarmKernel | None = None
        self.preload = set(PRELOAD)
        self.unusable: set[str] = set()  # kernel names that cannot be pooled
        self.started = 0  # kernels started
        self.replaced: Counter[str] = Counter()  # why kernels were replaced
        self.last_change = ""  # what the last review changed that the reset cannot undo

    @contextmanager
    def kernel(self, kernel_name: str, deadline: float) -> Iterator[WarmKernel | None]:
        """A prepared kernel for one review, or None when ``kernel_name`` cannot be pooled.

        When the block raises, the kernel is shut down (the exception goes on); when it
        ends, the kernel is put back for the next review, or replaced.
        """
        if kernel_name in self.unusable:
            yield None
            return
        if self.warm is not None and self.warm.kernel_name != kernel_name:
            self._replace("another kernel")
        if self.warm is None:
            try:
                self.warm = WarmKernel(kernel_name, sorted(self.preload), deadline)
            except KernelUnusable:
                self.unusable.add(kernel_name)
                yield None
                return
            self.started += 1
        warm = self.warm
        try:
            yield warm
        except BaseException:
            self._replace("review failed")
            raise
        warm.reviews += 1
        if warm.reviews >= self.max_reviews:
            self._replace("reviews")
            return
        try:
            verdict = warm.call(f"{STATE}.reset()", timeout=RESET_SECONDS)
        except Exception:  # the kernel died or hung while being reset
            self._replace("reset failed")
            return
        if verdict:
            self.last_change = verdict["why"]
            self.preload.update(verdict.get("new_modules", ()))
            self._replace("changed")

    def _replace(self, why: str) -> None:
        if self.warm is not None:
            self.warm.shutdown()
            self.warm = None
            self.replaced[why] += 1

    def close(self) -> None:
        self._replace("closed")


_local = threading.local()
_pools: list[tuple[threading.Thread, KernelPool]] = []
_lock = threading.Lock()


def current_pool(max_reviews: int = DEFAULT_MAX_REVIEWS) -> KernelPool:
    """This thread's pool (made on first use); pools of threads that have ended are closed."""
    pool = getattr(_local, "pool", None)
    if pool is None:
        pool = _local.pool = KernelPool(max_reviews)
        with _lock:
            if not _pools:
                # a worker process of multiprocessing ends without atexit; its finalizers run
                multiprocessing.util.Finalize(None, close_pools, exitpriority=10)
            for thread, other in [p for p in _pools if not p[0].is_alive()]:
                other.close()
                _pools.remove((thread, other))
            _pools.append((threading.current_thread(), pool))
    pool.max_reviews = max_reviews
    return pool


def close_pools() -> None:
    """Shut down every kernel of this process (at exit: a kernel also stops by itself when
    its worker is gone, but a second later)."""
    with _lock:
        for _, pool in _pools:
            pool.close()
        _pools.clear()


atexit.register(close_pools)

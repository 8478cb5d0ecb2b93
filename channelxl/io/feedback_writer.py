"""Feedback workbooks written beside the ingest, in a background process.

A received file's feedback (``io.feedback_workbook``) depends only on the file, its issues
and its outcome, all known once its result is committed: ingest hands them to
:class:`FeedbackWriter` and goes on loading the next file while one background process
writes the workbook (~10 ms for a month's report, up to seconds for a large sender's
workbook marked in place; the ledger stays one writer). With
``workers=0`` the feedback is written at once, in this process: for a few files a
background process (~0.5 s to start) costs more than it saves.

What the analyst is told does not depend on where it was written: the same path, or the
same words when it could not be written (:func:`feedback_failure`). A background process
that stops (killed, out of memory) is replaced; a file whose feedback stops it twice is
said not to be answered, and the run goes on.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from channelxl.errors import CannotWrite
from channelxl.io.feedback_workbook import write_feedback
from channelxl.issues import Issue

CRASHED = "the process writing it stopped unexpectedly (it may have run out of memory)"


def feedback_failure(exc: BaseException) -> str:
    """What the analyst is told when a file's feedback could not be written: the cause in
    words (no traceback), and that the file itself was answered as its result says (it is
    not answered again: the sender's problems must go back by hand)."""
    if isinstance(exc, CannotWrite):  # the machine: a full disk, a folder not writable
        why = f"{exc.detail} ({exc.path})"
    elif isinstance(exc, OSError):
        why = f"{exc.strerror or exc}" + (f" ({exc.filename})" if exc.filename else "")
    elif isinstance(exc, BrokenProcessPool):
        why = CRASHED
    else:
        why = f"{exc} ({type(exc).__name__}); please report it" if str(exc) else repr(exc)
    return (
        f"the feedback for its sender could not be written: {why}. The file itself was "
        "answered as said above; send its sender the problems listed here yourself"
    )


def answer_sender(
    sent: str, issues: list[Issue], outcome: dict, out_dir: str, digest: str | None
) -> tuple[str | None, str | None]:
    """(the feedback workbook's path, None), or (None, why it could not be written): the
    error said in words where it happened, so nothing but text crosses processes."""
    try:
        xlsx, _ = write_feedback(sent, issues, outcome, out_dir, digest=digest)
    except Exception as exc:
        return None, feedback_failure(exc)
    return str(xlsx), None


class Pending:
    """One file's feedback being written; :meth:`outcome` waits for it."""

    def __init__(self, writer: FeedbackWriter | None, args: tuple, future: Future | None, now=None):
        self._writer, self._args, self._future, self._now = writer, args, future, now

    @classmethod
    def failed(cls, why: str) -> Pending:
        """Feedback that could not even be started, and why."""
        return cls(None, (), None, (None, why))

    def done(self) -> bool:
        return self._future is None or self._future.done()

    def outcome(self) -> tuple[str | None, str | None]:
        """(path, None) or (None, why not)."""
        if self._future is None:
            return self._now
        try:
            return self._future.result()
        except BrokenProcessPool:
            # the process stopped while this one waited or was being written: once more
            # in a fresh process, which tells whether this file is the one that stops it
            try:
                return self._writer.start(self._args).result()
            except Exception as exc:
                return None, feedback_failure(exc)
        except Exception as exc:  # e.g. issues that could not be sent to the process
            return None, feedback_failure(exc)


class FeedbackWriter:
    """Writes feedback workbooks in ``workers`` background processes (0: here, at once);
    the first ``here_first`` here, at once, whatever ``workers`` says (a process costs
    about a second of start-up, more than a few workbooks: a run with a handful of
    feedback workbooks never starts one)."""

    def __init__(self, workers: int = 1, here_first: int = 0):
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._here_left = here_first

    def submit(
        self, sent: str, issues: list[Issue], outcome: dict, out_dir, digest: str | None
    ) -> Pending:
        args = (str(sent), issues, outcome, os.fspath(out_dir), digest)
        if self.workers <= 0 or self._here_left > 0:
            self._here_left -= 1
            return Pending(self, args, None, answer_sender(*args))
        try:
            return Pending(self, args, self.start(args))
        except Exception:  # no process could be started: written here instead
            return Pending(self, args, None, answer_sender(*args))

    def start(self, args: tuple, retry: bool = True) -> Future:
        if self._pool is None:
            # spawned, not forked: the ledger's connection and its threads stay here
            ctx = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(self.workers, mp_context=ctx)
        try:
            return self._pool.submit(answer_sender, *args)
        except BrokenProcessPool:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
            if not retry:
                raise
            return self.start(args, retry=False)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

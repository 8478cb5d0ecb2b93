"""``channelxl ingest``: many received files in one run (named files, or every new file in
the inbox), each its own transaction.

One library call, :func:`ingest`. A bad file never stops the others; each gets its own
result (``ledger.ingest_file.IngestResult``) and, when it has problems and a feedback
folder is given, a feedback workbook for its sender (``io.feedback_workbook``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from channelxl.io.feedback_workbook import write_feedback
from channelxl.ledger.ingest_file import IngestResult, ingest_file
from channelxl.ledger.store import Ledger, file_sha256

RECEIVED_SUFFIXES = {".csv", ".txt", ".xlsx", ".xlsm", ".xls", ".ods"}
STATUSES = ("accepted", "duplicate", "refused")


@dataclass
class IngestRun:
    """Every file of one run, in the order loaded."""

    results: list[IngestResult]

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def refused(self) -> list[IngestResult]:
        return [r for r in self.results if r.status == "refused"]

    def summary(self) -> str:
        lines = sum(r.lines_loaded for r in self.results)
        quarantined = sum(r.quarantined for r in self.results)
        return (
            f"{len(self.results)} file(s): {self.count('accepted')} accepted, "
            f"{self.count('duplicate')} unchanged, {self.count('refused')} refused; "
            f"{lines:,} lines loaded, {quarantined:,} quarantined."
        )


def new_inbox_files(ledger: Ledger, inbox: Path) -> list[Path]:
    """Files in the inbox whose bytes the ledger has not seen, oldest first."""
    if not inbox.is_dir():
        return []
    known = {r[0] for r in ledger.con.execute("SELECT sha256 FROM submissions").fetchall()}
    files = [
        p
        for p in inbox.iterdir()
        if p.is_file()
        and p.suffix.lower() in RECEIVED_SUFFIXES
        and not p.name.startswith((".", "~$"))
    ]
    files.sort(key=lambda p: (p.stat().st_mtime, p.name))
    return [p for p in files if file_sha256(p) not in known]


def ingest(
    ledger: Ledger,
    paths: Iterable[str | os.PathLike] | None = None,
    *,
    inbox: Path | None = None,
    distributor: str | None = None,
    period: str | None = None,
    received_at: datetime | None = None,
    strict: bool = False,
    today: date | None = None,
    progress: Callable[[IngestResult], None] | None = None,
    feedback_dir: Path | None = None,
) -> IngestRun:
    """Ingest each of ``paths`` (default: every new file in ``inbox``).

    With ``feedback_dir``, write feedback for every file with issues; ``progress`` is
    called with each file's result as it is done.
    """
    if paths is None:
        paths = new_inbox_files(ledger, inbox) if inbox is not None else []
    results = []
    for path in paths:
        result = ingest_file(
            ledger,
            path,
            distributor=distributor,
            period=period,
            received_at=received_at,
            strict=strict,
            today=today,
        )
        if feedback_dir is not None and result.issues:
            xlsx, _ = write_feedback(result.path, result.issues, result.outcome(), feedback_dir)
            result.feedback = str(xlsx)
        results.append(result)
        if progress:
            progress(result)
    return IngestRun(results)

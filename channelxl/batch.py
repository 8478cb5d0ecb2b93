"""Many files in one run: ingest every named file (or every new file in the inbox).

A bad file never stops the others; each gets its own result and one summary line.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path

from channelxl.ledger.ingest import IngestResult, ingest_file
from channelxl.ledger.store import Ledger, file_sha256

RECEIVED_SUFFIXES = {".csv", ".txt", ".xlsx", ".xlsm", ".xls", ".ods"}


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


def ingest_many(
    ledger: Ledger,
    paths: Iterable[str | os.PathLike],
    *,
    distributor: str | None = None,
    period: str | None = None,
    received_at: datetime | None = None,
    strict: bool = False,
    today: date | None = None,
    progress: Callable[[IngestResult], None] | None = None,
    feedback_dir: Path | None = None,
) -> list[IngestResult]:
    """Ingest each file; with ``feedback_dir``, write feedback for every file with issues."""
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
            from channelxl.feedback import write_feedback

            result.feedback = str(write_feedback(result, feedback_dir)[0])
        results.append(result)
        if progress:
            progress(result)
    return results

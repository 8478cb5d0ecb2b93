"""Every error type channelxl raises, each carrying its facts as fields."""

from __future__ import annotations

import errno
import os

from channelxl.issues import Issue


class ChannelxlError(Exception):
    """Base class: a refusal with a message meant for a person (no traceback shown)."""


class WorkspaceError(ChannelxlError):
    """No working folder, program workbook or ledger where one was expected."""


class LedgerMissing(WorkspaceError):
    """No ledger file where one was expected: only ``channelxl init`` and ``demo`` make one.
    ``folder``: the working folder whose ledger it is, when it is that folder's own."""

    def __init__(self, path: str, folder: str | None = None):
        self.path = os.path.abspath(path)
        self.folder = folder
        start = (
            f"to start a new, empty ledger there, run 'channelxl init {folder}' (it keeps "
            "program.xlsx)"
            if folder
            else "a new, empty ledger is made only by 'channelxl init FOLDER', in that folder"
        )
        super().__init__(
            f"no ledger at {self.path}: nothing was read or changed. If the ledger was moved "
            f"or renamed, put it back or give its path with --ledger; {start}."
        )


class LedgerDamaged(ChannelxlError):
    """The ledger file cannot be read as a DuckDB ledger: damaged, cut short, or another file."""

    def __init__(self, path: str, reason: str):
        self.path = path
        self.reason = reason
        folder = os.path.dirname(path) or "."
        super().__init__(
            f"the ledger {path} cannot be read: {reason}. channelxl changed nothing. Restore "
            "it from your backup; or move it away and run "
            f"'channelxl init {folder}' for a new, empty ledger, then 'channelxl ingest' the "
            "received files again."
        )


class CannotWrite(ChannelxlError):
    """The computer, not the data, stopped a write: a full disk, a file or folder channelxl
    may not write, a read-only disk. ``reason`` is ``full``, ``denied`` or ``read-only``."""

    def __init__(self, path: str, reason: str, detail: str, kept: str):
        self.path = path
        self.reason = reason
        self.detail = detail
        self.kept = kept
        super().__init__(
            f"cannot write {path}: {detail}. {kept} To go on, {_ADVICE[reason]}, then run the "
            "command again."
        )


_ADVICE = {
    "full": "free some space on that disk (or choose a folder on another one)",
    "denied": "make the file and its folder writable for you (or choose another folder)",
    "read-only": "copy the working folder to a disk you can write to",
}

# What each operating-system error says about the machine, by errno and as the text that
# libraries which do not raise OSError (DuckDB) put in their messages.
_WRITE_ERRNOS = {
    errno.ENOSPC: ("full", "the disk is full"),
    errno.EDQUOT: ("full", "the disk quota is used up"),
    errno.EFBIG: ("full", "the file would be larger than the disk or a limit allows"),
    errno.EACCES: ("denied", "permission denied"),
    errno.EPERM: ("denied", "permission denied"),
    errno.EROFS: ("read-only", "the disk is read-only"),
}
_WRITE_TEXTS = {os.strerror(code).lower(): why for code, why in _WRITE_ERRNOS.items()}

FILE_KEPT = "Nothing was written there (an earlier copy, if any, is unchanged)."
LEDGER_KEPT = "The ledger keeps only what was committed before."


def cannot_write(exc: BaseException, path: str | os.PathLike, kept: str = FILE_KEPT):
    """``exc`` as a :class:`CannotWrite` for ``path`` when it is a machine problem (full
    disk, permission, read-only disk), found by errno or in the message; else None."""
    if isinstance(exc, OSError) and exc.errno in _WRITE_ERRNOS:
        reason, detail = _WRITE_ERRNOS[exc.errno]
        return CannotWrite(str(path), reason, detail, kept)
    text = str(exc).lower()
    for marker, (reason, detail) in _WRITE_TEXTS.items():
        if marker in text:
            return CannotWrite(str(path), reason, detail, kept)
    return None


class ProgramInvalid(ChannelxlError):
    """The program workbook has errors; it is refused whole."""

    def __init__(self, path: str, issues: list[Issue]):
        self.path = path
        self.issues = issues
        n = len([i for i in issues if i.severity == "error"])
        super().__init__(f"{path}: {n} error(s); the program workbook was not loaded")


class LedgerBusy(ChannelxlError):
    """Another process holds the ledger longer than we were willing to wait."""

    def __init__(self, path: str, waited: float, detail: str = ""):
        self.path = path
        self.waited = waited
        self.detail = detail
        super().__init__(
            f"the ledger {path} is in use by another channelxl process; waited {waited:.0f} s. "
            "Try again when it has finished, or raise --lock-timeout."
        )


class FileRefused(ChannelxlError):
    """A file that cannot be loaded at all (not recognised, unreadable, wrong layout)."""

    def __init__(self, path: str, issues: list[Issue]):
        self.path = path
        self.issues = issues
        super().__init__(f"{path}: refused: " + "; ".join(i.message for i in issues[:3]))


class PdfError(ChannelxlError):
    """No PDF engine could make the PDF; ``reasons`` holds each engine's answer."""

    def __init__(self, reasons: dict[str, str]):
        self.reasons = reasons
        super().__init__(
            "PDF not made ("
            + "; ".join(f"{k}: {v}" for k, v in reasons.items())
            + "); the HTML report is complete. Install WeasyPrint's system libraries "
            "(Pango) or a Chromium browser, or ask for --format html."
        )


class SchedulerUnreachable(ChannelxlError):
    """No Dask scheduler answered at the address given."""

    def __init__(self, address: str, detail: str):
        self.address = address
        self.detail = detail
        first = (detail.strip().splitlines() or [""])[0]
        super().__init__(
            f"no Dask scheduler answers at {address} ({first}). Start one there "
            "(`dask scheduler`, with `dask worker ADDRESS` on each machine), check the address "
            "and port, or leave out --scheduler to run on this machine."
        )

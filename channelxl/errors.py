"""Every error type channelxl raises, each carrying its facts as fields."""

from __future__ import annotations

from channelxl.issues import Issue


class ChannelxlError(Exception):
    """Base class: a refusal with a message meant for a person (no traceback shown)."""


class WorkspaceError(ChannelxlError):
    """No working folder, program workbook or ledger where one was expected."""


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

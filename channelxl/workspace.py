"""The working folder: where a program's files live, found by convention.

::

    program.xlsx     the program workbook (master data, kept by analysts)
    channel.duckdb   the ledger
    inbox/           files received (ERP exports, distributor reports)
    outbox/          files to send to distributors (templates, feedback on their files):
                     nothing in it names another distributor
    reports/         QBRs, statements, exports; feedback/ on the vendor's own exports

Inside such a folder commands need no paths; ``--dir``, ``--program`` and ``--ledger``
override.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from channelxl.errors import LedgerMissing, WorkspaceError, cannot_write
from channelxl.io.program_workbook import write_program
from channelxl.ledger.store import DEFAULT_LOCK_TIMEOUT, Ledger

PROGRAM = "program.xlsx"
LEDGER = "channel.duckdb"
FOLDERS = ("inbox", "outbox", "reports")


@dataclass
class Workspace:
    root: Path
    program: Path
    ledger_path: Path
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def outbox(self) -> Path:
        return self.root / "outbox"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def vendor_feedback(self) -> Path:
        """Feedback on the vendor's own exports (they name many distributors: not outbox/)."""
        return self.reports / "feedback"

    def quarter_folder(self, quarter) -> Path:
        """Where a quarter's statement, exception workbooks and reviews go by default."""
        return self.reports / str(quarter)

    @classmethod
    def find(
        cls,
        root: str | os.PathLike | None = None,
        *,
        program: str | os.PathLike | None = None,
        ledger: str | os.PathLike | None = None,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    ) -> Workspace:
        """The working folder at ``root`` (default: the current directory)."""
        root = Path(root or os.getcwd()).resolve()
        program_path = Path(program) if program else root / PROGRAM
        ledger_path = Path(ledger) if ledger else root / LEDGER
        if not program_path.exists():
            raise WorkspaceError(
                f"no program workbook at {program_path}. Run 'channelxl init DIR' to make a "
                "working folder, run the command inside one, or pass --dir / --program."
            )
        return cls(root, program_path, ledger_path, lock_timeout)

    def open_ledger(self, *, sync: bool = True, create: bool = False) -> Ledger:
        """Open the ledger, loading the program workbook first when it changed.

        A missing ledger is refused (``LedgerMissing``) unless ``create`` (only ``init``)."""
        try:
            ledger = Ledger.open(self.ledger_path, lock_timeout=self.lock_timeout, create=create)
        except LedgerMissing:
            own = self.ledger_path.resolve() == (self.root / LEDGER).resolve()
            raise LedgerMissing(str(self.ledger_path), str(self.root) if own else None) from None
        if sync:
            try:
                ledger.sync_program(self.program)
            except BaseException:
                ledger.close()
                raise
        return ledger


def init(
    root: str | os.PathLike,
    *,
    rows: dict[str, list[dict]] | None = None,
    settings: dict | None = None,
) -> Workspace:
    """Create a working folder with a program workbook, its folders and an empty ledger.

    Without ``rows`` the program workbook holds a few example rows that pass validation
    (a small clean synthetic channel). An existing program workbook is never overwritten:
    a folder that has one but no ledger (lost, or moved away because it was damaged) gets
    a new, empty ledger loaded from that workbook; a folder with a ledger is refused.
    """
    root = Path(root).resolve()
    program = root / PROGRAM
    ledger = root / LEDGER
    if ledger.exists() or (program.exists() and rows is not None):
        existing = program if program.exists() else ledger
        raise WorkspaceError(
            f"{existing} already exists; channelxl will not overwrite it. "
            "Choose another folder or move the file away."
        )
    try:
        root.mkdir(parents=True, exist_ok=True)
        for name in FOLDERS:
            (root / name).mkdir(exist_ok=True)
    except OSError as exc:
        problem = cannot_write(exc, exc.filename or root)
        if problem is None:
            raise
        raise problem from exc
    if program.exists():  # keep the analysts' workbook; only the ledger is new
        workspace = Workspace(root, program, ledger)
        with workspace.open_ledger(create=True):
            pass
        return workspace
    if rows is None:
        from channelxl.synth import Sizes, generate

        example = generate(
            1, Sizes(distributors=4, resellers=8, skus=10, months=3, lines=40, plant=False)
        )
        rows, settings = example.program, example.settings
    write_program(program, rows, settings)
    workspace = Workspace(root, program, ledger)
    with workspace.open_ledger(create=True):
        pass
    return workspace

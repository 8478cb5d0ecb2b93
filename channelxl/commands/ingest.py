"""``channelxl ingest``: many received files in one run (named files, or every file waiting
in the inbox), each its own transaction.

One library call, :func:`ingest`. A bad file never stops the others; each gets its own
result (``ledger.ingest_file.IngestResult``) and, when it has problems or is held and a
feedback folder is given, a feedback workbook for its sender (``io.feedback_workbook``).

**The inbox's life cycle.** Each file in ``inbox/`` is answered once, then moves on, its bytes
and modification time as they were, to

- ``inbox/processed/``: loaded, or the same bytes as a file loaded before (unchanged);
- ``inbox/refused/``: refused, and so is anything that is not a report (a PDF, a Word
  document, an archive...). The same bytes dropped into the inbox again are checked again
  (the program workbook may have changed since); refused again, the answer names the
  earlier copy;
- ``inbox/held/``: held for the analyst (``ledger.supersede``); ``channelxl held`` moves it on
  to ``processed/`` when accepted or ``rejected/`` when rejected (``commands.held``).

A saved e-mail (``.eml``, ``io.mail``) is opened: each attached file is answered as a file of
its own, received when the mail came in, and the mail moves to ``processed/``; a mail that
cannot be read (or has no attachment, or no date) is refused like any file.

A name already taken there gets `` (2)``, `` (3)``... before its suffix: nothing is ever
overwritten. Files named on the command line outside the inbox are never moved. Hidden
files, Office lock files (``~$...``) and downloads still arriving are left alone.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import deque
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import count
from pathlib import Path

from channelxl.core.received_dates import OVERRIDE
from channelxl.errors import FileRefused
from channelxl.io.atomic import path_inside, write_atomically
from channelxl.io.edi import SNIFF_BYTES, is_edi
from channelxl.io.feedback_writer import FeedbackWriter, Pending, feedback_failure
from channelxl.io.mail import MAIL_SUFFIXES, read_mail, save_attachments
from channelxl.issues import Issue
from channelxl.ledger.ingest_file import IngestResult, ingest_file, record_file_paths
from channelxl.ledger.store import Ledger, file_sha256
from channelxl.ledger.supersede import HeldFile, held_files
from channelxl.schema import EXPORT_TABLES

RECEIVED_SUFFIXES = {".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls", ".ods"}
STATUSES = ("accepted", "held", "duplicate", "refused")
# where an inbox file goes once answered (and a held one once the analyst decides)
ANSWERED = {"accepted": "processed", "duplicate": "processed", "refused": "refused", "held": "held"}
DECIDED = {True: "processed", False: "rejected"}

EDI_SUFFIXES = {".edi", ".x12", ".edifact", ".dat"}  # EDI is known by its content; the name hints
ARCHIVES = {".zip", ".7z", ".rar", ".gz", ".tgz", ".tar", ".bz2", ".xz"}
# what a file that is not a report most likely is, to say so to its sender
NOT_REPORTS = {
    ".pdf": "a PDF document",
    ".doc": "a Word document",
    ".docx": "a Word document",
    ".rtf": "a text document",
    ".ppt": "a presentation",
    ".pptx": "a presentation",
    ".msg": "an Outlook message (.msg)",
    ".png": "an image",
    ".jpg": "an image",
    ".jpeg": "an image",
    ".gif": "an image",
    ".xlsb": "an Excel binary workbook (.xlsb)",
    ".numbers": "a Numbers document",
    ".json": "a JSON file",
    ".xml": "an XML file",
    **dict.fromkeys(ARCHIVES, "an archive"),
}
STILL_ARRIVING = {".part", ".partial", ".crdownload", ".download", ".tmp"}
# a run of this many files or more writes its feedback in background processes
# (io.feedback_writer: ~0.5 s to start, ~0.1 s saved per feedback workbook)
BACKGROUND_FEEDBACK_FROM = 12
# ... and writes its first this many feedback workbooks at once, here: a run with only a few
# never starts a process (spawned: about a second of start-up and imports, against ~35 ms
# for the feedback of a small report; measured on the 40 files of bench/small_files.py with
# 6 workbooks: 63 ms a file with the process, 30 ms written here, 25 ms without feedback)
FEEDBACK_HERE_FIRST = 8
# files loaded ahead of the oldest feedback still being written (the progress lags by these)
AHEAD = 16


@dataclass
class IngestRun:
    """Every file of one run, in the order loaded, and every report still held for the
    analyst once the run is over (this run's or an earlier one's)."""

    results: list[IngestResult]
    waiting: list[HeldFile] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def refused(self) -> list[IngestResult]:
        return [r for r in self.results if r.status == "refused"]

    @property
    def held(self) -> list[IngestResult]:
        return [r for r in self.results if r.status == "held"]

    def summary(self) -> str:
        # lines in force: a held report's lines are kept but count only once accepted
        lines = sum(r.lines_loaded for r in self.results if r.status == "accepted")
        quarantined = sum(r.quarantined for r in self.results)
        unanswered = sum(1 for r in self.results if r.feedback_error)
        return (
            f"{len(self.results)} file(s): {self.count('accepted')} accepted, "
            f"{self.count('held')} held for the analyst, "
            f"{self.count('duplicate')} unchanged, {self.count('refused')} refused; "
            f"{lines:,} lines loaded, {quarantined:,} quarantined."
            + (f" No feedback could be written for {unanswered} file(s)." if unanswered else "")
        )


def inbox_files(inbox: Path) -> list[Path]:
    """The files waiting in the inbox, oldest first (by modification time, then name), so a
    report and its correction load in the order they came in. Answered files have moved to
    the inbox's subfolders, which are not looked into."""
    if not inbox.is_dir():
        return []
    files = [
        p
        for p in inbox.iterdir()
        if p.is_file()
        and not p.name.startswith((".", "~$"))
        and p.suffix.lower() not in STILL_ARRIVING
    ]
    files.sort(key=lambda p: (p.stat().st_mtime, p.name))
    return files


def _is_edi(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return is_edi(f.read(SNIFF_BYTES)) is not None
    except OSError:
        return False  # the refusal says what the file is called; reading it fails later


def not_a_report(path: Path) -> IngestResult | None:
    """A refusal for a file whose type is not one channelxl reads (None: it may be a report)."""
    suffix = path.suffix.lower()
    if suffix in RECEIVED_SUFFIXES or _is_edi(path):  # EDI whatever it is called
        return None
    what = NOT_REPORTS.get(suffix) or (
        f"a {suffix} file" if suffix else "a file without a type (no .csv or .xlsx at its end)"
    )
    if suffix in ARCHIVES:
        how = "unpack it and send each report in it on its own"
    elif suffix in EDI_SUFFIXES:
        how = (
            "an EDI report must start with its interchange, ISA (X12) or UNA / UNB "
            "(EDIFACT), as text: save it again from the EDI system, or send the monthly "
            "report template filled in"
        )
    elif suffix == ".msg":  # the analyst saved it: say what channelxl does read
        how = (
            "save the message as .eml (its attachments are then loaded, each received "
            "when the mail came in) or save the attached report itself"
        )
    else:
        how = (
            "send the monthly report template filled in, or the report as a CSV or Excel file "
            "(.csv, .xlsx, .xls, .ods); a CSV export with another ending can be renamed to .csv"
        )
    message = f"not a report channelxl reads: {path.name} is {what}; {how}"
    return IngestResult(
        str(path), "refused", issues=[Issue("FILE", message, file=path.name)], message=message
    )


def move_on(path: Path, folder: Path) -> Path:
    """Move ``path`` into ``folder`` under its own name, else ``name (2).ext``, ``(3)``...;
    never over another file. The bytes and the modification time stay as they were."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in count(1):
        target = folder / (path.name if n == 1 else f"{path.stem} ({n}){path.suffix}")
        try:
            # a hard link fails rather than replace a file that is there: no race
            os.link(path, target, follow_symlinks=False)
        except FileExistsError:
            continue
        except OSError:  # no hard links here (FAT, some shares): check, then rename
            if target.exists() or target.is_symlink():
                continue
            os.rename(path, target)
            return target
        os.unlink(path)
        return target
    raise AssertionError("unreachable")


def refused_before(path: Path, refused: Path) -> Path | None:
    """A file in ``refused`` with the same bytes as ``path`` (hashed only when sizes match)."""
    if not refused.is_dir():
        return None
    size, digest = path.stat().st_size, None
    for earlier in sorted(refused.iterdir()):
        if earlier.is_file() and earlier.stat().st_size == size:
            digest = digest or file_sha256(path)
            if file_sha256(earlier) == digest:
                return earlier
    return None


def _from_vendor(result: IngestResult) -> bool:
    """Whether the file is one of the vendor's own exports (by its recognised layout)."""
    return any(t.name == result.kind and t.sender == "vendor" for t in EXPORT_TABLES)


def _is_in(path: Path, folder: Path | None) -> bool:
    return folder is not None and path.parent.resolve() == folder.resolve()


def _move_answered(result: IngestResult, inbox: Path) -> tuple[int, Path, Path | None] | None:
    """An inbox file, answered, moves on to the subfolder for its answer; returns what the
    ledger must record of the move (submission, new path, old path), if anything."""
    path = Path(result.path)
    if not path.is_file():
        return None
    folder = inbox / ANSWERED[result.status]
    was = path.resolve()
    try:
        moved = move_on(path, folder)
    except OSError as exc:
        result.move_error = (
            f"could not move it to {folder} ({exc.strerror or exc}); it stays in the inbox "
            "and will be answered again next time"
        )
        return None
    result.moved_to = str(moved)
    if result.submission_id is None:
        return None
    # a repeat is this very file only when the run that loaded it stopped before moving it
    return result.submission_id, moved, was if result.status == "duplicate" else None


def _answer_mail(
    mail_path: Path,
    inbox: Path | None,
    received_at: datetime | None,
    answer: Callable[..., IngestResult],
    moved: list,
    settle: Callable[[], None],
) -> None:
    """A saved e-mail (``io.mail``): each attached file answered as a file of its own,
    received when the mail was (``--received-at`` still overrides). A refused mail is
    answered like a refused file. In the inbox the attachments move on by their own answer
    and the mail to ``processed/``; named from elsewhere, nothing moves and each
    submission's file is the mail."""
    try:
        mail = read_mail(mail_path)
    except FileRefused as exc:
        refused = IngestResult(
            str(mail_path), "refused", issues=exc.issues, message=exc.issues[0].message
        )
        answer(mail_path, inbox is not None, None, OVERRIDE, refused)
        return
    # a hidden folder beside the inbox files: inbox_files never lists it, and a run stopped
    # half-way leaves the mail in the inbox to be read again (loaded attachments: unchanged)
    folder = Path(tempfile.mkdtemp(prefix=".mail-", dir=inbox))
    try:
        for path in save_attachments(mail, folder):
            if received_at is not None:
                result = answer(path, inbox is not None, received_at, OVERRIDE)
            else:
                result = answer(path, inbox is not None, mail.received_at, mail.source)
            if inbox is None and result.submission_id is not None:
                moved.append((result.submission_id, mail_path, None))
    finally:
        with suppress(Exception):  # each attachment answered before its folder goes
            settle()
        shutil.rmtree(folder, ignore_errors=True)
    if inbox is not None:
        with suppress(OSError):  # it stays in the inbox: read again next time, unchanged
            move_on(mail_path, inbox / ANSWERED["accepted"])


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
    on_start: Callable[[int], None] | None = None,
    feedback_dir: Path | None = None,
    vendor_feedback_dir: Path | None = None,
    feedback_workers: int | str = 0,
) -> IngestRun:
    """Ingest each of ``paths`` (default: every file waiting in ``inbox``); each file of
    the inbox then moves on to the subfolder for its answer.

    With ``feedback_dir``, write feedback for every file with issues (a held report always
    has one: it is waiting for the analyst); feedback on a file from the vendor's own systems
    (a layout declared ``sender="vendor"``: it names many distributors, so it is never put
    where files wait to be sent) goes to ``vendor_feedback_dir`` (default: ``feedback_dir``).
    ``on_start`` is called with the number of files before the first is loaded (a saved
    e-mail counts as one, though each attachment gets a result of its own); ``progress``
    with each file's result as it is done, in order.

    ``feedback_workers``: background processes writing the feedback workbooks
    (``io.feedback_writer``) while the next files load; 0 (default) writes each at once here;
    ``"auto"``: two for a run of ``BACKGROUND_FEEDBACK_FROM`` files or more, once its first
    ``FEEDBACK_HERE_FIRST`` feedback workbooks are written here. Either way each file moves
    on, and ``progress`` hears of it, only once its feedback is written, in the order loaded.
    """
    if paths is None:
        paths = inbox_files(inbox) if inbox is not None else []
    paths = list(paths)
    if on_start:
        on_start(len(paths))
    results, moved = [], []
    here_first = 0
    if feedback_workers == "auto":
        # two: the second helps when feedback is behind (workbooks in a row) and the loads
        # wait for it; while the loads run, one is enough and the other sleeps
        feedback_workers = (
            min(2, os.cpu_count() or 1) if len(paths) >= BACKGROUND_FEEDBACK_FROM else 0
        )
        here_first = FEEDBACK_HERE_FIRST
    writer = FeedbackWriter(feedback_workers, here_first)
    # answered files, in order, each waiting for its feedback before it moves on and is
    # said: the next file loads meanwhile, and everything is said as if one after another
    pending: deque[tuple[IngestResult, bool, Pending | None]] = deque()

    def finish(result: IngestResult, in_inbox: bool, job: Pending | None) -> None:
        """A file's feedback written (or why not), its acknowledgements, its move."""
        error = None
        if job is not None:
            xlsx, error = job.outcome()
            if error is None:
                result.feedback = xlsx
            else:
                result.feedback_error = error
        if error is None and feedback_dir is not None and result.acks:
            try:  # EDI: its acknowledgements go back
                for name, text in result.acks:
                    write_atomically(path_inside(feedback_dir, name), text)
            except Exception as exc:  # said on the file's result; the inbox goes on
                result.feedback_error = feedback_failure(exc)
        if in_inbox and (move := _move_answered(result, inbox)) is not None:
            moved.append(move)
        results.append(result)
        if progress:
            progress(result)

    def settle(every: bool = True) -> None:
        """Finish the files whose feedback is written (``every``: waiting for all)."""
        while pending and (
            every or len(pending) > AHEAD or pending[0][2] is None or pending[0][2].done()
        ):
            finish(*pending.popleft())

    def answer(
        path: Path,
        in_inbox: bool,
        when: datetime | None,
        source: str,
        result: IngestResult | None = None,
    ) -> IngestResult:
        """Load one file (``result``: already answered), have its sender's feedback written;
        it moves on (an inbox file) once that is done (:func:`settle`)."""
        result = (
            result
            or not_a_report(path)
            or ingest_file(
                ledger,
                path,
                distributor=distributor,
                period=period,
                received_at=when,
                received_source=source,
                strict=strict,
                today=today,
            )
        )
        if result.status == "refused" and in_inbox and path.is_file():
            settle()  # this run's earlier refusals are in refused/ by now, as said one by one
            earlier = refused_before(path, inbox / ANSWERED["refused"])
            if earlier is not None:
                result.message += (
                    f" (the same file was refused before, as {earlier.name}: "
                    "the problem is still there)"
                )
        job = None
        if feedback_dir is not None and result.issues:
            # the file is answered (committed or refused): its feedback cannot undo that
            try:
                job = writer.submit(
                    result.path,
                    result.issues,
                    result.outcome(),
                    vendor_feedback_dir
                    if vendor_feedback_dir is not None and _from_vendor(result)
                    else feedback_dir,
                    digest=result.sha256,  # a large file is not hashed twice
                )
            except Exception as exc:  # said on the file's result; the inbox goes on
                job = Pending.failed(feedback_failure(exc))
        pending.append((result, in_inbox, job))
        settle(every=False)
        return result

    try:
        for name in paths:
            path = Path(name)
            in_inbox = _is_in(path, inbox)
            if path.suffix.lower() in MAIL_SUFFIXES and path.is_file():
                settle()
                _answer_mail(path, inbox if in_inbox else None, received_at, answer, moved, settle)
            else:
                answer(path, in_inbox, received_at, OVERRIDE)
        settle()
    except BaseException:  # what moved is still recorded; the first error is the one said
        with suppress(Exception):
            settle()  # the files answered before it are said and moved on, as they were
        with suppress(Exception):
            record_file_paths(ledger, moved)
        raise
    finally:
        writer.close()
    record_file_paths(ledger, moved)  # one write for every move of the run
    return IngestRun(results, held_files(ledger))

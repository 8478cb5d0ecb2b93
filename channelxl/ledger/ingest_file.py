"""Ingesting one received file into the ledger: the table of contents.

:func:`ingest_file`, step by step (each in its own module):

1. **Safety** (``io.safety``): refuse a missing, empty or oversized file, a zip bomb, XML
   entities, a password. **Repeat**: the same bytes (SHA-256) loaded before change nothing.
2. **Recognition** (``io.recognition``): the file's parts (a CSV, a workbook sheet, the two
   sheets of a returned template) and the distributor and period it is for.
3. In **one transaction** (a failed, refused or killed load leaves the ledger as it was):
   for each part, **load** its lines typed (``load_csv`` / ``load_sheet``), put text in
   its normal form and run the **checks** (``line_checks``); lines with errors are
   quarantined, warnings recorded; then **supersede** what it replaces (``supersede``),
   record the submission with its provenance, and store its issues. A report that would
   replace a much larger report, or a newer one, is **held** instead (``supersede``: its
   lines kept, nothing replaced) until the analyst accepts or rejects it.

Policy: file-level problems (not a table, unknown layout, unreadable, every line bad)
refuse the file and change nothing; line-level errors quarantine those lines and the rest
is accepted (``strict=True`` refuses the whole file instead); warnings load the line; a
held report changes nothing in force.
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from channelxl.core.periods import Month
from channelxl.core.received_dates import OVERRIDE, received_date, when_text
from channelxl.errors import FileRefused
from channelxl.io.csv_dialect import csv_line_numbers
from channelxl.io.edi import read_edi
from channelxl.io.received_stamp import workbook_stamps
from channelxl.io.recognition import Part, read_received
from channelxl.io.safety import precheck
from channelxl.issues import ERROR, WARNING, Issue
from channelxl.ledger.ddl import lines_table
from channelxl.ledger.faults import checkpoint
from channelxl.ledger.gc_pause import gc_paused
from channelxl.ledger.line_checks import PYTHON_ROWS, normalize, validate
from channelxl.ledger.load_csv import insert_csv
from channelxl.ledger.load_edi import acknowledgements, edi_parts, insert_edi, place
from channelxl.ledger.load_sheet import distributor_locales, insert_grid
from channelxl.ledger.received_part import PartLoad
from channelxl.ledger.store import Ledger, file_sha256
from channelxl.ledger.supersede import (
    Hold,
    covered_lines,
    holds,
    in_force,
    record_hold,
    sender_message,
    supersede,
)

HASH_IN_BACKGROUND = 8 << 20  # bytes: a larger file is hashed while DuckDB reads it


@dataclass
class IngestResult:
    """What happened to one file."""

    path: str
    status: str  # accepted | held (for the analyst) | duplicate | refused
    kind: str | None = None
    submission_id: int | None = None
    lines_read: int = 0
    lines_loaded: int = 0
    quarantined: int = 0
    issues: list[Issue] = field(default_factory=list)
    superseded: list[int] = field(default_factory=list)
    message: str = ""
    feedback: str | None = None  # the feedback workbook written for the sender, if any
    feedback_error: str | None = None  # why that feedback could not be written
    held: list[Hold] = field(default_factory=list)  # why a held report waits
    moved_to: str | None = None  # where an inbox file went once answered
    move_error: str | None = None  # why it could not (it stays in the inbox)
    sha256: str | None = None  # of the file's bytes, when it was read (loaded or held)
    received_at: datetime | None = None  # when the vendor received it (core.received_dates)
    received_source: str | None = None  # how that is known
    acks: list[tuple[str, str]] = field(default_factory=list)  # EDI: (file name, text)
    distributor: str | None = None  # whose report it is, when the file says (EDI: its sender)

    @property
    def ok(self) -> bool:
        return self.status in ("accepted", "duplicate")

    @property
    def warnings(self) -> int:
        # the hold notes are not findings about the lines
        return sum(1 for i in self.issues if i.severity == WARNING) - len(self.held)

    def summary(self) -> str:
        name = Path(self.path).name
        if self.status == "duplicate":
            return f"{name}: unchanged — {self.message}"
        if self.status == "refused":
            return f"{name}: REFUSED — {self.message}"
        if self.status == "held":
            return (
                f"{name}: HELD for the analyst, nothing replaced — "
                + "; ".join(h.reason() for h in self.held)
                + f"; its {self.lines_loaded:,} line(s) are kept as submission "
                f"{self.submission_id}, not in force until accepted" + self.received_text()
            )
        parts = [
            f"{self.lines_loaded:,} lines loaded as {self.kind} (submission {self.submission_id})"
        ]
        if self.quarantined:
            parts.append(f"{self.quarantined:,} quarantined")
        if self.warnings:
            parts.append(f"{self.warnings:,} warnings")
        if self.superseded:
            parts.append("supersedes submission " + ", ".join(map(str, self.superseded)))
        return f"{name}: accepted — " + "; ".join(parts) + self.received_text()

    def received_text(self) -> str:
        """``; received 2026-10-09 14:05 (file saved (workbook property))``, or nothing."""
        if self.received_at is None:
            return ""
        return f"; received {when_text(self.received_at)} ({self.received_source})"

    def outcome(self) -> dict:
        """What happened, for the sender's feedback (``io.feedback_workbook``)."""
        message = self.message or self.summary()
        if self.status == "held":  # the sender's words: no submission numbers or commands
            message = sender_message(self.held)
        return {
            "status": self.status,
            "kind": self.kind,
            "distributor": self.distributor,
            "submission_id": self.submission_id,
            "lines_read": self.lines_read,
            "lines_loaded": self.lines_loaded,
            "lines_quarantined": self.quarantined,
            "received_at": None if self.received_at is None else when_text(self.received_at),
            "received_source": self.received_source,
            "message": message,
        }


def _refused(path: Path, issues: list[Issue]) -> IngestResult:
    return IngestResult(str(path), "refused", issues=issues, message=issues[0].message)


def first_problem(issues: list[Issue]) -> str:
    """The first error (not a warning) with where it is, to quote in a refusal."""
    first = next((i for i in issues if i.severity == ERROR), None)
    if first is None:
        return "unknown"
    where = first.replace(file=None).where
    return f"{where}: {first.message}" if where else first.message


def ingest_file(
    ledger: Ledger,
    path: str | os.PathLike,
    *,
    distributor: str | None = None,
    period: str | None = None,
    received_at: datetime | None = None,
    received_source: str = OVERRIDE,
    strict: bool = False,
    today: date | None = None,
    digest: str | None = None,
) -> IngestResult:
    """Validate and load one file. Never raises for bad input: the result says why.

    ``distributor`` and ``period`` say what a report is for when the file does not;
    ``received_at`` when it came in, ``received_source`` how that is known (default: the
    rule of ``core.received_dates``: a workbook's save time when plausible, else the file's
    modification time); ``digest`` is the file's SHA-256 when the caller already has it.
    """
    path = Path(path)
    refused = precheck(path)
    if refused:
        return _refused(path, refused)
    pending = None
    if digest is None and path.stat().st_size >= HASH_IN_BACKGROUND:
        # A large file is hashed while DuckDB reads it; a repeat is caught before commit.
        pending = ThreadPoolExecutor(1, thread_name_prefix="sha256").submit(file_sha256, path)
    else:  # a repeat is caught by the ledger itself (_SameFile): no query for the usual file
        digest = digest or file_sha256(path)
    if distributor is not None:  # as typed on a command line: " D004 " is D004
        distributor = distributor.strip() or None
    if period is not None:
        try:
            period = str(Month.parse(period))
        except ValueError as exc:
            return _refused(path, [Issue("FILE", str(exc), file=path.name)])
    edi = None
    try:
        edi = read_edi(path)
        if edi is not None:  # whatever the file is called
            return _load_edi(
                ledger,
                path,
                edi,
                digest=digest or pending,
                distributor=distributor,
                period=period,
                received=(received_at, received_source),
                strict=strict,
                today=today or date.today(),
            )
        with gc_paused():  # a sheet's rows: a million objects in no cycle (ledger.gc_pause)
            received = read_received(path, distributor=distributor, period=period)
        return _load(
            ledger,
            path,
            received.parts,
            kind=received.kind,
            digest=digest or pending,
            distributor=received.distributor,
            period=received.period,
            received=_received(path, received.period, received_at, received_source),
            strict=strict,
            today=today or date.today(),
        )
    except _SameFile as same:
        repeat = _already_loaded(ledger, path, same.digest)
        if repeat is None:  # another key of the submission clashed: not a repeat
            raise same.__cause__ from None
        return repeat
    except FileRefused as exc:
        # a file loaded before is answered as the repeat it is, even if it would not load now
        known = digest if pending is None else pending.result()
        repeat = _already_loaded(ledger, path, known)
        if repeat:
            return repeat
        refused = _refused(path, exc.issues)
        if edi is not None:
            refused.acks = acknowledgements(edi, path, digest or pending)
        return refused


def _load_edi(ledger, path, edi, *, digest, distributor, period, received, strict, today):
    """An EDI file: its report parts (``ledger.load_edi``) loaded as every file is, and an
    acknowledgement for each interchange."""
    parts, who, month, read_issues = edi_parts(ledger, path, edi, distributor, period)
    received_at, source = received
    result = _load(
        ledger,
        path,
        parts,
        kind="edi",
        digest=digest,
        distributor=who,
        period=month,
        received=_received(path, month, received_at, source),
        strict=strict,
        today=today,
        found=read_issues,
    )
    result.acks = acknowledgements(edi, path, result.sha256 or digest)
    result.distributor = who
    return result


class _SameFile(Exception):
    """Raised inside the load transaction when the ledger already holds a submission with
    the file's SHA-256 (``submissions.sha256`` is UNIQUE: the ledger itself says so, where a
    look-up before every load would cost each file a statement); answered after the
    rollback, as the repeat it is (``_already_loaded``)."""

    def __init__(self, digest: str):
        self.digest = digest


def _already_loaded(ledger: Ledger, path: Path, digest: str) -> IngestResult | None:
    rows = ledger.con.execute(
        "SELECT submission_id, kind, loaded_at, status FROM submissions WHERE sha256 = ?", [digest]
    ).fetchall()
    if not rows:
        return None
    sid, kind, loaded_at, status = rows[0]
    state = {
        "held": " and is held, waiting for the analyst's decision",
        "rejected": " and was rejected by the analyst",
    }.get(status, "")
    return IngestResult(
        str(path),
        "duplicate",
        kind=kind,
        submission_id=sid,
        message=f"the same file was loaded as submission {sid} ({kind}) on "
        f"{loaded_at:%Y-%m-%d %H:%M}{state}; nothing changed",
    )


def _received(
    path: Path, period: str | None, given: datetime | None, source: str
) -> tuple[datetime, str]:
    """When the vendor received ``path`` and how that is known (``core.received_dates``)."""
    created, saved = (None, None) if given is not None else workbook_stamps(path)
    return received_date(
        datetime.fromtimestamp(path.stat().st_mtime),
        given=given,
        given_source=source,
        saved=saved,
        created=created,
        month_start=Month.parse(period).first_day if period else None,
    )


def record_file_paths(ledger: Ledger, moved: list[tuple[int, Path, Path | None]]) -> None:
    """Where loaded files are now (they moved on from the inbox once answered), in one
    transaction: (submission, new path, old path). With an old path, only if the submission
    still says the file is there (a copy of a loaded file does not take over its record)."""
    if not moved:
        return
    with ledger.transaction() as con:
        con.execute(
            "UPDATE submissions s SET file_path = m.new FROM (SELECT unnest(?) AS sid, "
            "unnest(?) AS new, unnest(?) AS old) m WHERE s.submission_id = m.sid "
            "AND (m.old IS NULL OR s.file_path = m.old)",
            [
                [sid for sid, _, _ in moved],
                [str(new.resolve()) for _, new, _ in moved],
                [str(old.resolve()) if old else None for _, _, old in moved],
            ],
        )


def _load(
    ledger: Ledger,
    path: Path,
    parts: list[Part],
    *,
    kind: str | None,
    digest: str | Future,
    distributor: str | None,
    period: str | None,
    received: tuple[datetime, str],
    strict: bool,
    today: date,
    found: list[Issue] = (),
) -> IngestResult:
    """Step 3: the parts into the ledger, in one transaction (``found``: the issues found
    reading the file before)."""
    locale = distributor_locales(ledger).get(distributor) if distributor else None
    con = ledger.con
    with gc_paused(), ledger.transaction():  # ledger.gc_pause: why
        sid = ledger.next_submission_id()
        loads, read, quarantined, issues = [], 0, 0, list(found)
        for part in parts:
            load = PartLoad(
                ledger=ledger,
                path=path,
                layout=part.layout,
                sid=sid,
                distributor=distributor,
                period=period,
                today=today,
                locale=locale,
            )
            n, bad = _load_part(load, part)
            loads.append(load)
            read += n
            quarantined += bad
            issues.extend(load.issues)
        loaded = read - quarantined
        if strict and quarantined:
            why = (
                f"{quarantined} line(s) have errors, and this file is taken whole or not at all: "
                "correct them and send the whole file again"
            )
            raise FileRefused(str(path), [Issue("FILE", why, file=path.name), *issues])
        if read and loaded <= 0:
            first = first_problem(issues)
            why = f"none of the {read:,} lines could be accepted; the first problem: {first}"
            raise FileRefused(str(path), [Issue("FILE", why, file=path.name), *issues])
        if not isinstance(digest, str):
            digest = digest.result()
        checkpoint("after-insert")
        received_at, received_source = received
        loaded_at = datetime.now()
        # each report part's pairs and what is in force for them, then whether any must
        # wait for the analyst
        covers = [covered_lines(ld) if ld.table.supersede == "period" else None for ld in loads]
        current = [
            None if lines is None else in_force(ld, lines)
            for ld, lines in zip(loads, covers, strict=True)
        ]
        waiting = [
            h
            for ld, lines, now in zip(loads, covers, current, strict=True)
            if lines is not None
            for h in holds(ld, lines, received_at, now)
        ]
        superseded: list[int] = []
        if waiting:
            held = [(ld.table.name, list(c)) for ld, c in zip(loads, covers, strict=True) if c]
            record_hold(con, sid, held, waiting, loaded_at)
        else:
            for ld, lines, now in zip(loads, covers, current, strict=True):
                # a first report for its months replaces nothing: no statement to say so
                s = supersede(ld, None if lines is None else list(lines), replaces=now != [])
                superseded.extend(x for x in s.submissions if x not in superseded)
        pairs = next((list(c) for c in covers if c is not None), None)  # the first report part's
        table = loads[0].table
        by_period = table.supersede == "period"
        try:
            con.execute(
                "INSERT INTO submissions (submission_id, kind, file_name, file_path, sha256, "
                "size_bytes, distributor_id, period, received_at, loaded_at, status, lines_read, "
                "lines_loaded, lines_quarantined, warnings, received_source) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    sid,
                    kind or table.name,
                    path.name,
                    str(path.resolve()),
                    digest,
                    path.stat().st_size,
                    (distributor or _one(pairs, 0))
                    if by_period
                    else _single(con, table, sid, "distributor_id"),
                    (period or _one(pairs, 1)) if by_period else None,
                    received_at,
                    loaded_at,
                    "held" if waiting else "accepted",
                    read,
                    loaded,
                    quarantined,
                    sum(1 for i in issues if i.severity == WARNING),
                    received_source,
                ],
            )
        except duckdb.ConstraintException as exc:  # the same SHA-256: a repeat (_SameFile)
            raise _SameFile(digest) from exc
        if superseded:
            con.execute(
                "UPDATE submissions SET superseded_by = ? WHERE list_contains(?, submission_id)",
                [sid, superseded],
            )
        _store_issues(con, sid, issues)
    # a held report says so first, in the sender's words (feedback), located by sheet
    sheets = {part.layout.table.name: part.sheet[0] for part in parts if part.sheet}
    notes = [
        Issue("FILE", h.for_sender(), WARNING, path.name, sheet=sheets.get(h.kind)) for h in waiting
    ]
    return IngestResult(
        str(path),
        "held" if waiting else "accepted",
        kind=kind or table.name,
        submission_id=sid,
        lines_read=read,
        lines_loaded=loaded,
        quarantined=quarantined,
        issues=notes + issues,
        superseded=superseded,
        held=waiting,
        sha256=digest,
        received_at=received_at,
        received_source=received_source,
    )


def _load_part(load: PartLoad, part: Part) -> tuple[int, int]:
    """Insert, normalise, check and quarantine one part; return (lines read, quarantined)."""
    con, path = load.ledger.con, load.path
    load.issues.extend(part.notes)  # a hidden copy of the sheet, not read
    for name in part.layout.extra:
        where = {"sheet": part.sheet[0]} if part.sheet else {}
        load.issues.append(
            Issue(
                "COLUMN",
                f"column {name!r} is not part of the layout and was ignored",
                WARNING,
                path.name,
                column=name,
                **where,
            )
        )
    if part.edi is not None:
        read, cast_issues, kept = insert_edi(load, part.edi)
        rejected = read - len(kept)  # lines left out, and values that could not be read
        load.locate = lambda k, _p=part.edi: {"edi": place(_p.places[kept[k]], _p.standard)}
    elif part.grid is not None:
        read, cast_issues, rows = insert_grid(load, part.grid, part.sheet)
        rejected = read - len(rows)  # rows with a cell that could not be read
        load.sheet_rows = (part.sheet[0], rows)
    else:
        read, cast_issues, rejected_lines = insert_csv(load, part.dialect)
        rejected = len(rejected_lines)
        lines = None

        def locate(k, _dialect=part.dialect, _skip=rejected_lines):
            # physical line numbers are read only when a problem must be located
            nonlocal lines
            if lines is None:
                lines = csv_line_numbers(path, _dialect, _skip)
            return {"line": lines[k] if k < len(lines) else None}

        load.locate = locate
    load.issues.extend(cast_issues)
    normalize(load)
    if read <= PYTHON_ROWS:  # a small part: its rows read once, the checks decided over them
        load.line_rows()
    bad = validate(load)
    if bad:
        con.execute(
            f"DELETE FROM {lines_table(load.table)} WHERE submission_id = ? AND rowid IN "
            "(SELECT unnest(?))",
            [load.sid, sorted(bad)],
        )
        load.forget_rows(bad)
    # a line with several bad cells is one quarantined line, however many issues it has
    return read, len(bad) + rejected


def _one(pairs: list[tuple], i: int) -> str | None:
    """The one distributor (i=0) or period (i=1) a report covers, if there is exactly one."""
    values = {p[i] for p in pairs}
    return values.pop() if len(values) == 1 else None


def _single(con, table, sid: int, field: str) -> str | None:
    """The one value of ``field`` in this submission's lines, if there is exactly one."""
    if field not in table.fields:
        return None
    rows = con.execute(
        f"SELECT DISTINCT {field} FROM {lines_table(table)} WHERE submission_id = ? LIMIT 2", [sid]
    ).fetchall()
    return rows[0][0] if len(rows) == 1 else None


def _store_issues(con, sid: int, issues: list[Issue]) -> None:
    """The issues as rows of ``submission_issues``, in their order, in one insert: a column
    at a time into an Arrow table (a file may have a warning on nearly every line)."""
    if not issues:
        return
    text = pa.string()
    code, message, severity, _, sheet, cell, line, column = zip(*issues, strict=True)
    rows = pa.table(
        {
            "severity": pa.array(severity, text),
            "code": pa.array(code, text),
            "line": pa.array(line, pa.int64()),
            "sheet": pa.array(sheet, text),
            "cell": pa.array(cell, text),
            "column_name": pa.array(column, text),
            "message": pa.array(message, text),
        }
    )
    con.register("incoming_issues", rows)
    try:
        con.execute(
            "INSERT INTO submission_issues SELECT ?, severity, code, line, sheet, cell, "
            "column_name, NULL, message FROM incoming_issues",
            [sid],
        )
    finally:
        con.unregister("incoming_issues")

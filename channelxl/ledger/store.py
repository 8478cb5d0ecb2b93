"""Opening the ledger (with a bounded wait for another process), transactions, program sync."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import duckdb
import pandas as pd

from channelxl.errors import (
    LEDGER_KEPT,
    ChannelxlError,
    LedgerBusy,
    LedgerDamaged,
    LedgerMissing,
    WorkspaceError,
    cannot_write,
)
from channelxl.io.cells import country_codes, currency_codes
from channelxl.io.program_workbook import Program, read_program
from channelxl.ledger.ddl import SCHEMA_VERSION, all_ddl
from channelxl.ledger.faults import checkpoint
from channelxl.schema import PROGRAM_TABLES, SETTINGS_TABLE, Settings, Table, settings_from_text

T = TypeVar("T")
DEFAULT_LOCK_TIMEOUT = 30.0  # seconds a command waits for another process to let go
DUCKDB_MAGIC = b"DUCK"  # bytes 8 to 11 of every DuckDB database file
# DuckDB's words for a file that is not a readable database (matched lower-case)
_DAMAGED = (
    "not a valid duckdb database file",
    "could not read enough bytes",
    "corrupt database file",
    "is a directory",
)


def file_sha256(path: str | os.PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc).lower()
    return "lock" in text and ("conflicting" in text or "could not set" in text)


def _ledger_file_problem(path: Path) -> ChannelxlError | None:
    """Why ``path`` cannot be opened as a ledger without asking DuckDB (which would try to
    load extensions for a file of another kind, an SQLite database for one); None: try it."""
    if not path.exists():
        return LedgerMissing(str(path))
    if path.is_dir():
        return LedgerDamaged(str(path), "it is a folder, not a ledger file")
    try:
        with open(path, "rb") as f:
            head = f.read(16)
    except OSError:
        return None  # unreadable: DuckDB says why, and ledger_problem words it
    if not head:
        return LedgerDamaged(str(path), "the file is empty")
    if head.startswith(b"SQLite format 3"):
        return LedgerDamaged(str(path), "it is an SQLite database, not a channelxl ledger")
    if head[8:12] != DUCKDB_MAGIC:
        return LedgerDamaged(
            str(path), "it is not a DuckDB ledger (another kind of file, or damaged at its start)"
        )
    return None


def ledger_problem(exc: BaseException, path: str | os.PathLike) -> ChannelxlError | None:
    """A DuckDB (or OS) error met using the ledger at ``path``, as a refusal that names its
    cause: a full disk, a file or folder that may not be written, a damaged file, another
    DuckDB version. None when it is none of those (a bug: let it be reported)."""
    problem = cannot_write(exc, path, LEDGER_KEPT)
    if problem is not None:
        return problem
    text = str(exc)
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    lowered = text.lower()
    if any(marker in lowered for marker in _DAMAGED):
        return LedgerDamaged(str(path), f"it is damaged or cut short (DuckDB: {first})")
    if "version number" in lowered or "storage version" in lowered:
        return WorkspaceError(
            f"the ledger {path} was written by another version of DuckDB than this channelxl "
            f"uses (DuckDB: {first}). Use the channelxl that wrote it, or upgrade this one."
        )
    return None


def frame_for_insert(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    """Copy of ``frame`` with decimals as text, so DuckDB casts them exactly (no float)."""
    out = pd.DataFrame(index=frame.index)
    for c in table.columns:
        values = (
            frame[c.field] if c.field in frame else pd.Series([None] * len(frame), dtype=object)
        )
        if c.type == "decimal":
            out[c.field] = pd.Series(
                [None if v is None or v != v else str(v) for v in values],
                dtype=object,
                index=frame.index,
            )
        elif c.type == "idlist":
            out[c.field] = pd.Series(
                [list(v) if v else [] for v in values], dtype=object, index=frame.index
            )
        else:
            out[c.field] = values.astype(object).where(values.notna(), None)
    return out


def insert_sql(target: str, source: str, table: Table, submission_id: int | None = None) -> str:
    """INSERT that casts each column to its declared type (decimals from text, exactly)."""
    names = ", ".join(c.field for c in table.columns)
    casts = ", ".join(f"CAST({c.field} AS {c.duck_type})" for c in table.columns)
    if submission_id is None:
        return f"INSERT INTO {target} ({names}) SELECT {casts} FROM {source}"
    return (
        f"INSERT INTO {target} (submission_id, {names}) SELECT {submission_id}, {casts} "
        f"FROM {source}"
    )


class Ledger:
    """A DuckDB ledger file.

    ``Ledger.open(path)`` waits up to ``lock_timeout`` seconds while another process holds
    the file, then raises :class:`LedgerBusy`. Use as a context manager so the file is
    released promptly.

    Only ``create=True`` (``channelxl init`` and ``demo``) makes a new ledger: a path with no
    file is refused (:class:`LedgerMissing`), so a mistyped ``--ledger`` or a moved file can
    never turn into an empty ledger that reports zeros. A file that is not a readable
    ledger, or that the machine will not let channelxl write, is refused with its cause.
    """

    def __init__(self, path: str | os.PathLike, con: duckdb.DuckDBPyConnection):
        self.path = Path(path)
        self.con = con
        self._program_facts: dict[str, object] = {}
        self.in_transaction = False  # inside transaction() (ledger.reads: what a cursor sees)

    @classmethod
    def open(
        cls,
        path: str | os.PathLike,
        *,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        read_only: bool = False,
        create: bool = False,
    ) -> Ledger:
        path = Path(path)
        if not (create and not path.exists()):
            problem = _ledger_file_problem(path)
            if problem is not None:
                raise problem
        deadline = time.monotonic() + lock_timeout
        delay = 0.05
        while True:
            try:
                con = duckdb.connect(str(path), read_only=read_only)
                break
            except duckdb.Error as exc:
                if not _is_lock_error(exc):
                    problem = ledger_problem(exc, path)
                    if problem is None:
                        raise
                    raise problem from exc
                if time.monotonic() >= deadline:
                    raise LedgerBusy(str(path), lock_timeout, str(exc)) from None
                time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
                delay = min(delay * 2, 1.0)
        # DuckDB's own progress bar would print to the user's terminal (and to logs) in the
        # middle of channelxl's output on any query of over two seconds. Inside a Jupyter
        # kernel DuckDB refuses the setting (it wants ipywidgets for its bar): no bar there
        with suppress(duckdb.Error):
            con.execute("SET enable_progress_bar = false")
        ledger = cls(path, con)
        if not read_only:
            try:
                ledger._ensure_schema()
            except BaseException as exc:
                con.close()
                problem = ledger_problem(exc, path) if isinstance(exc, Exception) else None
                if problem is None:
                    raise
                raise problem from exc
        return ledger

    def close(self) -> None:
        try:
            self.con.close()  # DuckDB may write a checkpoint here: the disk can refuse it
        except duckdb.Error as exc:
            problem = ledger_problem(exc, self.path)
            if problem is None:
                raise
            raise problem from exc

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        if exc_type is None:
            self.close()
            return
        with suppress(ChannelxlError, duckdb.Error):  # the error on its way out is the news
            self.close()

    # ------------------------------------------------------------ schema and transactions
    def _ensure_schema(self) -> None:
        ddl = all_ddl()
        # The DDL's own hash: when the file already has exactly this schema, opening it runs
        # no DDL at all (a command opens the ledger once, but scripts open it often).
        shape = hashlib.sha256("\n".join(ddl).encode()).hexdigest()
        have = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'"
        ).fetchall()[0][0]
        if have and self.meta("schema_sha256") == shape:
            return
        with self.transaction():
            version = self.meta("schema_version") if have else None
            if version is not None and version != str(SCHEMA_VERSION):
                # The program's dimensions are derived from program.xlsx: rebuild them in the
                # new shape and reload the workbook. Received lines are kept as they are.
                for t in PROGRAM_TABLES:
                    self.con.execute(f"DROP TABLE IF EXISTS {t.name}")
                self.con.execute("DELETE FROM meta WHERE key = 'program_sha256'")
            for statement in ddl:
                self.con.execute(statement)
            self.con.execute(
                "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)]
            )
            self.con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_sha256', ?)", [shape])
            for name, codes in (
                ("iso_countries", country_codes()),
                ("iso_currencies", currency_codes()),
            ):
                if not self.con.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0]:
                    self.con.execute(f"INSERT INTO {name} SELECT unnest(?)", [sorted(codes)])

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """All or nothing: on any exception (or a killed process) nothing is kept.

        A commit the machine refuses (a full disk, a folder where DuckDB may not write its
        log) is rolled back and raised as the refusal that names its cause."""
        self.con.execute("BEGIN TRANSACTION")
        self.in_transaction = True
        try:
            try:
                yield self.con
            except BaseException as exc:
                self._rollback()
                problem = ledger_problem(exc, self.path) if isinstance(exc, duckdb.Error) else None
                if problem is None:
                    raise
                raise problem from exc
            checkpoint("before-commit")
            try:
                self.con.execute("COMMIT")
            except duckdb.Error as exc:
                self._rollback()
                problem = ledger_problem(exc, self.path)
                if problem is None:
                    raise
                raise problem from exc
        finally:
            self.in_transaction = False

    def _rollback(self) -> None:
        """Roll back what is open; after a failed write DuckDB may have done so itself, and
        the error that matters is the one being raised, not this one's."""
        with suppress(duckdb.Error):
            self.con.execute("ROLLBACK")

    def meta(self, key: str) -> str | None:
        rows = self.con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchall()
        return rows[0][0] if rows else None

    def next_submission_id(self) -> int:
        return self.con.execute("SELECT nextval('submission_ids')").fetchall()[0][0]

    # ------------------------------------------------------------ program dimensions
    def sync_program(self, path: str | os.PathLike, *, force: bool = False) -> Program | None:
        """Load the program workbook's dimensions when the file changed since the last load.

        Returns the program when it was (re)loaded, None when the ledger already had it.
        Raises ProgramInvalid (nothing changed) when the workbook has errors.
        """
        digest = file_sha256(path)
        if not force and self.meta("program_sha256") == digest:
            return None
        program = read_program(path)
        self.load_program(program, digest, Path(path))
        return program

    def program_fact(self, name: str, compute: Callable[[], T]) -> T:
        """A fact read from the program dimensions (the settings, the distributors' locales,
        the territories), read once while this ledger is open and again once the program
        is loaded (:meth:`load_program`): every received file of a run asks for it, and
        each statement is most of a small file's cost."""
        if name not in self._program_facts:
            self._program_facts[name] = compute()
        return self._program_facts[name]

    def load_program(self, program: Program, digest: str, path: Path) -> None:
        self._program_facts.clear()
        with self.transaction() as con:
            for t in PROGRAM_TABLES:
                con.execute(f"DELETE FROM {t.name}")
                if t is SETTINGS_TABLE:
                    for key, value in program.settings.items():
                        con.execute("INSERT INTO settings VALUES (?, ?)", [key, str(value)])
                    continue
                frame = frame_for_insert(program.tables[t.name], t)
                con.register("incoming", frame)
                con.execute(insert_sql(t.name, "incoming", t))
                con.unregister("incoming")
            sid = self.next_submission_id()
            con.execute(
                "INSERT INTO submissions (submission_id, kind, file_name, file_path, sha256, "
                "size_bytes, received_at, loaded_at, status, lines_read, lines_loaded, "
                "lines_quarantined, warnings) VALUES (?, 'program', ?, ?, ?, ?, ?, ?, "
                "'accepted', 0, 0, 0, ?) ON CONFLICT (sha256) DO NOTHING",
                [
                    sid,
                    path.name,
                    str(path.resolve()),
                    digest,
                    path.stat().st_size,
                    datetime.fromtimestamp(path.stat().st_mtime),
                    datetime.now(),
                    len(program.warnings),
                ],
            )
            con.execute("INSERT OR REPLACE INTO meta VALUES ('program_sha256', ?)", [digest])

    def distributors(self, wanted: list[str] | None = None) -> list[str]:
        """The program's distributor ids, or ``wanted`` after checking each exists."""
        known = [
            d
            for (d,) in self.con.execute(
                "SELECT distributor_id FROM distributors ORDER BY distributor_id"
            ).fetchall()
        ]
        if not wanted:
            return known
        unknown = sorted(set(wanted) - set(known))
        if unknown:
            raise ChannelxlError(f"unknown distributor(s): {', '.join(unknown)}")
        return list(wanted)

    def settings(self) -> Settings:
        """The program's settings, typed; the declared default for any not given."""
        return settings_from_text(
            dict(self.con.execute("SELECT setting, value FROM settings").fetchall())
        )

    def count(self, table: str) -> int:
        return self.con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]

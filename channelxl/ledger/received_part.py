"""One table of a received file on its way into the ledger: the state the load steps share.

``ledger.ingest_file`` makes one :class:`PartLoad` per part of a file (a CSV, a sheet, each
sheet of a returned template); ``load_csv`` / ``load_sheet`` insert its lines,
``line_checks`` validates them and ``supersede`` says what they replace. Each step adds what
it finds to ``issues``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from channelxl.io.recognition import Layout
from channelxl.issues import Issue
from channelxl.ledger.ddl import lines_table
from channelxl.ledger.store import Ledger
from channelxl.schema import Table


@dataclass
class PartLoad:
    ledger: Ledger
    path: Path
    layout: Layout
    sid: int  # the submission this file becomes
    distributor: str | None  # what the file is for (template or command line)
    period: str | None
    today: date  # dates after it are in the future
    locale: str | None = None  # the distributor's, for dates and numbers typed as text
    # where a record is: k (0-based among the rows inserted) -> {"line"} or {"edi"}, for a
    # text file; for a sheet, (its name, the sheet row of each record inserted)
    locate: Callable[[int], dict] | None = None
    sheet_rows: tuple[str, list[int]] | None = None
    normalized: bool = False  # text already in normal form (small CSV files; sheets, ASCII codes)
    first: int | None = None  # the rowid of its first line, when the loader knows it
    issues: list[Issue] = field(default_factory=list)
    # a small part's lines as loaded, in file order (``line_rows``), read once for the checks
    rows: list[dict] | None = None

    @property
    def table(self) -> Table:
        return self.layout.table

    def line_rows(self) -> list[dict]:
        """This part's lines as loaded (``rowid`` and each declared field), in file order:
        read with one statement the first time. For a small part only (``PYTHON_ROWS`` in
        ``line_checks``): the checks then decide over these rows in Python what would
        otherwise take one statement each."""
        if self.rows is None:
            fields = [c.field for c in self.table.columns]
            cursor = self.ledger.con.execute(
                f"SELECT rowid, {', '.join(fields)} FROM {lines_table(self.table)} "
                "WHERE submission_id = ? ORDER BY rowid",
                [self.sid],
            )
            names = ["rowid", *fields]
            self.rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        return self.rows

    def forget_rows(self, rowids: set[int]) -> None:
        """These lines were taken out (quarantined): the rows read no longer hold them."""
        if self.rows is not None:
            self.rows = [r for r in self.rows if r["rowid"] not in rowids]

"""``channelxl export``: ledger data out, for people (xlsx) and other tools (CSV).

One library call, :func:`export_table`: the rows from ``ledger.tables``, written as an
Excel table with the declared headers (``io.table_sheets``) or as a CSV with field names
(``io.csvfile``); text that would run as a formula in a spreadsheet stays text.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from channelxl.core.periods import QuarterLabel
from channelxl.errors import ChannelxlError
from channelxl.io.atomic import not_into_outbox
from channelxl.io.csvfile import write_frame_csv
from channelxl.io.table_sheets import save_atomically, write_table_sheet
from channelxl.ledger.store import Ledger
from channelxl.ledger.tables import months_of, table_frame
from channelxl.schema import ALL_TABLES, Column, Table

EXCEL_MAX_ROWS = 1_048_575  # rows below the header


@dataclass
class ExportRun:
    table: str
    path: Path
    rows: int
    period: str = ""  # what --period meant: "FY2027Q1 = 2026-04 to 2026-06"

    def summary(self) -> str:
        which = f" for {self.period}" if self.period else ""
        return f"{self.rows:,} rows of {self.table}{which} written to {self.path}"


def _period_text(ledger: Ledger, period: str | None) -> str:
    """The months a --period means in the program's calendar, said once in the summary."""
    if not period:
        return ""
    months = months_of(period, ledger.settings().fiscal_year_start_month)
    if len(months) == 1:
        return months[0]
    return f"{QuarterLabel.parse(period)} = {months[0]} to {months[-1]}"


def _declared(table: str, frame: pd.DataFrame) -> Table:
    for t in ALL_TABLES:
        if t.name == table:
            extra = [
                Column(c.replace("_", " ").title(), "text", c)
                for c in frame.columns
                if c not in {x.field for x in t.columns}
            ]
            return Table(t.name, t.title, t.help, tuple(extra) + t.columns)
    return Table(
        table,
        table.replace("_", " ").title(),
        "",
        tuple(Column(c.replace("_", " ").title(), "text", c) for c in frame.columns),
    )


def export_table(
    ledger: Ledger,
    table: str,
    out: str | os.PathLike,
    *,
    period: str | None = None,
    distributor: str | None = None,
    outbox: str | os.PathLike | None = None,
) -> ExportRun:
    """Write ``table`` (filtered by a month or quarter ``period`` and a ``distributor``) to
    ``out`` (.csv or .xlsx). Refused inside ``outbox`` (what is sent to distributors: each
    file there is one distributor's) unless filtered to one ``distributor``."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ChannelxlError(f"{out.name}: write to a .csv or .xlsx file")
    not_into_outbox(out, outbox, 1 if distributor else 0, "under reports/ (or anywhere else)")
    frame = table_frame(ledger, table, period=period, distributor=distributor)
    said = _period_text(ledger, period)
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        return ExportRun(table, write_frame_csv(out, frame), len(frame), said)
    if len(frame) > EXCEL_MAX_ROWS:
        raise ChannelxlError(
            f"{len(frame):,} rows do not fit in one Excel sheet; filter with "
            "--period/--distributor or write .csv"
        )
    declared = _declared(table, frame)
    # Column headers as people read them; field names stay in CSV for other tools.
    frame = frame[[c.field for c in declared.columns if c.field in frame.columns]]
    wb = Workbook()
    wb.remove(wb.active)
    write_table_sheet(wb, declared, frame.to_dict("records"), title=declared.title[:31])
    return ExportRun(table, save_atomically(wb, out), len(frame), said)

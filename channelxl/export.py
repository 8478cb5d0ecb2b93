"""Ledger data out, for people (xlsx) and other tools (CSV)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from channelxl.core.periods import Month, Quarter
from channelxl.errors import ChannelxlError
from channelxl.io.csvfile import write_frame_csv
from channelxl.io.workbook import save_atomically, write_table_sheet
from channelxl.ledger.store import Ledger
from channelxl.schema import (
    ALL_TABLES,
    EXPORT_TABLES,
    PROGRAM_TABLES,
    SETTINGS_TABLE,
    Column,
    Table,
)

EXCEL_MAX_ROWS = 1_048_575  # rows below the header

# What each exportable table filters its period on.
PERIOD_EXPR = {
    "sell_through": "period",
    "inventory": "period",
    "shipments": "strftime(ship_date, '%Y-%m')",
    "certifications": "strftime(completed_on, '%Y-%m')",
    "activities": "strftime(planned_date, '%Y-%m')",
    "fx_rates": "month",
    "submissions": "period",
}
# Every table a person may want out: what was received, its provenance, the master data.
EXPORTABLE = (
    *(t.name for t in EXPORT_TABLES),
    "submissions",
    "submission_issues",
    *(t.name for t in PROGRAM_TABLES if t is not SETTINGS_TABLE),
)


def months_of(period: str) -> list[str]:
    """``2026-10`` -> [2026-10]; ``2026Q3`` -> [2026-07, 2026-08, 2026-09]."""
    try:
        return [str(Month.parse(period))]
    except ValueError:
        pass
    try:
        return [str(m) for m in Quarter.parse(period).months]
    except ValueError:
        raise ChannelxlError(
            f"{period!r} is neither a month (2026-10) nor a quarter (2026Q3)"
        ) from None


def query(
    ledger: Ledger, table: str, *, period: str | None = None, distributor: str | None = None
) -> pd.DataFrame:
    if table not in EXPORTABLE:
        raise ChannelxlError(f"unknown table {table!r}; choose one of: {', '.join(EXPORTABLE)}")
    where, params = [], []
    columns = [r[0] for r in ledger.con.execute(f"DESCRIBE {table}").fetchall()]
    if period:
        if table not in PERIOD_EXPR:
            raise ChannelxlError(f"{table} has no period to filter on; leave out --period")
        where.append(f"{PERIOD_EXPR[table]} IN (SELECT unnest(?))")
        params.append(months_of(period))
    if distributor:
        if "distributor_id" not in columns:
            raise ChannelxlError(
                f"{table} has no distributor to filter on; leave out --distributor"
            )
        where.append("distributor_id = ?")
        params.append(distributor)
    sql = f"SELECT * FROM {table}" + (f" WHERE {' AND '.join(where)}" if where else "")
    order = [
        c
        for c in (
            "distributor_id",
            "period",
            "invoice_date",
            "ship_date",
            "invoice_number",
            "order_number",
            "order_line",
            "sku",
            "submission_id",
        )
        if c in columns
    ]
    if order:
        sql += " ORDER BY " + ", ".join(order)
    # through Arrow so DECIMAL money arrives as exact Decimal, never float
    return ledger.con.sql(sql, params=params).to_arrow_table().to_pandas()


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
) -> tuple[Path, int]:
    """Write ``table`` (filtered) to ``out`` (.csv or .xlsx); return the path and row count."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ChannelxlError(f"{out.name}: write to a .csv or .xlsx file")
    frame = query(ledger, table, period=period, distributor=distributor)
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        return write_frame_csv(out, frame), len(frame)
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
    save_atomically(wb, out)
    return out, len(frame)

"""Ledger data out as a frame: any table or view people may want, filtered by period and
distributor, money as exact Decimal (through Arrow, never float)."""

from __future__ import annotations

import pandas as pd

from channelxl.core.periods import Month, QuarterLabel
from channelxl.errors import ChannelxlError
from channelxl.ledger.store import Ledger
from channelxl.schema import EXPORT_TABLES, PROGRAM_TABLES, SETTINGS_TABLE

# What each exportable table filters its period on.
PERIOD_EXPR = {
    "sell_through": "period",
    "inventory": "period",
    "shipments": "strftime(ship_date, '%Y-%m')",
    "certifications": "strftime(completed_on, '%Y-%m')",
    "activities": "strftime(planned_date, '%Y-%m')",
    "mdf_claims": "strftime(claim_date, '%Y-%m')",
    "fx_rates": "month",
    "submissions": "period",
}
# Every table a person may want out: what was received, its provenance, the master data.
EXPORTABLE = (
    *(t.name for t in EXPORT_TABLES),
    "submissions",
    "submission_issues",
    "submission_holds",
    *(t.name for t in PROGRAM_TABLES if t is not SETTINGS_TABLE),
)


def months_of(period: str, start_month: int = 1) -> list[str]:
    """``2026-10`` -> [2026-10]; ``2026Q3`` -> [2026-07, 2026-08, 2026-09]; a quarter in
    the program's calendar (fiscal year starting in ``start_month``: ``FY2027Q1`` with 4
    -> [2026-04, 2026-05, 2026-06]; ``Quarter.parse``'s rules)."""
    try:
        return [str(Month.parse(period))]
    except ValueError:
        pass
    try:
        label = QuarterLabel.parse(period)
    except ValueError:
        raise ChannelxlError(
            f"--period {period!r} is neither a month (2026-10) nor a quarter "
            "(2026Q3, or FY2027Q1 in a fiscal year)"
        ) from None
    try:
        return [str(m) for m in label.resolve(start_month).months]
    except ValueError as exc:
        raise ChannelxlError(f"--period {period}: {exc}") from None


def table_frame(
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
        params.append(months_of(period, ledger.settings().fiscal_year_start_month))
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

"""The exception workbooks an analyst works from: the reconciliation's and the territory
check's, each a workbook and a CSV of its detail.

The sheets are the tables declared in ``schema.outputs``; the rows come from the frames
of ``ledger.quarter_checks`` (passed in, so nothing here reads the ledger).
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from channelxl.core.periods import Quarter
from channelxl.core.reconcile import FLAGS
from channelxl.core.territory import IN, NOT_APPOINTED, OUT
from channelxl.io.csvfile import write_frame_csv
from channelxl.io.table_sheets import (
    highlight,
    save_atomically,
    write_table_sheet,
    write_text_sheet,
)
from channelxl.schema import Table
from channelxl.schema.outputs import (
    RECONCILE_DETAIL,
    RECONCILE_LINES,
    RECONCILE_LOADING,
    RECONCILE_SUMMARY,
    TERRITORY_CONFLICTS,
    TERRITORY_EXCEPTIONS,
    TERRITORY_FREE_RIDING,
    TERRITORY_SUMMARY,
)


def _table_csv(path: Path, table: Table, rows: list[dict]) -> Path:
    """``rows`` as a CSV with the declared columns' names as headers, in their order."""
    frame = pd.DataFrame(rows, columns=[c.field for c in table.columns])
    return write_frame_csv(path, frame.rename(columns={c.field: c.name for c in table.columns}))


def quarter_lines(quarter: Quarter) -> list[str]:
    """What a workbook says about its quarter: the label, its months and the calendar."""
    first, last = quarter.months[0], quarter.months[2]
    return [
        "# Quarter",
        f"Quarter: {quarter}, {quarter.span} ({first} to {last}).",
        f"Calendar: {quarter.calendar}.",
    ]


def _reasons(status: str) -> str:
    return "; ".join(FLAGS[c] for c in status.split() if c in FLAGS)


def write_reconciliation(
    quarter: Quarter,
    grid: pd.DataFrame,
    lines: pd.DataFrame,
    loading: pd.DataFrame,
    out_dir: str | os.PathLike,
) -> tuple[Path, Path]:
    """reconcile_<quarter>.xlsx (summary, detail, lines, loading, codes) and a CSV of the
    detail, from a reconciled quarter's grid, flagged lines and loading signals."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    flagged = grid[grid["status"] != "OK"].assign(reasons=lambda f: f["status"].map(_reasons))
    summary = []
    signals = loading.set_index("distributor_id") if not loading.empty else None
    for d, g in grid.groupby("distributor_id", sort=True):
        row = {
            "distributor_id": d,
            "rows": len(g),
            "flagged": int((g["status"] != "OK").sum()),
            "variance_units": int(g["variance"].fillna(0).sum()),
        }
        for code in FLAGS:
            row[code.lower()] = int(g["status"].str.contains(rf"\b{code}\b").sum())
        if signals is not None and d in signals.index:
            row["loading"] = signals.loc[d, "verdict"]
            row["loading_signals"] = signals.loc[d, "signals"]
        summary.append(row)
    detail_rows = [
        {
            "distributor_id": r.distributor_id,
            "sku": r.sku,
            "month": r.month,
            "opening": r.opening,
            "sell_in": r.sell_in,
            "returns": r.returns,
            "sell_through": r.sell_through,
            "expected_closing": r.expected_closing,
            "reported_closing": None if pd.isna(r.reported_closing) else r.reported_closing,
            "variance": None if pd.isna(r.variance) else r.variance,
            "variance_percent": None if pd.isna(r.variance_pct) else r.variance_pct,
            "status": r.status,
            "reasons": r.reasons,
        }
        for r in flagged.itertuples(index=False)
    ]
    wb = Workbook()
    wb.remove(wb.active)
    write_table_sheet(wb, RECONCILE_SUMMARY, summary, validation=False)
    n = write_table_sheet(wb, RECONCILE_DETAIL, detail_rows, validation=False)
    highlight(wb[RECONCILE_DETAIL.title], RECONCILE_DETAIL, "Status", n, "OK")
    line_rows = [
        {
            "flag": r.flag,
            "reason": r.reason,
            "distributor_id": r.distributor_id,
            "month": r.month,
            "invoice_date": r.invoice_date,
            "invoice_number": r.invoice_number,
            "reseller_id": r.reseller_id,
            "sku": r.sku,
            "quantity": r.quantity,
            "unit_price": r.unit_price,
            "currency": r.currency,
        }
        for r in lines.itertuples(index=False)
    ]
    write_table_sheet(wb, RECONCILE_LINES, line_rows, validation=False)
    write_table_sheet(
        wb,
        RECONCILE_LOADING,
        loading.to_dict("records") if not loading.empty else [],
        validation=False,
    )
    highlight(wb[RECONCILE_LOADING.title], RECONCILE_LOADING, "Verdict", len(loading), "ok")
    write_text_sheet(
        wb,
        "Codes",
        [
            *quarter_lines(quarter),
            "# Flag codes",
            *(f"{code} - {text}" for code, text in FLAGS.items()),
            "# Opening balances",
            "A month opens at the previous month's reported closing. The first month opens at the "
            "inventory reported for the month before it (else 0, flagged NOOPEN). After a month "
            "with no report (MISSING) the next opens at that month's expected closing.",
        ],
    )
    xlsx = save_atomically(wb, out_dir / f"reconcile_{quarter}.xlsx")
    csv_path = _table_csv(out_dir / f"reconcile_{quarter}.csv", RECONCILE_DETAIL, detail_rows)
    return xlsx, csv_path


def write_territory(
    quarter: Quarter,
    lines: pd.DataFrame,
    conflicts: pd.DataFrame,
    free_riders: pd.DataFrame,
    out_dir: str | os.PathLike,
) -> tuple[Path, Path]:
    """territory_<quarter>.xlsx (summary, exceptions, conflicts, free-riding) and a CSV of
    the lines out of territory, from a quarter's lines with their status."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = []
    for d, g in lines.groupby("distributor_id", sort=True):
        counts = g["status"].value_counts()
        out = int(counts.get(OUT, 0) + counts.get(NOT_APPOINTED, 0))
        summary.append(
            {
                "distributor_id": d,
                "lines": len(g),
                "in_territory": int(counts.get(IN, 0)),
                "out_of_territory": int(counts.get(OUT, 0)),
                "not_appointed": int(counts.get(NOT_APPOINTED, 0)),
                "out_share": out / len(g) if len(g) else 0,
            }
        )
    exceptions = lines[lines["status"] != IN].to_dict("records")
    riders = (
        free_riders.assign(
            distributors=free_riders["distributors"].map(lambda x: ", ".join(x))
        ).to_dict("records")
        if not free_riders.empty
        else []
    )
    wb = Workbook()
    wb.remove(wb.active)
    write_table_sheet(wb, TERRITORY_SUMMARY, summary, validation=False)
    n = write_table_sheet(wb, TERRITORY_EXCEPTIONS, exceptions, validation=False)
    highlight(wb[TERRITORY_EXCEPTIONS.title], TERRITORY_EXCEPTIONS, "Status", n, IN)
    write_table_sheet(wb, TERRITORY_CONFLICTS, conflicts.to_dict("records"), validation=False)
    write_table_sheet(wb, TERRITORY_FREE_RIDING, riders, validation=False)
    write_text_sheet(wb, "About", quarter_lines(quarter))
    xlsx = save_atomically(wb, out_dir / f"territory_{quarter}.xlsx")
    csv_path = _table_csv(out_dir / f"territory_{quarter}.csv", TERRITORY_EXCEPTIONS, exceptions)
    return xlsx, csv_path

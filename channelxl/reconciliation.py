"""Reconciling a quarter from the ledger, and the exception workbook an analyst works from."""

from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pandas as pd

from channelxl.core.inventory import loading_signals
from channelxl.core.periods import Quarter
from channelxl.core.reconcile import FLAGS, Tolerance, line_flags, reconcile
from channelxl.facts import RATES_SQL, rates_params
from channelxl.io.csvfile import write_frame_csv
from channelxl.ledger.store import Ledger
from channelxl.schema import Column, Table

C = Column


@dataclass
class ReconcileRun:
    quarter: str
    grid: pd.DataFrame
    lines: pd.DataFrame  # flagged sell-through lines (one row per line and flag)
    loading: pd.DataFrame  # per distributor
    xlsx: Path | None = None
    csv: Path | None = None

    @property
    def flagged(self) -> pd.DataFrame:
        return self.grid[self.grid["status"] != "OK"]


def _frame(ledger: Ledger, sql: str, params: list) -> pd.DataFrame:
    # through Arrow: DECIMAL arrives as exact Decimal; text as plain objects (fast to iterate)
    frame = ledger.con.sql(sql, params=params).to_arrow_table().to_pandas()
    for c in frame.columns:
        if pd.api.types.is_string_dtype(frame[c]):
            frame[c] = frame[c].astype(object)
    return frame


def reconcile_quarter(
    ledger: Ledger, quarter: str, *, distributors: list[str] | None = None
) -> ReconcileRun:
    """Reconcile every distributor x SKU x month of ``quarter`` and flag its lines."""
    q = Quarter.parse(quarter)
    months = [str(m) for m in q.months]
    before = str(q.months[0] + -1)
    settings = ledger.settings()
    wanted = ledger.distributors(distributors)
    currency = settings.get("reporting_currency", "EUR")
    ships = _frame(
        ledger,
        "SELECT distributor_id, sku, strftime(ship_date, '%Y-%m') AS month, "
        "sum(quantity) FILTER (WHERE type = 'shipment') AS quantity, "
        "sum(quantity) FILTER (WHERE type = 'return') AS returns FROM shipments "
        "WHERE ship_date BETWEEN ? AND ? AND distributor_id IN (SELECT unnest(?)) GROUP BY ALL",
        [q.first_day, q.last_day, wanted],
    ).fillna({"quantity": 0, "returns": 0})
    st = _frame(
        ledger,
        "SELECT distributor_id, sku, period AS month, sum(quantity) AS quantity FROM sell_through "
        "WHERE period IN (SELECT unnest(?)) AND distributor_id IN (SELECT unnest(?)) GROUP BY ALL",
        [months, wanted],
    )
    inv = _frame(
        ledger,
        "SELECT distributor_id, sku, period AS month, on_hand + coalesce(in_transit, 0) AS on_hand "
        "FROM inventory WHERE period IN (SELECT unnest(?)) AND distributor_id IN (SELECT unnest(?))",
        [[before, *months], wanted],
    )
    lines = _frame(
        ledger,
        f"""
        SELECT s.distributor_id, s.invoice_number, s.invoice_date, s.reseller_id, s.sku,
               s.quantity, s.unit_price, s.currency, s.period AS month,
               CAST(s.unit_price * r.rate AS DECIMAL(18, 4)) AS price_reporting
        FROM sell_through s LEFT JOIN {RATES_SQL} r
            ON r.currency = s.currency AND r.month = s.period
        WHERE s.period IN (SELECT unnest(?)) AND s.distributor_id IN (SELECT unnest(?))
        ORDER BY s.distributor_id, s.period, s.invoice_date, s.invoice_number
        """,
        [*rates_params(currency, months), months, wanted],
    )
    products = _frame(ledger, "SELECT sku, floor_price FROM products", [])
    resellers = _frame(ledger, "SELECT reseller_id, authorized_distributors FROM resellers", [])
    first = _frame(
        ledger,
        "SELECT distributor_id, sku, min(strftime(ship_date, '%Y-%m')) AS first_month FROM shipments "
        "WHERE type = 'shipment' GROUP BY ALL",
        [],
    )
    resellers["authorized_distributors"] = resellers["authorized_distributors"].map(
        lambda v: tuple(v) if v is not None else ()
    )
    flags = line_flags(
        lines,
        products=products,
        resellers=resellers,
        shipped_first=first,
        unit_price_in_reporting=lines["price_reporting"],
    )
    tolerance = Tolerance(
        float(settings.get("tolerance_units", 0)), float(settings.get("tolerance_percent", 0))
    )
    grid = reconcile(
        ships[["distributor_id", "sku", "month", "quantity"]],
        st,
        inv,
        returns=ships[["distributor_id", "sku", "month", "returns"]].rename(
            columns={"returns": "quantity"}
        ),
        tolerance=tolerance,
        months=months,
        line_flags=flags,
    )
    loading = _loading(ledger, q, wanted, settings)
    return ReconcileRun(str(q), grid, flags, loading)


def _loading(ledger: Ledger, q: Quarter, wanted: list[str], settings: dict) -> pd.DataFrame:
    months = [str(m) for m in q.months]
    prev = q + -1
    prev_months = [str(m) for m in prev.months]
    con = ledger.con
    sell_in = {
        (d, m): int(n)
        for d, m, n in con.execute(
            "SELECT distributor_id, strftime(ship_date, '%Y-%m'), "
            "sum(CASE WHEN type = 'return' THEN -quantity ELSE quantity END) FROM shipments "
            "WHERE ship_date BETWEEN ? AND ? GROUP BY ALL",
            [q.first_day, q.last_day],
        ).fetchall()
    }
    st = {
        (d, m): int(n)
        for d, m, n in con.execute(
            "SELECT distributor_id, period, sum(quantity) FROM sell_through "
            "WHERE period IN (SELECT unnest(?)) GROUP BY ALL",
            [months + prev_months],
        ).fetchall()
    }
    closing = {
        (d, m): int(n)
        for d, m, n in con.execute(
            "SELECT distributor_id, period, sum(on_hand + coalesce(in_transit, 0)) FROM inventory "
            "WHERE period IN (?, ?) GROUP BY ALL",
            [months[-1], prev_months[-1]],
        ).fetchall()
    }
    rows = []
    for d in wanted:
        s = loading_signals(
            sell_in=tuple(sell_in.get((d, m), 0) for m in months),
            sell_through=tuple(st.get((d, m), 0) for m in months),
            closing=closing.get((d, months[-1])),
            closing_before=closing.get((d, prev_months[-1])),
            sell_through_before=sum(st.get((d, m), 0) for m in prev_months) or None,
            max_weeks=Decimal(settings.get("loading_max_weeks_of_supply", "26")),
            min_ratio=Decimal(settings.get("loading_min_sell_through_ratio", "0.8")),
            spike_ratio=Decimal(settings.get("quarter_end_spike_ratio", "2")),
        )
        rows.append({"distributor_id": d, "quarter": str(q), **s})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- the exception workbook
SUMMARY = Table(
    "reconcile_summary",
    "Summary",
    "One row per distributor.",
    (
        C("Distributor ID", "id", "Distributor."),
        C("Rows", "int", "Distributor x SKU x month rows reconciled."),
        C("Flagged", "int", "Rows with any flag."),
        C("Variance Units", "int", "Sum of variances (reported - expected), units."),
        *(C(code, "int", f"Rows flagged {code}: {text}.") for code, text in FLAGS.items()),
        C("Loading", "text", "Inventory-loading verdict: ok, watch or loading."),
        C("Loading Signals", "text", "The numbers behind the verdict.", width=60),
    ),
)
DETAIL = Table(
    "reconcile_detail",
    "Detail",
    "Flagged distributor x SKU x month rows.",
    (
        C("Distributor ID", "id", "Distributor."),
        C("SKU", "id", "Product."),
        C("Month", "month", "YYYY-MM."),
        C("Opening", "int", "Previous month's reported closing (see docs)."),
        C("Sell-In", "int", "Shipped by the vendor."),
        C("Returns", "int", "Returned to the vendor."),
        C("Sell-Through", "int", "Sold to resellers."),
        C("Expected Closing", "int", "Opening + sell-in - returns - sell-through."),
        C("Reported Closing", "int", "On hand + in transit in the inventory report."),
        C("Variance", "int", "Reported - expected."),
        C("Variance Percent", "decimal", "Variance / expected closing.", format="0.0%"),
        C("Status", "text", "OK or the flag codes."),
        C("Reasons", "text", "The flags in words.", width=70),
    ),
)
LINES = Table(
    "reconcile_lines",
    "Lines",
    "Flagged sell-through lines.",
    (
        C("Flag", "text", "Flag code."),
        C("Reason", "text", "Why.", width=50),
        C("Distributor ID", "id", "Distributor."),
        C("Month", "month", "Reported month."),
        C("Invoice Date", "date", "Invoice date."),
        C("Invoice Number", "id", "Invoice."),
        C("Reseller ID", "id", "Reseller."),
        C("SKU", "id", "Product."),
        C("Quantity", "int", "Units."),
        C("Unit Price", "decimal", "Price in the line's currency.", format="#,##0.00"),
        C("Currency", "currency", "Currency."),
    ),
)
LOADING = Table(
    "reconcile_loading",
    "Loading",
    "Inventory-loading signals per distributor.",
    (
        C("Distributor ID", "id", "Distributor."),
        C("Quarter", "quarter", "Quarter."),
        C("Sell-In", "int", "Units bought in the quarter (net of returns)."),
        C("Sell-Through", "int", "Units sold to resellers."),
        C("Closing", "int", "Units at quarter end."),
        C("Weeks Of Supply", "decimal", "Closing / (sell-through / 13).", format="0.0"),
        C("Sell-Through Ratio", "decimal", "Sell-through / sell-in.", format="0%"),
        C("Spike", "decimal", "Last month's sell-in / the other months' average.", format="0.00"),
        C("Stock Growth", "decimal", "Closing vs last quarter's closing.", format="0%"),
        C("Sell-Through Growth", "decimal", "Sell-through vs last quarter.", format="0%"),
        C("Verdict", "text", "ok, watch (one signal) or loading (two or more)."),
        C("Signals", "text", "The signals with their numbers and limits.", width=70),
    ),
)


def _reasons(status: str) -> str:
    return "; ".join(FLAGS[c] for c in status.split() if c in FLAGS)


def write_reconciliation(run: ReconcileRun, out_dir: str | os.PathLike) -> ReconcileRun:
    """reconcile_<quarter>.xlsx (summary, detail, lines, loading, codes) and a CSV of the detail."""
    from openpyxl import Workbook

    from channelxl.io.workbook import (
        highlight,
        save_atomically,
        write_table_sheet,
        write_text_sheet,
    )

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    grid = run.grid
    flagged = run.flagged.assign(reasons=lambda f: f["status"].map(_reasons))
    summary = []
    loading = run.loading.set_index("distributor_id") if not run.loading.empty else None
    for d, g in grid.groupby("distributor_id", sort=True):
        row = {
            "distributor_id": d,
            "rows": len(g),
            "flagged": int((g["status"] != "OK").sum()),
            "variance_units": int(g["variance"].fillna(0).sum()),
        }
        for code in FLAGS:
            row[code.lower()] = int(g["status"].str.contains(rf"\b{code}\b").sum())
        if loading is not None and d in loading.index:
            row["loading"] = loading.loc[d, "verdict"]
            row["loading_signals"] = loading.loc[d, "signals"]
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
    write_table_sheet(wb, SUMMARY, summary, validation=False)
    n = write_table_sheet(wb, DETAIL, detail_rows, validation=False)
    highlight(wb["Detail"], DETAIL, "Status", n, "OK")
    lines = [
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
        for r in run.lines.itertuples(index=False)
    ]
    write_table_sheet(wb, LINES, lines, validation=False)
    write_table_sheet(
        wb,
        LOADING,
        run.loading.to_dict("records") if not run.loading.empty else [],
        validation=False,
    )
    highlight(wb["Loading"], LOADING, "Verdict", len(run.loading), "ok")
    write_text_sheet(
        wb,
        "Codes",
        [
            "# Flag codes",
            *(f"{code} - {text}" for code, text in FLAGS.items()),
            "# Opening balances",
            "A month opens at the previous month's reported closing. The first month opens at the "
            "inventory reported for the month before it (else 0, flagged NOOPEN). After a month "
            "with no report (MISSING) the next opens at that month's expected closing.",
        ],
    )
    xlsx = save_atomically(wb, out_dir / f"reconcile_{run.quarter}.xlsx")
    csv_path = out_dir / f"reconcile_{run.quarter}.csv"
    frame = pd.DataFrame(detail_rows, columns=[c.field for c in DETAIL.columns])
    write_frame_csv(csv_path, frame.rename(columns={c.field: c.name for c in DETAIL.columns}))
    run.xlsx, run.csv = xlsx, csv_path
    return run

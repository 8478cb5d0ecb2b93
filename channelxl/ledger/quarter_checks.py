"""A quarter's checks from the ledger: the reconciliation and the territory check.

Each reads what it needs in SQL (exact DECIMAL through Arrow, the shared views of
``ledger.ddl``) and hands plain frames to the pure engines (``core.reconcile``,
``core.inventory``, ``core.territory``). Nothing here writes a file: the commands
``reconcile`` and ``territory`` write the exception workbooks (``io.exception_workbooks``),
and the quarterly reviews summarise the same results.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from channelxl.core.inventory import loading_signals
from channelxl.core.periods import Quarter
from channelxl.core.reconcile import Tolerance, line_flags, reconcile
from channelxl.core.territory import IN, exclusive_conflicts, free_riding
from channelxl.ledger.figures import RATES_SQL, check_calendar, rates_params
from channelxl.ledger.store import Ledger
from channelxl.ledger.territory_lines import territory_lines
from channelxl.schema import Settings


@dataclass
class Reconciliation:
    """A quarter reconciled: the grid, the flagged lines and the loading signals."""

    quarter: str
    grid: pd.DataFrame  # distributor x SKU x month (core.reconcile.GRID_COLUMNS)
    lines: pd.DataFrame  # flagged sell-through lines (one row per line and flag)
    loading: pd.DataFrame  # inventory-loading signals, one row per distributor

    @property
    def flagged(self) -> pd.DataFrame:
        return self.grid[self.grid["status"] != "OK"]

    @property
    def loaders(self) -> list[str]:
        """Distributors whose verdict is ``loading``."""
        if self.loading.empty:
            return []
        return self.loading[self.loading["verdict"] == "loading"]["distributor_id"].tolist()


@dataclass
class TerritoryCheck:
    """A quarter's sell-through lines against the territories."""

    quarter: str
    lines: pd.DataFrame  # every sell-through line of the quarter with its status
    conflicts: pd.DataFrame
    free_riders: pd.DataFrame

    @property
    def exceptions(self) -> pd.DataFrame:
        return self.lines[self.lines["status"] != IN]


def _frame(ledger: Ledger, sql: str, params: list) -> pd.DataFrame:
    # through Arrow: DECIMAL arrives as exact Decimal; text as plain objects (fast to iterate)
    frame = ledger.con.sql(sql, params=params).to_arrow_table().to_pandas()
    for c in frame.columns:
        if pd.api.types.is_string_dtype(frame[c]):
            frame[c] = frame[c].astype(object)
    return frame


def reconcile_quarter(
    ledger: Ledger, quarter: Quarter, *, distributors: list[str] | None = None
) -> Reconciliation:
    """Reconcile every distributor x SKU x month of ``quarter`` and flag its lines."""
    q = quarter
    months = [str(m) for m in q.months]
    before = str(q.months[0] + -1)
    settings = ledger.settings()
    check_calendar([q], settings.fiscal_year_start_month)
    wanted = ledger.distributors(distributors)
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
        "SELECT distributor_id, sku, period AS month, units AS on_hand FROM closing_stock "
        "WHERE period IN (SELECT unnest(?)) AND distributor_id IN (SELECT unnest(?))",
        [[before, *months], wanted],
    )
    lines = _frame(
        ledger,
        f"""
        SELECT s.distributor_id, s.invoice_number, s.invoice_date, s.reseller_id, s.sku,
               s.quantity, s.unit_price, s.currency, s.period AS month,
               -- widened first: DECIMAL(18, 4) x DECIMAL(18, 8) overflows above 10**6
               CAST(CAST(s.unit_price AS DECIMAL(38, 4)) * r.rate AS DECIMAL(38, 4))
                   AS price_reporting
        FROM sell_through s LEFT JOIN {RATES_SQL} r
            ON r.currency = s.currency AND r.month = s.period
        WHERE s.period IN (SELECT unnest(?)) AND s.distributor_id IN (SELECT unnest(?))
        ORDER BY s.distributor_id, s.period, s.invoice_date, s.invoice_number
        """,
        [*rates_params(settings.reporting_currency, months), months, wanted],
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
    tolerance = Tolerance(float(settings.tolerance_units), float(settings.tolerance_percent))
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
    return Reconciliation(str(q), grid, flags, loading)


def _loading(ledger: Ledger, q: Quarter, wanted: list[str], settings: Settings) -> pd.DataFrame:
    months = [str(m) for m in q.months]
    prev_months = [str(m) for m in (q + -1).months]
    con = ledger.con
    sell_in = {
        (d, m): int(n)
        for d, m, n in con.execute(
            "SELECT distributor_id, month, sum(units) FROM sell_in "
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
            "SELECT distributor_id, period, sum(units) FROM closing_stock "
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
            max_weeks=settings.loading_max_weeks_of_supply,
            min_ratio=settings.loading_min_sell_through_ratio,
            spike_ratio=settings.quarter_end_spike_ratio,
        )
        rows.append({"distributor_id": d, "quarter": str(q), **s})
    return pd.DataFrame(rows)


def territory_quarter(
    ledger: Ledger, quarter: Quarter, *, distributors: list[str] | None = None
) -> TerritoryCheck:
    """Every sell-through line of ``quarter`` in, out of or without a territory; exclusive
    conflicts; free-riding resellers."""
    q = quarter
    check_calendar([q], ledger.settings().fiscal_year_start_month)
    months = [str(m) for m in q.months]
    wanted = ledger.distributors(distributors)
    lines = territory_lines(ledger, months, wanted)  # each with its status, decided in SQL
    territories = (
        ledger.con.sql(
            "SELECT distributor_id, country, segment, exclusive, valid_from, valid_to FROM territories"
        )
        .to_arrow_table()
        .to_pandas()
    )
    riders = free_riding(lines.assign(quarter=str(q)).dropna(subset=["family"]))
    # a conflict belongs to the quarter only when the two rows' overlap reaches into it,
    # and to the distributors asked for only when one of them is a party to it
    conflicts = exclusive_conflicts(territories, within=(q.first_day, q.last_day))
    mine = conflicts["distributor_a"].isin(wanted) | conflicts["distributor_b"].isin(wanted)
    return TerritoryCheck(str(q), lines, conflicts[mine].reset_index(drop=True), riders)

"""A quarter's checks from the ledger: the reconciliation and the territory check.

Each reads what it needs in SQL (exact DECIMAL through Arrow, the shared views of
``ledger.ddl``) and hands plain frames to the pure engines (``core.reconcile``,
``core.inventory``, ``core.territory``). Nothing here writes a file: the commands
``reconcile`` and ``territory`` write the exception workbooks (``io.exception_workbooks``),
and the quarterly reviews summarise the same results.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pandas as pd

from channelxl.core.inventory import loading_signals
from channelxl.core.periods import Quarter
from channelxl.core.reconcile import LINE_FLAG_ORDER, Tolerance, line_flags, reconcile
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


# Sell-through lines per batch of distributors: the reconciliation reads, flags and grids
# one batch at a time, so its working memory is bounded by the batch (about 4 KB a line of
# the quarter while it is worked on: ~400 MB), not by the channel; only the finished grid
# (~100 bytes a row) and the flagged lines are kept.
BATCH_LINES = 100_000


def reconcile_quarter(
    ledger: Ledger,
    quarter: Quarter,
    *,
    distributors: list[str] | None = None,
    batch_lines: int = BATCH_LINES,
) -> Reconciliation:
    """Reconcile every distributor x SKU x month of ``quarter`` and flag its lines.

    The distributors are reconciled in batches of about ``batch_lines`` of the quarter's
    sell-through lines (:func:`reconcile_batches`); every row of the grid and every flag
    belongs to one distributor, so the batches joined are the whole quarter's result, in
    the same order."""
    q = quarter
    settings = ledger.settings()
    check_calendar([q], settings.fiscal_year_start_month)
    wanted = ledger.distributors(distributors)
    grids, flags = [], []
    for grid, lines in reconcile_batches(ledger, q, wanted, batch_lines=batch_lines):
        grids.append(grid)
        flags.append(lines)
    grid = _joined(grids)
    lines = _joined(flags)
    if len(flags) > 1 and not lines.empty:
        # one batch lists its flags kind by kind (core.reconcile.LINE_FLAG_ORDER), each in
        # line order: put the kinds of all batches back together, lines still in order
        rank = lines["flag"].map({f: i for i, f in enumerate(LINE_FLAG_ORDER)})
        lines = lines.iloc[rank.argsort(kind="stable")].reset_index(drop=True)
    return Reconciliation(str(q), grid, lines, quarter_loading(ledger, q, wanted, settings))


def _joined(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The frames one under the other; the empty ones left out (they carry no dtypes)."""
    full = [f for f in frames if not f.empty]
    if len(full) == 1:
        return full[0]
    return pd.concat(full, ignore_index=True) if full else frames[0]


def distributor_batches(
    ledger: Ledger, quarter: Quarter, wanted: list[str], batch_lines: int
) -> list[list[str]]:
    """``wanted`` in id order, cut into runs of about ``batch_lines`` of ``quarter``'s
    sell-through lines each (a distributor counts its lines + 1, so one without lines still
    weighs; one larger than a batch is a batch of its own). Always at least one batch."""
    months = [str(m) for m in quarter.months]
    counts = dict(
        ledger.con.execute(
            "SELECT distributor_id, count(*) FROM sell_through "
            "WHERE period IN (SELECT unnest(?)) GROUP BY ALL",
            [months],
        ).fetchall()
    )
    batches: list[list[str]] = [[]]
    size = 0
    for d in sorted(wanted):
        n = counts.get(d, 0) + 1
        if batches[-1] and size + n > batch_lines:
            batches.append([])
            size = 0
        batches[-1].append(d)
        size += n
    return batches


def reconcile_batches(
    ledger: Ledger, quarter: Quarter, wanted: list[str], *, batch_lines: int = BATCH_LINES
) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    """(grid, flagged lines) of each batch of ``wanted`` (:func:`distributor_batches`), in
    distributor order; the loading signals are :func:`quarter_loading`'s."""
    q = quarter
    months = [str(m) for m in q.months]
    settings = ledger.settings()
    tolerance = Tolerance(float(settings.tolerance_units), float(settings.tolerance_percent))
    products = _frame(ledger, "SELECT sku, floor_price FROM products", [])
    resellers = _frame(ledger, "SELECT reseller_id, authorized_distributors FROM resellers", [])
    resellers["authorized_distributors"] = resellers["authorized_distributors"].map(
        lambda v: tuple(v) if v is not None else ()
    )
    for batch in distributor_batches(ledger, q, wanted, batch_lines):
        yield _reconcile_batch(ledger, q, months, batch, settings, tolerance, products, resellers)


def _reconcile_batch(
    ledger: Ledger,
    q: Quarter,
    months: list[str],
    wanted: list[str],
    settings: Settings,
    tolerance: Tolerance,
    products: pd.DataFrame,
    resellers: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The grid and the flagged lines of the distributors in ``wanted``."""
    before = str(q.months[0] + -1)
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
    # the first month each SKU was shipped to each distributor: the batch's distributors only
    first = _frame(
        ledger,
        "SELECT distributor_id, sku, min(strftime(ship_date, '%Y-%m')) AS first_month FROM shipments "
        "WHERE type = 'shipment' AND distributor_id IN (SELECT unnest(?)) GROUP BY ALL",
        [wanted],
    )
    flags = line_flags(
        lines,
        products=products,
        resellers=resellers,
        shipped_first=first,
        unit_price_in_reporting=lines["price_reporting"],
    )
    del first
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
    return grid, flags


def quarter_loading(
    ledger: Ledger, q: Quarter, wanted: list[str], settings: Settings
) -> pd.DataFrame:
    """The inventory-loading signals of ``wanted`` for ``q``, one row per distributor."""
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

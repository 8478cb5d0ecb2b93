"""Reconciliation, inventory and territory functions for Excel: thin adapters to core."""

from __future__ import annotations

import contextlib
from datetime import datetime

import numpy as np
import pandas as pd

from channelxl.core.inventory import sell_through_ratio, weeks_of_supply
from channelxl.core.periods import Month
from channelxl.core.reconcile import Tolerance, reconcile
from channelxl.core.territory import exclusive_conflicts, statuses
from channelxl.excel.convert import (
    ExcelError,
    column,
    drop_blank_tail,
    grid,
    has_header,
    is_blank,
    named_columns,
    number,
    out,
    text,
    to_date,
)
from channelxl.excel.registry import Arg, excel_function

GROUP_RECONCILE = "Reconciliation and inventory"
GROUP_TERRITORY = "Territory"


def _month(value: object, what: str) -> str:
    """A month from a date (datetime or serial) or YYYY-MM text."""
    if isinstance(value, str) and value.strip()[:10].count("-") != 2:
        try:
            return str(Month.parse(value))
        except ValueError:
            raise ExcelError(f"{what} is not a month ({value!r}); use a date or YYYY-MM") from None
    return str(Month.of(to_date(value, what)))


def _rows(value: object, what: str) -> tuple[list[str], list[list]]:
    rows = drop_blank_tail(grid(value))
    if not rows or not has_header(rows):
        raise ExcelError(f"{what} needs a header row")
    return [text(v) for v in rows[0]], rows[1:]


def _records(value: object, what: str, wanted: dict, optional: dict) -> tuple[list[dict], bool]:
    """Rows of a named-column table as dicts; returns (records, had the optional columns)."""
    header, rows = _rows(value, what)
    pos = named_columns(header, wanted, what)
    extra = {}
    for key, names in optional.items():
        with contextlib.suppress(ExcelError):
            extra.update(named_columns(header, {key: names}, what))
    pos.update(extra)
    records = []
    for i, row in enumerate(rows, start=2):
        if all(is_blank(v) for v in row):
            continue
        records.append({key: (row[j] if j < len(row) else None, i) for key, j in pos.items()})
    return records, bool(extra)


_MONTH = ("Month", "Period", "Date")
_SKU = ("SKU", "Product")
_QTY = ("Quantity", "Qty", "Units")
_DIST = ("Distributor", "Distributor ID")


def _movement(value: object, what: str, amount: tuple[str, ...], field: str):
    recs, has_d = _records(
        value, what, {"month": _MONTH, "sku": _SKU, "amount": amount}, {"distributor": _DIST}
    )
    rows = []
    for r in recs:
        (m, i), (s, _), (q, _) = r["month"], r["sku"], r["amount"]
        rows.append(
            {
                "distributor_id": text(r["distributor"][0]) if has_d else "",
                "sku": text(s),
                "month": _month(m, f"{what} Month in row {i}"),
                field: float(number(q, f"{what} {amount[0]} in row {i}")),
            }
        )
    frame = pd.DataFrame(rows, columns=["distributor_id", "sku", "month", field])
    return frame, has_d


def _tolerance(value: object) -> Tolerance:
    if value in (None, "", 0):
        return Tolerance()
    if isinstance(value, str) and value.strip().endswith("%"):
        return Tolerance(pct=float(number(value, "tolerance")))
    return Tolerance(units=float(number(value, "tolerance")))


CONFLICTS_HEADER = [
    "Distributor A",
    "Distributor B",
    "Country",
    "Segment A",
    "Segment B",
    "Overlap From",
    "Overlap To",
]
RECONCILE_HEADER = [
    "SKU",
    "Month",
    "Opening",
    "Sell-In",
    "Sell-Through",
    "Expected Closing",
    "Reported Closing",
    "Variance",
    "Status",
]


@excel_function(
    summary="Reconcile sell-in, sell-through and inventory per SKU and month: opening, "
    "expected and reported closing, variance and status (OK or flags).",
    args=(
        Arg(
            "sell_in",
            "a table with a header: Month (a date or YYYY-MM), SKU, Quantity[, Distributor]",
            "Shipments to the distributor",
            range=True,
        ),
        Arg(
            "sell_through",
            "a table with a header: Month, SKU, Quantity[, Distributor]",
            "Sales to resellers",
            range=True,
        ),
        Arg(
            "inventory",
            "a table with a header: Month, SKU, On Hand[, Distributor]; a row for "
            "the month before the first gives the opening",
            "Month-end stock",
            range=True,
        ),
        Arg(
            "tolerance",
            'units (e.g. 2) or a share of expected closing as text ("2%"); default 0',
            "Variance allowed",
            optional=True,
        ),
    ),
    returns="a table with a header row: [Distributor,] SKU, Month, Opening, Sell-In, "
    "Sell-Through, Expected Closing, Reported Closing, Variance, Status",
    example="=CHX_RECONCILE(A1:C3, E1:G3, I1:K3)",
    example_args=(
        [["Month", "SKU", "Quantity"], ["2026-01", "A-1", 10.0], ["2026-02", "A-1", 5.0]],
        [["Month", "SKU", "Quantity"], ["2026-01", "A-1", 4.0], ["2026-02", "A-1", 8.0]],
        [
            ["Month", "SKU", "On Hand"],
            ["2025-12", "A-1", 3.0],
            ["2026-01", "A-1", 9.0],
            ["2026-02", "A-1", 5.0],
        ],
    ),
    example_result=[
        RECONCILE_HEADER,
        ["A-1", "2026-01", 3.0, 10.0, 4.0, 9.0, 9.0, 0.0, "OK"],
        ["A-1", "2026-02", 9.0, 5.0, 8.0, 6.0, 5.0, -1.0, "VAR"],
    ],
    group=GROUP_RECONCILE,
)
def chx_reconcile(sell_in, sell_through, inventory, tolerance=None):
    """expected closing = opening + sell-in - sell-through; variance = reported - expected."""
    si, d1 = _movement(sell_in, "sell_in", _QTY, "quantity")
    st, d2 = _movement(sell_through, "sell_through", _QTY, "quantity")
    inv, d3 = _movement(inventory, "inventory", ("On Hand", "Closing", "Stock"), "on_hand")
    if len({d1, d2, d3}) > 1:
        raise ExcelError("give a Distributor column in every table or in none")
    grid_ = reconcile(si, st, inv, tolerance=_tolerance(tolerance))
    header = (["Distributor"] if d1 else []) + RECONCILE_HEADER
    rows = [header]
    for r in grid_.itertuples(index=False):
        values = [
            r.sku,
            r.month,
            r.opening,
            r.sell_in - r.returns,
            r.sell_through,
            r.expected_closing,
            "" if np.isnan(r.reported_closing) else r.reported_closing,
            "" if np.isnan(r.variance) else r.variance,
            r.status,
        ]
        rows.append(([r.distributor_id] if d1 else []) + [out(v) for v in values])
    return rows


@excel_function(
    summary="Weeks of supply: units on hand / average weekly sell-through units.",
    args=(
        Arg("on_hand", "a number of units", "Units on hand"),
        Arg(
            "weekly_sell_through",
            "a number, or a column of weeks (their average is used)",
            "Weekly sell-through units",
            range=True,
        ),
    ),
    returns="weeks (an error when there were no sales)",
    example="=CHX_WEEKS_OF_SUPPLY(260, {20;30;40})",
    example_args=(260.0, [[20.0], [30.0], [40.0]]),
    example_result=8.666666666666666,
    group=GROUP_RECONCILE,
)
def chx_weeks_of_supply(on_hand, weekly_sell_through):
    """on hand / mean(weekly sell-through)."""
    stock = number(on_hand, "on_hand")
    weeks, _ = column(weekly_sell_through, "weekly_sell_through")
    values = [number(v, f"week {i}") for i, v in enumerate(weeks, start=1)]
    mean = sum(values) / len(values)
    result = weeks_of_supply(stock, mean)
    if result is None:
        raise ExcelError("no sell-through in those weeks: weeks of supply has no value", "#DIV/0!")
    return float(result)


@excel_function(
    summary="Sell-through ratio: units (or money) sold through / bought in over the same "
    "period. Below 1 means stock is building.",
    args=(
        Arg("sell_through", "a number, or a range (summed)", "Sold to resellers", range=True),
        Arg("sell_in", "a number, or a range (summed)", "Bought from the vendor", range=True),
    ),
    returns="the ratio (an error when nothing was bought in)",
    example="=CHX_SELL_THROUGH_RATIO(450, 600)",
    example_args=(450.0, 600.0),
    example_result=0.75,
    group=GROUP_RECONCILE,
)
def chx_sell_through_ratio(sell_through, sell_in):
    """sell-through / sell-in."""
    total = []
    for value, what in ((sell_through, "sell_through"), (sell_in, "sell_in")):
        cells = [v for row in drop_blank_tail(grid(value)) for v in row if not is_blank(v)]
        if not cells:
            raise ExcelError(f"{what} is empty")
        total.append(sum(number(v, what) for v in cells))
    result = sell_through_ratio(total[0], total[1])
    if result is None:
        raise ExcelError("sell-in is 0: no ratio", "#DIV/0!")
    return float(result)


_TERRITORY = {
    "distributor_id": _DIST,
    "country": ("Country",),
    "segment": ("Segment",),
    "exclusive": ("Exclusive",),
    "valid_from": ("Valid From", "From"),
    "valid_to": ("Valid To", "To"),
}


def _territories(value: object) -> pd.DataFrame:
    recs, _ = _records(value, "territories", _TERRITORY, {})
    rows = []
    for r in recs:
        i = r["distributor_id"][1]
        vt = r["valid_to"][0]
        rows.append(
            {
                "distributor_id": text(r["distributor_id"][0]),
                "country": text(r["country"][0]).upper(),
                "segment": text(r["segment"][0]).lower() or "*",
                "exclusive": text(r["exclusive"][0]).upper()[:1] or "N",
                "valid_from": to_date(r["valid_from"][0], f"territories Valid From in row {i}"),
                "valid_to": None
                if is_blank(vt) or vt == 0
                else to_date(vt, f"territories Valid To in row {i}"),
            }
        )
    return pd.DataFrame(rows, columns=list(_TERRITORY))


@excel_function(
    summary="Is a sale in territory? IN, OUT (not appointed for that country/segment) or NOT "
    "APPOINTED (no territory at all on that date). Columns of lines give a column.",
    args=(
        Arg("distributor", "a distributor id, or a column", "Distributor", range=True),
        Arg("country", "ISO country code of the end customer, or a column", "Country", range=True),
        Arg("segment", "the end customer's segment, or a column", "Segment", range=True),
        Arg("date", "the invoice date, or a column", "Invoice date", range=True),
        Arg(
            "territories",
            "a table with a header: Distributor, Country, Segment (* = all), "
            "Exclusive, Valid From, Valid To",
            "Territory table",
            range=True,
        ),
    ),
    returns="IN, OUT or NOT APPOINTED (a column for columns)",
    example='=CHX_TERRITORY_CHECK("D001", "DE", "smb", DATE(2026,3,1), A1:F3)',
    example_args=(
        "D001",
        "DE",
        "smb",
        datetime(2026, 3, 1),
        [
            ["Distributor", "Country", "Segment", "Exclusive", "Valid From", "Valid To"],
            ["D001", "DE", "*", "N", datetime(2025, 1, 1), None],
            ["D002", "FR", "public", "Y", datetime(2025, 1, 1), datetime(2026, 12, 31)],
        ],
    ),
    example_result="IN",
    group=GROUP_TERRITORY,
)
def chx_territory_check(distributor, country, segment, date, territories):
    """IN when country, segment and date fall in one of the distributor's rows."""
    table = _territories(territories)
    cols = [
        column(value, what, numeric=False)
        for value, what in (
            (distributor, "distributor"),
            (country, "country"),
            (segment, "segment"),
            (date, "date"),
        )
    ]
    # Columns selected with their header: the date column's first cell is then no date.
    dates = cols[3][0]
    if len(dates) > 1 and isinstance(dates[0], str) and not dates[0][:4].isdigit():
        cols = [(values[1:] if len(values) > 1 else values, rng) for values, rng in cols]
    lengths = {len(values) for values, _ in cols}
    as_column = any(rng for _, rng in cols)
    n = max(lengths)
    if lengths - {1, n}:
        raise ExcelError("distributor, country, segment and date columns need the same length")

    def expand(values):
        return values * n if len(values) == 1 else values

    d, c, s, t = (expand(v) for v, _ in cols)
    results: list = [None] * n
    valid_rows = []
    for i in range(n):
        try:
            valid_rows.append(
                (
                    i,
                    (
                        text(d[i]),
                        text(c[i]).upper(),
                        text(s[i]).lower(),
                        to_date(t[i], f"date in row {i + 1}"),
                    ),
                )
            )
        except ExcelError as exc:
            if not as_column:
                raise
            results[i] = str(exc)
    if valid_rows:
        rows = table[["distributor_id", "country", "segment", "valid_from", "valid_to"]]
        found = statuses(
            [line for _, line in valid_rows], list(rows.itertuples(index=False, name=None))
        )
        for (i, _), status in zip(valid_rows, found, strict=True):
            results[i] = status
    return [[r] for r in results] if as_column else results[0]


@excel_function(
    summary="Exclusive territory rows of different distributors that overlap in country, "
    "segment and dates.",
    args=(
        Arg(
            "territories",
            "a table with a header: Distributor, Country, Segment, Exclusive, Valid From, Valid To",
            "Territory table",
            range=True,
        ),
    ),
    returns="a table with a header row: Distributor A, Distributor B, Country, Segment A, "
    "Segment B, Overlap From, Overlap To (header only when there is no conflict)",
    example="=CHX_TERRITORY_CONFLICTS(A1:F3)",
    example_args=(
        [
            ["Distributor", "Country", "Segment", "Exclusive", "Valid From", "Valid To"],
            ["D001", "IN", "public", "Y", datetime(2025, 1, 1), None],
            ["D002", "IN", "*", "Y", datetime(2025, 6, 1), datetime(2026, 3, 31)],
        ],
    ),
    example_result=[
        CONFLICTS_HEADER,
        ["D001", "D002", "IN", "public", "*", datetime(2025, 6, 1), datetime(2026, 3, 31)],
    ],
    group=GROUP_TERRITORY,
)
def chx_territory_conflicts(territories):
    """Pairs of exclusive rows overlapping in country, segment (* overlaps all) and dates."""
    found = exclusive_conflicts(_territories(territories))
    rows = [list(CONFLICTS_HEADER)]
    for r in found.itertuples(index=False):
        rows.append(
            [
                r.distributor_a,
                r.distributor_b,
                r.country,
                r.segment_a,
                r.segment_b,
                datetime.combine(r.overlap_from, datetime.min.time()),
                "" if r.overlap_to is None else datetime.combine(r.overlap_to, datetime.min.time()),
            ]
        )
    return rows

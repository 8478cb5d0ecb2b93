"""Reconciliation, inventory and territory functions for Excel: thin adapters to core."""

from __future__ import annotations

import contextlib
import math
from datetime import date as Date
from datetime import datetime

import numpy as np
import pandas as pd

from channelxl.core.inventory import sell_through_ratio, weeks_of_supply
from channelxl.core.periods import Month
from channelxl.core.reconcile import Tolerance, reconcile
from channelxl.core.territory import FAR_FUTURE, exclusive_conflicts, statuses
from channelxl.excel.convert import (
    SHEET_ROWS,
    ExcelError,
    blank_or_zero,
    check_error,
    grid,
    has_header,
    is_blank,
    is_label,
    item_name,
    line_up,
    named_columns,
    number,
    out,
    positions,
    scalar,
    spill,
    text,
    to_date,
    trim,
    vector,
)
from channelxl.excel.registry import Arg, excel_function
from channelxl.schema import normalize_header

GROUP_RECONCILE = "Reconciliation and inventory"
GROUP_TERRITORY = "Territory"
# The grid of a reconciliation is months x (distributor, SKU) pairs; past this many cells
# the tables hold a mistake (a year typed 2062 for 2026), not a channel.
MAX_RECONCILE_CELLS = 2_000_000


def _month(value: object, what: str) -> str:
    """A month from a date (datetime or serial) or YYYY-MM text."""
    check_error(value, what)
    if isinstance(value, str) and value.strip()[:10].count("-") != 2:
        try:
            return str(Month.parse(value))
        except ValueError:
            raise ExcelError(
                f"{what} is not a month ({value[:40]!r}); use a date or YYYY-MM"
            ) from None
    return str(Month.of(to_date(value, what)))


def _rows(value: object, what: str) -> tuple[list[str], list[list]]:
    rows = trim(grid(value))
    if not rows or not has_header(rows):
        raise ExcelError(f"{what} needs a header row")
    return [text(v) for v in rows[0]], rows[1:]


def _records(value: object, what: str, wanted: dict, optional: dict) -> tuple[list[dict], bool]:
    """Rows of a named-column table as dicts of (cell, table row); returns (records, had the
    optional columns). A row blank or zero in every cell is no row (Office.js sends blank
    cells as 0); an error shown in a cell that is read is passed on."""
    header, rows = _rows(value, what)
    pos = named_columns(header, wanted, what)
    extra = {}
    for key, names in optional.items():
        with contextlib.suppress(ExcelError):
            extra.update(named_columns(header, {key: names}, what))
    pos.update(extra)
    records = []
    for i, row in enumerate(rows, start=2):
        if all(blank_or_zero(v) for v in row):
            continue
        for key, j in pos.items():
            check_error(row[j], f"{what} {header[j] or key} in row {i}")
        records.append({key: (row[j], i) for key, j in pos.items()})
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
        quantity = float(number(q, f"{what} {amount[0]} in row {i}"))
        if not math.isfinite(quantity):
            raise ExcelError(f"{what} {amount[0]} in row {i} is too large", "#NUM!")
        rows.append(
            {
                "distributor_id": text(r["distributor"][0]) if has_d else "",
                "sku": text(s),
                "month": _month(m, f"{what} Month in row {i}"),
                field: quantity,
            }
        )
    frame = pd.DataFrame(rows, columns=["distributor_id", "sku", "month", field])
    return frame, has_d


def _tolerance(value: object) -> Tolerance:
    value = scalar(value, "tolerance")
    if blank_or_zero(value):
        return Tolerance()
    amount = number(value, "tolerance")
    if amount < 0:
        raise ExcelError(f"tolerance {text(value)} is negative")
    if isinstance(value, str) and value.strip().endswith("%"):
        return Tolerance(pct=float(amount))
    return Tolerance(units=float(amount))


def _check_size(frames: list[pd.DataFrame]) -> None:
    """Refuse tables whose months and SKUs span more than a reconciliation can hold."""
    months = pd.concat([f["month"] for f in frames])
    if months.empty:
        return
    first, last = Month.parse(months.min()), Month.parse(months.max())
    pairs = len(pd.concat([f[["distributor_id", "sku"]] for f in frames]).drop_duplicates())
    if ((last - first) + 2) * pairs > MAX_RECONCILE_CELLS:
        raise ExcelError(
            f"the tables run from {first} to {last} over {pairs} SKUs: too many months to "
            "reconcile in one formula; check the Month columns for a mistyped year",
            "#NUM!",
        )


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
    shape="table",
)
def chx_reconcile(sell_in, sell_through, inventory, tolerance=None):
    """expected closing = opening + sell-in - sell-through; variance = reported - expected."""
    si, d1 = _movement(sell_in, "sell_in", _QTY, "quantity")
    st, d2 = _movement(sell_through, "sell_through", _QTY, "quantity")
    inv, d3 = _movement(inventory, "inventory", ("On Hand", "Closing", "Stock"), "on_hand")
    if len({d1, d2, d3}) > 1:
        raise ExcelError("give a Distributor column in every table or in none")
    allowed = _tolerance(tolerance)
    _check_size([si, st, inv])
    with np.errstate(all="ignore"):  # an overflow shows as #NUM! below, not as a warning
        grid_ = reconcile(si, st, inv, tolerance=allowed)
    if len(grid_) >= SHEET_ROWS:
        raise ExcelError(f"the result has {len(grid_)} rows, more than a sheet holds", "#NUM!")
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
    shape="value",
)
def chx_weeks_of_supply(on_hand, weekly_sell_through):
    """on hand / mean(weekly sell-through)."""
    stock = number(scalar(on_hand, "on_hand"), "on_hand")
    weeks, _ = vector(weekly_sell_through, "weekly_sell_through")
    values = [number(v, f"week {i}") for i, v in enumerate(weeks, start=1)]
    mean = sum(values) / len(values)
    result = weeks_of_supply(stock, mean)
    if result is None:
        raise ExcelError("no sell-through in those weeks: weeks of supply has no value", "#DIV/0!")
    return out(result)


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
    shape="value",
)
def chx_sell_through_ratio(sell_through, sell_in):
    """sell-through / sell-in."""
    result = sell_through_ratio(_total(sell_through, "sell_through"), _total(sell_in, "sell_in"))
    if result is None:
        raise ExcelError("sell-in is 0: no ratio", "#DIV/0!")
    return out(result)


def _total(value: object, what: str):
    """The sum of a range, as SUM takes it: blank cells skipped; a header row dropped."""
    rows = trim(grid(value))
    if len(rows) > 1 and all(is_label(v) or is_blank(v) for v in rows[0]):
        rows = rows[1:]
    total, count = 0, 0
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row, start=1):
            if is_blank(v):
                continue
            if len(rows) * len(row) == 1:
                where = what
            else:
                where = f"{what} row {r}" + (f", column {c}" if len(row) > 1 else "")
            total += number(v, where)
            count += 1
    if not count:
        raise ExcelError(f"{what} is empty")
    return total


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
        valid_to = None if blank_or_zero(vt) else to_date(vt, f"territories Valid To in row {i}")
        rows.append(
            {
                "distributor_id": text(r["distributor_id"][0]),
                "country": text(r["country"][0]).upper(),
                "segment": text(r["segment"][0]).lower() or "*",
                "exclusive": text(r["exclusive"][0]).upper()[:1] or "N",
                "valid_from": _in_calendar(
                    to_date(r["valid_from"][0], f"territories Valid From in row {i}"),
                    f"territories Valid From in row {i}",
                ),
                # a Valid To past the calendar the checks compute in is open-ended anyway
                "valid_to": None if valid_to is None or valid_to >= _LAST_DAY else valid_to,
            }
        )
    return pd.DataFrame(rows, columns=list(_TERRITORY))


_LAST_DAY = FAR_FUTURE.date()  # the checks compare dates as pandas timestamps: up to 2262


def _in_calendar(day: Date, what: str) -> Date:
    if day >= _LAST_DAY:
        raise ExcelError(f"{what} is too far in the future ({day}); check the year")
    return day


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
    shape="item",
)
def chx_territory_check(distributor, country, segment, date, territories):
    """IN when country, segment and date fall in one of the distributor's rows."""
    table = _territories(territories)
    given = [
        (what, *positions(value, what, numeric=False))
        for what, value in (
            ("distributor", distributor),
            ("country", country),
            ("segment", segment),
            ("date", date),
        )
    ]
    # Columns selected with their header: drop the first cell of every range.
    header = any(_is_line_header(what, cells) for what, cells, _, _ in given)
    lines = [(what, cells[1:] if header and len(cells) > 1 else cells) for what, cells, *_ in given]
    n = line_up(lines, broadcast=True)
    orientations = {o for (*_, o, _), (_, line) in zip(given, lines, strict=True) if len(line) > 1}
    if n > 1 and len(orientations) > 1:
        raise ExcelError("give the lines as columns, or all as rows, not some of each")
    shape = "value" if n == 1 and not header else (orientations or {"column"}).pop()
    d, c, s, t = (cells * n if len(cells) == 1 else cells[:n] for _, cells in lines)
    results: list = [None] * n
    valid_rows = []
    for i in range(n):
        try:
            for name, cell in (("distributor", d[i]), ("country", c[i]), ("segment", s[i])):
                check_error(cell, item_name(name, shape, i + 1))
            when = item_name("date", shape, i + 1)
            day = _in_calendar(to_date(t[i], when), when)
            line = (text(d[i]), text(c[i]).upper(), text(s[i]).lower(), day)
            valid_rows.append((i, line))
        except ExcelError as exc:
            if shape == "value":
                raise
            results[i] = str(exc)
    if valid_rows:
        rows = table[["distributor_id", "country", "segment", "valid_from", "valid_to"]]
        found = statuses(
            [line for _, line in valid_rows], list(rows.itertuples(index=False, name=None))
        )
        for (i, _), status in zip(valid_rows, found, strict=True):
            results[i] = status
    return spill(results, shape)


_LINE_HEADERS = {  # what a line column's header may say (dates: see _is_line_header)
    "distributor": _DIST,
    "country": ("Country", "End Customer Country", "Customer Country"),
    "segment": ("Segment", "End Customer Segment", "Customer Segment"),
}


def _is_line_header(what: str, cells: list) -> bool:
    """A range's first cell names its column; atop dates, any text that is no date does."""
    if len(cells) < 2 or not is_label(cells[0]):
        return False
    if what == "date":
        try:
            to_date(cells[0], what)
        except ExcelError:
            return True
        return False
    return normalize_header(text(cells[0])) in {normalize_header(h) for h in _LINE_HEADERS[what]}


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
    shape="table",
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

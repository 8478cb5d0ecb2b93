"""Figures to date: what the ledger says about each distributor's quarter as it stood at the
close of each of the quarter's months, for the accruals (``core.rebates.ToDate``).

The accrual date of month k of an n-month quarter is that month's last day; the figures
cover months 1..k (each a sentence a person can check in the ledger):

- **sell_through** (scorecard actual): revenue of months 1..k (the quarter figures'
  monthly revenue, already in the reporting currency).
- **certification rate**: resellers active with the distributor in months 1..k with a
  certification current on the accrual date (the ``certified_on`` macro) / those active.
- **new resellers**: active in months 1..k, first purchase from the distributor in the
  quarter. **demand_gen**: activities completed in months 1..k.
- **targets**: a money or count target (``SCORECARD_METRICS`` unit) pro rata, target x
  k / n; a rate's target (certification) as it is.
- **late / missing months**: months whose report was due on or before the accrual date
  (``Month.report_due``) and came late or never (the quarter's own verdict on that month);
  a month whose report is not yet due is not late.
- **weeks of supply**: closing stock (on hand + in transit) in month k's inventory report /
  (the quarter's units forecast at the run rate, units 1..k x n / k, / 13); none without
  that report, and the accrual says what it assumed. **sell-in ratio**: sell-in units of
  months 1..k / sell-through units of months 1..k.

Nothing here imports ``ledger.figures`` (which calls :func:`add_to_date`): the quarter
figures are passed in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from decimal import Decimal

from channelxl.core.inventory import WEEKS_PER_QUARTER
from channelxl.core.rebates import ToDate
from channelxl.ledger.reads import Read, side_by_side
from channelxl.ledger.store import Ledger
from channelxl.schema import SCORECARD_METRICS

ZERO = Decimal(0)


@dataclass
class MonthFigures:
    """What the ledger says about each distributor month by month, read once for the quarter
    figures and their figures to date (``ledger.figures`` sums the quarter from these)."""

    # (distributor, quarter text, month k) -> resellers (active, new, certified) to date
    resellers: dict[tuple[str, str, int], tuple[int, int, int]]
    sell_in: dict[tuple[str, str], int]  # (distributor, month) -> sell-in units
    closing: dict[tuple[str, str], int]  # (distributor, month) -> closing stock units
    done: dict[tuple[str, str], int]  # (distributor, month) -> activities completed


def month_figures(ledger: Ledger, quarters) -> MonthFigures:
    """The month-by-month figures of every distributor in ``quarters`` (a few queries over
    all of them at once)."""
    with side_by_side(ledger) as read:
        return month_reads(read, quarters)()


def month_reads(read: Read, quarters) -> Callable[[], MonthFigures]:
    """:func:`month_figures` with its statements submitted to ``read`` (``ledger.reads``)
    now, and the figures made of their rows when the returned function is called."""
    months = sorted({str(m) for q in quarters for m in q.months})
    if not months:
        return lambda: MonthFigures({}, {}, {}, {})
    # resellers to date, counted in SQL (one row per distributor and quarter, not one per
    # reseller and month): a reseller enters the quarter's active set in the first month k
    # it buys; active to date at k = those entered by k; new = those whose first purchase
    # from the distributor (ever) is not before the quarter's first month; certified = those
    # current on month k's last day (``certified_on``; the months k it holds, as bits).
    month_rows = [
        (str(m), str(q), k, str(q.months[0]), m.last_day)
        for q in quarters
        for k, m in enumerate(q.months, start=1)
    ]
    n = max(len(q.months) for q in quarters)
    counts = ", ".join(
        f"count(*) FILTER (WHERE e.k <= {k}), "
        f"count(*) FILTER (WHERE e.k <= {k} AND fb.first >= e.first_month), "
        f"count(*) FILTER (WHERE e.k <= {k} AND (c.ks & {1 << k}) <> 0)"
        for k in range(1, n + 1)
    )
    reseller_rows = read(
        f"""
        WITH m AS (
            SELECT unnest(?) AS period, unnest(?) AS quarter, unnest(?) AS k,
                   unnest(?) AS first_month, unnest(?) AS last_day
        ), bought AS (SELECT * FROM reseller_months),  -- one pass over the lines, used twice
        first_buy AS (
            SELECT distributor_id, reseller_id, min(period) AS first FROM bought GROUP BY ALL
        ), entered AS (
            SELECT b.distributor_id, b.reseller_id, m.quarter, min(m.k) AS k,
                   any_value(m.first_month) AS first_month
            FROM bought b JOIN m USING (period) GROUP BY ALL
        ), certified AS (
            SELECT c.reseller_id, m.quarter, bit_or(1 << m.k) AS ks FROM certifications c
            JOIN m ON certified_on(c.completed_on, c.expires_on, m.last_day) GROUP BY ALL
        )
        SELECT e.distributor_id, e.quarter, {counts}
        FROM entered e
        JOIN first_buy fb USING (distributor_id, reseller_id)
        LEFT JOIN certified c ON c.reseller_id = e.reseller_id AND c.quarter = e.quarter
        GROUP BY ALL
        """,
        [list(col) for col in zip(*month_rows, strict=True)],
    )
    # (list_contains, not IN (SELECT unnest(?)): a filter, not a join, on each row; sell-in
    # grouped by the month's first day and named after: fewer strings made, the same groups)
    sell_in = read(
        "SELECT distributor_id, strftime(month_start, '%Y-%m') AS month, units FROM ("
        "SELECT distributor_id, date_trunc('month', ship_date) AS month_start, sum(units) AS units "
        "FROM sell_in GROUP BY ALL) WHERE list_contains(?, strftime(month_start, '%Y-%m'))",
        [months],
    )
    closing = read(
        "SELECT distributor_id, period, sum(units) FROM closing_stock "
        "WHERE list_contains(?, period) GROUP BY ALL",
        [months],
    )
    done = read(
        "SELECT distributor_id, strftime(completed_date, '%Y-%m'), count(*) FROM activities "
        "WHERE status = 'completed' AND strftime(completed_date, '%Y-%m') IN (SELECT unnest(?)) "
        "GROUP BY ALL",
        [months],
    )

    def figures() -> MonthFigures:
        resellers = {}
        for d, qname, *values in reseller_rows.result():
            for k in range(1, n + 1):
                active, new, certified = values[3 * k - 3 : 3 * k]
                if active:  # none entered by month k: no row (read as 0, 0, 0)
                    resellers[(d, qname, k)] = (active, new, certified)
        return MonthFigures(resellers, *(_by_month(f) for f in (sell_in, closing, done)))

    return figures


def add_to_date(
    ledger: Ledger, facts: dict, quarters, due_day: int, monthly: MonthFigures | None = None
) -> None:
    """Set ``to_date`` (one :class:`ToDate` per month) on every quarter figures of ``facts``
    (keyed (quarter text, distributor id), as ``ledger.figures.quarters_figures`` makes them);
    ``monthly``: :func:`month_figures` of ``quarters`` when already read."""
    if not facts:
        return
    if monthly is None:
        monthly = month_figures(ledger, quarters)
    due_by = {}  # (quarter, k) -> months of the quarter due by month k's close
    for q in quarters:
        for k, month in enumerate(q.months, start=1):
            due_by[(str(q), k)] = {
                str(x) for x in q.months[:k] if x.report_due(due_day) <= month.last_day
            }
    m = monthly
    months = {str(q): [str(month) for month in q.months] for q in quarters}
    for f in facts.values():
        f.to_date = _Later(_Quarter(f), months, due_by, m.resellers, m.sell_in, m.closing, m.done)


class _Quarter:
    """What :func:`_quarter_to_date` reads of a quarter's figures, taken as they are: the
    figures to date are the figures' own attribute, and holding the figures themselves would
    make each a reference cycle, freed only by a pass of the garbage collector."""

    __slots__ = (
        "distributor_id",
        "late_months",
        "missing_months",
        "monthly_revenue",
        "monthly_units",
        "quarter",
        "targets",
    )

    def __init__(self, f):
        for name in self.__slots__:
            setattr(self, name, getattr(f, name))


class _Later(Sequence):
    """A quarter's figures to date (a tuple of :class:`ToDate`, :func:`_quarter_to_date` of
    the arguments), built when first read: only its accruals read them
    (``core.rebates.RebateResult.accruals``, computed when read). The figures they come from
    are all read already; equal to the tuple, and pickled as it."""

    __slots__ = ("_args", "_items")

    def __init__(self, *args):
        self._args, self._items = args, None

    def _built(self) -> tuple[ToDate, ...]:
        if self._items is None:
            self._items, self._args = _quarter_to_date(*self._args), None
        return self._items

    def __getitem__(self, i):
        return self._built()[i]

    def __len__(self) -> int:
        return len(self._built())

    def __iter__(self):
        return iter(self._built())

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    __hash__ = None

    def __repr__(self) -> str:
        return repr(self._built())

    def __reduce__(self):
        return (tuple, (self._built(),))


def _by_month(rows: Future) -> dict[tuple[str, str], int]:
    return {(d, m): int(n or 0) for d, m, n in rows.result()}


# a rate's target stands as it is; a money or count target is pro rata (module docstring)
_RATE_TARGETS = frozenset(m for m, spec in SCORECARD_METRICS.items() if spec.unit == "percent")
_WEEKS = Decimal(WEEKS_PER_QUARTER)


def _quarter_to_date(f, months, due_by, resellers, sell_in, closing, done):
    # the arithmetic of core.inventory.quarter_weeks_of_supply and ratio, written out (the
    # same operations, in the caller's context), for 15,000 months of a year of quarters
    d, q = f.distributor_id, f.quarter
    qname = str(q)
    ms = months[qname]
    n = len(ms)
    targets = f.targets
    out = []
    revenue, units, bought_in, completed = ZERO, 0, 0, 0
    for k, m in enumerate(ms, start=1):
        revenue += f.monthly_revenue[k - 1]
        units += f.monthly_units[k - 1]
        bought_in += sell_in.get((d, m), 0)
        completed += done.get((d, m), 0)
        active, new, certified = resellers.get((d, qname, k), (0, 0, 0))
        cert_rate = Decimal(certified) / Decimal(active) if active else None
        due = due_by[(qname, k)]
        assumed = ()
        stock = closing.get((d, m))
        wos = None
        if stock is None:
            assumed = (
                ("weeks_of_supply", f"no weeks-of-supply hold (no inventory report for {m})"),
            )
        elif units:
            weekly = Decimal(units) * n / k / _WEEKS  # quarter_weeks_of_supply
            wos = None if weekly <= 0 else Decimal(stock) / weekly
        out.append(
            ToDate(
                month=k,
                certification_rate=cert_rate,
                late_months=tuple(x for x in f.late_months if x in due) if f.late_months else (),
                missing_months=tuple(x for x in f.missing_months if x in due)
                if f.missing_months
                else (),
                weeks_of_supply=wos,
                sell_in_ratio=Decimal(bought_in) / Decimal(units) if units else None,
                actuals={
                    "sell_through": revenue,
                    "new_resellers": Decimal(new),
                    "certification": cert_rate,
                    "demand_gen": Decimal(completed),
                },
                targets={
                    metric: (
                        None
                        if targets.get(metric) is None
                        else targets[metric]
                        if metric in _RATE_TARGETS
                        else targets[metric] * k / n
                    )
                    for metric in SCORECARD_METRICS
                },
                assumed=assumed,
            )
        )
    return tuple(out)

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

from collections import defaultdict
from decimal import Decimal

from channelxl.core.inventory import quarter_weeks_of_supply, ratio
from channelxl.core.rebates import ToDate
from channelxl.ledger.store import Ledger
from channelxl.schema import SCORECARD_METRICS

ZERO = Decimal(0)


def add_to_date(ledger: Ledger, facts: dict, quarters, due_day: int) -> None:
    """Set ``to_date`` (one :class:`ToDate` per month) on every quarter figures of ``facts``
    (keyed (quarter text, distributor id), as ``ledger.figures.quarters_figures`` makes them)."""
    con = ledger.con
    months = sorted({str(m) for q in quarters for m in q.months})
    if not facts or not months:
        return
    last_days = {str(m): m.last_day for q in quarters for m in q.months}
    bought: dict[tuple[str, str], set] = defaultdict(set)  # (distributor, month) -> resellers
    first_buy: dict[tuple[str, str], str] = {}  # (distributor, reseller) -> first month
    for d, reseller, period, first in con.execute(
        """
        WITH bought AS (SELECT * FROM reseller_months),
        first_buy AS (
            SELECT distributor_id, reseller_id, min(period) AS first FROM bought GROUP BY ALL
        )
        SELECT b.distributor_id, b.reseller_id, b.period, fb.first
        FROM bought b JOIN first_buy fb USING (distributor_id, reseller_id)
        WHERE b.period IN (SELECT unnest(?))
        """,
        [months],
    ).fetchall():
        bought[(d, period)].add(reseller)
        first_buy[(d, reseller)] = first
    certified = defaultdict(set)  # month -> resellers certified on its last day
    for reseller, period in con.execute(
        """
        WITH m AS (SELECT unnest(?) AS period, unnest(?) AS last_day)
        SELECT DISTINCT c.reseller_id, m.period FROM certifications c JOIN m
        ON certified_on(c.completed_on, c.expires_on, m.last_day)
        """,
        [months, [last_days[m] for m in months]],
    ).fetchall():
        certified[period].add(reseller)
    sell_in = _by_month(
        con,
        "SELECT distributor_id, month, sum(units) FROM sell_in "
        "WHERE month IN (SELECT unnest(?)) GROUP BY ALL",
        months,
    )
    closing = _by_month(
        con,
        "SELECT distributor_id, period, sum(units) FROM closing_stock "
        "WHERE period IN (SELECT unnest(?)) GROUP BY ALL",
        months,
    )
    done = _by_month(
        con,
        "SELECT distributor_id, strftime(completed_date, '%Y-%m'), count(*) FROM activities "
        "WHERE status = 'completed' AND strftime(completed_date, '%Y-%m') IN (SELECT unnest(?)) "
        "GROUP BY ALL",
        months,
    )
    for f in facts.values():
        f.to_date = _quarter_to_date(
            f, due_day, bought, first_buy, certified, sell_in, closing, done
        )


def _by_month(con, sql: str, months: list[str]) -> dict[tuple[str, str], int]:
    return {(d, m): int(n or 0) for d, m, n in con.execute(sql, [months]).fetchall()}


def _quarter_to_date(f, due_day, bought, first_buy, certified, sell_in, closing, done):
    d, q = f.distributor_id, f.quarter
    ms = list(q.months)
    n = len(ms)
    first_month = str(ms[0])
    out = []
    active: set = set()
    revenue, units, bought_in, completed = ZERO, 0, 0, 0
    for k, month in enumerate(ms, start=1):
        m = str(month)
        accrual_date = month.last_day
        active |= bought.get((d, m), set())
        revenue += f.monthly_revenue[k - 1]
        units += f.monthly_units[k - 1]
        bought_in += sell_in.get((d, m), 0)
        completed += done.get((d, m), 0)
        new = sum(1 for r in active if first_buy[(d, r)] >= first_month)
        cert_rate = (
            Decimal(len(active & certified.get(m, set()))) / Decimal(len(active))
            if active
            else None
        )
        due = {str(x) for x in ms[:k] if x.report_due(due_day) <= accrual_date}
        assumed = []
        stock = closing.get((d, m))
        wos = None
        if stock is None:
            assumed.append(
                ("weeks_of_supply", f"no weeks-of-supply hold (no inventory report for {m})")
            )
        elif units:
            wos = quarter_weeks_of_supply(stock, Decimal(units) * n / k)
        targets = {
            metric: (
                None
                if f.targets.get(metric) is None
                else f.targets[metric]
                if SCORECARD_METRICS[metric].unit == "percent"
                else f.targets[metric] * k / n
            )
            for metric in SCORECARD_METRICS
        }
        out.append(
            ToDate(
                month=k,
                certification_rate=cert_rate,
                late_months=tuple(x for x in f.late_months if x in due),
                missing_months=tuple(x for x in f.missing_months if x in due),
                weeks_of_supply=wos,
                sell_in_ratio=ratio(bought_in, units) if units else None,
                actuals={
                    "sell_through": revenue,
                    "new_resellers": Decimal(new),
                    "certification": cert_rate,
                    "demand_gen": Decimal(completed),
                },
                targets=targets,
                assumed=tuple(assumed),
            )
        )
    return tuple(out)

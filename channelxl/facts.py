"""Quarter facts: what the ledger says about every distributor in a quarter, in one pass.

The rebate engine (and the reports after it) read these plain figures; nothing here
computes a rebate. Definitions (each a sentence a person can check in the ledger):

- **revenue**: sell-through quantity x unit price, converted with the FX rate of the
  line's month (one unit of currency = rate units of the reporting currency), summed.
  Exact DECIMAL arithmetic in DuckDB. Lines whose currency has no rate for the month are
  left out and listed in ``missing_fx``.
- **prior_revenue**: the same for the same quarter a year earlier; None when the ledger
  has no sell-through report for that quarter.
- **units**: sell-through quantity. **sell_in_units**: shipments minus returns.
- **closing_units**: on hand + in transit in the inventory report of the quarter's last
  month; None without one.
- **active resellers**: resellers with sell-through from the distributor in the quarter;
  **new**: those whose first purchase from it is in the quarter.
- **certification_rate**: share of active resellers with a certification current at
  quarter end (completed on or before it, not expired).
- **activities_completed**: demand-generation activities completed within the quarter.
- **late_months** / **missing_months**: months whose first sell-through report came in
  after the due day of the following month, or never came.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal

from channelxl.core.inventory import quarter_weeks_of_supply, ratio
from channelxl.core.periods import Quarter
from channelxl.ledger.store import Ledger

ZERO = Decimal(0)


@dataclass
class QuarterFacts:
    distributor_id: str
    distributor_type: str
    quarter: str
    currency: str  # the reporting currency
    revenue: Decimal = ZERO
    units: int = 0
    monthly_revenue: tuple[Decimal, ...] = (ZERO, ZERO, ZERO)
    monthly_units: tuple[int, ...] = (0, 0, 0)
    prior_revenue: Decimal | None = None
    sell_in_units: int = 0
    closing_units: int | None = None
    active_resellers: int = 0
    new_resellers: int = 0
    certified_resellers: int = 0
    activities_completed: int = 0
    late_months: tuple[str, ...] = ()
    missing_months: tuple[str, ...] = ()
    missing_fx: tuple[str, ...] = ()
    targets: dict[str, Decimal | None] = field(default_factory=dict)

    @property
    def certification_rate(self) -> Decimal | None:
        if not self.active_resellers:
            return None
        return Decimal(self.certified_resellers) / Decimal(self.active_resellers)

    @property
    def weeks_of_supply(self) -> Decimal | None:
        if self.closing_units is None:
            return None
        return quarter_weeks_of_supply(self.closing_units, self.units)

    @property
    def sell_in_ratio(self) -> Decimal | None:
        """Sell-in units / sell-through units over the quarter (None without sell-through)."""
        return ratio(self.sell_in_units, self.units)

    @property
    def on_time(self) -> bool:
        return not self.late_months and not self.missing_months

    @property
    def actuals(self) -> dict[str, Decimal | None]:
        """Scorecard metrics, by name (see schema.SCORECARD_METRICS)."""
        return {
            "sell_through": self.revenue,
            "new_resellers": Decimal(self.new_resellers),
            "certification": self.certification_rate,
            "demand_gen": Decimal(self.activities_completed),
        }


def _months(q: Quarter) -> list[str]:
    return [str(m) for m in q.months]


def quarter_facts(ledger: Ledger, quarter: str | Quarter) -> dict[str, QuarterFacts]:
    """Facts for every distributor in the program for ``quarter``, keyed by distributor id."""
    q = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
    months, prior_months = _months(q), _months(q.year_ago)
    con = ledger.con
    settings = ledger.settings()
    currency = settings.get("reporting_currency", "EUR")
    due_day = int(settings.get("report_due_day", "10"))
    facts = {
        d: QuarterFacts(d, t, str(q), currency)
        for d, t in con.execute(
            "SELECT distributor_id, type FROM distributors ORDER BY distributor_id"
        ).fetchall()
    }

    def each(sql: str, params: list):
        for row in con.execute(sql, params).fetchall():
            if row[0] in facts:
                yield facts[row[0]], row[1:]

    # sell-through revenue and units, this quarter and a year earlier, by month
    rows = con.execute(
        """
        SELECT s.distributor_id, s.period, sum(s.quantity) AS units,
               sum(CAST(s.quantity * s.unit_price AS DECIMAL(18, 4)) * r.rate) AS revenue,
               list(DISTINCT s.currency || ' ' || s.period) FILTER (WHERE r.rate IS NULL) AS no_fx
        FROM sell_through s
        LEFT JOIN (
            SELECT currency, month, rate FROM fx_rates WHERE currency <> ?
            UNION ALL
            SELECT ?, unnest(?), CAST(1 AS DECIMAL(18, 8))
        ) r ON r.currency = s.currency AND r.month = s.period
        WHERE s.period IN (SELECT unnest(?))
        GROUP BY ALL
        """,
        [currency, currency, months + prior_months, months + prior_months],
    ).fetchall()
    monthly_rev: dict[str, dict[str, Decimal]] = {}
    monthly_units: dict[str, dict[str, int]] = {}
    for d, period, units, revenue, no_fx in rows:
        if d not in facts:
            continue
        monthly_rev.setdefault(d, {})[period] = revenue or ZERO
        monthly_units.setdefault(d, {})[period] = int(units or 0)
        if no_fx and period in months:
            facts[d].missing_fx += tuple(no_fx)
    reported_prior = {
        d
        for (d,) in con.execute(
            "SELECT DISTINCT distributor_id FROM submission_periods WHERE kind = 'sell_through' "
            "AND superseded_by IS NULL AND period IN (SELECT unnest(?))",
            [prior_months],
        ).fetchall()
    }
    for d, f in facts.items():
        rev, un = monthly_rev.get(d, {}), monthly_units.get(d, {})
        f.monthly_revenue = tuple(rev.get(m, ZERO) for m in months)
        f.monthly_units = tuple(un.get(m, 0) for m in months)
        f.revenue = sum(f.monthly_revenue, ZERO)
        f.units = sum(f.monthly_units)
        if d in reported_prior:
            f.prior_revenue = sum((rev.get(m, ZERO) for m in prior_months), ZERO)

    # sell-in units (returns subtract)
    for f, (units,) in each(
        "SELECT distributor_id, sum(CASE WHEN type = 'return' THEN -quantity ELSE quantity END) "
        "FROM shipments WHERE ship_date BETWEEN ? AND ? GROUP BY ALL",
        [q.first_day, q.last_day],
    ):
        f.sell_in_units = int(units or 0)

    # closing stock at quarter end
    for f, (units,) in each(
        "SELECT distributor_id, sum(on_hand + coalesce(in_transit, 0)) FROM inventory "
        "WHERE period = ? GROUP BY ALL",
        [months[-1]],
    ):
        f.closing_units = int(units or 0)

    # resellers: active, new, certified
    for f, (active, new, certified) in each(
        """
        WITH active AS (
            SELECT DISTINCT distributor_id, reseller_id FROM sell_through
            WHERE period IN (SELECT unnest(?))
        ), first_buy AS (
            SELECT distributor_id, reseller_id, min(period) AS first_period FROM sell_through
            GROUP BY ALL
        ), certified AS (
            SELECT DISTINCT reseller_id FROM certifications
            WHERE completed_on <= ? AND (expires_on IS NULL OR expires_on > ?)
        )
        SELECT a.distributor_id, count(*),
               count(*) FILTER (WHERE fb.first_period IN (SELECT unnest(?))),
               count(c.reseller_id)
        FROM active a
        JOIN first_buy fb USING (distributor_id, reseller_id)
        LEFT JOIN certified c USING (reseller_id)
        GROUP BY ALL
        """,
        [months, q.last_day, q.last_day, months],
    ):
        f.active_resellers, f.new_resellers, f.certified_resellers = active, new, certified

    for f, (n,) in each(
        "SELECT distributor_id, count(*) FROM activities WHERE status = 'completed' AND "
        "completed_date BETWEEN ? AND ? GROUP BY ALL",
        [q.first_day, q.last_day],
    ):
        f.activities_completed = n

    # timeliness: the first sell-through report for each month, against its due date
    first_in = {
        (d, p): received
        for d, p, received in con.execute(
            "SELECT sp.distributor_id, sp.period, min(s.received_at) FROM submission_periods sp "
            "JOIN submissions s USING (submission_id) WHERE sp.kind = 'sell_through' AND "
            "sp.period IN (SELECT unnest(?)) GROUP BY ALL",
            [months],
        ).fetchall()
    }
    for d, f in facts.items():
        late, missing = [], []
        for m in q.months:
            due = datetime.combine((m + 1).first_day + timedelta(days=due_day - 1), time.max)
            received = first_in.get((d, str(m)))
            if received is None:
                missing.append(str(m))
            elif received > due:
                late.append(str(m))
        f.late_months, f.missing_months = tuple(late), tuple(missing)

    targets = {
        d: dict(
            zip(("sell_through", "new_resellers", "certification", "demand_gen"), rest, strict=True)
        )
        for d, *rest in con.execute(
            "SELECT distributor_id, sell_through_target, new_resellers_target, "
            "certification_rate_target, demand_gen_activities_target FROM targets WHERE quarter = ?",
            [str(q)],
        ).fetchall()
    }
    for d, f in facts.items():
        t = targets.get(d, {})
        f.targets = {k: (None if v is None else Decimal(v)) for k, v in t.items()}
    return facts

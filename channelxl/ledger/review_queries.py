"""The QBR's grouped queries: the reseller network, activities and report quality of every
distributor in a quarter, one query per kind of fact for all distributors at once.

Each function returns a plain dict per distributor id (a distributor the query finds
nothing for is absent: use the ``empty_*`` default). ``reports.facts`` assembles them with
the quarter figures into each distributor's review; the definitions are here, with the SQL
(each checkable in the ledger):

- **reseller network** (resellers with sell-through from the distributor): *active* in the
  quarter; *new*: first purchase ever from it in the quarter (both as the quarter figures
  count them, ``ledger.figures``); *reactivated*: active, not new, not active the quarter
  before; *lapsed*: active the quarter before, not in this one; *retained*: active in both.
- **top resellers**: the ten with the highest sell-through revenue in the quarter
  (reporting currency), with their share of the distributor's revenue.
- **certified people**: distinct people with a certification current at quarter end, in
  the distributor's active resellers.
- **activities**: *planned* = planned date in the quarter (any status); *completed* =
  status completed with a completion date in the quarter. **MDF claimed**: the completed
  activities' MDF claims, converted at the FX rate of their completion month.
- **report quality**: the distributor's sell-through and inventory files for the
  quarter's months: files accepted, resubmissions (files later superseded), lines read,
  loaded and quarantined, warnings by class (DUPL, PART, PROD, PRIC, FX, TERR ...), and
  when each month's first sell-through report was received.
"""

from __future__ import annotations

from decimal import Decimal

from channelxl.core.inventory import ratio
from channelxl.core.periods import Quarter
from channelxl.ledger.figures import (
    EXACT,
    LINE_AMOUNT_SQL,
    RATES_SQL,
    QuarterFigures,
    exact_sum,
    exchange_rates,
    in_reporting_currency,
    rates_params,
    sell_through_amounts,
)
from channelxl.ledger.store import Ledger

TOP_RESELLERS = 10


def _share(part, total) -> Decimal | None:
    """part / total (None when either is missing or total is 0)."""
    return None if part is None or total is None else ratio(part, total)


def empty_network() -> dict:
    return {
        "active": 0,
        "new": 0,
        "reactivated": 0,
        "retained": 0,
        "lapsed": 0,
        "previous_active": 0,
        "certified_people": 0,
        "top": [],
    }


def reseller_network(
    ledger: Ledger, quarter: Quarter, currency: str, figures: dict[str, QuarterFigures]
) -> dict[str, dict]:
    """Per distributor: the network counts, certified people and top resellers.

    Active and new resellers as the quarter figures (``figures``, by distributor id) count
    them, so there is one definition of each; reactivated, retained and lapsed against the
    quarter before, from ``reseller_months``. Money in ``currency`` (the reporting one).
    """
    months = [str(m) for m in quarter.months]
    prev = [str(m) for m in (quarter + -1).months]
    con = ledger.con
    out: dict[str, dict] = {}
    for d, reactivated, retained, lapsed, prev_active in con.execute(
        """
        WITH bought AS (SELECT * FROM reseller_months), now AS (
            SELECT DISTINCT distributor_id, reseller_id FROM bought WHERE period IN (SELECT unnest(?))
        ), before AS (
            SELECT DISTINCT distributor_id, reseller_id FROM bought WHERE period IN (SELECT unnest(?))
        ), first_buy AS (
            SELECT distributor_id, reseller_id, min(period) AS first_month FROM bought GROUP BY ALL
        ), everyone AS (
            SELECT distributor_id, reseller_id FROM now UNION SELECT distributor_id, reseller_id FROM before
        )
        SELECT e.distributor_id,
               count(*) FILTER (WHERE n.reseller_id IS NOT NULL AND fb.first_month < ? AND b.reseller_id IS NULL),
               count(*) FILTER (WHERE n.reseller_id IS NOT NULL AND b.reseller_id IS NOT NULL),
               count(*) FILTER (WHERE n.reseller_id IS NULL),
               count(b.reseller_id)
        FROM everyone e
        LEFT JOIN now n USING (distributor_id, reseller_id)
        LEFT JOIN before b USING (distributor_id, reseller_id)
        JOIN first_buy fb USING (distributor_id, reseller_id)
        GROUP BY ALL
        """,
        [months, prev, months[0]],
    ).fetchall():
        f = figures.get(d)
        out[d] = {
            **empty_network(),
            "active": f.active_resellers if f else 0,
            "new": f.new_resellers if f else 0,
            "reactivated": reactivated,
            "retained": retained,
            "lapsed": lapsed,
            "previous_active": prev_active,
        }
    for d, people in con.execute(
        """
        SELECT a.distributor_id, count(DISTINCT c.person_id)
        FROM (SELECT DISTINCT distributor_id, reseller_id FROM reseller_months
              WHERE period IN (SELECT unnest(?))) a
        JOIN certifications c USING (reseller_id)
        WHERE certified_on(c.completed_on, c.expires_on, ?)
        GROUP BY ALL
        """,
        [months, quarter.last_day],
    ).fetchall():
        out.setdefault(d, empty_network())["certified_people"] = people
    # revenue by reseller, exact (as ``ledger.figures`` computes it): quantity x price summed
    # per currency and month in DuckDB, converted here; lines without a rate are left out
    rates = exchange_rates(ledger, currency, months)
    revenue: dict[tuple[str, str], Decimal] = {}
    units: dict[tuple[str, str], int] = {}
    for d, rid, period, line_currency, n, amount in sell_through_amounts(
        ledger,
        f"SELECT s.distributor_id, s.reseller_id, s.period, s.currency, sum(s.quantity), "
        f"sum({LINE_AMOUNT_SQL}) FROM sell_through s WHERE s.period IN (SELECT unnest(?)) "
        "GROUP BY ALL",
        [months],
    ):
        rate = rates.get((line_currency, period))
        if rate is None:
            continue
        key = (d, rid)
        converted = in_reporting_currency(amount or Decimal(0), rate)
        revenue[key] = EXACT.add(revenue.get(key, Decimal(0)), converted)
        units[key] = units.get(key, 0) + int(n or 0)
    by_distributor: dict[str, list[tuple[str, Decimal]]] = {}
    for (d, rid), value in revenue.items():
        by_distributor.setdefault(d, []).append((rid, value))
    certified = {
        rid
        for (rid,) in con.execute(
            "SELECT DISTINCT reseller_id FROM certifications c "
            "WHERE certified_on(c.completed_on, c.expires_on, ?)",
            [quarter.last_day],
        ).fetchall()
    }
    about = {
        rid: (name, country)
        for rid, name, country in con.execute(
            "SELECT reseller_id, name, country FROM resellers"
        ).fetchall()
    }
    for d in sorted(by_distributor):
        ranked = sorted(by_distributor[d], key=lambda x: (-x[1], x[0]))
        total = exact_sum(value for _, value in ranked)
        for rank, (rid, value) in enumerate(ranked[:TOP_RESELLERS], start=1):
            name, country = about.get(rid, (None, None))
            out.setdefault(d, empty_network())["top"].append(
                {
                    "rank": rank,
                    "reseller_id": rid,
                    "name": name,
                    "country": country,
                    "revenue": value,
                    "units": units[(d, rid)],
                    "share": _share(value, total),
                    "certified": rid in certified,
                }
            )
    return out


def empty_activities() -> dict:
    return {"planned": 0, "completed": 0, "mdf_claimed": Decimal(0), "list": []}


def activities(ledger: Ledger, quarter: Quarter, currency: str) -> dict[str, dict]:
    """Per distributor: activities planned and completed in the quarter, MDF claimed in
    ``currency``, and the list of those activities (by completion, else planned, date)."""
    months = [str(m) for m in quarter.months]
    out: dict[str, dict] = {}
    rows = ledger.con.execute(
        f"""
        WITH rates AS {RATES_SQL}
        SELECT a.distributor_id, a.activity_id, a.activity_type, a.name, a.planned_date,
               a.completed_date, a.status, a.currency, a.mdf_claimed,
               CAST(CAST(a.mdf_claimed AS DECIMAL(38, 4)) * r.rate AS DECIMAL(38, 4))
                   AS mdf_reporting,
               strftime(a.planned_date, '%Y-%m') IN (SELECT unnest(?)) AS planned_in,
               a.status = 'completed'
                   AND strftime(a.completed_date, '%Y-%m') IN (SELECT unnest(?)) AS done_in
        FROM activities a
        LEFT JOIN rates r ON r.currency = a.currency
             AND r.month = strftime(a.completed_date, '%Y-%m')
        WHERE strftime(a.planned_date, '%Y-%m') IN (SELECT unnest(?))
           OR strftime(a.completed_date, '%Y-%m') IN (SELECT unnest(?))
        ORDER BY a.distributor_id, coalesce(a.completed_date, a.planned_date), a.activity_id
        """,
        [*rates_params(currency, months), months, months, months, months],
    ).fetchall()
    for (
        d,
        aid,
        kind,
        name,
        planned,
        completed,
        status,
        cur,
        mdf,
        mdf_rep,
        planned_in,
        done_in,
    ) in rows:
        a = out.setdefault(d, empty_activities())
        a["planned"] += bool(planned_in)
        a["completed"] += bool(done_in)
        if done_in and mdf_rep is not None:
            a["mdf_claimed"] = EXACT.add(a["mdf_claimed"], mdf_rep)
        a["list"].append(
            {
                "activity_id": aid,
                "type": kind,
                "name": name,
                "planned": planned,
                "completed": completed,
                "status": status,
                "mdf_claimed": mdf,
                "currency": cur,
            }
        )
    return out


def empty_quality() -> dict:
    return {
        "files": 0,
        "resubmissions": 0,
        "lines_read": 0,
        "lines_loaded": 0,
        "lines_quarantined": 0,
        "warnings": {},
        "quarantined": {},
        "received": {},
    }


def report_quality(ledger: Ledger, quarter: Quarter) -> dict[str, dict]:
    """Per distributor: its sell-through and inventory files for the quarter's months
    (counts, lines, issues by class) and, under ``received``, each month's first
    sell-through report's arrival time."""
    months = [str(m) for m in quarter.months]
    con = ledger.con
    out: dict[str, dict] = {}
    for d, files, resub, read, loaded, quarantined in con.execute(
        """
        WITH mine AS (
            SELECT DISTINCT sp.submission_id, sp.distributor_id FROM submission_periods sp
            WHERE sp.kind IN ('sell_through', 'inventory') AND sp.period IN (SELECT unnest(?))
        )
        SELECT m.distributor_id, count(*), count(*) FILTER (WHERE s.superseded_by IS NOT NULL),
               sum(s.lines_read), sum(s.lines_loaded), sum(s.lines_quarantined)
        FROM mine m JOIN submissions s USING (submission_id)
        GROUP BY ALL
        """,
        [months],
    ).fetchall():
        out[d] = {
            **empty_quality(),
            "files": files,
            "resubmissions": resub,
            "lines_read": int(read or 0),
            "lines_loaded": int(loaded or 0),
            "lines_quarantined": int(quarantined or 0),
        }
    for d, severity, code, n in con.execute(
        """
        WITH mine AS (
            SELECT DISTINCT sp.submission_id, sp.distributor_id FROM submission_periods sp
            WHERE sp.kind IN ('sell_through', 'inventory') AND sp.period IN (SELECT unnest(?))
        )
        SELECT m.distributor_id, i.severity, i.code, count(*) FROM mine m
        JOIN submission_issues i USING (submission_id)
        GROUP BY ALL ORDER BY 1, 2, 3
        """,
        [months],
    ).fetchall():
        key = "quarantined" if severity == "error" else "warnings"
        out.setdefault(d, empty_quality())[key][code] = n
    for d, period, received in con.execute(
        """
        SELECT sp.distributor_id, sp.period, min(s.received_at)
        FROM submission_periods sp JOIN submissions s USING (submission_id)
        WHERE sp.kind = 'sell_through' AND sp.period IN (SELECT unnest(?))
        GROUP BY ALL ORDER BY 1, 2
        """,
        [months],
    ).fetchall():
        out.setdefault(d, empty_quality())["received"][period] = received
    return out

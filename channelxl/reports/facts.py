"""QBR facts: everything one distributor's quarterly business review shows, for every
distributor at once.

The ledger is read once per kind of fact for all distributors (``ledger.figures`` for
five quarters: the quarter, the three before it and the same quarter a year
earlier; the reconciliation, territory and rebate engines once each; a few grouped queries
for the reseller network, activities and report quality). Each distributor's slice is then
a plain JSON document (money as exact decimal strings), so a report notebook needs no
database and no channelxl engine: it reads one small file.

Definitions that are not in ``ledger.figures`` (each checkable in the ledger):

- **reseller network** (resellers with sell-through from the distributor): *active* in the
  quarter; *new*: first purchase ever from it in the quarter; *reactivated*: active, not
  new, not active the quarter before; *lapsed*: active the quarter before, not in this
  one; *retained*: active in both.
- **top resellers**: the ten with the highest sell-through revenue in the quarter
  (reporting currency), with their share of the distributor's revenue.
- **certified people**: distinct people with a certification current at quarter end, in
  the distributor's active resellers.
- **activities**: *planned* = planned date in the quarter (any status); *completed* =
  status completed with a completion date in the quarter. **MDF claimed**: the completed
  activities' MDF claims, converted at the FX rate of their completion month.
- **monthly stock**: sell-in (shipments less returns), sell-through and reported closing
  stock (on hand + in transit) by month; monthly weeks of supply = closing / (the month's
  sell-through x 12 / 52).
- **report quality**: the distributor's sell-through and inventory files for the
  quarter's months: files accepted, resubmissions (files later superseded), lines read,
  loaded and quarantined, warnings by class (DUPL, PART, PROD, PRIC, FX, TERR ...).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from channelxl.core.inventory import ratio, weeks_of_supply
from channelxl.core.money import D
from channelxl.core.periods import Month, Quarter
from channelxl.core.rebates import RebateResult
from channelxl.io.atomic import write_atomically
from channelxl.ledger.figures import RATES_SQL, QuarterFigures, quarters_figures, rates_params
from channelxl.ledger.programs import evaluate_figures, programs
from channelxl.ledger.quarter_checks import reconcile_quarter, territory_quarter
from channelxl.ledger.store import Ledger
from channelxl.reports.observations import observations
from channelxl.reports.worker import safe_name
from channelxl.schema import SCORECARD_METRICS

FACTS_VERSION = 1
TREND_QUARTERS = 5  # the quarter and the four before it (the last of those: a year earlier)
TOP_RESELLERS = 10
WEEKS_PER_MONTH = Decimal(52) / Decimal(12)


def plain(value):
    """JSON-ready: Decimal -> exact string, dates -> ISO text, tuples -> lists."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, Quarter | Month):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _div(a, b) -> Decimal | None:
    """a / b (None when either is missing or b is 0): ``core.inventory.ratio`` with gaps."""
    return None if a is None or b is None else ratio(a, b)


def _change(now, before) -> Decimal | None:
    """now / before - 1 (None without a positive base)."""
    if now is None or before is None or D(before) <= 0:
        return None
    return D(now) / D(before) - 1


@dataclass
class QuarterReportFacts:
    quarter: str
    currency: str
    ledger_as_of: str | None
    by_distributor: dict[str, dict]

    def only(self, distributor_ids) -> QuarterReportFacts:
        """The same facts for some of the distributors."""
        return QuarterReportFacts(
            self.quarter,
            self.currency,
            self.ledger_as_of,
            {d: self.by_distributor[d] for d in distributor_ids},
        )

    def write(self, folder: str | os.PathLike) -> dict[str, Path]:
        """One JSON file per distributor (``<id>.json``, ``worker.safe_name``), written atomically."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        paths = {}
        for d, doc in self.by_distributor.items():
            paths[d] = write_atomically(
                folder / f"{safe_name(d)}.json", json.dumps(doc, indent=1, ensure_ascii=False)
            )
        return paths


def quarter_report_facts(
    ledger: Ledger, quarter: Quarter, *, distributors: list[str] | None = None
) -> QuarterReportFacts:
    """The QBR facts of ``quarter`` for every distributor (or those asked for)."""
    q = quarter
    qname = str(q)
    wanted = ledger.distributors(distributors)
    con = ledger.con
    settings = ledger.settings()
    currency = settings.reporting_currency
    due_day = settings.report_due_day
    trend = [q + -k for k in range(TREND_QUARTERS - 1, -1, -1)]
    facts = quarters_figures(ledger, trend)
    now = {d: facts[(qname, d)] for d in wanted}
    progs = programs(ledger)
    results = evaluate_figures(progs, {(qname, d): f for d, f in now.items()})
    tiers_of = {p.rules.program_id: p.rules.tiers for p in progs}
    scorecards = {p.rules.program_id: p.rules.scorecard for p in progs}
    recon = reconcile_quarter(ledger, q, distributors=wanted)
    terr = territory_quarter(ledger, q, distributors=wanted)
    dims = {
        row[0]: row
        for row in con.execute(
            "SELECT distributor_id, name, type, country, currency FROM distributors"
        ).fetchall()
    }
    names = {d: row[1] for d, row in dims.items()}
    recon_by = _recon_summaries(recon)
    terr_by = _territories(terr, names)
    network = _network(ledger, q, currency, now)
    activities = _activities(ledger, q, currency)
    quality = _report_quality(ledger, q)
    stock = _monthly_stock(recon, q)
    as_of = con.execute("SELECT max(loaded_at) FROM submissions").fetchone()[0]
    by_results: dict[str, list[RebateResult]] = {}
    for r in results:
        by_results.setdefault(r.distributor_id, []).append(r)
    loading = {row["distributor_id"]: row for row in recon.loading.to_dict("records")}
    docs = {}
    for d in wanted:
        f = now[d]
        doc = {
            "version": FACTS_VERSION,
            "quarter": qname,
            "months": [str(m) for m in q.months],
            "currency": currency,
            "ledger_as_of": plain(as_of),
            "distributor": dict(
                zip(("id", "name", "type", "country", "currency"), dims[d], strict=True)
            ),
            "scorecard": _scorecard(f, by_results.get(d, []), scorecards),
            "sell_through": _sell_through(f, [facts[(str(t), d)] for t in trend]),
            "stock": {
                "monthly": stock.get(d, []),
                "closing_units": f.closing_units,
                "sell_in_units": f.sell_in_units,
                "weeks_of_supply": f.weeks_of_supply,
                "sell_through_ratio": _div(f.units, f.sell_in_units),
                "loading": _loading(loading.get(d)),
                "reconciliation": recon_by.get(d, _empty_recon()),
            },
            "resellers": network.get(d, _empty_network()),
            "certification": {
                "active_resellers": f.active_resellers,
                "certified_resellers": f.certified_resellers,
                "rate": f.certification_rate,
                "target": f.targets.get("certification"),
                "people": network.get(d, {}).get("certified_people", 0),
            },
            "activities": {
                **activities.get(d, _empty_activities()),
                "target": f.targets.get("demand_gen"),
                "mdf_accrued": sum((r.mdf_accrued for r in by_results.get(d, [])), Decimal(0)),
            },
            "rebates": [_rebate(r, tiers_of[r.program_id]) for r in by_results.get(d, [])],
            "territory": terr_by.get(d, _empty_territory()),
            "reporting": _reporting(quality.get(d, _empty_quality()), f, due_day),
        }
        doc["observations"] = observations(doc)
        docs[d] = plain(doc)
    return QuarterReportFacts(qname, currency, plain(as_of), docs)


# ------------------------------------------------------------------ sections
def _scorecard(
    f: QuarterFigures, results: list[RebateResult], scorecards: dict[str, tuple]
) -> dict:
    """Each metric against its joint-business-plan target; the program score if one scores."""
    scored = next((r for r in results if r.score is not None), None)
    weights = dict(scorecards.get(scored.program_id, ())) if scored else {}
    metrics = []
    for metric, m in SCORECARD_METRICS.items():
        actual, target = f.actuals.get(metric), f.targets.get(metric)
        metrics.append(
            {
                "metric": metric,
                "label": m.label,
                "unit": m.unit,
                "actual": actual,
                "target": target,
                "attainment": _div(actual, target) if target else None,
                "weight": weights.get(metric),
            }
        )
    return {
        "metrics": metrics,
        "program": scored.program_name if scored else None,
        "score": scored.score if scored else None,
        "payout": scored.payout if scored else None,
    }


def _sell_through(f: QuarterFigures, trend: list[QuarterFigures]) -> dict:
    target = f.targets.get("sell_through")
    return {
        "revenue": f.revenue,
        "units": f.units,
        "target": target,
        "vs_target": _div(f.revenue, target),
        "prior_revenue": f.prior_revenue,
        "vs_last_year": _change(f.revenue, f.prior_revenue),
        "missing_fx": list(f.missing_fx),
        "monthly": [
            {"month": m, "revenue": rev, "units": units}
            for m, rev, units in zip(
                (str(x) for x in f.quarter.months),
                f.monthly_revenue,
                f.monthly_units,
                strict=True,
            )
        ],
        "trend": [
            {
                "quarter": t.quarter,
                "revenue": t.revenue,
                "units": t.units,
                "target": t.targets.get("sell_through"),
            }
            for t in trend
        ],
    }


def _monthly_stock(recon, q: Quarter) -> dict[str, list[dict]]:
    """Per distributor and month: sell-in, returns, sell-through, reported closing, WOS."""
    grid = recon.grid
    out: dict[str, list[dict]] = {}
    if grid.empty:
        return out
    cols = ["sell_in", "returns", "sell_through", "reported_closing"]
    # a month with no inventory report has no reported closing: keep it None, not 0
    reported = grid.assign(has=grid["reported_closing"].notna())
    sums = reported.groupby(["distributor_id", "month"], sort=True).agg(
        **{c: (c, "sum") for c in cols}, has=("has", "any")
    )
    for (d, month), row in sums.iterrows():
        closing = int(row["reported_closing"]) if row["has"] else None
        sold = int(row["sell_through"])
        out.setdefault(d, []).append(
            {
                "month": month,
                "sell_in": int(row["sell_in"]) - int(row["returns"]),
                "returns": int(row["returns"]),
                "sell_through": sold,
                "closing": closing,
                "weeks_of_supply": None
                if closing is None
                else weeks_of_supply(closing, Decimal(sold) / WEEKS_PER_MONTH),
            }
        )
    return out


def _loading(row: dict | None) -> dict | None:
    if row is None:
        return None
    return {k: row.get(k) for k in ("verdict", "signals", "spike", "stock_growth")}


def _recon_summaries(recon) -> dict[str, dict]:
    """Per distributor: grid rows, rows flagged, their net variance, flagged lines by flag."""
    grid = recon.grid
    flagged = grid[grid["status"] != "OK"]
    rows = grid.groupby("distributor_id").size()
    n_flagged = flagged.groupby("distributor_id").size()
    variance = flagged.groupby("distributor_id")["variance"].sum()  # a missing variance counts 0
    by_flag = recon.lines.groupby(["distributor_id", "flag"]).size()
    out: dict[str, dict] = {}
    for d in rows.index:
        out[d] = {
            "rows": int(rows[d]),
            "flagged_rows": int(n_flagged.get(d, 0)),
            "variance_units": int(variance.get(d, 0)),
            "flagged_lines": {},
        }
    for (d, flag), n in by_flag.items():
        out.setdefault(d, _empty_recon())["flagged_lines"][str(flag)] = int(n)
    return out


def _empty_recon() -> dict:
    return {"rows": 0, "flagged_rows": 0, "variance_units": 0, "flagged_lines": {}}


def _rebate(r: RebateResult, tiers) -> dict:
    return {
        "program_id": r.program_id,
        "program": r.program_name,
        "measure_name": r.measure_name,
        "method": r.method,
        "measure": r.measure,
        "status": r.status,
        "tier": r.tier,
        "tier_label": r.tier_label,
        "rate": r.rate,
        "amount": r.amount,
        "held_amount": r.held_amount,
        # 0 from the tier table means the top tier is reached: nothing further to reach
        "next_tier_gap": r.next_tier_gap or None,
        "accrued": r.accruals[-1].cumulative if r.accruals else None,
        "true_up": r.true_up,
        "mdf_accrued": r.mdf_accrued,
        "tiers": [
            {"threshold": t.threshold, "rate": t.rate, "label": t.label} for t in tiers.tiers
        ],
        "notes": list(r.notes),
    }


def _territories(terr, names: dict) -> dict[str, dict]:
    """Per distributor: lines by status, the largest exceptions by country, its exclusive
    conflicts and how many of its resellers free-ride."""
    lines = terr.lines
    counts = lines.groupby(["distributor_id", "status"]).size()
    exceptions = lines[lines["status"] != "IN"]
    by_country = (
        exceptions.groupby(["distributor_id", "status", "country"], dropna=False)
        .agg(lines=("sku", "size"), units=("quantity", "sum"))
        .reset_index()
        .sort_values(["distributor_id", "units", "country"], ascending=[True, False, True])
    )
    out: dict[str, dict] = {}
    for d in lines["distributor_id"].unique():
        out[d] = _empty_territory()
    for (d, status), n in counts.items():
        out[d]["lines"] += int(n)
        out[d][{"IN": "in", "OUT": "out"}.get(status, "not_appointed")] += int(n)
    for row in by_country.to_dict("records"):
        t = out[row["distributor_id"]]
        t["out_units"] += int(row["units"])
        if len(t["exceptions"]) < 10:
            t["exceptions"].append(
                {k: row[k] for k in ("status", "country")}
                | {"lines": int(row["lines"]), "units": int(row["units"])}
            )
    for row in terr.conflicts.to_dict("records"):
        for me, other in (("distributor_a", "distributor_b"), ("distributor_b", "distributor_a")):
            out.setdefault(row[me], _empty_territory())["conflicts"].append(
                {
                    "with": row[other],
                    "with_name": names.get(row[other]),
                    "country": row["country"],
                    "overlap_from": row["overlap_from"],
                    "overlap_to": row["overlap_to"],
                }
            )
    riders: dict[str, set] = {}
    for reseller, ds in zip(
        terr.free_riders.get("reseller_id", []),
        terr.free_riders.get("distributors", []),
        strict=True,
    ):
        for d in ds:
            riders.setdefault(d, set()).add(reseller)
    for d, resellers in riders.items():
        out.setdefault(d, _empty_territory())["free_riding_resellers"] = len(resellers)
    return out


def _empty_territory() -> dict:
    return {
        "lines": 0,
        "in": 0,
        "out": 0,
        "not_appointed": 0,
        "out_units": 0,
        "exceptions": [],
        "conflicts": [],
        "free_riding_resellers": 0,
    }


# ------------------------------------------------------------------ grouped queries
def _empty_network() -> dict:
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


def _network(
    ledger: Ledger, q: Quarter, currency: str, now: dict[str, QuarterFigures]
) -> dict[str, dict]:
    """Active and new resellers as the quarter figures count them (the one definition);
    reactivated, retained and lapsed against the quarter before, from ``reseller_months``."""
    months = [str(m) for m in q.months]
    prev = [str(m) for m in (q + -1).months]
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
        f = now.get(d)
        out[d] = {
            **_empty_network(),
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
        [months, q.last_day],
    ).fetchall():
        out.setdefault(d, _empty_network())["certified_people"] = people
    rows = con.execute(
        f"""
        WITH rates AS {RATES_SQL}, by_reseller AS (
            SELECT s.distributor_id, s.reseller_id,
                   sum(CAST(s.quantity * s.unit_price AS DECIMAL(18, 4)) * r.rate) AS revenue,
                   sum(s.quantity) AS units
            FROM sell_through s JOIN rates r ON r.currency = s.currency AND r.month = s.period
            WHERE s.period IN (SELECT unnest(?))
            GROUP BY ALL
        ), ranked AS (
            SELECT *, sum(revenue) OVER (PARTITION BY distributor_id) AS total,
                   row_number() OVER (PARTITION BY distributor_id ORDER BY revenue DESC, reseller_id) AS rank
            FROM by_reseller
        )
        SELECT k.distributor_id, k.rank, k.reseller_id, rs.name, rs.country, k.revenue, k.units,
               k.total, EXISTS (
                   SELECT 1 FROM certifications c WHERE c.reseller_id = k.reseller_id
                   AND certified_on(c.completed_on, c.expires_on, ?)
               ) AS certified
        FROM ranked k LEFT JOIN resellers rs USING (reseller_id)
        WHERE k.rank <= {TOP_RESELLERS}
        ORDER BY k.distributor_id, k.rank
        """,
        [*rates_params(currency, months), months, q.last_day],
    ).fetchall()
    for d, rank, rid, name, country, revenue, units, total, certified in rows:
        out.setdefault(d, _empty_network())["top"].append(
            {
                "rank": rank,
                "reseller_id": rid,
                "name": name,
                "country": country,
                "revenue": revenue,
                "units": int(units),
                "share": _div(revenue, total),
                "certified": bool(certified),
            }
        )
    return out


def _empty_activities() -> dict:
    return {"planned": 0, "completed": 0, "mdf_claimed": Decimal(0), "list": []}


def _activities(ledger: Ledger, q: Quarter, currency: str) -> dict[str, dict]:
    months = [str(m) for m in q.months]
    out: dict[str, dict] = {}
    rows = ledger.con.execute(
        f"""
        WITH rates AS {RATES_SQL}
        SELECT a.distributor_id, a.activity_id, a.activity_type, a.name, a.planned_date,
               a.completed_date, a.status, a.currency, a.mdf_claimed,
               CAST(a.mdf_claimed * r.rate AS DECIMAL(18, 4)) AS mdf_reporting,
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
        a = out.setdefault(d, _empty_activities())
        a["planned"] += bool(planned_in)
        a["completed"] += bool(done_in)
        if done_in and mdf_rep is not None:
            a["mdf_claimed"] += mdf_rep
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


def _reporting(quality: dict, f: QuarterFigures, due_day: int) -> dict:
    """Report quality plus each month's timeliness (first sell-through report vs due day)."""
    received = quality.pop("received")
    months = []
    for m in f.quarter.months:
        status = (
            "missing"
            if str(m) in f.missing_months
            else "late"
            if str(m) in f.late_months
            else "on time"
        )
        months.append(
            {
                "month": str(m),
                "due": m.report_due(due_day),
                "first_received": received.get(str(m)),
                "status": status,
            }
        )
    return {**quality, "months": months, "due_day": due_day}


def _empty_quality() -> dict:
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


def _report_quality(ledger: Ledger, q: Quarter) -> dict[str, dict]:
    months = [str(m) for m in q.months]
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
            **_empty_quality(),
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
        out.setdefault(d, _empty_quality())[key][code] = n
    for d, period, received in con.execute(
        """
        SELECT sp.distributor_id, sp.period, min(s.received_at)
        FROM submission_periods sp JOIN submissions s USING (submission_id)
        WHERE sp.kind = 'sell_through' AND sp.period IN (SELECT unnest(?))
        GROUP BY ALL ORDER BY 1, 2
        """,
        [months],
    ).fetchall():
        out.setdefault(d, _empty_quality())["received"][period] = received
    return out

"""QBR facts: everything one distributor's quarterly business review shows, for every
distributor at once.

The ledger is read once per kind of fact for all distributors (``ledger.figures`` for
five quarters: the quarter, the three before it and the same quarter a year
earlier; the reconciliation, territory and rebate engines once each;
``ledger.review_queries`` for the reseller network, activities and report quality). This
module assembles each distributor's slice from those into a plain JSON document (money as
exact decimal strings), so a report notebook needs no database and no channelxl engine: it
reads one small file.

The definitions are in ``ledger.figures`` and ``ledger.review_queries``, except one made
here, from the reconciliation grid (each checkable in the ledger):

- **monthly stock**: sell-in (shipments less returns), sell-through and reported closing
  stock (on hand + in transit) by month; monthly weeks of supply = closing / (the month's
  sell-through x 12 / 52).

An **approved quarter** (``ledger.approvals``) is reviewed with the money that was approved:
each program's steps and amounts, the scorecard's score and payout, the MDF accrued and
the MDF fund are the approved statement's rows, never recomputed. ``approval`` says who
approved it and when, and lists what today's ledger would change (``reports.approved_facts``):
each difference is carried as a prior-period adjustment by the next open quarter, and
adjustments already frozen in a later approval are listed as such. Every other figure
(sell-through, stock, resellers, reports) is the ledger's as of ``ledger_as_of``. The
review of the open quarter that carries those adjustments lists its MDF ones in the fund
(``mdf_fund.adjustments``), as its statement's MDF Adjustments sheet does.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Context, Decimal, localcontext
from pathlib import Path

import pandas as pd

from channelxl.core.inventory import ratio, weeks_of_supply
from channelxl.core.money import D
from channelxl.core.periods import Month, Quarter
from channelxl.core.rebates import RebateResult
from channelxl.io.atomic import path_inside, write_atomically
from channelxl.ledger.approvals import approval_of
from channelxl.ledger.figures import QuarterFigures, quarters_figures
from channelxl.ledger.mdf import mdf_fund
from channelxl.ledger.programs import evaluate_figures, programs
from channelxl.ledger.quarter_checks import (
    BATCH_LINES,
    Reconciliation,
    quarter_loading,
    reconcile_batches,
    territory_quarter,
)
from channelxl.ledger.review_queries import (
    activities,
    empty_activities,
    empty_network,
    empty_quality,
    report_quality,
    reseller_network,
)
from channelxl.ledger.store import Ledger
from channelxl.reports.approved_facts import ApprovedQuarter, mdf_carried, with_adjustments
from channelxl.reports.observations import observations
from channelxl.reports.paths import safe_name
from channelxl.schema import SCORECARD_METRICS

FACTS_VERSION = 1
TREND_QUARTERS = 5  # the quarter and the four before it (the last of those: a year earlier)
WEEKS_PER_MONTH = Decimal(52) / Decimal(12)
# Observations quote figures as rounded text; rounding a figure of the size a DECIMAL(38)
# sum can reach to two places needs more than Decimal's default 28 digits.
WORDING = Context(prec=80)


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
    span: str = ""  # the quarter's months as people say them (Quarter.span)
    calendar: str = "calendar quarters"  # which calendar the label is in (Quarter.calendar)

    def only(self, distributor_ids) -> QuarterReportFacts:
        """The same facts for some of the distributors."""
        return QuarterReportFacts(
            self.quarter,
            self.currency,
            self.ledger_as_of,
            {d: self.by_distributor[d] for d in distributor_ids},
            self.span,
            self.calendar,
        )

    def write(self, folder: str | os.PathLike) -> dict[str, Path]:
        """One JSON file per distributor (``<id>.json``, ``paths.safe_name``), written atomically."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        paths = {}
        for d, doc in self.by_distributor.items():
            paths[d] = write_atomically(
                path_inside(folder, f"{safe_name(d)}.json"),
                json.dumps(doc, indent=1, ensure_ascii=False),
            )
        return paths


def quarter_report_facts(
    ledger: Ledger,
    quarter: Quarter,
    *,
    distributors: list[str] | None = None,
    batch_lines: int = BATCH_LINES,
) -> QuarterReportFacts:
    """The QBR facts of ``quarter`` for every distributor (or those asked for).

    The reconciliation is read in batches of distributors of about ``batch_lines``
    sell-through lines (``ledger.quarter_checks.reconcile_batches``), each reduced to its
    distributors' summaries before the next, so memory does not grow with the channel."""
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
    # every line of the quarter at once: free riding is across distributors; only the
    # per-distributor summary is kept
    terr_by = _territories(territory_quarter(ledger, q, distributors=wanted))
    recon_by, stock = _reconciliation_summaries(ledger, q, wanted, batch_lines)
    dims = {
        row[0]: row
        for row in con.execute(
            "SELECT distributor_id, name, type, country, currency FROM distributors"
        ).fetchall()
    }
    network = reseller_network(ledger, q, currency, now)
    activity = activities(ledger, q, currency)
    fund = mdf_fund(ledger, q, distributors=wanted)  # each distributor's MDF to date
    approval = approval_of(ledger, qname)
    frozen = ApprovedQuarter(ledger, approval, q, wanted) if approval else None
    carried = {} if frozen else mdf_carried(ledger, q, wanted)
    quality = report_quality(ledger, q)
    as_of = con.execute("SELECT max(loaded_at) FROM submissions").fetchone()[0]
    by_results: dict[str, list[RebateResult]] = {}
    for r in results:
        by_results.setdefault(r.distributor_id, []).append(r)
    loading = {
        row["distributor_id"]: row
        for row in quarter_loading(ledger, q, wanted, settings).to_dict("records")
    }
    docs = {}
    for d in wanted:
        f = now[d]
        doc = {
            "version": FACTS_VERSION,
            "quarter": qname,
            "months": [str(m) for m in q.months],
            "span": q.span,  # the months as people say them: April – June 2026
            "calendar": q.calendar,  # which calendar the quarter labels are in
            "currency": currency,
            "ledger_as_of": plain(as_of),
            "distributor": dict(
                zip(("id", "name", "type", "country", "currency"), dims[d], strict=True)
            ),
            "approval": frozen.facts(d) if frozen else None,
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
            "resellers": network.get(d, empty_network()),
            "certification": {
                "active_resellers": f.active_resellers,
                "certified_resellers": f.certified_resellers,
                "rate": f.certification_rate,
                "target": f.targets.get("certification"),
                "people": network.get(d, {}).get("certified_people", 0),
            },
            "activities": {
                **activity.get(d, empty_activities()),
                "target": f.targets.get("demand_gen"),
                "mdf_accrued": sum((r.mdf_accrued for r in by_results.get(d, [])), Decimal(0)),
                "mdf_fund": with_adjustments(fund.facts(d), carried.get(d, [])),
            },
            "rebates": [_rebate(r, tiers_of[r.program_id]) for r in by_results.get(d, [])]
            if frozen is None
            else frozen.rebates(d, tiers_of),
            "territory": terr_by.get(d, _empty_territory()),
            "reporting": _reporting(quality.get(d, empty_quality()), f, due_day),
        }
        if frozen is not None:  # the money as approved, not as the ledger gives it today
            frozen.replace_money(doc, d)
        with localcontext(WORDING):
            doc["observations"] = observations(doc)
        docs[d] = plain(doc)
    return QuarterReportFacts(qname, currency, plain(as_of), docs, q.span, q.calendar)


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


def _reconciliation_summaries(
    ledger: Ledger, q: Quarter, wanted: list[str], batch_lines: int
) -> tuple[dict[str, dict], dict[str, list[dict]]]:
    """Per distributor: its reconciliation summary and its monthly stock, batch by batch."""
    recon_by: dict[str, dict] = {}
    stock: dict[str, list[dict]] = {}
    for grid, lines in reconcile_batches(ledger, q, wanted, batch_lines=batch_lines):
        batch = Reconciliation(str(q), grid, lines, pd.DataFrame())
        recon_by.update(_recon_summaries(batch))
        stock.update(_monthly_stock(batch, q))
    return recon_by, stock


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
        # a units program's rate is money per unit; the others' a fraction of the basis
        "rate_unit": "per unit" if r.measure_name == "units" else "fraction",
        # the chain: tier rebate x payout = after scorecard; - cap; then withheld, held or paid
        "tier_rebate": r.base_amount,
        "score": r.score,
        "payout": r.payout,
        "after_scorecard": r.after_scorecard,
        "cap_applied": r.cap_applied,
        "capped_amount": r.capped_amount,
        "gates": [
            {"name": g.name, "value": g.value, "required": g.required, "verdict": g.verdict}
            for g in r.gates
        ],
        "withheld_amount": r.withheld_amount,
        "withheld_reason": r.withheld_reason,
        "hold_reason": r.hold_reason if r.held else "",
        "amount": r.amount,
        "held_amount": r.held_amount,
        # 0 from the tier table means the top tier is reached: nothing further to reach
        "next_tier_gap": r.next_tier_gap or None,
        "accrued": r.accrued if r.accruals else None,
        "accrued_held": r.accrued_held,
        "accrual_basis": r.accrual_basis,
        "true_up": r.true_up,
        "mdf_accrued": r.mdf_accrued,
        "tiers": [
            {"threshold": t.threshold, "rate": t.rate, "label": t.label} for t in tiers.tiers
        ],
        "notes": list(r.notes),
    }


def _territories(terr) -> dict[str, dict]:
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
    # The review goes to the distributor: it says where and when its exclusive rights
    # collide, never with whom (the other party's contract is not its business; the
    # territory check workbook names both for the vendor).
    for row in terr.conflicts.to_dict("records"):
        for me in ("a", "b"):
            out.setdefault(row[f"distributor_{me}"], _empty_territory())["conflicts"].append(
                {
                    "country": row["country"],
                    "segment": row[f"segment_{me}"],
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

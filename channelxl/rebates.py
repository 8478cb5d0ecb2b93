"""Rebate programs over the ledger: which program applies to whom, evaluated for a quarter.

Reads the program's dimensions from the ledger (loaded from program.xlsx), the quarter
facts (:mod:`channelxl.facts`), and calls the pure engine (:mod:`channelxl.core.rebates`)
once per program and distributor.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from channelxl.core.periods import Quarter
from channelxl.core.rebates import Figures, ProgramRules, RebateResult, evaluate
from channelxl.core.tiers import TierTable
from channelxl.facts import QuarterFacts, quarters_facts
from channelxl.ledger.store import Ledger


@dataclass(frozen=True)
class Program:
    rules: ProgramRules
    applies_to: str  # distributor id, distributor type, or *
    valid_from: date
    valid_to: date | None

    def applies(self, distributor_id: str, distributor_type: str, q: Quarter) -> bool:
        who = self.applies_to in ("*", distributor_id, distributor_type)
        return (
            who
            and self.valid_from <= q.last_day
            and (self.valid_to is None or self.valid_to >= q.first_day)
        )


def programs(ledger: Ledger) -> list[Program]:
    """Every rebate program in the ledger's copy of the program workbook."""
    con = ledger.con
    tiers = defaultdict(list)
    for pid, threshold, rate, label in con.execute(
        "SELECT program_id, threshold, rate, label FROM rebate_tiers ORDER BY program_id, threshold"
    ).fetchall():
        tiers[pid].append((threshold, rate, label))
    metrics = defaultdict(list)
    for pid, metric, weight in con.execute(
        "SELECT program_id, metric, weight FROM scorecard ORDER BY program_id, metric"
    ).fetchall():
        metrics[pid].append((metric, weight))
    payouts = defaultdict(list)
    for pid, score, payout in con.execute(
        "SELECT program_id, min_score, payout FROM scorecard_payouts ORDER BY program_id, min_score"
    ).fetchall():
        payouts[pid].append((score, payout))
    out = []
    rows = con.execute(
        "SELECT program_id, name, applies_to, measure, method, growth_basis, "
        "min_certification_rate, require_on_time_reports, cap, hold_max_weeks_of_supply, "
        "hold_max_sell_in_ratio, mdf_rate, attainment_cap, valid_from, valid_to "
        "FROM rebate_programs ORDER BY program_id"
    ).fetchall()
    for (
        pid,
        name,
        applies,
        measure,
        method,
        basis,
        min_cert,
        on_time,
        cap,
        max_wos,
        max_ratio,
        mdf,
        att_cap,
        vf,
        vt,
    ) in rows:
        rules = ProgramRules(
            pid,
            name,
            measure,
            method,
            TierTable.of(tiers[pid]),
            basis,
            min_cert,
            on_time == "Y",
            cap,
            max_wos,
            max_ratio,
            mdf,
            tuple(metrics[pid]),
            att_cap,
            tuple(payouts[pid]),
        )
        out.append(Program(rules, applies, vf, vt))
    return out


def figures(f: QuarterFacts) -> Figures:
    return Figures(
        f.distributor_id,
        f.quarter,
        f.revenue,
        f.units,
        f.monthly_revenue,
        f.monthly_units,
        f.prior_revenue,
        f.certification_rate,
        f.late_months,
        f.missing_months,
        f.weeks_of_supply,
        f.sell_in_ratio,
        f.actuals,
        f.targets,
    )


def evaluate_quarter(
    ledger: Ledger, quarter: str, *, distributors: list[str] | None = None
) -> tuple[list[RebateResult], dict[str, QuarterFacts]]:
    """Evaluate every program for every distributor it applies to in ``quarter``."""
    results, facts = evaluate_quarters(ledger, [quarter], distributors=distributors)
    return results, {d: f for (_, d), f in facts.items()}


def evaluate_quarters(
    ledger: Ledger, quarters: list[str], *, distributors: list[str] | None = None
) -> tuple[list[RebateResult], dict[tuple[str, str], QuarterFacts]]:
    """The same for several quarters, reading the ledger once for all of them."""
    facts = quarters_facts(ledger, quarters)
    if distributors:
        ledger.distributors(distributors)  # refuses unknown ids
        facts = {k: f for k, f in facts.items() if k[1] in distributors}
    return evaluate_facts(programs(ledger), facts), facts


def evaluate_facts(
    progs: list[Program], facts: dict[tuple[str, str], QuarterFacts]
) -> list[RebateResult]:
    """Every program that applies, on facts already read (keyed (quarter, distributor))."""
    results = []
    parsed = {}
    for (qname, d), f in facts.items():
        q = parsed.setdefault(qname, Quarter.parse(qname))
        fig = figures(f)
        for p in progs:
            if p.applies(d, f.distributor_type, q):
                result = evaluate(p.rules, fig)
                if f.missing_fx:
                    result.notes.append(
                        "no FX rate for "
                        + ", ".join(f.missing_fx)
                        + ": those lines are not in the revenue"
                    )
                results.append(result)
    return results


@dataclass
class StatementRun:
    quarter: str
    currency: str
    results: list[RebateResult]
    xlsx: object
    csv: object
    total: Decimal

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)


def rebate_statement(
    ledger: Ledger, quarter: str, out_dir, *, distributors: list[str] | None = None
) -> StatementRun:
    """Evaluate ``quarter`` and write the statement workbook and CSV into ``out_dir``."""
    from channelxl.statements import write_statement

    q = str(Quarter.parse(quarter))
    results, facts = evaluate_quarter(ledger, q, distributors=distributors)
    names = dict(ledger.con.execute("SELECT distributor_id, name FROM distributors").fetchall())
    xlsx, csv_path, amount = write_statement(results, facts, names, out_dir, q)
    currency = ledger.settings().get("reporting_currency", "")
    return StatementRun(q, currency, results, xlsx, csv_path, amount)

"""Rebate programs in the ledger: which program applies to whom, evaluated for quarters.

Reads the programs from the ledger's copy of the program workbook, the quarter figures
(:mod:`channelxl.ledger.figures`), and calls the pure engine
(:mod:`channelxl.core.rebates`) once per program and distributor.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from channelxl.core.money import AmountOutOfRange
from channelxl.core.periods import Quarter
from channelxl.core.rebates import ProgramRules, RebateResult, evaluate
from channelxl.core.tiers import TierTable
from channelxl.errors import ChannelxlError
from channelxl.ledger.figures import QuarterFigures, quarters_figures
from channelxl.ledger.gc_pause import gc_paused
from channelxl.ledger.store import Ledger


@dataclass(frozen=True)
class RebateProgram:
    """A program's rules and to whom and when they apply."""

    rules: ProgramRules
    applies_to: str  # distributor id, distributor type, or *
    valid_from: date
    valid_to: date | None

    def applies(self, distributor_id: str, distributor_type: str, q: Quarter) -> bool:
        return self.covers(distributor_id, distributor_type) and self.in_force(q)

    def covers(self, distributor_id: str, distributor_type: str) -> bool:
        """The program is for this distributor (by id, by type, or for all)."""
        return self.applies_to in ("*", distributor_id, distributor_type)

    def in_force(self, q: Quarter) -> bool:
        """The program is valid on at least one day of ``q``."""
        return self.valid_from <= q.last_day and (
            self.valid_to is None or self.valid_to >= q.first_day
        )


def programs(ledger: Ledger) -> list[RebateProgram]:
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
    cursor = con.execute(
        "SELECT program_id, name, applies_to, measure, method, growth_basis, "
        "min_certification_rate, require_on_time_reports, cap, hold_max_weeks_of_supply, "
        "hold_max_sell_in_ratio, mdf_rate, attainment_cap, valid_from, valid_to "
        "FROM rebate_programs ORDER BY program_id"
    )
    names = [d[0] for d in cursor.description]
    out = []
    for values in cursor.fetchall():
        row = dict(zip(names, values, strict=True))
        pid = row["program_id"]
        rules = ProgramRules(
            program_id=pid,
            name=row["name"],
            measure=row["measure"],
            method=row["method"],
            tiers=TierTable.of(tiers[pid]),
            growth_basis=row["growth_basis"],
            min_certification_rate=row["min_certification_rate"],
            require_on_time=row["require_on_time_reports"] == "Y",
            cap=row["cap"],
            hold_max_weeks_of_supply=row["hold_max_weeks_of_supply"],
            hold_max_sell_in_ratio=row["hold_max_sell_in_ratio"],
            mdf_rate=row["mdf_rate"],
            scorecard=tuple(metrics[pid]),
            attainment_cap=row["attainment_cap"],
            payouts=tuple(payouts[pid]),
        )
        out.append(RebateProgram(rules, row["applies_to"], row["valid_from"], row["valid_to"]))
    return out


def evaluate_quarter(
    ledger: Ledger, quarter: Quarter, *, distributors: list[str] | None = None
) -> tuple[list[RebateResult], dict[str, QuarterFigures]]:
    """Evaluate every program for every distributor it applies to in ``quarter``."""
    results, figures = evaluate_quarters(ledger, [quarter], distributors=distributors)
    return results, {d: f for (_, d), f in figures.items()}


def evaluate_quarters(
    ledger: Ledger, quarters: list[Quarter], *, distributors: list[str] | None = None
) -> tuple[list[RebateResult], dict[tuple[str, str], QuarterFigures]]:
    """The same for several quarters, reading the ledger once for all of them (the garbage
    collector paused meanwhile: the figures and results of 5,000 distributor-quarters form
    no cycle, and its passes over them took a sixth of the time; ``ledger.gc_pause``)."""
    with gc_paused():
        figures = quarters_figures(ledger, quarters)
        if distributors:
            ledger.distributors(distributors)  # refuses unknown ids
            figures = {k: f for k, f in figures.items() if k[1] in distributors}
        return evaluate_figures(programs(ledger), figures), figures


def evaluate_figures(
    progs: list[RebateProgram], figures: dict[tuple[str, str], QuarterFigures]
) -> list[RebateResult]:
    """Every program that applies, on figures already read (keyed (quarter, distributor))."""
    results = []
    in_force: dict[tuple[int, str], bool] = {}  # (program, quarter): decided once each
    for (qname, d), f in figures.items():
        for i, p in enumerate(progs):
            if not p.covers(d, f.distributor_type):
                continue
            live = in_force.get((i, qname))
            if live is None:
                live = in_force[(i, qname)] = p.in_force(f.quarter)
            if live:
                why = lambda exc, p=p, f=f: _beyond_reason(p, f, exc)  # noqa: E731
                try:
                    # the quarter figures are the engine's Figures (every attribute it reads;
                    # a ratio computed only where a program reads it); accruals: when read
                    result = evaluate(p.rules, f, why)
                except (AmountOutOfRange, ArithmeticError) as exc:  # absurd figures
                    raise why(exc) from exc
                if f.missing_fx:
                    result.notes.append(
                        "no FX rate for "
                        + ", ".join(f.missing_fx)
                        + ": those lines are not in the revenue"
                    )
                results.append(result)
    return results


def _beyond_reason(p: RebateProgram, f: QuarterFigures, exc: Exception) -> ChannelxlError:
    """A rebate that cannot be computed to the cent, said with the figures behind it."""
    return ChannelxlError(
        f"{p.rules.program_id} for {f.distributor_id} in {f.quarter} cannot be computed to "
        f"the cent ({exc}): its sell-through revenue is {f.revenue:,.2f} {f.currency}, "
        f"{f.units:,} units. No business sells that much: a report holds a wrong quantity or "
        "price. Find it with 'channelxl export sell_through', ask the distributor for a "
        "corrected report and load it (it replaces the wrong one)."
    )

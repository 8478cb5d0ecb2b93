"""The cells ``=CHX_PROGRAM(program, tiers, figures, scorecard, payouts)`` is fed for one
statement line, read from the ledger: what a person types into a sheet to recompute the line.

A statement line is one program evaluated for one distributor's quarter. Its cells are:

- ``program``: the program's *Rebate Programs* row as (name, value) pairs, one per column
  of the sheet (CHX_PROGRAM ignores the columns the engine does not use, such as Name);
- ``tiers``: its *Rebate Tiers* rows under a header (Threshold, Rate, Label), ascending;
- ``figures``: the distributor-quarter's figures, names above values (two rows): the
  figures ``ledger.figures`` computes and the engine is given, with the reports that
  were late or missing as their months and the waivers of that program as text;
- ``scorecard``: Metric, Weight, Actual, Target under a header, one row per metric of the
  program's *Scorecard* (the actuals of the quarter, the distributor's *Targets*);
  ``payouts``: the program's *Scorecard Payouts* (Min Score, Payout). Both empty when the
  program has no scorecard.

Pure data: lists of rows as a sheet holds them. A number is a float, as a cell holds it
(a blank is None). CHX_PROGRAM reads a float at its shortest decimal, so a ledger figure
of up to 15 significant digits (every amount and rate in the ledger) arrives exactly. A
ratio (certification rate, weeks of supply, sell-in ratio) is a quotient of whole numbers
and arrives to 17 significant digits: it only meets a threshold exactly when it
terminates within them, and then it arrives exactly too, so the gates, the hold and the
payout step decide as in the ledger. The amount is rounded once, half-up, to the cent,
by CHX_PROGRAM as by the statement.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from channelxl.ledger.figures import QuarterFigures
from channelxl.ledger.store import Ledger
from channelxl.schema import REBATE_PROGRAMS

TIERS_HEADER = ["Threshold", "Rate", "Label"]
PAYOUTS_HEADER = ["Min Score", "Payout"]
SCORECARD_HEADER = ["Metric", "Weight", "Actual", "Target"]
# the figures' names, as CHX_PROGRAM reads them (excel.program_function.FIGURES)
FIGURE_NAMES = (
    "Revenue",
    "Units",
    "Prior Revenue",
    "Certification Rate",
    "Late Reports",
    "Missing Reports",
    "Weeks of Supply",
    "Sell-In Ratio",
    "Waived",
)


def cell(value: object) -> object:
    """A ledger value as a cell holds it: a number as a float, anything else as it is."""
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return float(value)
    return value


@dataclass(frozen=True)
class ProgramCells:
    """A program's cells, shared by every line of that program."""

    program_id: str
    name: str
    rules: list[list]  # (Rebate Programs column, value) rows
    tiers: list[list]  # TIERS_HEADER, then (threshold, rate, label) ascending
    metrics: list[tuple[str, float]]  # (metric, weight) of its Scorecard, by metric
    payouts: list[list]  # PAYOUTS_HEADER, then (min score, payout) ascending; [] without


@dataclass(frozen=True)
class LineCells:
    """One statement line's own cells."""

    distributor_id: str
    program_id: str
    figures: list[list]  # [FIGURE_NAMES, their values]
    scorecard: list[list]  # SCORECARD_HEADER, then a row per metric; [] without scorecard


def arguments(program: ProgramCells, line: LineCells) -> tuple:
    """CHX_PROGRAM's arguments for ``line``: program, tiers, figures, scorecard, payouts
    (None where the program has no scorecard, as an omitted argument)."""
    return (
        program.rules,
        program.tiers,
        line.figures,
        line.scorecard or None,
        program.payouts or None,
    )


def program_cells(ledger: Ledger) -> dict[str, ProgramCells]:
    """Every program's cells, by program id, from the ledger's copy of the program workbook."""
    con = ledger.con
    columns = [c.name for c in REBATE_PROGRAMS.columns]
    rows = con.execute(
        f"SELECT {', '.join(c.field for c in REBATE_PROGRAMS.columns)} "
        "FROM rebate_programs ORDER BY program_id"
    ).fetchall()
    tiers: dict[str, list[list]] = {}
    for pid, *values in con.execute(
        "SELECT program_id, threshold, rate, label FROM rebate_tiers ORDER BY program_id, threshold"
    ).fetchall():
        tiers.setdefault(pid, []).append([cell(v) for v in values])
    metrics: dict[str, list[tuple[str, float]]] = {}
    for pid, metric, weight in con.execute(
        "SELECT program_id, metric, weight FROM scorecard ORDER BY program_id, metric"
    ).fetchall():
        metrics.setdefault(pid, []).append((metric, cell(weight)))
    payouts: dict[str, list[list]] = {}
    for pid, *values in con.execute(
        "SELECT program_id, min_score, payout FROM scorecard_payouts ORDER BY program_id, min_score"
    ).fetchall():
        payouts.setdefault(pid, []).append([cell(v) for v in values])
    out = {}
    for values in rows:
        row = dict(zip(columns, values, strict=True))
        pid = row["Program ID"]
        out[pid] = ProgramCells(
            pid,
            row["Name"] or "",
            [[name, cell(value)] for name, value in row.items()],
            [TIERS_HEADER, *tiers.get(pid, [])],
            metrics.get(pid, []),
            [PAYOUTS_HEADER, *payouts[pid]] if pid in payouts else [],
        )
    return out


def line_cells(f: QuarterFigures, program: ProgramCells) -> LineCells:
    """The cells of ``program`` evaluated on the distributor-quarter figures ``f``."""
    waived = [
        w.waives
        for w in f.waivers
        if w.quarter == str(f.quarter) and w.program_id in (None, program.program_id)
    ]
    values = [
        cell(f.revenue),
        cell(f.units),
        cell(f.prior_revenue),
        cell(f.certification_rate),
        ", ".join(f.late_months) or None,
        ", ".join(f.missing_months) or None,
        cell(f.weeks_of_supply),
        cell(f.sell_in_ratio),
        "; ".join(waived) or None,
    ]
    actuals, targets = f.actuals, f.targets
    scorecard = [[m, w, cell(actuals.get(m)), cell(targets.get(m))] for m, w in program.metrics]
    return LineCells(
        f.distributor_id,
        program.program_id,
        [list(FIGURE_NAMES), values],
        [SCORECARD_HEADER, *scorecard] if scorecard else [],
    )


def statement_cells(
    ledger: Ledger, figures: dict[str, QuarterFigures], lines: Iterable[tuple[str, str]]
) -> list[tuple[ProgramCells, list[LineCells]]]:
    """The cells of each statement line (distributor id, program id), grouped by program in
    program order, the lines of a program in the order given. ``figures``: the quarter's
    figures by distributor id, as the statement was evaluated on them."""
    programs = program_cells(ledger)
    grouped: dict[str, list[LineCells]] = {}
    for d, pid in lines:
        grouped.setdefault(pid, []).append(line_cells(figures[d], programs[pid]))
    return [(programs[pid], grouped[pid]) for pid in sorted(grouped)]

"""Analyst workbooks that call the CHX_ functions, built reproducibly from code.

``python workbooks/build.py`` rebuilds every checked-in workbook. Each carries an
``xlwings.conf`` sheet pointing the xlwings add-in at ``channelxl.excel``, so Import
Functions works with no further setting, and an "Expected" column computed by channelxl
itself when the workbook was built: once the functions are imported, each formula
should show the same figure. Every formula also carries its value, stored when the workbook
was built (``excel.workbook_calc``), so the figures show where nothing is installed.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from channelxl.excel import chx_program, chx_rebate, chx_scorecard
from channelxl.io.table_sheets import HEADER_FILL, HEADER_FONT

BUILT = datetime(2026, 1, 1)  # fixed document timestamps: rebuilding changes nothing
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
TIERS = [
    (0, 0, "Base"),
    (100000, 0.02, "Silver"),
    (250000, 0.03, "Gold"),
    (500000, 0.04, "Platinum"),
]
DISTRIBUTORS = [
    ("D001", "Tower Tech Distribution", 612000),
    ("D002", "West Media Distribution", 287500),
    ("D003", "First Retail Distribution", 99999.99),
    ("D004", "Keystone Energy Distribution", 100000),
    ("D005", "First Systems Distribution", 431250.5),
    ("D006", "Jade Digital Distribution", 0),
]
METRICS = [
    ("Sell-through revenue", 287500, 300000, 0.5),
    ("New resellers", 4, 5, 0.2),
    ("Certification rate", 0.55, 0.6, 0.2),
    ("Demand-gen activities", 6, 5, 0.1),
]
ATTAINMENT_CAP = 1.2

EXPLAIN = [
    "# Rebate calculator",
    "The Calculator sheet computes quarterly rebates from a tier table with channelxl's Excel "
    "functions. Yellow cells are inputs: change the tier table, the distributors' sell-through "
    "or the scorecard, and every formula recomputes.",
    "The grey Expected columns were computed by channelxl when this workbook was built; once "
    "the functions are imported, the formula next to each should show the same figure.",
    "## Setting up (once)",
    "1. pip install channelxl, then: xlwings addin install (Windows Excel).",
    "2. This workbook's xlwings.conf sheet sets UDF Modules to channelxl.excel.",
    "3. On the xlwings tab of the ribbon, click Import Functions. Formulas showing #NAME? "
    "recompute. Details: docs/EXCEL.md.",
    "## The functions on the Calculator sheet",
    "CHX_REBATE(measure, tiers, [method]) - the rebate. retroactive (default): the rate of the "
    "highest tier reached applies to the whole measure. incremental: each tier's rate applies "
    "only to the part of the measure inside its band. Rounded once, half-up, to the cent.",
    "Worked example: 300,000 with tiers 0 / 100,000 / 250,000 / 500,000 at 0 / 2 / 3 / 4 %: "
    "retroactive 3 % x 300,000 = 9,000.00; incremental 150,000 x 2 % + 50,000 x 3 % = 4,500.00.",
    "CHX_REBATE_TIER(measure, tiers) - the tier reached (a tier is reached at >= its "
    "threshold); its label when the table has labels.",
    "CHX_NEXT_TIER_GAP(measure, tiers) - how much more measure reaches the next tier; 0 at "
    "the top.",
    "CHX_SCORECARD(actuals, targets, weights, [cap]) - sum of weight x min(actual / target, "
    "cap). 1 means every target met exactly.",
    "CHX_PROGRAM(program, tiers, figures, [scorecard], [payouts]) - a whole program for one "
    "distributor-quarter, as channelxl rebates computes a statement line: tier rebate x "
    "scorecard payout, capped, withheld when a gate fails, held when stock is loaded. The "
    "rules and the figures are name, value pairs (the Rebate Programs column names); "
    "CHX_PROGRAM_STEPS with the same arguments spills every step with its explanation.",
    "A measure range (a column) gives a column: in the Rebate (whole column) cells, one "
    "CHX_REBATE over all six distributors, each cell taking its row with INDEX. In Excel 365 "
    "=CHX_REBATE(G5:G10,$A$4:$C$8) typed in one cell spills the column; in older Excel and "
    "in LibreOffice, select the cells and enter it as an array formula (Ctrl+Shift+Enter).",
    "Bad input shows the reason in the cell, e.g. #VALUE! tier thresholds must ascend (row 3).",
]


def _header(ws, row: int, col: int, labels: list[str]) -> None:
    for j, label in enumerate(labels):
        cell = ws.cell(row=row, column=col + j, value=label)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="center")


# the whole program below the scorecard: D002's quarter under a capped, gated program
PROGRAM_RULES = [
    ("Measure", "revenue"),
    ("Method", "retroactive"),
    ("Min Certification Rate", 0.5),
    ("Cap", 7000),
    ("Attainment Cap", ATTAINMENT_CAP),
]
PROGRAM_FIGURES = [("Revenue", 287500), ("Certification Rate", 0.55)]
PAYOUTS = [(0, 0), (0.8, 0.5), (0.9, 0.9), (1, 1)]


def _whole_program(ws, row: int, tiers_ref: str, tier_values: list, scorecard_ref: str) -> None:
    """CHX_PROGRAM at ``row``: rules in A:B, figures in F:G, payouts in I:J, the Amount and
    its Expected value below them."""
    ws.cell(row=row, column=1, value="Whole program: rules").font = Font(bold=True)
    ws.cell(row=row, column=6, value="Figures").font = Font(bold=True)
    ws.cell(row=row, column=9, value="Payouts: min score, payout").font = Font(bold=True)
    refs = []
    for col, pairs in ((1, PROGRAM_RULES), (6, PROGRAM_FIGURES), (9, PAYOUTS)):
        for i, pair in enumerate(pairs, start=row + 1):
            for j, value in enumerate(pair):
                cell = ws.cell(row=i, column=col + j, value=value)
                if j or col == 9:  # the values (and every payout cell) are inputs
                    cell.fill = INPUT_FILL
        first, last = f"{chr(64 + col)}{row + 1}", f"{chr(65 + col)}{row + len(pairs)}"
        refs.append(f"{first}:{last}")
    at = row + len(PROGRAM_RULES) + 2
    ws.cell(row=at, column=1, value="Amount paid").font = Font(bold=True)
    rules, figures, payouts = refs
    formula = f"=CHX_PROGRAM({rules},{tiers_ref},{figures},{scorecard_ref},{payouts})"
    ws.cell(row=at, column=2, value=formula).number_format = "#,##0.00"
    ws.cell(row=at, column=3, value="Expected")
    scorecard = [["Metric", "Actual", "Target", "Weight"], *[list(m) for m in METRICS]]
    expected = chx_program(
        [list(r) for r in PROGRAM_RULES],
        tier_values,
        [list(f) for f in PROGRAM_FIGURES],
        scorecard,
        [list(p) for p in PAYOUTS],
    )
    e = ws.cell(row=at, column=4, value=expected)
    e.number_format, e.font = "#,##0.00", Font(color="808080")


def build_rebate_calculator(path: str | os.PathLike) -> Path:
    """Write the rebate calculator workbook at ``path``."""
    path = Path(path)
    wb = Workbook()
    ws = wb.active
    ws.title = "Calculator"
    ws["A1"] = "Rebate calculator"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = "Yellow cells are inputs. See the Explain sheet."

    # tier table: A4:C8 (header row 4)
    _header(ws, 4, 1, ["Threshold", "Rate", "Label"])
    for i, (threshold, rate, label) in enumerate(TIERS, start=5):
        for j, value in enumerate((threshold, rate, label), start=1):
            cell = ws.cell(row=i, column=j, value=value)
            cell.fill = INPUT_FILL
        ws.cell(row=i, column=1).number_format = "#,##0"
        ws.cell(row=i, column=2).number_format = "0.00%"
    tiers_ref = "$A$4:$C$8"
    tier_values = [["Threshold", "Rate", "Label"], *[list(t) for t in TIERS]]

    # distributors: E4:M10
    first, last = 5, 4 + len(DISTRIBUTORS)
    _header(
        ws,
        4,
        5,
        [
            "Distributor",
            "Name",
            "Sell-through",
            "Rebate (retroactive)",
            "Expected",
            "Rebate (incremental)",
            "Expected",
            "Tier",
            "Gap to next tier",
            "Rebate (whole column)",
        ],
    )
    for i, (did, name, measure) in enumerate(DISTRIBUTORS, start=first):
        ws.cell(row=i, column=5, value=did)
        ws.cell(row=i, column=6, value=name)
        m = ws.cell(row=i, column=7, value=measure)
        m.fill, m.number_format = INPUT_FILL, "#,##0.00"
        ws.cell(row=i, column=8, value=f"=CHX_REBATE(G{i},{tiers_ref})")
        ws.cell(row=i, column=9, value=chx_rebate(float(measure), tier_values))
        ws.cell(row=i, column=10, value=f'=CHX_REBATE(G{i},{tiers_ref},"incremental")')
        ws.cell(row=i, column=11, value=chx_rebate(float(measure), tier_values, "incremental"))
        ws.cell(row=i, column=12, value=f"=CHX_REBATE_TIER(G{i},{tiers_ref})")
        ws.cell(row=i, column=13, value=f"=CHX_NEXT_TIER_GAP(G{i},{tiers_ref})")
        for col in (8, 9, 10, 11, 13):
            ws.cell(row=i, column=col).number_format = "#,##0.00"
        for col in (9, 11):
            ws.cell(row=i, column=col).font = Font(color="808080")
    # one call over the whole column, each cell taking its row: a plain formula per cell,
    # not an array formula, because LibreOffice recomputes array formulas when it opens an
    # .xlsx (and without the extension would show #NAME? instead of the stored values)
    column = f"$G${first}:$G${last}"
    for k, i in enumerate(range(first, last + 1), start=1):
        cell = ws.cell(row=i, column=14, value=f"=INDEX(CHX_REBATE({column},{tiers_ref}),{k})")
        cell.number_format = "#,##0.00"

    # scorecard: A13:E17
    top = last + 3
    ws.cell(row=top - 1, column=1, value="Scorecard").font = Font(bold=True)
    _header(ws, top, 1, ["Metric", "Actual", "Target", "Weight"])
    for i, (metric, actual, target, weight) in enumerate(METRICS, start=top + 1):
        ws.cell(row=i, column=1, value=metric)
        for j, value in enumerate((actual, target, weight), start=2):
            cell = ws.cell(row=i, column=j, value=value)
            cell.fill = INPUT_FILL
        ws.cell(row=i, column=4).number_format = "0%"
    end = top + len(METRICS)
    ws.cell(row=end + 1, column=1, value="Attainment cap")
    cap = ws.cell(row=end + 1, column=2, value=ATTAINMENT_CAP)
    cap.fill, cap.number_format = INPUT_FILL, "0%"
    ws.cell(row=end + 2, column=1, value="Score").font = Font(bold=True)
    score = ws.cell(
        row=end + 2,
        column=2,
        value=f"=CHX_SCORECARD(B{top + 1}:B{end},C{top + 1}:C{end},D{top + 1}:D{end},B{end + 1})",
    )
    score.number_format = "0.0%"
    ws.cell(row=end + 2, column=3, value="Expected")
    expected = chx_scorecard(
        [[m[1]] for m in METRICS],
        [[m[2]] for m in METRICS],
        [[m[3]] for m in METRICS],
        ATTAINMENT_CAP,
    )
    e = ws.cell(row=end + 2, column=4, value=expected)
    e.number_format, e.font = "0.0%", Font(color="808080")
    _whole_program(ws, end + 4, tiers_ref, tier_values, f"A{top}:D{end}")

    for col, width in zip(
        "ABCDEFGHIJKLMN", (22, 12, 12, 10, 12, 30, 14, 14, 12, 14, 12, 10, 14, 14), strict=True
    ):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A5"

    explain = wb.create_sheet("Explain")
    explain.column_dimensions["A"].width = 110
    for i, line in enumerate(EXPLAIN, start=1):
        cell = explain.cell(row=i, column=1, value=line.lstrip("# "))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if line.startswith("#"):
            cell.font = Font(bold=True, size=14 if line.startswith("# ") else 12)

    conf = wb.create_sheet("xlwings.conf")
    conf["A1"], conf["B1"] = "UDF Modules", "channelxl.excel"
    conf.column_dimensions["A"].width = 16
    conf.column_dimensions["B"].width = 20

    wb.properties.created = wb.properties.modified = BUILT
    wb.properties.creator = "channelxl"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return _with_values(path)


def _with_values(path: Path) -> Path:
    """Store every formula's value in the saved workbook (``channelxl calc``), so it shows
    figures in Excel without the add-in and in LibreOffice without the extension."""
    from channelxl.excel.workbook_calc import recalculate  # the formula engine: only to build

    done = recalculate(path, path)
    if done.uncomputed:
        raise RuntimeError(f"{path.name}: formulas left without a value:\n{done.summary()}")
    return path


WORKBOOKS = {"rebate_calculator.xlsx": build_rebate_calculator}


def build_all(folder: str | os.PathLike) -> list[Path]:
    folder = Path(folder)
    return [build(folder / name) for name, build in WORKBOOKS.items()]

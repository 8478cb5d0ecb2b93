"""Checked-in analyst workbooks: reproducible, wired to the right cells, figures that agree."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
from office import cell, shown
from openpyxl.utils import range_boundaries
from openpyxl.worksheet.formula import ArrayFormula

from channelxl.excel import REGISTRY
from channelxl.excel.analyst_workbooks import WORKBOOKS, build_all

HERE = Path(__file__).resolve().parents[1] / "workbooks"


def cells(path: Path) -> dict:
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                v = c.value
                if isinstance(v, ArrayFormula):
                    v = ("array", v.ref, v.text)
                if v is not None:
                    out[(ws.title, c.coordinate)] = v
    return out


def test_checked_in_workbooks_equal_a_fresh_build(tmp_path):
    for built in build_all(tmp_path):
        assert cells(HERE / built.name) == cells(built), (
            f"run: python workbooks/build.py ({built.name})"
        )


def _resolve(ws, arg: str):
    """An argument as Windows Excel passes it: a range as a 2-D list of floats/None."""
    arg = arg.strip().replace("$", "")
    if arg.startswith('"'):
        return arg.strip('"')
    if re.fullmatch(r"[A-Z]+\d+(:[A-Z]+\d+)?", arg):
        lo_col, lo_row, hi_col, hi_row = range_boundaries(arg if ":" in arg else f"{arg}:{arg}")
        grid = [
            [ws.cell(row=r, column=c).value for c in range(lo_col, hi_col + 1)]
            for r in range(lo_row, hi_row + 1)
        ]
        grid = [[float(v) if isinstance(v, int) else v for v in row] for row in grid]
        return grid[0][0] if len(grid) == 1 and len(grid[0]) == 1 else grid
    return float(arg)


def evaluate(ws, formula: str):
    """A CHX_ call, or INDEX(CHX_ call, k): the k-th value of its column."""
    index = re.fullmatch(r"=INDEX\((CHX_.*\)),(\d+)\)", formula)
    if index:
        return evaluate(ws, "=" + index.group(1))[int(index.group(2)) - 1][0]
    m = re.fullmatch(r"=(CHX_[A-Z_]+)\((.*)\)", formula)
    assert m, formula
    return REGISTRY[m.group(1)].fn(*[_resolve(ws, a) for a in m.group(2).split(",")])


def test_formulas_give_the_expected_figures():
    """Each formula, evaluated as Excel would call it, equals the Expected cell beside it."""
    ws = openpyxl.load_workbook(HERE / "rebate_calculator.xlsx")["Calculator"]
    checked = 0
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, str) and c.value.startswith("=CHX_"):
                result = evaluate(ws, c.value)
                assert not (isinstance(result, str) and result.startswith("#")), (
                    c.coordinate,
                    result,
                )
                right = ws.cell(row=c.row, column=c.column + 1).value
                left_header = ws.cell(row=4, column=c.column + 1).value
                if left_header == "Expected":
                    assert result == right, c.coordinate
                    checked += 1
                elif ws.cell(row=c.row, column=c.column + 1).value == "Expected":
                    assert result == ws.cell(row=c.row, column=c.column + 2).value
                    checked += 1
            if isinstance(c.value, str) and c.value.startswith("=INDEX(CHX_"):
                # one call over the whole column: each cell equals its row's single call
                assert evaluate(ws, c.value) == ws.cell(row=c.row, column=9).value
                checked += 1
    assert checked >= 3 * 6 + 2


def test_the_workbook_points_xlwings_at_the_functions():
    wb = openpyxl.load_workbook(HERE / "rebate_calculator.xlsx")
    conf = wb["xlwings.conf"]
    assert (conf["A1"].value, conf["B1"].value) == ("UDF Modules", "channelxl.excel")
    assert set(WORKBOOKS) == {p.name for p in HERE.glob("*.xlsx")}


def stored(path: Path) -> dict:
    """Each formula cell's stored value (what a spreadsheet shows before recomputing)."""
    formulas, values = openpyxl.load_workbook(path), openpyxl.load_workbook(path, data_only=True)
    return {
        (ws.title, c.coordinate): values[ws.title][c.coordinate].value
        for ws in formulas.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "f"
    }


def test_every_formula_carries_its_value_and_it_is_the_expected_one():
    path = HERE / "rebate_calculator.xlsx"
    values = stored(path)
    assert len(values) >= 3 * 6 + 6 and None not in values.values()
    ws = openpyxl.load_workbook(path)["Calculator"]
    for (_, ref), value in values.items():
        assert value == evaluate(ws, ws[ref].value), ref
    # by hand: D001 612,000 reaches Platinum (4 %): 24,480.00 retroactive; incremental
    # 150,000 x 2 % + 250,000 x 3 % + 112,000 x 4 % = 3,000 + 7,500 + 4,480 = 14,980.00
    assert (values[("Calculator", "H5")], values[("Calculator", "J5")]) == (24480, 14980)
    assert values[("Calculator", "L5")] == "Platinum"


def test_libreoffice_with_nothing_installed_shows_the_figures():
    sheets = shown(HERE / "rebate_calculator.xlsx")
    assert cell(sheets, "Calculator", "H5") == "24,480.00"
    assert cell(sheets, "Calculator", "J5") == "14,980.00"
    assert cell(sheets, "Calculator", "L6") == "Gold"
    assert cell(sheets, "Calculator", "N9") == "12,937.52"
    assert cell(sheets, "Calculator", "B19") == "94.3%"  # the scorecard score, 0.9425
    shown_anywhere = [v for rows in sheets.values() for row in rows for v in row]
    assert not any(v.startswith(("#NAME", "Err:")) for v in shown_anywhere)

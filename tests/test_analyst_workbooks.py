"""Checked-in analyst workbooks: reproducible, wired to the right cells, figures that agree."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
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
            if isinstance(c.value, ArrayFormula):
                results = evaluate(ws, c.value.text)
                singles = [
                    ws.cell(row=r, column=9).value for r in range(c.row, c.row + len(results))
                ]
                assert [r[0] for r in results] == singles
                checked += 1
    assert checked >= 2 * 6 + 2


def test_the_workbook_points_xlwings_at_the_functions():
    wb = openpyxl.load_workbook(HERE / "rebate_calculator.xlsx")
    conf = wb["xlwings.conf"]
    assert (conf["A1"].value, conf["B1"].value) == ("UDF Modules", "channelxl.excel")
    assert set(WORKBOOKS) == {p.name for p in HERE.glob("*.xlsx")}

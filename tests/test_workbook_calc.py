"""``channelxl calc``: a workbook's CHX_ formulas and the formulas around them computed
without a spreadsheet, values stored next to the formulas, shown where nothing is installed.

Expectations by hand: tiers 0 / 100,000 / 250,000 / 500,000 at 0 / 2 / 3 / 4 %;
retroactive rebate = the reached tier's rate x the whole measure.
"""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import openpyxl
import pytest
from helpers import run_cli
from hypothesis import given, settings
from hypothesis import strategies as st
from office import cell, shown
from openpyxl.worksheet.formula import ArrayFormula

from channelxl.excel import chx_rebate_tier
from channelxl.excel.workbook_calc import CalcError, default_out, recalculate
from channelxl.io.cached_values import CachedValueError, store_values

TIERS = [("Threshold", "Rate"), (0, 0), (100000, 0.02), (250000, 0.03), (500000, 0.04)]
MEASURES = [50000, 120000, 300000, 0]  # the last a typed zero, not a blank
RETROACTIVE = [0, 2400, 9000, 0]  # 0 %, 2 % x 120,000, 3 % x 300,000, 0 %


def book(path: Path, *, unknown: bool = False, array: bool = True) -> Path:
    """Tiers in A1:B5, measures in D2:D5, one CHX_REBATE per row in E, a total in E7 that
    depends on them, an error case in E8 (descending tiers in G1:H3), and optionally a
    column as an array formula (F2:F5) and a function no engine knows (E10, E11 after it)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Rebates Q3"  # a space: the sheet name is quoted in formulas
    for i, row in enumerate(TIERS, start=1):
        for j, v in enumerate(row, start=1):
            ws.cell(row=i, column=j, value=v)
    ws["D1"], ws["E1"] = "Sell-through", "Rebate"
    for i, m in enumerate(MEASURES, start=2):
        ws.cell(row=i, column=4, value=m)
        ws.cell(row=i, column=5, value=f"=CHX_REBATE(D{i},$A$1:$B$5)")
    if array:
        ws["F2"] = ArrayFormula("F2:F5", "=CHX_REBATE(D2:D5,$A$1:$B$5)")
    ws["D7"], ws["E7"] = "Total", "=SUM(E2:E5)*1"
    ws["G1"], ws["H1"], ws["G2"], ws["H2"], ws["G3"], ws["H3"] = 0, 0, 500, 0.02, 100, 0.03
    ws["E8"] = "=CHX_REBATE(300,G1:H3)"
    ws["E9"] = "='Rebates Q3'!E7+E3"
    if unknown:
        ws["E10"] = "=FROBNICATE(E2)"
        ws["E11"] = "=E10*2"
        ws["E12"] = "=E7/2"
    wb.save(path)
    return path


def stored(path: Path, sheet: str = "Rebates Q3") -> dict[str, object]:
    formulas = openpyxl.load_workbook(path)[sheet]
    values = openpyxl.load_workbook(path, data_only=True)[sheet]
    refs = []
    for row in formulas.iter_rows():
        for c in row:
            if isinstance(c.value, ArrayFormula):  # every cell the array fills
                refs += [x.coordinate for r in formulas[c.value.ref] for x in r]
            elif c.data_type == "f":
                refs.append(c.coordinate)
    return {ref: values[ref].value for ref in refs}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_formula_computed_and_stored_the_original_unchanged(tmp_path):
    src = book(tmp_path / "q3.xlsx")
    before = digest(src)
    done = recalculate(src)
    assert done.out == tmp_path / "q3_calculated.xlsx" == default_out(src)
    assert digest(src) == before  # the workbook given is not changed
    assert not done.uncomputed and done.computed == 4 + 4 + 3 and done.chx == 4 + 4 + 1
    values = stored(done.out)
    assert [values[f"E{i}"] for i in range(2, 6)] == RETROACTIVE
    assert [values[f"F{i}"] for i in range(2, 6)] == RETROACTIVE  # the column, ending in 0
    assert values["E7"] == sum(RETROACTIVE) == 11400
    assert values["E9"] == 11400 + 2400
    assert values["E8"] == "#VALUE! tier thresholds must ascend (row 3)"
    # the formulas are kept, the inputs untouched
    after = openpyxl.load_workbook(done.out)["Rebates Q3"]
    assert after["E2"].value == "=CHX_REBATE(D2,$A$1:$B$5)" and after["D3"].value == 120000
    assert isinstance(after["F2"].value, ArrayFormula) and after["F2"].value.ref == "F2:F5"


def test_a_function_the_engine_does_not_know_is_listed_never_given_a_value(tmp_path):
    src = book(tmp_path / "q3.xlsx", unknown=True)
    done = recalculate(src, tmp_path / "out.xlsx")
    listed = {u.cell: u.why for u in done.uncomputed}
    assert listed == {
        "E10": "calls FROBNICATE, which the formula engine does not know",
        "E11": "depends on Rebates Q3!E10, which is not computed",
    }
    values = stored(done.out)
    assert values["E10"] is None and values["E11"] is None  # no value invented
    assert values["E12"] == 5700  # a formula beside them still computes
    assert "Rebates Q3!E10 =FROBNICATE(E2): calls FROBNICATE" in done.summary()


def test_libreoffice_without_the_extension_shows_the_computed_figures(tmp_path):
    # one formula per cell: LibreOffice keeps stored values of plain formulas when it opens an
    # .xlsx (array formulas it recomputes, so without the extension they show #NAME?)
    src = book(tmp_path / "q3.xlsx", array=False)
    before = shown(src)
    assert cell(before, "Rebates Q3", "E3") == "#NAME?"  # as written, nothing to show
    sheets = shown(recalculate(src).out)
    assert [cell(sheets, "Rebates Q3", f"E{i}") for i in range(2, 6)] == [
        "0",
        "2400",
        "9000",
        "0",
    ]
    assert cell(sheets, "Rebates Q3", "E7") == "11400"
    assert cell(sheets, "Rebates Q3", "E8").startswith("#VALUE! tier thresholds must ascend")


def test_the_command_as_a_user_types_it(tmp_path):
    src = book(tmp_path / "my book.xlsx", unknown=True)
    out = tmp_path / "done" / "statement.xlsx"
    r = run_cli("calc", src, "--out", out)
    assert r.returncode == 3, r.stderr  # written, with two cells it could not compute
    assert out.exists() and "not computed" in r.stdout and "E10" in r.stdout
    assert "Traceback" not in r.stdout + r.stderr
    clean = book(tmp_path / "clean.xlsx")
    r = run_cli("calc", clean, "--out", clean)  # in place, when asked
    assert r.returncode == 0 and "11 formula cell(s) computed (9 with CHX_ functions)" in r.stdout
    assert stored(clean)["E7"] == 11400
    # refusals: what, where and what to do, exit 2, never a traceback
    (tmp_path / "lines.csv").write_text("a,b\n")
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really")
    for name, said in [
        ("lines.csv", "reads .xlsx and .xlsm workbooks; save it as .xlsx"),
        ("broken.xlsx", "damaged"),
        ("missing.xlsx", "no such workbook"),
    ]:
        r = run_cli("calc", tmp_path / name)
        assert r.returncode == 2 and said in r.stderr and "Traceback" not in r.stderr, name


def test_only_formula_cells_take_values_and_other_parts_are_copied_as_they_are(tmp_path):
    src = book(tmp_path / "q3.xlsx")
    out = tmp_path / "out.xlsx"
    with pytest.raises(CachedValueError, match="Rebates Q3!D3 holds no formula"):
        store_values(src, {"Rebates Q3": {"D3": 1}}, out)
    with pytest.raises(CachedValueError, match="no sheet named Nope"):
        store_values(src, {"Nope": {"A1": 1}}, out)
    store_values(src, {"Rebates Q3": {"E2": 7}}, out)
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(out) as b:
        assert a.namelist() == b.namelist()
        changed = [n for n in a.namelist() if a.read(n) != b.read(n)]
    assert sorted(changed) == ["xl/workbook.xml", "xl/worksheets/sheet1.xml"]
    with zipfile.ZipFile(out) as b:
        book_xml = b.read("xl/workbook.xml").decode()
    # a spreadsheet opening it keeps the stored values instead of recomputing everything
    assert 'calcId="191029"' in book_xml and "fullCalcOnLoad" not in book_xml


def test_a_recalculation_is_reproducible(tmp_path):
    src = book(tmp_path / "q3.xlsx")
    a = recalculate(src, tmp_path / "a.xlsx").out
    b = recalculate(src, tmp_path / "b.xlsx").out
    assert digest(a) == digest(b)


# text a cell can hold: no control characters (tested on their own), no lone surrogates
_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=40)


@settings(max_examples=60, deadline=None)
@given(
    number=st.floats(allow_nan=False, allow_infinity=False),
    text=_TEXT,
    flag=st.booleans(),
)
def test_stored_values_read_back_exactly(tmp_path_factory, number, text, flag):
    """Whatever is stored reads back as stored: floats to the last bit, text with markup
    characters intact (characters XML cannot hold are dropped), booleans as booleans."""
    folder = tmp_path_factory.mktemp("v")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["A2"], ws["A3"] = "=1", "=2", "=3"
    wb.save(folder / "v.xlsx")
    store_values(folder / "v.xlsx", {"Sheet": {"A1": number, "A2": text, "A3": flag}})
    back = openpyxl.load_workbook(folder / "v.xlsx", data_only=True)["Sheet"]
    assert back["A1"].value == number
    expected = text.replace("\ufffe", "").replace("\uffff", "")  # not characters in XML
    assert (back["A2"].value or "") == expected
    assert back["A3"].value is flag


def test_not_an_xlsx_the_library_refuses(tmp_path):
    (tmp_path / "a.ods").write_bytes(b"x")
    with pytest.raises(CalcError, match=r"save it as \.xlsx"):
        recalculate(tmp_path / "a.ods")


def test_control_characters_are_dropped_from_stored_text(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "=1"
    wb.save(tmp_path / "v.xlsx")
    store_values(tmp_path / "v.xlsx", {"Sheet": {"A1": "a\x00b\x1fc <&> d"}})
    back = openpyxl.load_workbook(tmp_path / "v.xlsx", data_only=True)["Sheet"]
    assert back["A1"].value == "abc <&> d"


def test_circular_references_other_workbooks_and_newer_functions_are_listed(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    ws["A1"], ws["B1"], ws["A2"], ws["B2"], ws["D1"] = 0, 0, 100000, 0.02, 150000
    ws["E1"], ws["E2"] = "=E2+1", "=E1+1"  # a circular reference
    ws["E3"] = "=[1]Other!A1*2"  # another workbook
    ws["E4"] = "=LET(x,2,x*3)"  # a function the engine does not know
    ws["E5"] = "=CHX_REBATE(D1,A1:B2)+E4"  # depends on one
    ws["E6"] = "=CHX_REBATE(D1,A1:B2)"  # 2 % x 150,000
    wb.save(tmp_path / "s.xlsx")
    done = recalculate(tmp_path / "s.xlsx")
    assert {u.cell: u.why for u in done.uncomputed} == {
        "E1": "on a circular reference (the formula reads itself)",
        "E2": "on a circular reference (the formula reads itself)",
        "E3": "reads another workbook, which channelxl calc does not open",
        "E4": "calls LET, which the formula engine does not know",
        "E5": "depends on S!E4, which is not computed",
    }
    values = stored(done.out, "S")
    assert values["E6"] == 3000 and all(values[c] is None for c in ("E1", "E3", "E4", "E5"))


def test_a_formula_the_engine_cannot_read_is_named_in_the_refusal(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "S"
    wb.active["C7"] = "=SUM(("
    wb.save(tmp_path / "s.xlsx")
    r = run_cli("calc", tmp_path / "s.xlsx")
    assert r.returncode == 2 and "S!C7 =SUM((: the formula engine cannot read it" in r.stderr
    assert not (tmp_path / "s_calculated.xlsx").exists()


def test_a_blank_cell_in_a_range_reaches_the_function_as_a_blank(tmp_path):
    # the engine marks a blank cell with a text token; the function must see a blank (None),
    # as Excel passes it, not a word
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    rows = [("Threshold", "Rate", "Label"), (0, 0, None), (100000, 0.02, "Silver")]
    for i, row in enumerate(rows, start=1):
        for j, v in enumerate(row, start=1):
            ws.cell(row=i, column=j, value=v)
    ws["E1"], ws["E2"] = "=CHX_REBATE_TIER(50000,A1:C3)", "=CHX_REBATE_TIER(150000,A1:C3)"
    ws["E3"] = "=CHX_REBATE(150000,A1:C3)"  # 2 % x 150,000
    wb.save(tmp_path / "s.xlsx")
    values = stored(recalculate(tmp_path / "s.xlsx").out, "S")
    # the base tier has no label: the function returns empty text, which reads back blank
    assert chx_rebate_tier(50000.0, [list(r) for r in rows]) == ""
    assert values == {"E1": None, "E2": "Silver", "E3": 3000}

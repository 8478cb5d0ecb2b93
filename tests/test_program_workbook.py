"""The program workbook: written from the declarations, read back, every error located."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import openpyxl
import pytest

from channelxl.errors import ProgramInvalid
from channelxl.io.program_workbook import check_program, read_program, write_program
from channelxl.schema import PROGRAM_TABLES


@pytest.fixture
def program_path(tmp_path, small_channel):
    return write_program(tmp_path / "program.xlsx", small_channel.program, small_channel.settings)


def edit(path, sheet: str, changes: dict[str, object]) -> None:
    wb = openpyxl.load_workbook(path)
    for ref, value in changes.items():
        wb[sheet][ref] = value
    wb.save(path)


def codes_at(issues):
    return {(i.code, i.sheet, i.cell) for i in issues if i.severity == "error"}


def test_written_program_reads_back_valid_and_exact(program_path, small_channel):
    program = read_program(program_path)
    assert len(program.distributors) == len(small_channel.program["distributors"])
    assert program.settings["reporting_currency"] == "EUR"
    tiers = program.rebate_tiers[program.rebate_tiers.program_id == "P-ST"]
    assert list(tiers.rate) == [Decimal("0"), Decimal("0.02"), Decimal("0.03"), Decimal("0.04")]
    assert program.resellers.authorized_distributors.iloc[0] == ("D001",)


def test_layout_people_need(program_path):
    wb = openpyxl.load_workbook(program_path)
    assert wb.sheetnames[0] == "Instructions"
    assert wb["Lists"].sheet_state == "hidden"
    for t in PROGRAM_TABLES:
        ws = wb[t.title]
        assert ws.freeze_panes == "A2", t.title
        assert [c.value for c in ws[1]][: len(t.columns)] == [c.name for c in t.columns]
        assert len(ws.tables) == 1
    # drop-downs where values are enumerated
    types = [dv for dv in wb["Distributors"].data_validations.dataValidation if dv.type == "list"]
    assert any("C2" in str(dv.sqref) for dv in types)
    # numbers are numbers, not text
    assert wb["Products"]["D2"].data_type == "n"
    assert wb["Territories"]["E2"].is_date


def test_duplicate_id_named_with_its_cell(program_path):
    edit(program_path, "Distributors", {"A3": "D001"})
    _, issues = check_program(program_path)
    assert ("DUPL", "Distributors", "A3") in codes_at(issues)
    assert any("already on row 2" in i.message for i in issues)


def test_unknown_reference(program_path):
    edit(program_path, "Territories", {"A2": "D999"})
    _, issues = check_program(program_path)
    assert ("REF", "Territories", "A2") in codes_at(issues)
    assert any("D999 is not on the Distributors sheet" in i.message for i in issues)


def test_unknown_reference_inside_a_list(program_path):
    edit(program_path, "Resellers", {"D2": "D001;D777"})
    _, issues = check_program(program_path)
    assert ("REF", "Resellers", "D2") in codes_at(issues)


def test_tiers_must_ascend(program_path):
    # P-ST tiers are rows 2-5: 0, 100000, 250000, 500000
    edit(program_path, "Rebate Tiers", {"B4": 50000})
    _, issues = check_program(program_path)
    assert ("TIER", "Rebate Tiers", "B4") in codes_at(issues)
    assert any("must ascend" in i.message for i in issues)


def test_rate_out_of_range(program_path):
    edit(program_path, "Rebate Tiers", {"C3": 2})
    _, issues = check_program(program_path)
    assert ("RANGE", "Rebate Tiers", "C3") in codes_at(issues)
    edit(program_path, "Rebate Tiers", {"C3": -0.01})
    _, issues = check_program(program_path)
    assert ("TYPE", "Rebate Tiers", "C3") in codes_at(issues)


def test_unknown_country_code(program_path):
    edit(program_path, "Distributors", {"D2": "XX"})
    _, issues = check_program(program_path)
    assert ("TYPE", "Distributors", "D2") in codes_at(issues)
    assert any("ISO 3166-1" in i.message for i in issues)


def test_overlapping_validity(program_path, small_channel):
    wb = openpyxl.load_workbook(program_path)
    ws = wb["Territories"]
    ws.append(["D001", "US", "enterprise", "N", date(2025, 1, 1), None])
    wb.save(program_path)
    _, issues = check_program(program_path)
    overlaps = [i for i in issues if i.code == "OVERLAP"]
    assert overlaps and overlaps[0].sheet == "Territories"
    assert overlaps[0].cell == f"E{ws.max_row}"


def test_valid_to_before_valid_from(program_path):
    edit(program_path, "Territories", {"F2": date(2020, 1, 1)})
    _, issues = check_program(program_path)
    assert ("DATE", "Territories", "F2") in codes_at(issues)


def test_currency_without_fx_rate(program_path):
    wb = openpyxl.load_workbook(program_path)
    ws = wb["FX Rates"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "USD":
            row[0].value = "NOK"
    wb.save(program_path)
    _, issues = check_program(program_path)
    fx = [i for i in issues if i.code == "FX"]
    assert fx and fx[0].sheet == "Distributors" and fx[0].cell == "E2"


def test_missing_column_and_sheet(program_path):
    wb = openpyxl.load_workbook(program_path)
    wb["Products"]["F1"] = "Minimum"
    del wb["Targets"]
    wb.save(program_path)
    _, issues = check_program(program_path)
    msgs = [str(i) for i in issues if i.severity == "error"]
    assert any("'Floor Price' is missing" in m for m in msgs)
    assert any("sheet 'Targets' is missing" in m for m in msgs)


def test_every_error_at_once_and_refused_whole(program_path):
    edit(program_path, "Distributors", {"A3": "D001", "D4": "ZZ"})
    edit(program_path, "Rebate Tiers", {"B4": 1})
    with pytest.raises(ProgramInvalid) as exc:
        read_program(program_path)
    assert {i.code for i in exc.value.issues} >= {"DUPL", "TYPE", "TIER"}


def test_renamed_headers_and_reordered_columns_are_accepted(program_path):
    wb = openpyxl.load_workbook(program_path)
    ws = wb["Distributors"]
    ws["A1"], ws["B1"] = "distributor_id", "NAME"
    wb.save(program_path)
    program, issues = check_program(program_path)
    assert program is not None, issues


def test_not_a_workbook(tmp_path):
    bad = tmp_path / "program.xlsx"
    bad.write_text("hello")
    program, issues = check_program(bad)
    assert program is None and issues[0].code == "FILE"


def test_scorecard_weights_must_add_up_to_one(program_path):
    edit(program_path, "Scorecard", {"C2": 0.4})  # 0.4 + 0.2 + 0.2 + 0.1
    _, issues = check_program(program_path)
    assert ("RANGE", "Scorecard", "C2") in codes_at(issues)
    assert any("add up to 0.9" in i.message for i in issues)


def test_payouts_ascend_and_need_metrics(program_path):
    edit(program_path, "Scorecard Payouts", {"B4": 0.5})  # 0, 0.7, 0.5, 1.1
    _, issues = check_program(program_path)
    assert ("TIER", "Scorecard Payouts", "B4") in codes_at(issues)
    wb = openpyxl.load_workbook(program_path)
    wb["Scorecard Payouts"].append(["P-VAD", 0, 1])
    wb.save(program_path)
    _, issues = check_program(program_path)
    assert any("P-VAD has payouts but no metrics" in i.message for i in issues)


def test_a_workbook_from_before_scorecards_is_still_valid(program_path):
    wb = openpyxl.load_workbook(program_path)
    del wb["Scorecard"], wb["Scorecard Payouts"]
    wb.save(program_path)
    program, issues = check_program(program_path)
    assert program is not None and len(program.scorecard) == 0
    assert any(i.code == "SHEET" and i.severity == "warning" for i in issues)

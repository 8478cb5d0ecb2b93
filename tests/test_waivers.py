"""Waivers: a late report or a failed gate forgiven for one distributor-quarter, with a
reason and a name (program workbook, sheet Waivers), kept in the ledger, applied by the
engine and shown on the statement. Amounts computed by hand in each test."""

from __future__ import annotations

import csv
from datetime import date, datetime
from decimal import Decimal as D

import pytest
from helpers import run_cli
from hypothesis import given
from hypothesis import strategies as st

from channelxl.commands.ingest import ingest
from channelxl.core.periods import Quarter
from channelxl.core.rebates import Figures, ProgramRules, evaluate
from channelxl.core.tiers import TierTable
from channelxl.core.waivers import ALL_GATES, CERTIFICATION, LATE, Waiver
from channelxl.io.program_workbook import check_program, write_program
from channelxl.ledger.programs import evaluate_quarter
from channelxl.schema import SELL_THROUGH
from channelxl.workspace import Workspace, init

Q3 = Quarter(2026, 3)
TIERS = TierTable.of(
    [(D(0), D(0), None), (D(100000), D("0.02"), None), (D(250000), D("0.03"), None)]
)
WAIVED = "waived by A. Jones on 2026-10-14: mail server outage at the vendor"


def rules(**kw) -> ProgramRules:
    return ProgramRules("P-LATE", "On-time rebate", "revenue", "retroactive", TIERS, **kw)


def figures(**kw) -> Figures:
    base = dict(distributor_id="D001", quarter=Q3, revenue=D("300000"), units=100)
    return Figures(**{**base, **kw})


def waiver(waives=LATE, distributor="D001", quarter="2026Q3", program=None) -> Waiver:
    return Waiver(
        distributor,
        quarter,
        program,
        waives,
        "mail server outage at the vendor",
        "A. Jones",
        date(2026, 10, 14),
    )


# ------------------------------------------------------------------ the engine
def test_a_late_report_withholds_and_a_waiver_pays_it():
    # 3 % of 300,000 = 9,000.00, withheld for the late August report
    late = figures(late_months=("2026-08",))
    withheld = evaluate(rules(require_on_time=True), late)
    assert withheld.amount == D("0.00") and withheld.status == "withheld"
    assert withheld.gates[0].verdict == "FAIL"
    paid = evaluate(
        rules(require_on_time=True), figures(late_months=("2026-08",), waivers=(waiver(),))
    )
    assert paid.amount == D("9000.00") and paid.status == "earned"
    gate = paid.gates[0]
    assert gate.passed and gate.value == "2026-08 late"  # evaluated as it is
    assert gate.verdict == f"FAIL, {WAIVED}"
    assert any(WAIVED in n for n in paid.notes)


@pytest.mark.parametrize(
    "other",
    [
        waiver(quarter="2026Q2"),  # another quarter
        waiver(distributor="D002"),  # another distributor
        waiver(program="P-OTHER"),  # another program
        waiver(waives=CERTIFICATION),  # another gate
    ],
)
def test_a_waiver_for_something_else_changes_nothing(other):
    r = evaluate(rules(require_on_time=True), figures(late_months=("2026-08",), waivers=(other,)))
    assert r.amount == D("0.00") and r.status == "withheld"
    assert r.gates[0].verdict == "FAIL" and not r.gates[0].waiver


def test_all_gates_forgives_both_but_not_a_hold():
    # certification 30 % < 50 % and a late month; weeks of supply 40 > 26 holds the 9,000.00
    f = figures(
        late_months=("2026-08",),
        certification_rate=D("0.3"),
        weeks_of_supply=D(40),
        waivers=(waiver(ALL_GATES, program="P-LATE"),),
    )
    r = evaluate(
        rules(
            require_on_time=True, min_certification_rate=D("0.5"), hold_max_weeks_of_supply=D(26)
        ),
        f,
    )
    assert [g.verdict for g in r.gates] == [f"FAIL, {WAIVED}"] * 2
    assert r.status == "held" and r.amount == D("0.00") and r.held_amount == D("9000.00")


def test_a_waiver_of_a_gate_that_passed_changes_nothing():
    r = evaluate(rules(require_on_time=True), figures(waivers=(waiver(),)))
    assert r.gates[0].verdict == "pass" and not r.gates[0].waiver and r.amount == D("9000.00")


@given(
    revenue=st.decimals(min_value=0, max_value=10**9, places=2),
    late=st.booleans(),
    cert=st.decimals(min_value=0, max_value=1, places=3),
)
def test_property_an_all_gates_waiver_pays_what_no_gates_would(revenue, late, cert):
    f = dict(revenue=revenue, late_months=("2026-08",) if late else (), certification_rate=cert)
    gated = rules(require_on_time=True, min_certification_rate=D("0.5"))
    waived = evaluate(gated, figures(**f, waivers=(waiver(ALL_GATES),)))
    assert waived.amount == evaluate(rules(), figures(**f)).amount
    assert waived.status != "withheld"


# ------------------------------------------------------------------ a workspace, by hand
LINES = {  # month: (quantity, unit price EUR) of D001's one sell-through line
    "2026-07": (40, "1000.00"),
    "2026-08": (60, "1500.00"),
    "2026-09": (50, "2000.00"),
}
# revenue 40,000 + 90,000 + 100,000 = 230,000.00 -> tier 2 (2 %) -> 4,600.00
AMOUNT = D("4600.00")
RECEIVED = {
    "2026-07": "2026-08-05 09:00",
    "2026-08": "2026-09-14 09:00",
    "2026-09": "2026-10-08 09:00",
}


def program_rows(small_channel, waivers=()):
    rows = {k: list(v) for k, v in small_channel.program.items()}
    rows["distributors"] = [
        {**d, "currency": "EUR"} if d["distributor_id"] == "D001" else d
        for d in rows["distributors"]
    ]
    rows["rebate_programs"] = [
        {
            "program_id": "P-LATE",
            "name": "On-time rebate",
            "applies_to": "D001",
            "measure": "revenue",
            "method": "retroactive",
            "require_on_time_reports": "Y",
            "valid_from": date(2024, 1, 1),
        },
        {
            "program_id": "P-OTHER",
            "name": "Ungated rebate",
            "applies_to": "D001",
            "measure": "revenue",
            "method": "retroactive",
            "valid_from": date(2024, 1, 1),
        },
    ]
    rows["rebate_tiers"] = [
        {"program_id": p, "threshold": t, "rate": r}
        for p in ("P-LATE", "P-OTHER")
        for t, r in (("0", "0"), ("100000", "0.02"), ("250000", "0.03"))
    ]
    rows["scorecard"], rows["scorecard_payouts"] = [], []
    rows["waivers"] = list(waivers)
    return rows


def waiver_row(**kw):
    row = {
        "distributor_id": "D001",
        "quarter": "2026Q3",
        "program_id": "P-LATE",
        "waives": "late report",
        "reason": "mail server outage at the vendor",
        "approved_by": "A. Jones",
        "date": date(2026, 10, 14),
    }
    return {**row, **kw}


@pytest.fixture
def late_workspace(tmp_path, small_channel):
    """D001 reports 2026Q3 by hand; August came in on the 14th, due the 10th."""
    root = tmp_path / "late"
    init(root, rows=program_rows(small_channel), settings=small_channel.settings)
    ws = Workspace.find(root)
    reseller = next(
        r
        for r in small_channel.program["resellers"]
        if "D001" in r["authorized_distributors"] and r["country"] == "US"
    )
    sku = next(p["sku"] for p in small_channel.program["products"] if p["active"] == "Y")
    names = [c.name for c in SELL_THROUGH.columns]
    sids = {}
    with ws.open_ledger() as led:
        for month, (qty, price) in LINES.items():
            path = tmp_path / f"sellthrough_D001_{month}.csv"
            with open(path, "w", newline="") as fh:
                w = csv.DictWriter(fh, names)
                w.writeheader()
                w.writerow(
                    {
                        "Distributor ID": "D001",
                        "Period": month,
                        "Invoice Date": f"{month}-15",
                        "Invoice Number": f"INV-{month}",
                        "Reseller ID": reseller["reseller_id"],
                        "Reseller Country": "US",
                        "End Customer Country": "US",
                        "SKU": sku,
                        "Quantity": qty,
                        "Unit Price": price,
                        "Currency": "EUR",
                    }
                )
            run = ingest(led, [path], received_at=datetime.fromisoformat(RECEIVED[month]))
            (result,) = run.results
            assert result.status == "accepted", result.summary()
            sids[month] = result.submission_id
    return ws, sids


def set_waivers(ws, small_channel, *rows):
    write_program(ws.program, program_rows(small_channel, rows), small_channel.settings)


def late_result(ws):
    with ws.open_ledger() as led:
        results, _ = evaluate_quarter(led, Q3, distributors=["D001"])
    return next(r for r in results if r.program_id == "P-LATE")


def test_ledger_late_report_withheld_then_waived(late_workspace, small_channel):
    ws, _ = late_workspace
    r = late_result(ws)
    assert r.base_amount == AMOUNT and r.amount == D("0.00") and r.status == "withheld"
    assert r.gates[0].value == (
        "2026-08 late (received 2026-09-14 09:00, override; due 2026-09-10)"
    )
    set_waivers(ws, small_channel, waiver_row())
    r = late_result(ws)
    assert r.amount == AMOUNT and r.status == "earned"
    assert r.gates[0].verdict == f"FAIL, {WAIVED}"


@pytest.mark.parametrize(
    "other", [{"quarter": "2026Q2"}, {"distributor_id": "D002"}, {"program_id": "P-OTHER"}]
)
def test_ledger_waiver_elsewhere_changes_nothing(late_workspace, small_channel, other):
    ws, _ = late_workspace
    set_waivers(ws, small_channel, waiver_row(**other))
    r = late_result(ws)
    assert r.amount == D("0.00") and r.gates[0].verdict == "FAIL"


def test_statement_shows_who_waived_and_why(late_workspace, small_channel):
    ws, _ = late_workspace
    set_waivers(ws, small_channel, waiver_row(program_id=None))  # blank: every program
    out = run_cli("rebates", "--quarter", "2026Q3", "--dir", ws.root)
    assert out.returncode == 0, out.stderr
    with open(ws.root / "reports" / "2026Q3" / "rebates_2026Q3.csv", newline="") as fh:
        rows = {r["Program ID"]: r for r in csv.DictReader(fh) if r["Distributor ID"] == "D001"}
    late = rows["P-LATE"]
    assert D(late["Amount"]) == AMOUNT
    assert f"FAIL, {WAIVED}" in late["Gates"]
    assert late["Waivers"] == f"reports on time: {WAIVED}"
    assert rows["P-OTHER"]["Waivers"] == ""  # no gate to waive: nothing shown


# ------------------------------------------------------------------ the sheet, validated
def test_waiver_without_reason_or_name_is_a_located_error(tmp_path, small_channel):
    path = tmp_path / "program.xlsx"
    rows = program_rows(
        small_channel,
        [
            waiver_row(reason=None),
            waiver_row(approved_by="  ", waives="all gates"),
            waiver_row(distributor_id="D999", waives="certification gate"),
            waiver_row(quarter="Q3 2026", program_id="P-NOPE"),
        ],
    )
    write_program(path, rows, small_channel.settings)
    program, issues = check_program(path)
    assert program is None
    found = {(i.sheet, i.cell, i.code) for i in issues if i.sheet == "Waivers"}
    # columns: A Distributor ID, B Quarter, C Program ID, D Waives, E Reason, F Approved By
    assert ("Waivers", "E2", "TYPE") in found  # reason blank, row 2
    assert ("Waivers", "F3", "TYPE") in found  # name blank, row 3
    assert ("Waivers", "A4", "REF") in found  # unknown distributor
    assert ("Waivers", "B5", "TYPE") in found  # not a quarter
    assert ("Waivers", "C5", "REF") in found  # unknown program
    messages = " ".join(i.message for i in issues if i.sheet == "Waivers")
    assert "Reason is required" in messages and "Approved By is required" in messages


def test_a_waiver_that_can_never_apply_is_a_warning(tmp_path, small_channel):
    path = tmp_path / "program.xlsx"
    write_program(
        path,
        program_rows(small_channel, [waiver_row(program_id="P-OTHER")]),
        small_channel.settings,
    )
    program, issues = check_program(path)
    assert program is not None  # valid: a warning only
    (warning,) = [i for i in issues if i.sheet == "Waivers"]
    assert warning.severity == "warning" and warning.cell == "D2"
    assert "P-OTHER has no on-time reports gate" in warning.message


def test_cli_check_names_the_waiver_cell(tmp_path, small_channel):
    root = tmp_path / "ws"
    init(root, rows=program_rows(small_channel), settings=small_channel.settings)
    write_program(
        root / "program.xlsx",
        program_rows(small_channel, [waiver_row(reason="")]),
        small_channel.settings,
    )
    out = run_cli("check", "--dir", root)
    assert out.returncode == 2
    assert "sheet Waivers, cell E2" in out.stdout + out.stderr
    assert "Reason is required" in out.stdout + out.stderr

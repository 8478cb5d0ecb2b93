"""Prior-period adjustments: a corrected report for an approved month never changes the
approved statement; the next open quarter carries one adjustment line, once."""

from __future__ import annotations

import csv
import shutil
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

import openpyxl
import pytest
from helpers import run_cli

from channelxl.commands.approve import approve_quarter
from channelxl.commands.ingest import ingest
from channelxl.commands.statement import rebate_statement
from channelxl.core.periods import Quarter
from channelxl.workspace import Workspace

APPROVED_AT = datetime(2026, 1, 15, 9, 30)
Q4, Q1, Q2 = Quarter(2024, 4), Quarter(2025, 1), Quarter(2025, 2)


def _rows(path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def corrected(tmp_path, loaded_channel):
    """2024Q4 approved, then D008's corrected 2024-11 report (its first line one unit more)
    ingested. Returns (workspace, the approved row of D008 P-ST, the added revenue)."""
    root = tmp_path / "ws"
    shutil.copytree(loaded_channel[0].root, root)
    ws = Workspace.find(root)
    with ws.open_ledger() as led:
        approve_quarter(led, Q4, "Ana Ruiz", out_dir=ws.quarter_folder(Q4), now=APPROVED_AT)
    approved = {
        (r["Distributor ID"], r["Program ID"]): r
        for r in _rows(ws.quarter_folder(Q4) / "rebates_2024Q4.csv")
    }
    lines = _rows(ws.inbox / "processed" / "sellthrough_D008_2024-11.csv")
    assert lines[0]["Currency"] == "EUR"  # the reporting currency: no FX in the hand figure
    lines[0]["Quantity"] = str(int(lines[0]["Quantity"]) + 1)
    with open(ws.inbox / "sellthrough_D008_2024-11_corrected.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(lines[0]))
        writer.writeheader()
        writer.writerows(lines)
    with ws.open_ledger() as led:
        run = ingest(led, inbox=ws.inbox)
        assert run.count("accepted") == 1
    return ws, approved[("D008", "P-ST")], Decimal(lines[0]["Unit Price"])


def test_correction_gives_one_adjustment_line_and_leaves_the_approved_statement(corrected):
    ws, approved_row, added = corrected
    before = (ws.quarter_folder(Q4) / "rebates_2024Q4.xlsx").read_bytes()
    before_csv = (ws.quarter_folder(Q4) / "rebates_2024Q4.csv").read_bytes()
    rerun = run_cli("rebates", "--quarter", "2024Q4", cwd=ws.root)
    assert rerun.returncode == 0, rerun.stderr
    assert "approved on 2026-01-15 09:30 UTC by Ana Ruiz" in rerun.stdout
    assert "1 distributor-program(s) would differ" in rerun.stdout
    assert "2025Q1" in rerun.stdout
    assert (ws.quarter_folder(Q4) / "rebates_2024Q4.xlsx").read_bytes() == before
    assert (ws.quarter_folder(Q4) / "rebates_2024Q4.csv").read_bytes() == before_csv

    result = run_cli("rebates", "--quarter", "2025Q1", cwd=ws.root)
    assert result.returncode == 0, result.stderr
    (line,) = _rows(ws.quarter_folder(Q1) / "adjustments_2025Q1.csv")
    assert (line["Distributor ID"], line["Program ID"], line["Quarter Adjusted"]) == (
        "D008",
        "P-ST",
        "2024Q4",
    )
    approved = Decimal(line["Approved Amount"])
    recomputed = Decimal(line["Recomputed Amount"])
    assert approved == Decimal(approved_row["Amount"])
    assert Decimal(line["Difference"]) == recomputed - approved - Decimal(
        line["Earlier Adjustments"]
    )
    # by hand: same tier and payout, the basis one unit (its EUR price) larger, x rate x payout
    assert "tier" not in line["What Changed"] and "payout" not in line["What Changed"]
    basis = Decimal(approved_row["Basis"]) + added
    expected = (basis * Decimal(approved_row["Rate"]) * Decimal(approved_row["Payout"])).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )
    assert recomputed == expected
    assert "sellthrough_D008_2024-11_corrected.csv" in line["New Submissions"]
    assert "sellthrough_D008_2024-11.csv" in line["Replaced Submissions"]
    summary = _statement_summary(ws.quarter_folder(Q1) / "rebates_2025Q1.xlsx")
    d008 = summary["D008"]
    assert d008["Prior-Period Adjustments (EUR)"] == Decimal(line["Difference"])
    assert d008["Total Payable (EUR)"] == d008["Amount (EUR)"] + Decimal(line["Difference"])


def _statement_summary(path) -> dict[str, dict]:
    from openpyxl import load_workbook

    ws = load_workbook(path)["Summary"]
    rows = list(ws.iter_rows(values_only=True))
    head = rows[0]
    out = {}
    for r in rows[1:]:
        if r[0]:
            out[r[0]] = {
                h: Decimal(str(v)) if isinstance(v, int | float) else v
                for h, v in zip(head, r, strict=True)
            }
    return out


def test_approving_the_next_quarter_freezes_its_adjustment_once(corrected):
    ws, _, _ = corrected
    with ws.open_ledger() as led:
        q1 = rebate_statement(led, Q1, ws.quarter_folder(Q1))
        carried = q1.tables.totals["prior_period_adjustments"]
        assert len(q1.tables.adjustments) == 1 and carried != 0
        run = approve_quarter(led, Q1, "Ben Ode", now=datetime(2026, 4, 20, 8, 0))
        assert run.approval.adjustments == carried
        assert run.approval.total_payable == run.approval.total + carried
        # the quarter after carries nothing for the same change: it is settled
        q2 = rebate_statement(led, Q2, ws.quarter_folder(Q2), allow_empty=True)
        assert q2.tables.adjustments == []
        assert q2.tables.totals["prior_period_adjustments"] == 0
    frozen = run_cli("rebates", "--quarter", "2025Q1", cwd=ws.root)
    assert frozen.returncode == 0, frozen.stderr
    assert "same amounts" in frozen.stdout
    (line,) = _rows(ws.quarter_folder(Q1) / "adjustments_2025Q1.csv")
    assert Decimal(line["Difference"]) == carried


def test_a_second_correction_carries_only_the_change_since_the_adjustment(corrected):
    ws, approved_row, added = corrected
    with ws.open_ledger() as led:
        approve_quarter(led, Q1, "Ben Ode", now=datetime(2026, 4, 20, 8, 0))
    lines = _rows(ws.inbox / "processed" / "sellthrough_D008_2024-11_corrected.csv")
    lines[0]["Quantity"] = str(int(lines[0]["Quantity"]) + 1)  # one more unit again
    with open(ws.inbox / "sellthrough_D008_2024-11_again.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(lines[0]))
        writer.writeheader()
        writer.writerows(lines)
    with ws.open_ledger() as led:
        assert ingest(led, inbox=ws.inbox).count("accepted") == 1
        q2 = rebate_statement(led, Q2, ws.quarter_folder(Q2), allow_empty=True)
    (line,) = q2.tables.adjustments
    rate, payout = Decimal(approved_row["Rate"]), Decimal(approved_row["Payout"])
    cents = Decimal("0.01")
    first = ((Decimal(approved_row["Basis"]) + added) * rate * payout).quantize(
        cents, ROUND_HALF_UP
    )
    second = ((Decimal(approved_row["Basis"]) + 2 * added) * rate * payout).quantize(
        cents, ROUND_HALF_UP
    )
    assert line["earlier_adjustments"] == first - Decimal(approved_row["Amount"])
    assert line["recomputed_amount"] == second
    assert line["difference"] == second - first
    assert "sellthrough_D008_2024-11_again.csv" in line["new_submissions"]
    assert "sellthrough_D008_2024-11_corrected.csv" in line["replaced_submissions"]


MDF_RATE = Decimal("0.01")  # P-ST's MDF Rate in the synthetic program workbook


def _mdf_by_hand(revenue: Decimal) -> Decimal:
    """MDF accrued = MDF rate x sell-through revenue, rounded half-up to the cent once."""
    return (MDF_RATE * revenue).quantize(Decimal("0.01"), ROUND_HALF_UP)


def test_a_correction_changes_no_approved_mdf_and_the_next_quarter_says_why(corrected):
    ws, approved_row, added = corrected
    approved_fund = {
        r["Distributor ID"]: r for r in _rows(ws.quarter_folder(Q4) / "mdf_2024Q4.csv")
    }
    # P-ST is a revenue program: its basis is D008's sell-through revenue of the quarter
    assert Decimal(approved_row["MDF Accrued"]) == _mdf_by_hand(Decimal(approved_row["Basis"]))
    result = run_cli("rebates", "--quarter", "2025Q1", cwd=ws.root)
    assert result.returncode == 0, result.stderr
    assert "Prior-period MDF adjustments: 1 line(s)" in result.stdout
    (line,) = _rows(ws.quarter_folder(Q1) / "mdf_adjustments_2025Q1.csv")
    assert (line["Distributor ID"], line["Program ID"], line["Quarter Adjusted"]) == (
        "D008",
        "P-ST",
        "2024Q4",
    )
    recomputed = _mdf_by_hand(Decimal(approved_row["Basis"]) + added)
    difference = recomputed - Decimal(approved_row["MDF Accrued"])
    assert difference != 0
    assert Decimal(line["Approved MDF"]) == Decimal(approved_row["MDF Accrued"])
    assert Decimal(line["Recomputed MDF"]) == recomputed
    assert Decimal(line["Difference"]) == difference
    assert line["What Changed"].startswith("sell-through revenue: ")
    assert "sellthrough_D008_2024-11_corrected.csv" in line["New Submissions"]
    assert "sellthrough_D008_2024-11.csv" in line["Replaced Submissions"]
    # the fund: what was approved + the adjustment + this quarter's own, nothing silent
    fund = {r["Distributor ID"]: r for r in _rows(ws.quarter_folder(Q1) / "mdf_2025Q1.csv")}
    d008 = fund["D008"]
    assert Decimal(d008["Prior-Period Adjustments"]) == difference
    assert Decimal(d008["Accrued"]) == (
        Decimal(approved_fund["D008"]["Accrued"])
        + difference
        + Decimal(d008["Accrued This Quarter"])
    )
    # the statement's "How to read" explains the sheet the adjustment is on
    book = openpyxl.load_workbook(ws.quarter_folder(Q1) / "rebates_2025Q1.xlsx", read_only=True)
    reading = " ".join(str(r[0]) for r in book["How to read"].iter_rows(values_only=True) if r[0])
    assert "MDF Adjustments (sheet MDF Adjustments)" in reading
    assert "Prior-Period Adjustments (each the Difference of a line on MDF Adjustments)" in reading
    for d, row in fund.items():  # no other fund moved
        if d != "D008":
            assert Decimal(row["Prior-Period Adjustments"]) == 0
            assert Decimal(row["Accrued"]) == Decimal(approved_fund[d]["Accrued"]) + Decimal(
                row["Accrued This Quarter"]
            )
    # the approved quarter's own MDF file stays as approved, and its re-run says why
    before = (ws.quarter_folder(Q4) / "mdf_2024Q4.csv").read_bytes()
    rerun = run_cli("rebates", "--quarter", "2024Q4", cwd=ws.root)
    assert (ws.quarter_folder(Q4) / "mdf_2024Q4.csv").read_bytes() == before
    assert (
        f"MDF accrued: 1 distributor-program(s) would accrue differently today (net EUR {difference:+,.2f}"
        in rerun.stdout
    )


def test_an_mdf_adjustment_is_settled_once_by_the_next_approval(corrected):
    ws, approved_row, added = corrected
    with ws.open_ledger() as led:
        q1 = rebate_statement(led, Q1, ws.quarter_folder(Q1))
        (carried,) = q1.tables.mdf.adjustments
        run = approve_quarter(led, Q1, "Ben Ode", now=datetime(2026, 4, 20, 8, 0))
        assert len(run.mdf_adjustments) == 1
        q2 = rebate_statement(led, Q2, ws.quarter_folder(Q2), allow_empty=True)
        assert q2.tables.mdf.adjustments == []
        d008 = next(f for f in q2.tables.mdf.funds if f["distributor_id"] == "D008")
        assert d008["prior_period_adjustments"] == 0
    # a further correction: only the change since the adjustment, on top of it
    lines = _rows(ws.inbox / "processed" / "sellthrough_D008_2024-11_corrected.csv")
    lines[0]["Quantity"] = str(int(lines[0]["Quantity"]) + 1)
    with open(ws.inbox / "sellthrough_D008_2024-11_again.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(lines[0]))
        writer.writeheader()
        writer.writerows(lines)
    with ws.open_ledger() as led:
        assert ingest(led, inbox=ws.inbox).count("accepted") == 1
        q2 = rebate_statement(led, Q2, ws.quarter_folder(Q2), allow_empty=True)
    (line,) = q2.tables.mdf.adjustments
    basis = Decimal(approved_row["Basis"])
    assert line["earlier_adjustments"] == carried["difference"]
    assert line["earlier_adjustments"] == _mdf_by_hand(basis + added) - _mdf_by_hand(basis)
    assert line["recomputed_mdf"] == _mdf_by_hand(basis + 2 * added)
    assert line["difference"] == _mdf_by_hand(basis + 2 * added) - _mdf_by_hand(basis + added)
    assert "sellthrough_D008_2024-11_again.csv" in line["new_submissions"]
    assert "sellthrough_D008_2024-11_corrected.csv" in line["replaced_submissions"]


def test_the_review_of_an_approved_quarter_shows_the_approved_money_and_the_adjustment(
    corrected,
):
    from channelxl.reports import sections
    from channelxl.reports.facts import quarter_report_facts

    ws, approved_row, added = corrected
    approved = {
        (r["Distributor ID"], r["Program ID"]): r
        for r in _rows(ws.quarter_folder(Q4) / "rebates_2024Q4.csv")
    }
    approved_fund = {
        r["Distributor ID"]: r for r in _rows(ws.quarter_folder(Q4) / "mdf_2024Q4.csv")
    }
    with ws.open_ledger() as led:
        doc = quarter_report_facts(led, Q4, distributors=["D008"]).by_distributor["D008"]
    # the money is the approved statement's, program by program, not today's recomputation
    by_program = {r["program_id"]: r for r in doc["rebates"]}
    assert set(by_program) == {p for d, p in approved if d == "D008"}
    for p, r in by_program.items():
        row = approved[("D008", p)]
        assert Decimal(r["amount"]) == Decimal(row["Amount"])
        assert Decimal(r["tier_rebate"]) == Decimal(row["Tier Rebate"])
        assert r["status"] == row["Status"]
    assert sections.rebates_earned(doc) == sum(
        (Decimal(r["Amount"]) for (d, _), r in approved.items() if d == "D008"), Decimal(0)
    )
    assert Decimal(doc["activities"]["mdf_fund"]["accrued"]) == Decimal(
        approved_fund["D008"]["Accrued"]
    )
    # ... and it says who approved it, and what today's ledger carries to the next quarter
    a = doc["approval"]
    assert a["said"] == "approved on 2026-01-15 09:30 UTC by Ana Ruiz"
    assert a["carried_in"] == "2025Q1"
    lines = {(x["kind"], x["program_id"]): x for x in a["adjustments"]}
    assert set(lines) == {("rebate", "P-ST"), ("MDF", "P-ST")}
    basis = Decimal(approved_row["Basis"])
    paid = (
        (basis + added) * Decimal(approved_row["Rate"]) * Decimal(approved_row["Payout"])
    ).quantize(Decimal("0.01"), ROUND_HALF_UP)
    rebate = lines[("rebate", "P-ST")]
    assert Decimal(rebate["approved_amount"]) == Decimal(approved_row["Amount"])
    assert Decimal(rebate["difference"]) == paid - Decimal(approved_row["Amount"])
    mdf = lines[("MDF", "P-ST")]
    assert Decimal(mdf["difference"]) == _mdf_by_hand(basis + added) - _mdf_by_hand(basis)
    assert by_program["P-ST"]["adjustment"]["difference"] == rebate["difference"]
    headline = sections.headline(doc).markup
    assert "2024Q4 is approved" in headline and "by Ana Ruiz" in headline
    assert "carried as a prior-period adjustment in 2025Q1" in headline
    assert any("approved on 2026-01-15" in o and "2025Q1" in o for o in doc["observations"])
    # the open quarter's review says what its fund carries of the approved quarter
    with ws.open_ledger() as led:
        q1 = quarter_report_facts(led, Q1, distributors=["D008"]).by_distributor["D008"]
    fund = q1["activities"]["mdf_fund"]
    assert Decimal(fund["prior_period_adjustments"]) == Decimal(mdf["difference"])
    assert [x["quarter_adjusted"] for x in fund["adjustments"]] == ["2024Q4"]
    assert "prior-period adjustments" in sections.enablement(q1).markup


def test_the_review_of_an_open_quarter_says_nothing_of_approval(loaded_channel):
    from channelxl.reports.facts import quarter_report_facts

    ws, _ = loaded_channel
    with ws.open_ledger() as led:
        doc = quarter_report_facts(led, Q4, distributors=["D008"]).by_distributor["D008"]
    assert doc["approval"] is None

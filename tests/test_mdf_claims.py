"""MDF claims: received and checked, decided on the program workbook, drawn from each
distributor's fund, shown on the statement's MDF sheets and in the review.

The channel here is built by hand so every expected figure is computed in the test: one
program accruing MDF at 1 % of D001's sell-through over three quarters, five claims (two
approved, one of them in part, one rejected, one pending, one in US dollars), one against
another distributor's activity.
"""

from __future__ import annotations

import csv
import shutil
from datetime import date
from decimal import Decimal

import pytest
from helpers import run_cli
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from channelxl.core.funds import OVER_FUND, Claim, fund_balance
from channelxl.core.periods import Quarter
from channelxl.io.program_workbook import check_program, write_program
from channelxl.ledger.ingest_file import ingest_file
from channelxl.ledger.mdf import mdf_fund
from channelxl.synth import generate
from channelxl.workspace import Workspace, init

D = Decimal
Q2 = Quarter(2025, 2)
USD_RATE = "0.9"
# one sell-through line per quarter (EUR): 1 % of each is the quarter's MDF
REVENUE = {"2024-11": "100000.50", "2025-02": "150050.00", "2025-05": "200025.00"}
# 1 % of each, rounded half-up to the cent per quarter: 1000.005 -> 1000.01
ACCRUED = D("1000.01") + D("1500.50") + D("2000.25")

ACTIVITIES = [
    # id, distributor, status, cost, currency
    ("A1", "D001", "completed", "5000", "EUR"),
    ("A2", "D001", "completed", "2000", "EUR"),
    ("A3", "D001", "completed", "900", "EUR"),
    ("A4", "D001", "completed", "700", "EUR"),
    ("A5", "D001", "completed", "1000", "USD"),
    ("A6", "D002", "completed", "4000", "EUR"),
    ("A7", "D001", "planned", "4000", "EUR"),
]
CLAIMS = [
    # claim, distributor, activity, date, amount, currency, proof
    ("C1", "D001", "A1", "2024-12-10", "1000.00", "EUR", "INV-1"),
    ("C2", "D001", "A2", "2025-02-10", "1000.00", "EUR", "INV-2"),
    ("C3", "D001", "A3", "2025-03-10", "300.00", "EUR", "receipts.pdf"),
    ("C4", "D001", "A4", "2025-05-10", "200.00", "EUR", "https://x.example/c4"),
    ("C5", "D001", "A5", "2025-05-12", "500.00", "USD", "INV-5"),
    ("C6", "D001", "A6", "2025-05-12", "400.00", "EUR", "INV-6"),  # D002's activity
    ("C7", "D001", "A1", "2025-06-01", "100.00", "EUR", "INV-7"),  # approved above claimed
]
DECISIONS = [
    ("C1", "approved", "1000", None),
    ("C2", "approved", "800", "receipts cover 800"),
    ("C3", "rejected", None, "no vendor products shown"),
    ("C5", "approved", "500", None),
    ("C7", "approved", "150", None),
    ("C99", "rejected", None, "typo"),  # no such claim
]


def _write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def _program_rows(small_channel, decisions=DECISIONS):
    rows = {k: list(v) for k, v in small_channel.program.items()}
    rows["rebate_programs"] = [
        {
            "program_id": "P-MDF",
            "name": "MDF only",
            "applies_to": "D001",
            "measure": "revenue",
            "method": "retroactive",
            "mdf_rate": "0.01",
            "valid_from": date(2024, 10, 1),
        }
    ]
    rows["rebate_tiers"] = [{"program_id": "P-MDF", "threshold": "0", "rate": "0"}]
    rows["scorecard"], rows["scorecard_payouts"] = [], []
    have = {(r["currency"], r["month"]) for r in rows["fx_rates"]}
    months = [f"2024-{m}" for m in (10, 11, 12)] + [f"2025-0{m}" for m in range(1, 7)]
    rows["fx_rates"] = [r for r in rows["fx_rates"] if r["currency"] != "USD"] + [
        {"currency": "USD", "month": m, "rate": USD_RATE} for m in months
    ]
    # every other currency needs a rate in the months added
    for cur in {c for c, _ in have} - {"USD"}:
        for m in months:
            if (cur, m) not in have:
                rows["fx_rates"].append({"currency": cur, "month": m, "rate": "1"})
    rows["mdf_decisions"] = [
        {
            "claim_id": c,
            "decision": d,
            "approved_amount": a,
            "decided_by": "Ann Analyst",
            "date": date(2025, 6, 20),
            "reason": r,
        }
        for c, d, a, r in decisions
    ]
    return rows


def _files(folder, small_channel):
    reseller = next(
        r["reseller_id"]
        for r in small_channel.program["resellers"]
        if "D001" in r["authorized_distributors"]
    )
    sku = small_channel.program["products"][0]["sku"]
    reports = [
        _write_csv(
            folder / f"st_{month}.csv",
            [
                "Distributor ID",
                "Period",
                "Invoice Date",
                "Invoice Number",
                "Reseller ID",
                "SKU",
                "Quantity",
                "Unit Price",
                "Currency",
            ],
            [["D001", month, f"{month}-15", f"I-{month}", reseller, sku, 1, amount, "EUR"]],
        )
        for month, amount in REVENUE.items()
    ]
    activities = _write_csv(
        folder / "activities.csv",
        [
            "Activity ID",
            "Distributor ID",
            "Activity Type",
            "Planned Date",
            "Completed Date",
            "Cost",
            "Currency",
            "Status",
        ],
        [
            [a, d, "event", "2024-11-01", "2024-11-20" if s == "completed" else "", c, cur, s]
            for a, d, s, c, cur in ACTIVITIES
        ],
    )
    claims = _write_csv(
        folder / "mdf_claims_D001.csv",
        [
            "Claim ID",
            "Distributor ID",
            "Activity ID",
            "Claim Date",
            "Amount",
            "Currency",
            "Proof Reference",
        ],
        CLAIMS,
    )
    return [*reports, activities], claims


@pytest.fixture(scope="module")
def mdf_channel(tmp_path_factory, small_channel):
    """(workspace, the claims file's ingest result): the hand-built channel, loaded."""
    root = tmp_path_factory.mktemp("mdf") / "ws"
    ws = init(root, rows=_program_rows(small_channel), settings=small_channel.settings)
    ws = Workspace.find(root)
    before, claims = _files(tmp_path_factory.mktemp("mdf-files"), small_channel)
    with ws.open_ledger() as led:
        for path in before:
            assert ingest_file(led, path).status == "accepted"
        result = ingest_file(led, claims)
    return ws, result


@pytest.fixture(scope="module")
def fund(mdf_channel):
    ws, _ = mdf_channel
    with ws.open_ledger() as led:
        return mdf_fund(led, Q2)


# ---------------------------------------------------------------- received claims
def test_a_claim_on_another_distributors_activity_is_quarantined_with_line_and_column(
    mdf_channel,
):
    _, result = mdf_channel
    errors = [i for i in result.issues if i.severity == "error"]
    assert [(i.line, i.column) for i in errors] == [(7, "Activity ID")]  # C6: header + 6th
    assert "A6 is D002's, not D001's" in errors[0].message


def test_the_claims_in_force_are_the_good_ones(mdf_channel):
    ws, _ = mdf_channel
    with ws.open_ledger() as led:
        ids = [
            r[0] for r in led.con.execute("SELECT claim_id FROM mdf_claims ORDER BY 1").fetchall()
        ]
    assert ids == ["C1", "C2", "C3", "C4", "C5", "C7"]


def test_claims_on_planned_unknown_or_absent_activities_and_bad_amounts(
    mdf_channel, small_channel, tmp_path
):
    ws, _ = mdf_channel
    copy = tmp_path / "ws"
    shutil.copytree(ws.root, copy)
    rows = [
        ("K1", "D001", "A7", "2025-05-01", "10", "EUR", "INV-K1"),  # planned activity
        ("K2", "D001", "A404", "2025-05-01", "10", "EUR", "INV-K2"),  # not known yet
        ("K3", "D001", "A1", "2025-05-01", "0", "EUR", "INV-K3"),  # nothing claimed
        ("K4", "D001", "A1", "2025-05-01", "10", "EUR", "n/a"),  # no proof
        ("K5", "D001", "A4", "2025-05-01", "600", "EUR", "INV-K5"),  # 200 + 600 > cost 700
        ("C1", "D002", "A6", "2025-05-01", "10", "EUR", "INV-C1"),  # D001's claim id
    ]
    path = _write_csv(
        tmp_path / "more.csv",
        [
            "Claim ID",
            "Distributor ID",
            "Activity ID",
            "Claim Date",
            "Amount",
            "Currency",
            "Proof Reference",
        ],
        rows,
    )
    with Workspace.find(copy).open_ledger() as led:
        result = ingest_file(led, path)
        kept = {r[0] for r in led.con.execute("SELECT claim_id FROM mdf_claims").fetchall()}
        owner = led.con.execute("SELECT distributor_id FROM mdf_claims WHERE claim_id = 'C1'")
        owners = [r[0] for r in owner.fetchall()]
    found = {(i.line, i.column, i.severity) for i in result.issues}
    assert found == {
        (2, "Activity ID", "error"),
        (3, "Activity ID", "warning"),
        (4, "Amount", "error"),
        (5, "Proof Reference", "error"),
        (6, "Amount", "warning"),
        (7, "Claim ID", "error"),
    }
    by_line = {i.line: i.message for i in result.issues}
    assert "planned, not completed" in by_line[2]
    assert "add up to 800.00, above its cost of 700.00 EUR" in by_line[6]
    assert "already a claim of D001" in by_line[7]
    assert {"K2", "K5"} <= kept and not {"K1", "K3", "K4"} & kept
    assert owners == ["D001"]  # D002's line with the same id replaced nothing


# ---------------------------------------------------------------- the fund
def test_the_fund_balance_computed_by_hand(fund):
    (b,) = fund.balances
    assert b.distributor_id == "D001"
    assert str(fund.first_quarter) == "2024Q4"
    assert b.accrued == ACCRUED == D("4500.76")
    usd = D("450.00")  # 500 USD x 0.9
    assert b.claimed == D("1000") + D("1000") + D("300") + D("200") + usd + D("100")
    assert b.approved == D("1000") + D("800") + usd
    assert b.rejected == D("300")
    assert b.pending == D("200") + D("100")  # C4 undecided; C7's approval is not applied
    assert b.remaining == D("2250.76")
    assert fund.accrued_in_quarter["D001"] == D("2000.25")


def test_each_claims_status(fund):
    status = {s.claim.claim_id: (s.status, s.claimed, s.approved) for s in fund.claims}
    assert status == {
        "C1": ("approved", D("1000.00"), D("1000.00")),
        "C2": ("partly approved", D("1000.00"), D("800.00")),
        "C3": ("rejected", D("300.00"), None),
        "C4": ("pending", D("200.00"), None),
        "C5": ("approved", D("450.00"), D("450.00")),
        "C7": ("pending", D("100.00"), None),
    }
    c7 = next(s for s in fund.claims if s.claim.claim_id == "C7")
    assert "approved 150" in c7.flags[0] and "above the 100" in c7.flags[0]


def test_decisions_the_claims_contradict_are_said(fund):
    said = {(i.severity, i.column): i.message for i in fund.issues}
    assert "C99" in said[("warning", "Claim ID")]
    assert "C7" in said[("error", "Approved Amount")]
    assert all(i.sheet == "MDF Decisions" and i.file == "program.xlsx" for i in fund.issues)


def test_a_claim_without_an_fx_rate_is_said_not_dropped():
    claims = [
        Claim("X1", "D9", "A", date(2025, 1, 5), D("100"), "EUR", D(1), "approved", D("100")),
        Claim("X2", "D9", "A", date(2025, 1, 6), D("70"), "JPY", None, "approved", D("70")),
    ]
    balance, statuses = fund_balance("D9", D("500"), claims)
    assert balance.claims == 2 and balance.approved == D("100") and balance.remaining == D(400)
    assert balance.unconverted == ["X2 JPY 2025-01"]
    assert "without an FX rate" in balance.flags[0]
    assert "no FX rate for JPY in 2025-01" in statuses[1].flags[0]


def test_an_approval_beyond_the_remaining_fund_is_flagged_not_capped():
    claims = [
        Claim("X1", "D9", "A", date(2025, 1, 5), D("80"), "EUR", D(1), "approved", D("80"),
              decided_on=date(2025, 1, 10)),
        Claim("X2", "D9", "A", date(2025, 1, 6), D("50"), "EUR", D(1), "approved", D("50"),
              decided_on=date(2025, 2, 10)),
    ]  # fmt: skip
    balance, statuses = fund_balance("D9", D("100"), claims)
    assert balance.approved == D("130") and balance.remaining == D("-30")
    assert statuses[0].flags == []
    assert statuses[1].flags == [f"{OVER_FUND} (20.00) by 30.00"]
    assert balance.flags == ["overdrawn by 30.00"]


@given(
    st.lists(
        st.tuples(
            st.decimals(min_value="0.01", max_value="100000", places=4),
            st.sampled_from(["approved", "rejected", None]),
            st.integers(min_value=0, max_value=100),
            st.decimals(min_value="0.0001", max_value="10", places=8),
        ),
        max_size=12,
    ),
    st.decimals(min_value="0", max_value="1000000", places=2),
)
def test_the_totals_add_up_and_each_amount_is_rounded_once(rows, accrued):
    claims = [
        Claim(
            f"X{k}",
            "D9",
            "A",
            date(2025, 1, 1),
            amount,
            "USD",
            rate,
            decision,
            (amount * share / 100).quantize(D("0.0001")) if decision == "approved" else None,
        )
        for k, (amount, decision, share, rate) in enumerate(rows)
    ]
    balance, statuses = fund_balance("D9", accrued, claims)
    # every claim falls in exactly one bucket of the amounts claimed
    assert balance.claimed == sum((s.claimed for s in statuses), D(0))
    decided = [s for s in statuses if s.status in ("approved", "partly approved")]
    assert (
        balance.rejected + balance.pending + sum((s.claimed for s in decided), D(0))
        == balance.claimed
    )
    for s in statuses:
        exact = s.claim.amount * s.claim.rate  # the product, exactly, rounded once below
        assert s.claimed == exact.quantize(D("0.01"), rounding="ROUND_HALF_UP")
    assert balance.remaining == accrued - balance.approved


# ---------------------------------------------------------------- the decisions sheet
def test_decisions_sheet_errors_are_located(small_channel, tmp_path):
    rows = _program_rows(
        small_channel,
        [
            ("C1", "approved", None, None),  # no amount
            ("C2", "rejected", None, None),  # no reason
            ("C3", "rejected", "5", "no"),  # rejected with an amount
        ],
    )
    path = write_program(tmp_path / "program.xlsx", rows, small_channel.settings)
    program, issues = check_program(path)
    assert program is None
    located = {(i.sheet, i.cell): i.message for i in issues if i.severity == "error"}
    assert set(located) == {
        ("MDF Decisions", "C2"),
        ("MDF Decisions", "F3"),
        ("MDF Decisions", "C4"),
    }
    assert "C1 is approved but its Approved Amount is blank" in located[("MDF Decisions", "C2")]
    assert "C2 is rejected without a Reason" in located[("MDF Decisions", "F3")]


# ---------------------------------------------------------------- as a user runs it
def test_cli_ingest_claims_then_rebates_shows_the_mdf_sheets(small_channel, tmp_path):
    root = tmp_path / "ws"
    init(root, rows=_program_rows(small_channel), settings=small_channel.settings)
    before, claims = _files(tmp_path, small_channel)
    for path in before:
        shutil.copy(path, root / "inbox" / path.name)
    assert run_cli("ingest", cwd=root).returncode == 0
    shutil.copy(claims, root / "inbox" / claims.name)  # after the activities export
    done = run_cli("ingest", cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    run = run_cli("rebates", "--quarter", "2025Q2", cwd=root)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "C99" in run.stdout and "C7" in run.stdout  # the decisions' problems, said
    folder = next(root.glob("reports/2025Q2*"))
    book = load_workbook(next(folder.glob("rebates_*.xlsx")), data_only=True)
    sheet = book["MDF"]
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert row["Distributor ID"] == "D001"
    assert D(str(row["Accrued"])) == D("4500.76")
    assert D(str(row["Remaining"])) == D("2250.76")
    assert D(str(row["Pending"])) == D("300")
    claims_sheet = book["MDF Claims"]
    header = [c.value for c in claims_sheet[1]]
    statuses = {
        r[header.index("Claim ID")]: r[header.index("Status")]
        for r in claims_sheet.iter_rows(min_row=2, values_only=True)
    }
    assert statuses == {
        "C1": "approved",
        "C2": "partly approved",
        "C3": "rejected",
        "C4": "pending",
        "C5": "approved",
        "C7": "pending",
    }
    with open(folder / "mdf_2025Q2.csv", newline="") as f:
        (line,) = list(csv.DictReader(f))
    assert line["Approved"] == "2250.00" and line["Claimed"] == "3050.00"
    out = run_cli("export", "mdf_claims", "--out", str(tmp_path / "claims.csv"), cwd=root)
    assert out.returncode == 0, out.stdout + out.stderr
    with open(tmp_path / "claims.csv", newline="") as f:
        assert sorted(r["claim_id"] for r in csv.DictReader(f)) == [
            "C1", "C2", "C3", "C4", "C5", "C7",
        ]  # fmt: skip


# ---------------------------------------------------------------- the synthetic channel
def test_the_synthetic_channel_sends_claims_and_decisions(loaded_channel, small_channel):
    assert generate(11, small_channel.sizes).mdf_claims.equals(small_channel.mdf_claims)
    decisions = small_channel.program["mdf_decisions"]
    assert decisions and {d["decision"] for d in decisions} <= {"approved", "rejected"}
    planted = small_channel.planted["mdf_claim_on_planned_activity"]
    ws, quarter = loaded_channel
    with ws.open_ledger() as led:
        kept = {r[0] for r in led.con.execute("SELECT claim_id FROM mdf_claims").fetchall()}
        fund_now = mdf_fund(led, quarter)
    assert planted["claim_id"] not in kept  # quarantined: its activity is only planned
    assert kept == set(small_channel.mdf_claims["claim_id"]) - {planted["claim_id"]}
    decided = {d["claim_id"] for d in decisions}
    assert {s.claim.claim_id for s in fund_now.claims if s.status != "pending"} == decided
    assert any(b.approved > 0 for b in fund_now.balances)

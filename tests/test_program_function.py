"""CHX_PROGRAM / CHX_PROGRAM_STEPS: the whole program in a cell, equal to the statement.

Parity: for every line of a synthetic channel's statement, the function fed that line's
inputs as Excel passes them (floats, 2-D lists, None for a blank cell) -- the program's
Rebate Programs row under its header, its Rebate Tiers, the distributor-quarter's figures,
its scorecard and payout table -- returns the statement's Amount to the cent, and its steps
the line's tier rebate, payout, withheld and held amounts. Hand-computed: DOMAIN.md worked
examples A and B, with a scorecard, a cap, a gate, a waiver and a hold.
"""

from __future__ import annotations

import csv
import shutil
from datetime import date
from decimal import Decimal

import pytest
from helpers import run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from channelxl.commands.statement import rebate_statement
from channelxl.excel import chx_program, chx_program_steps
from channelxl.ledger.figures import quarters_figures
from channelxl.ledger.program_cells import arguments, statement_cells
from channelxl.schema import REBATE_PROGRAMS
from channelxl.workspace import Workspace

CENT = Decimal("0.01")
TIERS_A = [[0.0, 0.0], [100000.0, 0.02], [250000.0, 0.03], [500000.0, 0.04]]
TIERS_B = [[0.0, 10.0], [5.0, 12.0], [20.0, 15.0], [100.0, 20.0]]  # per piece, lower bounds


def excel_calls(ledger, quarter, statement_rows):
    """(statement row, CHX_PROGRAM arguments) for every line of the statement, the cells
    as ``ledger.program_cells`` reads them from the ledger."""
    figures = {d: f for (_, d), f in quarters_figures(ledger, [quarter]).items()}
    lines = [(row["Distributor ID"], row["Program ID"]) for row in statement_rows]
    cells = {
        (line.distributor_id, program.program_id): arguments(program, line)
        for program, group in statement_cells(ledger, figures, lines)
        for line in group
    }
    for row in statement_rows:
        yield row, cells[(row["Distributor ID"], row["Program ID"])]


def cents(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


def steps_of(table) -> dict:
    assert table[0] == ["Step", "Value", "Explanation"], table
    return {step: value for step, value, _ in table[1:]}


@pytest.fixture(scope="module")
def statement(loaded_channel, tmp_path_factory):
    ws, quarter = loaded_channel
    with ws.open_ledger() as ledger:
        run = rebate_statement(ledger, quarter, tmp_path_factory.mktemp("statement"))
        with open(run.csv, encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        calls = list(excel_calls(ledger, quarter, rows))
    return rows, calls


def test_every_statement_line_equals_chx_program_to_the_cent(statement):
    rows, calls = statement
    assert len(rows) >= 10
    statuses = {row["Status"] for row in rows}
    assert len(statuses) >= 3, statuses  # earned, capped, withheld, held, no payout...
    unequal = [
        (row["Distributor ID"], row["Program ID"], row["Amount"], result)
        for row, args in calls
        if not isinstance(result := chx_program(*args), float)
        or cents(result) != cents(row["Amount"])
    ]
    assert not unequal, f"{len(unequal)} of {len(rows)} lines differ: {unequal[:5]}"


def test_every_statement_line_equals_chx_program_steps(statement):
    _, calls = statement
    for row, args in calls:
        s = steps_of(chx_program_steps(*args))
        where = (row["Distributor ID"], row["Program ID"])
        assert cents(s["Tier Rebate"]) == cents(row["Tier Rebate"]), where
        assert cents(s["Withheld Amount"]) == cents(row["Withheld Amount"]), where
        assert cents(s["Held Amount"]) == cents(row["Held Amount"]), where
        assert cents(s["Amount"]) == cents(row["Amount"]), where
        if row["Payout"]:
            assert Decimal(str(s["Payout"])) == Decimal(row["Payout"]), where
        else:
            assert "Payout" not in s, where


@pytest.fixture(scope="module")
def altered_statement(loaded_channel, tmp_path_factory):
    """The channel with lower caps, a strict certification gate, an on-time gate, a weeks-of-
    supply hold and waivers for half the distributors: every path a line can take."""
    ws, quarter = loaded_channel
    root = tmp_path_factory.mktemp("altered") / "ws"
    shutil.copytree(ws.root, root)
    with Workspace.find(root).open_ledger() as ledger:
        con = ledger.con
        con.execute(
            "UPDATE rebate_programs SET cap = 900, min_certification_rate = 0.99, "
            "require_on_time_reports = 'Y' WHERE measure = 'revenue'"
        )
        con.execute(
            "UPDATE rebate_programs SET cap = 40, hold_max_weeks_of_supply = 6 "
            "WHERE measure = 'units'"
        )
        con.execute(
            "UPDATE rebate_programs SET growth_basis = 'whole', min_certification_rate = 0.5 "
            "WHERE measure = 'growth'"
        )
        ids = [
            d
            for (d,) in con.execute("SELECT distributor_id FROM distributors ORDER BY 1").fetchall()
        ]
        for i, d in enumerate(ids[::2]):
            waives = "all gates" if i % 2 else "certification gate"
            con.execute(
                "INSERT INTO waivers VALUES (?, ?, NULL, ?, 'mail outage', 'A. Tester', ?)",
                [d, str(quarter), waives, date(2026, 10, 14)],
            )
        run = rebate_statement(ledger, quarter, root / "out")
        with open(run.csv, encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        calls = list(excel_calls(ledger, quarter, rows))
    return rows, calls


def test_capped_withheld_held_and_waived_lines_equal_chx_program(altered_statement):
    rows, calls = altered_statement
    statuses = {row["Status"] for row in rows}
    assert {"capped", "withheld"} <= statuses, statuses
    assert any(row["Waivers"] for row in rows)
    for row, args in calls:
        where = (row["Distributor ID"], row["Program ID"], row["Status"])
        assert cents(chx_program(*args)) == cents(row["Amount"]), where
        s = steps_of(chx_program_steps(*args))
        assert cents(s["Cap Reduction"]) == cents(row["Cap Reduction"]), where
        assert cents(s["Withheld Amount"]) == cents(row["Withheld Amount"]), where
        assert cents(s["Held Amount"]) == cents(row["Held Amount"]), where


# -------------------------------------------------------------- hand-computed examples
def rules(**given):
    names = {
        "method": "Method",
        "cap": "Cap",
        "min_cert": "Min Certification Rate",
        "on_time": "Require On-Time Reports",
        "wos": "Hold Max Weeks of Supply",
        "attainment_cap": "Attainment Cap",
        "basis": "Growth Basis",
    }
    return [["Measure", given.pop("measure", "revenue")]] + [
        [names[k], v] for k, v in given.items()
    ]


def test_worked_example_a_retroactive_and_incremental():
    figures = [["Revenue", 300000.0]]
    assert chx_program(rules(method="retroactive"), TIERS_A, figures) == 9000.0
    assert chx_program(rules(method="incremental"), TIERS_A, figures) == 4500.0


def test_worked_example_b_per_unit_to_scale_and_interval():
    figures = [["Units", 140.0]]
    assert chx_program(rules(measure="units"), TIERS_B, figures) == 2800.0
    assert chx_program(rules(measure="units", method="interval"), TIERS_B, figures) == 2230.0


def test_example_a_with_a_scorecard_a_cap_and_a_gate():
    # 3 % x 300,000 = 9,000; score 0.6 x min(270/300, 1.1) + 0.4 x min(0.9/0.75, 1.1)
    # = 0.54 + 0.44 = 0.98 -> payout 80 % (0.9 <= 0.98 < 1.0) = 7,200; cap 7,000 takes 200.
    scorecard = [
        ["sell_through", 0.6, 270000.0, 300000.0],
        ["certification", 0.4, 0.9, 0.75],
    ]
    payouts = [[0.0, 0.0], [0.9, 0.8], [1.0, 1.0]]
    program = rules(cap=7000.0, min_cert=0.5, attainment_cap=1.1)
    passing = [["Revenue", 300000.0], ["Certification Rate", 0.9]]
    assert chx_program(program, TIERS_A, passing, scorecard, payouts) == 7000.0
    s = steps_of(chx_program_steps(program, TIERS_A, passing, scorecard, payouts))
    assert s["Tier Rebate"] == 9000.0
    assert s["Score"] == pytest.approx(0.98)
    assert s["Payout"] == 0.8
    assert s["After Scorecard"] == 7200.0
    assert s["Cap Reduction"] == 200.0
    assert s["Gate: certification rate"] == "90.0 %"
    # the gate fails at 40 %: the 7,000 due is withheld, nothing paid
    failing = [["Revenue", 300000.0], ["Certification Rate", 0.4]]
    assert chx_program(program, TIERS_A, failing, scorecard, payouts) == 0.0
    s = steps_of(chx_program_steps(program, TIERS_A, failing, scorecard, payouts))
    assert (s["Withheld Amount"], s["Held Amount"], s["Amount"]) == (7000.0, 0.0, 0.0)


def test_a_late_report_withholds_unless_waived_and_loading_holds():
    program = rules(measure="units", method="incremental", on_time="Y", wos=8.0)
    late = [["Units", 140.0], ["Late Reports", "2026-08"], ["Weeks of Supply", 6.0]]
    s = steps_of(chx_program_steps(program, TIERS_B, late))
    assert (s["Withheld Amount"], s["Amount"]) == (2230.0, 0.0)
    assert s["Gate: reports on time"] == "2026-08 late"
    waived = [*late, ["Waived", "late report"]]
    assert chx_program(program, TIERS_B, waived) == 2230.0
    loaded = [["Units", 140.0], ["Weeks of Supply", 9.5]]
    s = steps_of(chx_program_steps(program, TIERS_B, loaded))
    assert (s["Held Amount"], s["Amount"]) == (2230.0, 0.0)


def test_growth_pays_on_the_increment_and_says_when_there_is_no_baseline():
    # growth (330,000 - 300,000) / 300,000 = 10 %; tiers 0 -> 0, 5 % -> 2 %, 10 % -> 4 %
    tiers = [[0.0, 0.0], [0.05, 0.02], [0.10, 0.04]]
    program = rules(measure="growth")
    figures = [["Revenue", 330000.0], ["Prior Revenue", 300000.0]]
    assert chx_program(program, tiers, figures) == 1200.0  # 4 % x 30,000 increment
    whole = rules(measure="growth", basis="whole")
    assert chx_program(whole, tiers, figures) == 13200.0  # 4 % x 330,000
    none = [["Revenue", 330000.0], ["Prior Revenue", 0]]
    s = steps_of(chx_program_steps(program, tiers, none))
    assert s["Measure"] == "" and s["Amount"] == 0.0
    assert "no baseline" in chx_program_steps(program, tiers, none)[1][2]


def test_the_rebate_programs_row_under_its_header_reads_as_name_value_pairs():
    header = [c.name for c in REBATE_PROGRAMS.columns]
    values = {
        "Program ID": "P-VOL",
        "Name": "Volume",
        "Applies To": "*",
        "Measure": "revenue",
        "Method": "incremental",
        "Cap": 4000.0,
        "Valid From": date(2026, 1, 1),
    }
    program = [header, [values.get(name) for name in header]]
    # incremental 4,500 (example A), capped at 4,000
    assert chx_program(program, TIERS_A, [["Revenue", 300000.0]]) == 4000.0


def test_refusals_say_what_and_how_to_fix():
    assert chx_program([["Measure", "volume"]], TIERS_A, [["Revenue", 1.0]]) == (
        "#VALUE! Measure must be revenue or units or growth, not 'volume'"
    )
    answer = chx_program([["Measure", "revenue"], ["Kap", 5.0]], TIERS_A, [["Revenue", 1.0]])
    assert answer.startswith("#VALUE! program does not know 'Kap'; it takes Measure, Method")
    assert chx_program(rules(measure="units"), TIERS_A, [["Revenue", 1.0]]) == (
        "#VALUE! figures needs Units for a units program"
    )
    assert chx_program(rules(), TIERS_A, [["Revenu", 1.0]]).startswith(
        "#VALUE! figures does not know 'Revenu'; it takes Revenue, Units, Prior Revenue"
    )
    assert chx_program(rules(), TIERS_A, [["Revenue", "#N/A"]]).startswith("#N/A ")
    assert chx_program(rules(cap=-5.0), TIERS_A, [["Revenue", 1.0]]) == (
        "#VALUE! Cap in program is negative (-5)"
    )


@settings(max_examples=60, deadline=None)
@given(
    revenue=st.decimals(0, 10**9, places=6),
    payout_index=st.integers(0, 2),
    cap=st.one_of(st.none(), st.integers(1, 10**6)),
)
def test_amount_is_tier_x_payout_capped_rounded_once(revenue, payout_index, cap):
    """An independent oracle: retroactive rate of the tier reached x revenue x payout,
    min with the cap, rounded half-up to the cent once."""
    rate = Decimal(0)
    for threshold, r in TIERS_A:
        if revenue >= Decimal(str(threshold)):
            rate = Decimal(str(r))
    payout = [Decimal(0), Decimal("0.5"), Decimal(1)][payout_index]
    score = [0.1, 0.6, 1.0][payout_index]
    expected = revenue * rate * payout
    if cap is not None:
        expected = min(expected, Decimal(cap))
    expected = expected.quantize(CENT, rounding="ROUND_HALF_UP")
    program = rules() if cap is None else rules(cap=float(cap))
    result = chx_program(
        program,
        TIERS_A,
        [["Revenue", float(revenue)]],
        [["sell_through", 1.0, score, 1.0]],
        [[0.0, 0.0], [0.5, 0.5], [1.0, 1.0]],
    )
    assert Decimal(str(result)) == expected


def test_a_scorecard_under_its_header_may_list_its_columns_in_any_order():
    # the rebate calculator's order: Metric, Actual, Target, Weight; score 0.7 x 1.1 + 0.3 x
    # 0.75 = 0.995 -> payout 50 % of 9,000 = 4,500
    scorecard = [
        ["Metric", "Actual", "Target", "Weight"],
        ["sell_through", 330000.0, 300000.0, 0.7],
        ["certification", 0.6, 0.8, 0.3],
    ]
    payouts = [["Min Score", "Payout"], [0.0, 0.0], [0.8, 0.5], [1.0, 1.0]]
    figures = [["Revenue", 300000.0]]
    assert chx_program(rules(), TIERS_A, figures, scorecard, payouts) == 4500.0
    no_weight = [row[:3] for row in scorecard]
    assert chx_program(rules(), TIERS_A, figures, no_weight, payouts) == (
        "#VALUE! scorecard has no column Weight"
    )


def test_channelxl_functions_lists_both_with_their_arguments():
    done = run_cli("functions")
    assert done.returncode == 0, done.stderr
    assert "CHX_PROGRAM(program, tiers, figures, [scorecard], [payouts])" in done.stdout
    assert "CHX_PROGRAM_STEPS(program, tiers, figures, [scorecard], [payouts])" in done.stdout

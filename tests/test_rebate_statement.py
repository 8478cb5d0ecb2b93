"""Rebates over a real ledger: figures recomputed independently, the statement adds up."""

from __future__ import annotations

import csv
import gc
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import openpyxl
import pytest
from helpers import run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from channelxl.commands.ingest import ingest
from channelxl.commands.statement import rebate_statement, statement_tables
from channelxl.core.periods import Quarter
from channelxl.ledger.programs import evaluate_quarter


@pytest.fixture
def loaded(workspace):
    with workspace.open_ledger() as led:
        ingest(led, inbox=workspace.inbox, today=date(2026, 11, 25))
    return workspace


def test_revenue_and_the_revenue_rebate_recomputed_from_the_generator(loaded, small_channel):
    quarter = str(small_channel.months[-1].quarter)
    months = {str(m) for m in Quarter.parse(quarter).months}
    with loaded.open_ledger() as led:
        results, facts = evaluate_quarter(led, Quarter.parse(quarter))
    # independent: the generator's own lines and FX table, in Decimal, in the test
    fx = {
        (r["currency"], r["month"]): Decimal(r["rate"]) for r in small_channel.program["fx_rates"]
    }
    st = small_channel.sell_through
    st = st[st.period.isin(months)]
    for d in ("D001", "D002", "D005"):
        lines = st[st.distributor_id == d]
        revenue = sum(
            (Decimal(str(q)) * Decimal(str(p)) * (Decimal(1) if c == "EUR" else fx[(c, m)]))
            for q, p, c, m in zip(
                lines.quantity, lines.unit_price, lines.currency, lines.period, strict=True
            )
        )
        assert facts[d].revenue == revenue, d
        assert facts[d].units == int(lines.quantity.sum())
        r = next(x for x in results if x.distributor_id == d and x.program_id == "P-ST")
        tiers = [
            (0, Decimal(0)),
            (100000, Decimal("0.02")),
            (250000, Decimal("0.03")),
            (500000, Decimal("0.04")),
        ]
        rate = max(rt for th, rt in tiers if revenue >= th)
        assert r.base_amount == rate * revenue
        assert r.rate == rate


def test_growth_program_has_no_baseline_in_the_first_year(loaded, small_channel):
    first_quarter = str(small_channel.months[0].quarter)
    with loaded.open_ledger() as led:
        results, _ = evaluate_quarter(led, Quarter.parse(first_quarter))
    vad = [r for r in results if r.program_id == "P-VAD"]
    assert vad and all(r.status == "no baseline" and r.amount == 0 for r in vad)


def test_statement_adds_up_to_the_cent(loaded, small_channel, tmp_path):
    quarter = str(small_channel.months[-1].quarter)
    with loaded.open_ledger() as led:
        run = rebate_statement(led, Quarter.parse(quarter), tmp_path)
    assert run.total == sum(r.amount for r in run.results)
    with open(run.csv, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(run.results)
    assert sum(Decimal(r["Amount"]) for r in rows) == run.total
    for r in rows:  # every amount is in cents, rounded once
        assert Decimal(r["Amount"]) == Decimal(r["Amount"]).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
    wb = openpyxl.load_workbook(run.xlsx)
    summary = wb["Summary"]
    assert summary.freeze_panes == "A2"
    total_row = next(row for row in summary.iter_rows() if row[0].value == "Total")
    assert Decimal(str(total_row[5].value)) == run.total
    distributors = {r.distributor_id for r in run.results}
    assert distributors <= set(wb.sheetnames)
    sheet = wb[sorted(distributors)[0]]
    headers = [c.value for c in sheet[1]]
    # money columns carry the currency in their header (the CSV keeps the declared names)
    for column in ("Measure Value", "Tier", "Rate", "Gates", "Hold", "Capped", "Status"):
        assert column in headers
    for column in ("Amount", "Withheld Amount", "Held Amount", "Accrued", "True-Up"):
        assert f"{column} (EUR)" in headers
    assert sheet.cell(row=2, column=headers.index("Amount (EUR)") + 1).number_format == "#,##0.00"
    assert {"Accruals", "How to read"} <= set(wb.sheetnames)


def test_cli_rebates(loaded, small_channel):
    quarter = str(small_channel.months[-1].quarter)
    r = run_cli("rebates", "--quarter", quarter, cwd=loaded.root)
    assert r.returncode == 0, r.stderr
    assert f"{quarter}:" in r.stdout and "total EUR" in r.stdout
    assert (loaded.root / "reports" / quarter / f"rebates_{quarter}.xlsx").exists()
    one = run_cli(
        "rebates", "--quarter", quarter, "--distributor", "D002", "--out", "one", cwd=loaded.root
    )
    assert one.returncode == 0 and "for 1 distributors" in one.stdout
    bad = run_cli("rebates", "--quarter", quarter, "--distributor", "D999", cwd=loaded.root)
    assert bad.returncode == 2 and "unknown distributor(s): D999" in bad.stderr
    worse = run_cli("rebates", "--quarter", "Q3", cwd=loaded.root)
    assert worse.returncode == 2 and "YYYYQn" in worse.stderr


def test_facts_for_many_quarters_equal_facts_one_quarter_at_a_time(loaded, small_channel):
    from channelxl.ledger.figures import quarter_figures, quarters_figures

    quarters = sorted({m.quarter for m in small_channel.months})
    with loaded.open_ledger() as led:
        together = quarters_figures(led, quarters)
        for q in quarters:
            for d, f in quarter_figures(led, q).items():
                assert together[(str(q), d)] == f, (q, d)


@settings(max_examples=15, deadline=None)
@given(st.lists(st.decimals(min_value=0, max_value=2_000_000, places=4), min_size=1, max_size=12))
def test_statement_total_is_the_sum_of_the_amounts_to_the_cent(tmp_path_factory, revenues):
    """Whatever the revenues, the statement's total (CSV and workbook) is the sum of its cents."""
    from channelxl.core.rebates import Figures, ProgramRules, evaluate
    from channelxl.core.tiers import TierTable
    from channelxl.io.statement_workbook import write_statement
    from channelxl.ledger.figures import QuarterFigures

    tiers = TierTable.of([(0, "0.0125"), (100000, "0.0275"), (250000, "0.0333")])
    rules = ProgramRules("P", "P", "revenue", "retroactive", tiers, mdf_rate=Decimal("0.005"))
    results, facts = [], {}
    for i, rev in enumerate(revenues):
        d = f"D{i:03d}"
        facts[d] = QuarterFigures(d, "vad", Quarter(2026, 3), "EUR", revenue=rev)
        results.append(
            evaluate(
                rules,
                Figures(d, Quarter(2026, 3), rev, 0, (rev, Decimal(0), Decimal(0)), (0, 0, 0)),
            )
        )
    out = tmp_path_factory.mktemp("st")
    tables = statement_tables(results, facts, {})
    _, csv_path = write_statement(tables, out, "2026Q3")
    total = tables.total
    oracle = sum(
        (tiers.rate_for(r) * r).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) for r in revenues
    )
    assert total == oracle
    with open(csv_path, encoding="utf-8") as fh:
        assert sum(Decimal(row["Amount"]) for row in csv.DictReader(fh)) == oracle


def test_figures_and_results_free_themselves_without_the_garbage_collector(loaded, small_channel):
    """The figures to date and the accruals are built when read from what they hold: no
    figures or result is part of a reference cycle (each would stay in memory until a pass of
    the collector), read or not."""
    quarter = Quarter.parse(str(small_channel.months[-1].quarter))
    with loaded.open_ledger() as led:
        gc.collect()
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            results, figures = evaluate_quarter(led, quarter)
            assert [len(r.accruals) for r in results[:3]] == [3, 3, 3]
            del results, figures
            gc.collect()
            ours = [o for o in gc.garbage if type(o).__module__.startswith("channelxl")]
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
    assert ours == []

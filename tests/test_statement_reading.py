"""The statement as a controller reads it: the currency in the money headers, rates and
growth as percentages, a units rate as money per unit, totals of every money column, a
printable layout; and an empty quarter refused unless asked for."""

from __future__ import annotations

from decimal import Decimal

import openpyxl
import pytest
from helpers import run_cli
from openpyxl.utils import get_column_letter

from channelxl.commands.statement import statement_tables
from channelxl.core.periods import Quarter
from channelxl.core.rebates import Figures, ProgramRules, evaluate
from channelxl.core.tiers import TierTable
from channelxl.io.statement_workbook import write_statement
from channelxl.ledger.figures import QuarterFigures

D = Decimal
Q = Quarter(2026, 3)


def _figures(d: str, **kw) -> Figures:
    base = {
        "distributor_id": d,
        "quarter": Q,
        "revenue": D(300000),
        "units": 800,
        "monthly_revenue": (D(100000), D(100000), D(100000)),
        "monthly_units": (200, 300, 300),
    }
    return Figures(**{**base, **kw})


@pytest.fixture
def workbook(tmp_path):
    revenue = ProgramRules(
        "P-ST",
        "Sell-through",
        "revenue",
        "retroactive",
        TierTable.of([(0, 0), (100000, "0.03")]),
        require_on_time=True,
        mdf_rate=D("0.01"),
    )
    cloud = ProgramRules(
        "P-CLOUD", "Cloud units", "units", "incremental", TierTable.of([(0, 0), (500, "1.5")])
    )
    growth = ProgramRules("P-VAD", "Growth", "growth", "retroactive", TierTable.of([(0, "0.02")]))
    results = [
        evaluate(revenue, _figures("D001")),  # 9,000.00 paid, MDF 3,000.00
        evaluate(revenue, _figures("D002", late_months=("2026-07",))),  # 9,000.00 withheld
        evaluate(cloud, _figures("D002")),  # (800 - 500) x 1.50 = 450.00
        evaluate(growth, _figures("D001", prior_revenue=D(250000))),  # 2 % x 50,000 = 1,000.00
    ]
    facts = {d: QuarterFigures(d, "vad", Q, "EUR", revenue=D(300000)) for d in ("D001", "D002")}
    tables = statement_tables(results, facts, {}, calendar="calendar quarters")
    xlsx, _ = write_statement(tables, tmp_path, str(Q))
    return openpyxl.load_workbook(xlsx)


def _rows(ws) -> list[dict]:
    headers = [c.value for c in ws[1]]
    return [
        {h: c for h, c in zip(headers, row, strict=True)}
        for row in ws.iter_rows(min_row=2)
        if row[0].value
    ]


def test_money_headers_carry_the_currency_and_rates_read_in_their_unit(workbook):
    rows = {r["Program ID"].value: r for r in _rows(workbook["D001"])}
    cloud = _rows(workbook["D002"])[1]
    assert "Amount (EUR)" in rows["P-ST"] and "Tier Rebate (EUR)" in rows["P-ST"]
    assert rows["P-ST"]["Rate"].number_format == "0.00%"
    assert cloud["Rate"].value == D("1.5") and cloud["Rate"].number_format.endswith('" per unit"')
    assert cloud["Rate Unit"].value == "EUR per unit"
    assert rows["P-VAD"]["Measure Value"].number_format == "0.0%"  # growth 20 %
    assert rows["P-VAD"]["Measure Value"].value == pytest.approx(0.2)
    assert rows["P-ST"]["Amount (EUR)"].number_format == "#,##0.00"


def test_the_summary_totals_every_money_column(workbook):
    ws = workbook["Summary"]
    headers = [c.value for c in ws[1]]
    total = next(r for r in ws.iter_rows() if r[0].value == "Total")

    def at(name):
        return D(str(total[headers.index(name)].value))

    # paid 9,000 + 1,000 (D001) + 450 (D002); withheld 9,000 (D002); MDF 3,000 + 3,000
    assert at("Amount (EUR)") == D("10450.00")
    assert at("Withheld Amount (EUR)") == D("9000.00")
    assert at("Held Amount (EUR)") == 0
    assert at("MDF Accrued (EUR)") == D("6000.00")
    # steady months: every program accrued what it pays, the withheld one nothing after
    # its gate failed at the close of August (the test's figures say July was late)
    assert at("Accrued (EUR)") + at("True-Up (EUR)") == at("Amount (EUR)")


def test_the_workbook_prints_legibly(workbook):
    ws = workbook["D001"]
    assert ws.page_setup.orientation == "landscape"
    assert ws.print_title_rows == "$1:$1" or ws.print_title_rows == "1:1"
    assert ws.print_title_cols.replace("$", "") == "C:D"  # the program, on every page
    # the distributor and quarter head each page instead of two columns the same on every row
    assert ws.print_area.replace("$", "").startswith("'D001'!C1:")
    assert ws.oddHeader.left.text == "D001" and "2026Q3" in ws.oddHeader.center.text
    # three pages across (docs/REBATES.md), at about 80 %, not 36 columns on seven pages
    setup = ws.page_setup
    assert ws.sheet_properties.pageSetUpPr.fitToPage and setup.fitToHeight == 0
    assert setup.fitToWidth == 3
    printable = (297 - 2 * 0.75 * 25.4) / 25.4 * 96  # A4 landscape, pixels

    def px(j):
        return (ws.column_dimensions[get_column_letter(j)].width or 8.43) * 7 + 5

    total = sum(px(j) for j in range(3, ws.max_column + 1))  # printed from column C
    repeated = (setup.fitToWidth - 1) * (px(3) + px(4))
    assert setup.fitToWidth * printable / (total + repeated) >= 0.75
    # one page fewer would print well below 80 %: no page more than needed (whole
    # columns waste a little of each page, hence the margin)
    fewer = setup.fitToWidth - 1
    assert fewer * printable / (total + (fewer - 1) * (px(3) + px(4))) < 0.9
    # long text wraps in its own column (never running on under the next column's header),
    # each row tall enough for it: D002's withheld line says why in about 150 characters
    d002 = workbook["D002"]
    heads = [c.value for c in d002[1]]
    gates = d002.cell(row=2, column=heads.index("Gates") + 1)
    assert gates.alignment.wrap_text and len(gates.value) > 60
    width = d002.column_dimensions[get_column_letter(heads.index("Gates") + 1)].width
    assert d002.row_dimensions[2].height >= 15 * (len(gates.value) // width)
    amount = d002.cell(row=2, column=heads.index("Amount (EUR)") + 1)
    assert not amount.alignment.wrap_text and amount.alignment.vertical == "top"
    how = [c.value for c in workbook["How to read"]["A"] if c.value]
    assert "Currency: every amount is in EUR, with two decimals." in how[1]
    assert any(line.startswith("Calendar: calendar quarters") for line in how)
    assert any(line.startswith("Basis: each month is accrued at its last day") for line in how)


def test_a_quarter_without_data_is_refused_unless_asked(loaded_channel, tmp_path):
    ws, last = loaded_channel
    empty = last + 3
    r = run_cli("rebates", "--quarter", str(empty), "--out", str(tmp_path), cwd=ws.root)
    assert r.returncode == 2, r.stderr
    assert f"{empty} (" in r.stderr and "has no sell-through in the ledger" in r.stderr
    assert f"the last quarter that has data is {last}" in r.stderr
    assert "--allow-empty" in r.stderr and "internal error" not in r.stderr
    assert not list(tmp_path.iterdir())  # nothing written
    ok = run_cli(
        "rebates", "--quarter", str(empty), "--out", str(tmp_path), "--allow-empty", cwd=ws.root
    )
    assert ok.returncode == 0, ok.stderr
    assert "WARNING:" in ok.stdout and f"last quarter that has data is {last}" in ok.stdout
    assert (tmp_path / f"rebates_{empty}.csv").exists()


def test_the_accruals_sheet_prints_pages_across_with_its_basis_wrapped(workbook):
    """Not every column shrunk onto one page: the distributor, program and month repeat on
    each page across, the Basis wraps in its column and its row is tall enough for it."""
    ws = workbook["Accruals"]
    assert ws.page_setup.orientation == "landscape"
    assert ws.print_title_cols.replace("$", "") == "A:C"
    assert ws.print_title_rows.replace("$", "") == "1:1"
    assert ws.page_setup.fitToWidth == 2 and ws.page_setup.fitToHeight == 0
    assert "2026Q3" in ws.oddHeader.center.text
    heads = [c.value for c in ws[1]]
    col = heads.index("Basis") + 1
    width = ws.column_dimensions[get_column_letter(col)].width
    longest = max(range(2, ws.max_row + 1), key=lambda i: len(ws.cell(i, col).value or ""))
    basis = ws.cell(longest, col)
    assert basis.alignment.wrap_text and len(basis.value) > width
    assert ws.row_dimensions[longest].height >= 15 * 2
    # a units program's rate booked reads "EUR ... per unit" without #### in its column
    assert ws.column_dimensions[get_column_letter(heads.index("Rate Booked") + 1)].width >= 16

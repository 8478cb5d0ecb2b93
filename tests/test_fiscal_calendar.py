"""Fiscal calendars: a program whose fiscal year starts in another month than January reads,
writes and labels every quarter in that calendar (FY2027Q1 = April - June 2026 when the
year starts in April and is named by the calendar year it ends in)."""

from __future__ import annotations

import csv
import shutil
from datetime import date
from decimal import Decimal

import duckdb
import openpyxl
import pytest
from helpers import run_cli
from hypothesis import given
from hypothesis import strategies as st

from channelxl.core.periods import (
    Month,
    Quarter,
    QuarterLabel,
    calendar_text,
    latest_complete_quarter,
)
from channelxl.ledger.figures import period_index, quarter_of_sql

starts = st.integers(1, 12)
months = st.builds(Month, st.integers(1990, 2100), st.integers(1, 12))


def ms(*texts):
    return tuple(Month.parse(t) for t in texts)


# ------------------------------------------------------------------ months of a quarter
@pytest.mark.parametrize(
    ("start", "label", "expected"),
    [
        (2, "FY2027Q1", ms("2026-02", "2026-03", "2026-04")),
        (2, "FY2027Q4", ms("2026-11", "2026-12", "2027-01")),
        (4, "FY2027Q1", ms("2026-04", "2026-05", "2026-06")),
        (4, "FY2027Q4", ms("2027-01", "2027-02", "2027-03")),
        (7, "FY2027Q1", ms("2026-07", "2026-08", "2026-09")),
        (7, "FY2026Q4", ms("2026-04", "2026-05", "2026-06")),
        (10, "FY2027Q1", ms("2026-10", "2026-11", "2026-12")),
        (10, "FY2027Q2", ms("2027-01", "2027-02", "2027-03")),
        (12, "FY2027Q1", ms("2026-12", "2027-01", "2027-02")),
        (12, "FY2027Q4", ms("2027-09", "2027-10", "2027-11")),
        (1, "FY2026Q3", ms("2026-07", "2026-08", "2026-09")),
        (1, "2026Q3", ms("2026-07", "2026-08", "2026-09")),
    ],
)
def test_fiscal_quarter_months_by_hand(start, label, expected):
    q = Quarter.parse(label, start)
    assert q.months == expected
    assert q.first_day == expected[0].first_day and q.last_day == expected[2].last_day
    assert all(m.quarter_in(start) == q for m in expected)


def test_fiscal_year_named_by_the_year_it_ends_in_at_the_boundaries():
    assert str(Month(2026, 3).quarter_in(4)) == "FY2026Q4"
    assert str(Month(2026, 4).quarter_in(4)) == "FY2027Q1"
    assert str(Month(2026, 11).quarter_in(12)) == "FY2026Q4"
    assert str(Month(2026, 12).quarter_in(12)) == "FY2027Q1"
    assert str(Month(2027, 1).quarter_in(2)) == "FY2027Q4"
    assert str(Month(2027, 2).quarter_in(2)) == "FY2028Q1"
    assert str(Month(2026, 12).quarter_in(1)) == "2026Q4"  # a January year: calendar labels
    q = Quarter.parse("FY2027Q4", 12)
    assert (q.first_day, q.last_day) == (date(2027, 9, 1), date(2027, 11, 30))
    assert str(q.year_ago) == "FY2026Q4" and q.year_ago.months == ms(
        "2026-09", "2026-10", "2026-11"
    )
    assert str(q + 1) == "FY2028Q1" and (q + 1).months[0] == Month(2027, 12)


def test_latest_complete_quarter_in_the_fiscal_calendar():
    assert str(latest_complete_quarter(date(2026, 7, 15), 4)) == "FY2027Q1"
    assert str(latest_complete_quarter(date(2026, 4, 1), 4)) == "FY2026Q4"
    assert str(latest_complete_quarter(date(2026, 7, 15))) == "2026Q2"


def test_outputs_say_which_calendar():
    assert Quarter(2026, 3).calendar == "calendar quarters"
    assert Quarter.parse("FY2027Q1", 4).calendar == (
        "fiscal year starting in April, named by the calendar year it ends in "
        "(FY2027 = April 2026 – March 2027)"
    )
    assert "(FY2027 = December 2026 – November 2027)" in calendar_text(12)
    assert Quarter.parse("FY2027Q4", 2).span == "November 2026 – January 2027"


# ------------------------------------------------------------------ what is typed
@pytest.mark.parametrize("typed", ["FY2027Q1", "FY2027 Q1", "fy2027q1", "FY2027-Q1", " fy2027 q1 "])
def test_fiscal_label_spellings(typed):
    assert str(Quarter.parse(typed, 4)) == "FY2027Q1"


def test_fiscal_label_in_a_january_year_is_the_calendar_quarter():
    assert Quarter.parse("FY2026Q3", 1) == Quarter.parse("2026Q3", 1) == Quarter(2026, 3)


def test_calendar_label_in_a_fiscal_year_is_refused_naming_the_fiscal_quarter():
    with pytest.raises(ValueError) as aligned:
        Quarter.parse("2026Q3", 4)
    text = str(aligned.value)
    assert "2026Q3 is a calendar quarter" in text and "starts in April" in text
    assert "July – September 2026 is FY2027Q2; write FY2027Q2 instead" in text
    with pytest.raises(ValueError) as straddles:
        Quarter.parse("2026Q3", 2)
    text = str(straddles.value)
    assert "FY2027Q2 (May – July 2026) and FY2027Q3 (August – October 2026)" in text


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("fy27q1", "write the fiscal year in full, e.g. FY2027Q1"),
        ("Q3", "write it as YYYYQn (a calendar quarter, e.g. 2026Q3) or FYyyyyQn"),
        ("FY2027Q5", "FYyyyyQn"),
    ],
)
def test_bad_labels_say_the_forms(typed, says):
    with pytest.raises(ValueError, match=r".*") as refused:
        QuarterLabel.parse(typed)
    assert says in str(refused.value)


# ------------------------------------------------------------------ invariants
@given(months, starts)
def test_every_month_is_in_exactly_one_quarter(month, start):
    q = month.quarter_in(start)
    assert month in q.months
    assert month not in (q + -1).months and month not in (q + 1).months
    assert q.start_month == start


@given(starts, st.integers(1990, 2100))
def test_the_four_quarters_tile_the_fiscal_year(start, year):
    quarters = [Quarter(year, n, start) for n in (1, 2, 3, 4)]
    covered = [m for q in quarters for m in q.months]
    first = Month(year - (1 if start != 1 else 0), start)  # named by the year it ends in
    assert covered == [first + i for i in range(12)]
    assert covered[-1].year == year  # the fiscal year ends in the year it is named by
    assert (quarters[3] + 1).months[0] == covered[-1] + 1


@given(months, starts, st.integers(-40, 40), st.integers(-40, 40))
def test_addition_and_order_follow_time(month, start, a, b):
    q = month.quarter_in(start)
    assert (q + a) + b == q + (a + b)
    assert ((q + a) < (q + b)) == (a < b)
    assert ((q + a).first_day < (q + b).first_day) == (a < b)
    assert (q + a).months[0] == q.months[0] + 3 * a
    assert q.year_ago.months == tuple(m + -12 for m in q.months)


@given(months)
def test_a_january_year_is_the_calendar(month):
    q = month.quarter_in(1)
    assert str(q) == f"{month.year}Q{(month.month - 1) // 3 + 1}"
    assert q == month.quarter == Quarter.parse(str(q))


@given(months, starts)
def test_labels_read_back(month, start):
    q = month.quarter_in(start)
    assert Quarter.parse(str(q), start) == q


def test_the_ledger_sql_names_quarters_like_python():
    con = duckdb.connect()
    for start in range(1, 13):
        for index in range(2024 * 12, 2028 * 12):
            m = Month(index // 12, index % 12 + 1)
            from_text, from_date = con.execute(
                f"SELECT {quarter_of_sql(period_index('p'), start)}, "
                f"{quarter_of_sql('year(d) * 12 + month(d) - 1', start)} "
                "FROM (SELECT ? AS p, CAST(? AS DATE) AS d)",
                [str(m), m.last_day],
            ).fetchone()
            assert from_text == from_date == str(m.quarter_in(start)), (start, str(m))


# ------------------------------------------------------------------ a fiscal workspace
def _set_fiscal_start(program, start: int) -> None:
    wb = openpyxl.load_workbook(program)
    for row in wb["Settings"].iter_rows(min_row=2):
        if row[0].value == "Fiscal Year Start Month":
            row[1].value = start
    wb.save(program)


@pytest.fixture(scope="module")
def fiscal_channel(tmp_path_factory):
    """A channel of January - September 2026, loaded into a program whose fiscal year starts
    in April (its targets written as fiscal quarters). Shared: tests copy it to change it."""
    from channelxl.commands.ingest import ingest
    from channelxl.synth import Sizes, generate
    from channelxl.synth.files import write_channel
    from channelxl.workspace import Workspace, init

    channel = generate(
        5, Sizes(distributors=6, resellers=60, skus=12, months=9, start="2026-01", lines=1200)
    )
    program = dict(channel.program)
    program["targets"] = [
        {**t, "quarter": str(Quarter.parse(t["quarter"]).months[0].quarter_in(4))}
        for t in program["targets"]
    ]
    root = tmp_path_factory.mktemp("fiscal") / "ws"
    init(root, rows=program, settings={**channel.settings, "fiscal_year_start_month": 4})
    write_channel(channel, root, program=False)
    ws = Workspace.find(root)
    with ws.open_ledger() as led:
        ingest(led, inbox=ws.inbox)
    return root


@pytest.fixture
def fiscal_ws(fiscal_channel, tmp_path):
    root = tmp_path / "ws"
    shutil.copytree(fiscal_channel, root)
    return root


def _revenue_by_hand(root, months: list[str]) -> dict[str, Decimal]:
    """Sell-through revenue per distributor over ``months``: each line's quantity x unit
    price x its month's rate (reporting currency at 1), summed line by line in Python."""
    con = duckdb.connect(str(root / "channel.duckdb"), read_only=True)
    try:
        (currency,) = con.execute(
            "SELECT value FROM settings WHERE setting = 'reporting_currency'"
        ).fetchone()
        rates = {
            (c, m): Decimal(r)
            for c, m, r in con.execute("SELECT currency, month, rate FROM fx_rates").fetchall()
        }
        lines = con.execute(
            "SELECT distributor_id, period, currency, quantity, unit_price FROM sell_through "
            "WHERE period IN (SELECT unnest(?))",
            [months],
        ).fetchall()
    finally:
        con.close()
    total: dict[str, Decimal] = {}
    for d, period, cur, quantity, price in lines:
        rate = Decimal(1) if cur == currency else rates[(cur, period)]
        total[d] = total.get(d, Decimal(0)) + Decimal(quantity) * Decimal(price) * rate
    return total


def _statement_rows(path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_rebates_for_a_fiscal_quarter_cover_its_months(fiscal_ws):
    r = run_cli("rebates", "--quarter", "fy2027 q1", cwd=fiscal_ws)
    assert r.returncode == 0, r.stderr
    folder = fiscal_ws / "reports" / "FY2027Q1"
    csv_path = folder / "rebates_FY2027Q1.csv"
    assert (folder / "rebates_FY2027Q1.xlsx").exists()
    assert "FY2027Q1" in r.stdout
    rows = _statement_rows(csv_path)
    assert rows and {row["Quarter"] for row in rows} == {"FY2027Q1"}
    april_june = _revenue_by_hand(fiscal_ws, ["2026-04", "2026-05", "2026-06"])
    other = _revenue_by_hand(fiscal_ws, ["2026-01", "2026-02", "2026-03"])
    revenue_rows = [row for row in rows if row["Measure"] == "revenue"]
    assert revenue_rows
    for row in revenue_rows:
        expected = april_june.get(row["Distributor ID"], Decimal(0))
        assert abs(Decimal(row["Measure Value"]) - expected) < Decimal("0.000001"), row
        assert expected != other.get(row["Distributor ID"], Decimal(0))
    wb = openpyxl.load_workbook(folder / "rebates_FY2027Q1.xlsx", read_only=True)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row]
    assert "FY2027Q1" in cells


def test_a_calendar_quarter_is_refused_in_a_fiscal_program(fiscal_ws):
    r = run_cli("rebates", "--quarter", "2026Q2", cwd=fiscal_ws)
    assert r.returncode == 2
    assert "April – June 2026 is FY2027Q1; write FY2027Q1 instead" in r.stderr
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr
    assert not (fiscal_ws / "reports" / "2026Q2").exists()
    bad = run_cli("export", "sell_through", "--period", "2026Q2", "--out", "x.csv", cwd=fiscal_ws)
    assert bad.returncode == 2 and "FY2027Q1" in bad.stderr


def test_reconcile_territory_and_export_use_the_fiscal_months(fiscal_ws):
    r = run_cli("reconcile", "--quarter", "FY2027Q1", cwd=fiscal_ws)
    assert r.returncode == 0, r.stderr
    assert "FY2027Q1 (April – June 2026)" in r.stdout
    folder = fiscal_ws / "reports" / "FY2027Q1"
    wb = openpyxl.load_workbook(folder / "reconcile_FY2027Q1.xlsx", read_only=True)
    detail = wb["Detail"].iter_rows(min_row=2, values_only=True)
    detail_months = {row[2] for row in detail if row[2]}
    assert detail_months and detail_months <= {"2026-04", "2026-05", "2026-06"}
    codes = [row[0] for row in wb["Codes"].iter_rows(values_only=True)]
    assert "Quarter: FY2027Q1, April – June 2026 (2026-04 to 2026-06)." in codes
    assert any(str(c).startswith("Calendar: fiscal year starting in April") for c in codes)
    t = run_cli("territory", "--quarter", "FY2027Q1", cwd=fiscal_ws)
    assert t.returncode == 0, t.stderr
    about = openpyxl.load_workbook(folder / "territory_FY2027Q1.xlsx", read_only=True)["About"]
    assert any(
        "fiscal year starting in April" in str(row[0]) for row in about.iter_rows(values_only=True)
    )
    e = run_cli("export", "sell_through", "--period", "FY2027Q1", "--out", "st.csv", cwd=fiscal_ws)
    assert e.returncode == 0, e.stderr
    assert "FY2027Q1 = 2026-04 to 2026-06" in e.stdout
    with open(fiscal_ws / "st.csv", encoding="utf-8-sig", newline="") as f:
        periods = {row["period"] for row in csv.DictReader(f)}
    assert periods == {"2026-04", "2026-05", "2026-06"}


def test_a_straddling_fiscal_quarter_after_the_setting_changes(fiscal_ws):
    """Start month 2: FY2027Q2 is May - July 2026, no calendar quarter; the folder of the
    April year's FY2027Q1 is another label and stays as it was."""
    assert run_cli("rebates", "--quarter", "FY2027Q1", cwd=fiscal_ws).returncode == 0
    _set_fiscal_start(fiscal_ws / "program.xlsx", 2)
    r = run_cli("rebates", "--quarter", "FY2027Q2", "--out", "may-july", cwd=fiscal_ws)
    assert r.returncode == 0, r.stderr
    csv_path = fiscal_ws / "may-july" / "rebates_FY2027Q2.csv"
    may_july = _revenue_by_hand(fiscal_ws, ["2026-05", "2026-06", "2026-07"])
    revenue_rows = [row for row in _statement_rows(csv_path) if row["Measure"] == "revenue"]
    assert revenue_rows
    for row in revenue_rows:
        expected = may_july.get(row["Distributor ID"], Decimal(0))
        assert abs(Decimal(row["Measure Value"]) - expected) < Decimal("0.000001"), row
    assert list((fiscal_ws / "reports" / "FY2027Q1").glob("*.csv"))  # kept, its own label


def test_a_calendar_label_on_the_targets_sheet_is_refused_at_its_cell(fiscal_ws):
    """In an April year a target for 2026Q2 would never meet a statement's quarter."""
    wb = openpyxl.load_workbook(fiscal_ws / "program.xlsx")
    wb["Targets"]["B2"] = "2026Q2"
    wb.save(fiscal_ws / "program.xlsx")
    r = run_cli("check", cwd=fiscal_ws)
    assert r.returncode == 2
    said = r.stdout + r.stderr
    assert "sheet Targets, cell B2" in said and "write FY2027Q1 instead" in said
    assert "Traceback" not in said


def test_review_facts_and_header_are_in_the_fiscal_calendar(fiscal_channel):
    """The review of FY2027Q1: its months, its trend of fiscal quarters ending with the
    same fiscal quarter a year later, and a header that says the calendar."""
    from channelxl.ledger.store import Ledger
    from channelxl.reports.facts import quarter_report_facts
    from channelxl.reports.sections import header

    q = Quarter.parse("FY2027Q1", 4)
    led = Ledger.open(fiscal_channel / "channel.duckdb", read_only=True)
    try:
        facts = quarter_report_facts(led, q, distributors=["D001"])
    finally:
        led.close()
    doc = facts.by_distributor["D001"]
    assert (facts.quarter, facts.span) == ("FY2027Q1", "April – June 2026")
    assert doc["months"] == ["2026-04", "2026-05", "2026-06"]
    trend = [t["quarter"] for t in doc["sell_through"]["trend"]]
    assert trend == ["FY2026Q1", "FY2026Q2", "FY2026Q3", "FY2026Q4", "FY2027Q1"]
    april = _revenue_by_hand(fiscal_channel, ["2026-04"]).get("D001", Decimal(0))
    first_month = doc["sell_through"]["monthly"][0]
    assert first_month["month"] == "2026-04"
    assert abs(Decimal(first_month["revenue"]) - april) < Decimal("1e-6")
    markup = header(doc).markup
    assert "FY2027Q1 · April – June 2026" in markup
    assert "Quarters: fiscal year starting in April" in markup

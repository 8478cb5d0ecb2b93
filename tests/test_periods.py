from datetime import date

import pytest

from channelxl.core.periods import Month, Quarter, fiscal_quarter, latest_complete_quarter


def test_month_arithmetic_and_bounds():
    m = Month.parse("2026-10")
    assert str(m + 3) == "2027-01"
    assert str(m + -10) == "2025-12"
    assert Month.parse("2027-01") - m == 3
    assert m.last_day == date(2026, 10, 31)
    assert Month.parse("2024-02").last_day == date(2024, 2, 29)
    assert str(m.quarter) == "2026Q4"


def test_quarter_months_and_year_ago():
    q = Quarter.parse("2026q3")
    assert [str(m) for m in q.months] == ["2026-07", "2026-08", "2026-09"]
    assert str(q.year_ago) == "2025Q3"
    assert q.first_day == date(2026, 7, 1) and q.last_day == date(2026, 9, 30)


@pytest.mark.parametrize("bad", ["2026-13", "26-10", "2026/10", ""])
def test_bad_month_says_the_form(bad):
    with pytest.raises(ValueError, match="YYYY-MM"):
        Month.parse(bad)


def test_latest_complete_quarter():
    assert str(latest_complete_quarter(date(2026, 11, 25))) == "2026Q3"
    assert str(latest_complete_quarter(date(2026, 1, 1))) == "2025Q4"


def test_fiscal_quarter_named_after_the_year_it_ends():
    assert fiscal_quarter(Month.parse("2026-07"), 7) == "FY2027Q1"
    assert fiscal_quarter(Month.parse("2026-06"), 7) == "FY2026Q4"
    assert fiscal_quarter(Month.parse("2026-02"), 1) == "FY2026Q1"

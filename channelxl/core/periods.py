"""Months and quarters.

A month is written ``YYYY-MM`` (``2026-10``); a quarter ``YYYYQn`` (``2026Q4``).
Quarters here are calendar quarters; a fiscal year that starts in another month is
mapped by :func:`fiscal_quarter`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
_QUARTER = re.compile(r"^\s*(\d{4})\s*-?\s*Q([1-4])\s*$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """Parse ``YYYY-MM``; raise ValueError with the expected form otherwise."""
        m = _MONTH.match(str(text))
        if not m or not 1 <= int(m.group(2)) <= 12:
            raise ValueError(f"{text!r} is not a month; write it as YYYY-MM, e.g. 2026-10")
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def __add__(self, months: int) -> Month:
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    def __sub__(self, other: Month) -> int:
        """Number of months from ``other`` to ``self``."""
        return (self.year * 12 + self.month) - (other.year * 12 + other.month)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return (self + 1).first_day - timedelta(days=1)

    @property
    def quarter(self) -> Quarter:
        return Quarter(self.year, (self.month - 1) // 3 + 1)

    def report_due(self, due_day: int) -> date:
        """The day this month's report is due: ``due_day`` of the following month
        (2026-09 with due day 10 -> 2026-10-10)."""
        return (self + 1).first_day + timedelta(days=due_day - 1)


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    q: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """Parse ``YYYYQn`` (also ``YYYY-Qn``); raise ValueError otherwise."""
        m = _QUARTER.match(str(text))
        if not m:
            raise ValueError(f"{text!r} is not a quarter; write it as YYYYQn, e.g. 2026Q3")
        return cls(int(m.group(1)), int(m.group(2)))

    def __str__(self) -> str:
        return f"{self.year:04d}Q{self.q}"

    def __add__(self, quarters: int) -> Quarter:
        index = self.year * 4 + self.q - 1 + quarters
        return Quarter(index // 4, index % 4 + 1)

    @property
    def months(self) -> tuple[Month, Month, Month]:
        first = Month(self.year, 3 * self.q - 2)
        return (first, first + 1, first + 2)

    @property
    def first_day(self) -> date:
        return self.months[0].first_day

    @property
    def last_day(self) -> date:
        return self.months[2].last_day

    @property
    def year_ago(self) -> Quarter:
        return self + -4


def months_between(first: Month, last: Month) -> list[Month]:
    """Inclusive list of months from ``first`` to ``last``."""
    return [first + i for i in range(last - first + 1)]


def latest_complete_quarter(today: date) -> Quarter:
    """The last calendar quarter that has fully ended before ``today``."""
    return Month.of(today).quarter + -1


def fiscal_quarter(month: Month, fiscal_start_month: int) -> str:
    """Fiscal quarter label ``FYyyyyQn`` for a fiscal year starting in ``fiscal_start_month``.

    The fiscal year is named after the calendar year in which it ends (FY2027 starts in
    2026 when the start month is not January).
    """
    if not 1 <= fiscal_start_month <= 12:
        raise ValueError("fiscal year start month must be 1..12")
    offset = (month.month - fiscal_start_month) % 12
    fiscal_year = month.year + (
        1 if fiscal_start_month != 1 and month.month >= fiscal_start_month else 0
    )
    return f"FY{fiscal_year}Q{offset // 3 + 1}"

"""Months and quarters, in the program's calendar.

A month is written ``YYYY-MM`` (``2026-10``). A quarter belongs to a calendar: the
program workbook's *Fiscal Year Start Month* (1 = January ... 12 = December). With a
January start quarters are calendar quarters, written ``YYYYQn`` (``2026Q4``). With any
other start a quarter is a fiscal quarter, written ``FYyyyyQn`` and named by the calendar
year its fiscal year *ends* in: with an April start FY2027 is April 2026 - March 2027, so
``FY2027Q1`` is April-June 2026 and ``FY2027Q4`` January-March 2027.

What an analyst types is a :class:`QuarterLabel` until the program's start month is known;
:meth:`QuarterLabel.resolve` makes it a :class:`Quarter` or refuses it, never silently
reinterpreting a calendar label as a fiscal quarter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
# 2026Q3, 2026-Q3, 2026 Q3, FY2027Q1, FY2027 Q1, fy2027-q1 (case does not matter)
_QUARTER = re.compile(r"^\s*(FY)?\s*(\d{4})\s*-?\s*Q([1-4])\s*$", re.IGNORECASE)
_SHORT_FY = re.compile(r"^\s*FY\s*(\d{2})\s*-?\s*Q([1-4])\s*$", re.IGNORECASE)

MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _check_start(start_month: int) -> None:
    if not isinstance(start_month, int) or not 1 <= start_month <= 12:
        raise ValueError(f"fiscal year start month must be 1..12, not {start_month!r}")


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
    def name(self) -> str:
        """``July 2026``."""
        return f"{MONTH_NAMES[self.month - 1]} {self.year}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return (self + 1).first_day - timedelta(days=1)

    @property
    def quarter(self) -> Quarter:
        """The calendar quarter of this month (``quarter_in(1)``)."""
        return self.quarter_in(1)

    def quarter_in(self, start_month: int) -> Quarter:
        """The quarter of this month in a fiscal year starting in ``start_month``.

        With s = start_month and k = (month - s) mod 12 the months since the fiscal year
        began: quarter k // 3 + 1 of the fiscal year that ends in ``year`` + 1 when the
        year started this calendar year (month >= s and s > 1), else in ``year``.
        """
        _check_start(start_month)
        k = (self.month - start_month) % 12
        year = self.year + (1 if start_month != 1 and self.month >= start_month else 0)
        return Quarter(year, k // 3 + 1, start_month)

    def report_due(self, due_day: int) -> date:
        """The day this month's report is due: ``due_day`` of the following month
        (2026-09 with due day 10 -> 2026-10-10)."""
        return (self + 1).first_day + timedelta(days=due_day - 1)


def calendar_text(start_month: int) -> str:
    """How outputs say which calendar their quarters are in, for a fiscal year starting in
    ``start_month``: "calendar quarters", or "fiscal year starting in April, named by the
    calendar year it ends in (FY2027 = April 2026 - March 2027)"."""
    _check_start(start_month)
    if start_month == 1:
        return "calendar quarters"
    example = Quarter(2027, 1, start_month)
    last = (example + 3).months[2]
    return (
        f"fiscal year starting in {MONTH_NAMES[start_month - 1]}, named by the calendar year "
        f"it ends in (FY2027 = {example.months[0].name} – {last.name})"
    )


@dataclass(frozen=True, order=True)
class Quarter:
    """A quarter of the fiscal year ``year`` that starts in ``start_month``.

    ``year`` is the calendar year the fiscal year ends in; with ``start_month`` 1 that is
    the quarter's own calendar year, and ``Quarter(2026, 3)`` is July-September 2026. Two
    quarters of the same calendar compare in time order; quarters of different calendars
    are never equal.
    """

    year: int
    q: int
    start_month: int = 1

    def __post_init__(self):
        if not 1 <= self.q <= 4:
            raise ValueError(f"a quarter is 1..4, not {self.q!r}")
        _check_start(self.start_month)

    @classmethod
    def parse(cls, text: str, start_month: int = 1) -> Quarter:
        """Parse ``YYYYQn`` or ``FYyyyyQn`` for a fiscal year starting in ``start_month``
        (:meth:`QuarterLabel.resolve`); raise ValueError saying why otherwise."""
        return QuarterLabel.parse(text).resolve(start_month)

    @property
    def fiscal(self) -> bool:
        return self.start_month != 1

    def __str__(self) -> str:
        """``2026Q3`` for a calendar quarter, ``FY2027Q1`` for a fiscal one."""
        return f"{'FY' if self.fiscal else ''}{self.year:04d}Q{self.q}"

    def __add__(self, quarters: int) -> Quarter:
        index = self.year * 4 + self.q - 1 + quarters
        return Quarter(index // 4, index % 4 + 1, self.start_month)

    @property
    def months(self) -> tuple[Month, Month, Month]:
        """The quarter's three months: the fiscal year ``year`` begins in ``start_month`` of
        ``year`` - 1 (of ``year`` itself when it starts in January); quarter q begins
        3 x (q - 1) months later."""
        begins = self.year - (1 if self.fiscal else 0)
        first = Month(begins, self.start_month) + 3 * (self.q - 1)
        return (first, first + 1, first + 2)

    @property
    def first_day(self) -> date:
        return self.months[0].first_day

    @property
    def last_day(self) -> date:
        return self.months[2].last_day

    @property
    def year_ago(self) -> Quarter:
        """The same quarter of the fiscal year before: the same months a year earlier."""
        return self + -4

    @property
    def span(self) -> str:
        """The months covered, as people say them: ``April - June 2026``,
        ``November 2026 - January 2027``."""
        first, last = self.months[0], self.months[2]
        if first.year == last.year:
            return f"{MONTH_NAMES[first.month - 1]} – {last.name}"
        return f"{first.name} – {last.name}"

    @property
    def calendar(self) -> str:
        """Which calendar this quarter is in, as every output says it (:func:`calendar_text`)."""
        return calendar_text(self.start_month)


@dataclass(frozen=True)
class QuarterLabel:
    """A quarter as typed (``2026Q3``, ``FY2027Q1``), before the program's calendar is known."""

    year: int
    q: int
    fiscal: bool

    @classmethod
    def parse(cls, text: str) -> QuarterLabel:
        """``YYYYQn`` (also ``YYYY-Qn``, ``YYYY Qn``) or ``FYyyyyQn`` (also ``FYyyyy Qn``), in
        any case; a two-digit fiscal year (FY27Q1) is refused with the full form."""
        raw = str(text)
        m = _QUARTER.match(raw)
        if m:
            return cls(int(m.group(2)), int(m.group(3)), bool(m.group(1)))
        short = _SHORT_FY.match(raw)
        if short:
            raise ValueError(
                f"{text!r}: write the fiscal year in full, e.g. FY20{short.group(1)}Q{short.group(2)}"
            )
        raise ValueError(
            f"{text!r} is not a quarter; write it as YYYYQn (a calendar quarter, e.g. 2026Q3) "
            "or FYyyyyQn (a fiscal quarter, e.g. FY2027Q1)"
        )

    def __str__(self) -> str:
        return f"{'FY' if self.fiscal else ''}{self.year:04d}Q{self.q}"

    def resolve(self, start_month: int) -> Quarter:
        """This label in a fiscal year starting in ``start_month``.

        ``FYyyyyQn`` is fiscal quarter n of the fiscal year ending in yyyy; with a January
        start that is simply calendar quarter yyyyQn. ``YYYYQn`` names calendar months, so
        it is refused when the fiscal year starts in another month: the message names the
        fiscal quarter(s) holding those months, never reinterpreting the label.
        """
        _check_start(start_month)
        if self.fiscal or start_month == 1:
            return Quarter(self.year, self.q, start_month)
        meant = Quarter(self.year, self.q)
        holding = list(dict.fromkeys(m.quarter_in(start_month) for m in meant.months))
        if len(holding) == 1:
            where = f"is {holding[0]}; write {holding[0]} instead"
        else:
            where = "spans " + " and ".join(f"{q} ({q.span})" for q in holding)
            where += "; write the one you mean"
        return _refuse(
            f"{self} is a calendar quarter, but this program's fiscal year starts in "
            f"{MONTH_NAMES[start_month - 1]} (Fiscal Year Start Month, on the Settings sheet "
            f"of the program workbook) and its quarters are named FYyyyyQn: {meant.span} "
            f"{where}"
        )


def _refuse(text: str):
    raise ValueError(text)


def months_between(first: Month, last: Month) -> list[Month]:
    """Inclusive list of months from ``first`` to ``last``."""
    return [first + i for i in range(last - first + 1)]


def latest_complete_quarter(today: date, start_month: int = 1) -> Quarter:
    """The last quarter (of a fiscal year starting in ``start_month``) that has fully ended
    before ``today``."""
    return Month.of(today).quarter_in(start_month) + -1


def fiscal_quarter(month: Month, fiscal_start_month: int) -> str:
    """Fiscal quarter label ``FYyyyyQn`` for a fiscal year starting in ``fiscal_start_month``,
    ``FY`` even with a January start (``FY2026Q1``; :meth:`Month.quarter_in` gives the
    quarter itself). The fiscal year is named after the calendar year in which it ends."""
    q = month.quarter_in(fiscal_start_month)
    return f"FY{q.year}Q{q.q}"

"""Quarter figures: what the ledger says about every distributor in a quarter, in one pass.

The rebate engine (and the reports after it) read these plain figures; nothing here
computes a rebate. Definitions (each a sentence a person can check in the ledger):

- **revenue**: sell-through quantity x unit price, converted with the FX rate of the
  line's month (one unit of currency = rate units of the reporting currency), summed.
  Exact for any line the ledger can hold: DuckDB sums quantity x price per distributor,
  month and currency as DECIMAL(38, 4) (a BIGINT quantity times a DECIMAL(18, 4) price
  fits, and sums up to 10**34), and each sum is converted in Python, exactly
  (:func:`in_reporting_currency`): rate x the sum of the lines is the sum of rate x each
  line. Lines whose currency has no rate for the month are left out and listed in
  ``missing_fx``.
- **prior_revenue**: the same for the same quarter a year earlier; None when the ledger
  has no sell-through report for that quarter.
- **units**: sell-through quantity. **sell_in_units**: shipments minus returns (the
  ``sell_in`` view).
- **closing_units**: on hand + in transit (the ``closing_stock`` view) in the inventory
  report of the quarter's last month; None without one.
- **active resellers**: resellers with sell-through from the distributor in the quarter;
  **new**: those whose first purchase from it is in the quarter.
- **certification_rate**: share of active resellers with a certification current at
  quarter end (completed on or before it, not expired: the ``certified_on`` macro).
- **activities_completed**: demand-generation activities completed within the quarter.
- **late_months** / **missing_months**: months whose first sell-through report came in
  after its due date (``Month.report_due``), or never came. Received: the submission's
  ``received_at`` (``core.received_dates``: override, e-mail, workbook save, file time, or the
  analyst's correction); **received_notes** say it, and how it is known, for each month.
- **waivers**: the Waivers sheet's rows for the distributor-quarter (``core.waivers``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time
from decimal import Context, Decimal, Inexact, InvalidOperation, Overflow

import duckdb

from channelxl.core.inventory import quarter_weeks_of_supply, ratio
from channelxl.core.periods import Quarter
from channelxl.core.rebates import ToDate
from channelxl.core.received_dates import UNRECORDED, when_text
from channelxl.core.waivers import Waiver
from channelxl.errors import ChannelxlError
from channelxl.ledger.reads import side_by_side
from channelxl.ledger.store import Ledger
from channelxl.ledger.to_date import add_to_date, month_reads
from channelxl.schema import SCORECARD_METRICS

ZERO = Decimal(0)

# Sums and products of the ledger's amounts, never rounded: 80 digits hold any DECIMAL(38)
# sum times any DECIMAL(18) rate, and a result that would need more raises (Inexact).
EXACT = Context(prec=80, traps=[InvalidOperation, Inexact, Overflow])

# quantity x unit price of a sell-through line (alias s), exact: DECIMAL(38, 4)
LINE_AMOUNT_SQL = "CAST(s.quantity AS DECIMAL(38, 0)) * s.unit_price"


class ReceivedNotes(Mapping):
    """Month -> ``received 2026-10-09 14:05, e-mail; due 2026-10-10``: when its first report
    came in, how that is known, and when it was due; each written when read (only a late
    month's gate reads one). ``known``: month -> (received, how known, due)."""

    __slots__ = ("_written", "known")

    def __init__(self, known: dict | None = None):
        self.known = {} if known is None else known
        self._written: dict[str, str] = {}  # each program's gate reads the same month's

    def __getitem__(self, month: str) -> str:
        text = self._written.get(month)
        if text is None:
            received, source, due = self.known[month]
            text = self._written[month] = (
                f"received {when_text(received)}, {source or UNRECORDED}; "
                f"due {due.date().isoformat()}"
            )
        return text

    def __contains__(self, month: object) -> bool:
        return month in self.known  # (Mapping's would write the note to find out)

    def __iter__(self):
        return iter(self.known)

    def __len__(self) -> int:
        return len(self.known)

    def __repr__(self) -> str:
        return repr(dict(self))


@dataclass
class QuarterFigures:
    distributor_id: str
    distributor_type: str
    quarter: Quarter
    currency: str  # the reporting currency
    revenue: Decimal = ZERO
    units: int = 0
    monthly_revenue: tuple[Decimal, ...] = (ZERO, ZERO, ZERO)
    monthly_units: tuple[int, ...] = (0, 0, 0)
    prior_revenue: Decimal | None = None
    sell_in_units: int = 0
    closing_units: int | None = None
    active_resellers: int = 0
    new_resellers: int = 0
    certified_resellers: int = 0
    activities_completed: int = 0
    late_months: tuple[str, ...] = ()
    missing_months: tuple[str, ...] = ()
    missing_fx: tuple[str, ...] = ()
    targets: dict[str, Decimal | None] = field(default_factory=dict)
    received_notes: ReceivedNotes = field(default_factory=ReceivedNotes)
    waivers: tuple[Waiver, ...] = ()  # from the Waivers sheet (core.waivers)
    to_date: tuple[ToDate, ...] = ()  # as it stood at each month's close (ledger.to_date)

    @property
    def certification_rate(self) -> Decimal | None:
        if not self.active_resellers:
            return None
        return Decimal(self.certified_resellers) / Decimal(self.active_resellers)

    @property
    def weeks_of_supply(self) -> Decimal | None:
        if self.closing_units is None:
            return None
        return quarter_weeks_of_supply(self.closing_units, self.units)

    @property
    def sell_in_ratio(self) -> Decimal | None:
        """Sell-in units / sell-through units over the quarter (None without sell-through)."""
        return ratio(self.sell_in_units, self.units)

    @property
    def on_time(self) -> bool:
        return not self.late_months and not self.missing_months

    @property
    def actuals(self) -> dict[str, Decimal | None]:
        """Scorecard metrics, by name (``schema.SCORECARD_METRICS``)."""
        return {
            "sell_through": self.revenue,
            "new_resellers": Decimal(self.new_resellers),
            "certification": self.certification_rate,
            "demand_gen": Decimal(self.activities_completed),
        }


def _months(q: Quarter) -> list[str]:
    return [str(m) for m in q.months]


# Exchange rates by currency and month (one unit = rate units of the reporting currency),
# with the reporting currency itself at exactly 1 for the months given; join it on
# (currency, month). Its parameters, in order: ``rates_params(reporting currency, months)``.
RATES_SQL = """(
    SELECT currency, month, rate FROM fx_rates WHERE currency <> ?
    UNION ALL SELECT ?, unnest(?), CAST(1 AS DECIMAL(18, 8))
)"""


def rates_params(currency: str, months: list[str]) -> list:
    return [currency, currency, months]


def exchange_rates(ledger: Ledger, currency: str, months: list[str]) -> dict[tuple, Decimal]:
    """(currency, month) -> rate into ``currency`` for ``months``, ``currency`` itself at 1."""
    return _rates(ledger.con.execute(*_rates_statement(currency, months)).fetchall())


def _rates_statement(currency: str, months: list[str]) -> tuple[str, list]:
    return (
        f"SELECT currency, month, rate FROM {RATES_SQL} WHERE month IN (SELECT unnest(?))",
        [*rates_params(currency, months), months],
    )


def _rates(rows) -> dict[tuple, Decimal]:
    return {(c, m): rate for c, m, rate in rows}


def in_reporting_currency(amount: Decimal, rate: Decimal) -> Decimal:
    """``amount`` x ``rate``, exactly (:data:`EXACT`)."""
    return EXACT.multiply(amount, rate)


def exact_sum(values) -> Decimal:
    """The sum of ``values``, exactly (:data:`EXACT`)."""
    total = ZERO
    for v in values:
        total = EXACT.add(total, v)
    return total


def sell_through_amounts(ledger: Ledger, sql: str, params: list) -> list[tuple]:
    """Rows of ``sql`` (a sum of :data:`LINE_AMOUNT_SQL`); an amount beyond even DECIMAL(38)
    is refused naming where the absurd lines are, not reported as an internal error."""
    return _amounts(ledger, lambda: ledger.con.execute(sql, params).fetchall())


def _amounts(ledger: Ledger, rows: Callable[[], list[tuple]]) -> list[tuple]:
    """``rows()`` (:func:`sell_through_amounts`' statement's rows, read there or elsewhere),
    refused as it says when an amount is beyond DECIMAL(38)."""
    try:
        return rows()
    except duckdb.OutOfRangeException:
        worst = ledger.con.execute(
            "SELECT distributor_id, period, invoice_number, quantity, unit_price "
            "FROM sell_through ORDER BY abs(CAST(quantity AS DOUBLE) * "
            "CAST(unit_price AS DOUBLE)) DESC LIMIT 3"
        ).fetchall()
        lines = "; ".join(f"{d} {p} invoice {n}: {q:,} x {u}" for d, p, n, q, u in worst)
        raise ChannelxlError(
            "the sell-through in the ledger adds up to more than 10^34 for one distributor "
            f"and month, so no figure can be computed. The largest lines: {lines}. Such a "
            "quantity or price is a mistake in a report: ask the distributor for a corrected "
            "report and load it (it replaces the wrong one)."
        ) from None


def quarter_of_sql(month_index: str, start_month: int) -> str:
    """SQL for ``str(Quarter)`` of the quarter holding a month, in a fiscal year starting in
    ``start_month``; ``month_index`` is SQL for year x 12 + month - 1 (:func:`period_index`,
    ``year(d) * 12 + month(d) - 1``). With k = index - (start - 1): fiscal year k // 12
    (+ 1 unless the year starts in January: named by the year it ends in), quarter
    (k mod 12) // 3 + 1; the same rule as ``Month.quarter_in``."""
    start = int(start_month)  # a validated setting, 1..12: safe to write into the SQL
    k = f"(({month_index}) - {start - 1})"
    year = f"CAST({k} // 12 + {0 if start == 1 else 1} AS VARCHAR)"
    prefix = "" if start == 1 else "'FY' || "
    return f"{prefix}{year} || 'Q' || CAST(({k} % 12) // 3 + 1 AS VARCHAR)"


def period_index(period: str) -> str:
    """SQL for year x 12 + month - 1 of a ``YYYY-MM`` text."""
    year, month = f"substr({period}, 1, 4)", f"substr({period}, 6, 2)"
    return f"(CAST({year} AS INTEGER) * 12 + CAST({month} AS INTEGER) - 1)"


def check_calendar(quarters, start_month: int) -> None:
    """Refuse quarters of another calendar than the program's (Fiscal Year Start Month): a
    library caller passing ``Quarter(2026, 3)`` to a fiscal program would otherwise get
    calendar figures labelled as if they were the program's."""
    for q in quarters:
        if q.start_month != start_month:
            raise ChannelxlError(
                f"{q} is a quarter of another calendar ({q.calendar}) than this program's "
                f"({Quarter(2000, 1, start_month).calendar}; Fiscal Year Start Month on the "
                "Settings sheet of the program workbook); parse the quarter with "
                "Quarter.parse(text, start_month) or cli.options.resolve_quarter"
            )


def quarter_figures(ledger: Ledger, quarter: Quarter) -> dict[str, QuarterFigures]:
    """Figures for every distributor in the program for ``quarter``, keyed by distributor id."""
    return {d: f for (_, d), f in quarters_figures(ledger, [quarter]).items()}


def quarters_figures(
    ledger: Ledger, quarters: list[Quarter]
) -> dict[tuple[str, str], QuarterFigures]:
    """Figures for every distributor and each quarter, keyed (quarter, distributor id).

    One query per kind of figure over all the quarters at once, so a year of quarters
    costs about what one costs.
    """
    qs = sorted(set(quarters))
    settings = ledger.settings()
    currency = settings.reporting_currency
    due_day = settings.report_due_day
    start = settings.fiscal_year_start_month
    check_calendar(qs, start)
    months = sorted({m for q in qs for m in _months(q)})
    prior_months = sorted({m for q in qs for m in _months(q.year_ago)})
    all_months = sorted(set(months) | set(prior_months))
    names = [str(q) for q in qs]
    # every statement submitted now, in the order the figures are made of their rows below
    # (two run at a time, ``ledger.reads``)
    with side_by_side(ledger) as read:
        distributors = read("SELECT distributor_id, type FROM distributors ORDER BY distributor_id")
        # sell-through revenue and units by distributor and month (these quarters and a
        # year before)
        amounts = read(
            f"SELECT s.distributor_id, s.period, s.currency, sum(s.quantity), "
            f"sum({LINE_AMOUNT_SQL}) FROM sell_through s WHERE list_contains(?, s.period) "
            "GROUP BY ALL ORDER BY ALL",
            [all_months],
        )
        rates = read(*_rates_statement(currency, all_months))
        reported = read(
            "SELECT DISTINCT distributor_id, period FROM submission_periods WHERE kind = "
            "'sell_through' AND superseded_by IS NULL AND period IN (SELECT unnest(?))",
            [prior_months],
        )
        # sell-in units (returns subtract), closing stock at the quarter's end, resellers
        # (active, new, certified at quarter end) and activities completed: from the
        # month-by-month figures the accruals read (``ledger.to_date``), the quarter being
        # its months
        monthly_figures = month_reads(read, qs)
        # timeliness: the first sell-through report for each month, against its due date
        # (received_at: the analyst's correction when there is one; its source says how it
        # is known)
        first_reports = read(
            "SELECT sp.distributor_id, sp.period, min(s.received_at), "
            "arg_min(s.received_source, s.received_at) FROM submission_periods sp "
            "JOIN submissions s USING (submission_id) WHERE sp.kind = 'sell_through' AND "
            "sp.period IN (SELECT unnest(?)) GROUP BY ALL",
            [months],
        )
        waivers = read(
            "SELECT distributor_id, quarter, program_id, waives, reason, approved_by, date "
            "FROM waivers WHERE quarter IN (SELECT unnest(?)) ORDER BY ALL",
            [names],
        )
        target_columns = ", ".join(m.target for m in SCORECARD_METRICS.values())
        targets = read(
            f"SELECT distributor_id, quarter, {target_columns} FROM targets "
            "WHERE quarter IN (SELECT unnest(?))",
            [names],
        )

        facts = {
            (str(q), d): QuarterFigures(d, t, q, currency)
            for q in qs
            for d, t in distributors.result()
        }
        rows = _amounts(ledger, amounts.result)
        rate_of = _rates(rates.result())
        revenue: dict[tuple[str, str], Decimal] = {}
        units: dict[tuple[str, str], int] = {}
        no_fx: dict[tuple[str, str], list] = {}
        for d, period, line_currency, u, amount in rows:
            units[(d, period)] = units.get((d, period), 0) + int(u or 0)
            rate = rate_of.get((line_currency, period))
            if rate is None:
                no_fx.setdefault((d, period), []).append(f"{line_currency} {period}")
                revenue.setdefault((d, period), ZERO)
                continue
            converted = in_reporting_currency(amount or ZERO, rate)
            revenue[(d, period)] = EXACT.add(revenue.get((d, period), ZERO), converted)
        had_report = set(reported.result())
        month_lists = {str(q): (_months(q), _months(q.year_ago)) for q in qs}
        for (qname, d), f in facts.items():
            ms, prior = month_lists[qname]
            f.monthly_revenue = tuple(revenue.get((d, m), ZERO) for m in ms)
            f.monthly_units = tuple(units.get((d, m), 0) for m in ms)
            f.revenue = exact_sum(f.monthly_revenue)
            f.units = sum(f.monthly_units)
            f.missing_fx = tuple(x for m in ms for x in no_fx.get((d, m), ()))
            if any((d, m) in had_report for m in prior):
                f.prior_revenue = exact_sum(revenue.get((d, m), ZERO) for m in prior)

        monthly = monthly_figures()
        for (qname, d), f in facts.items():
            ms = month_lists[qname][0]
            f.sell_in_units = sum(monthly.sell_in.get((d, m), 0) for m in ms)
            f.closing_units = monthly.closing.get((d, ms[-1]))
            f.activities_completed = sum(monthly.done.get((d, m), 0) for m in ms)
            f.active_resellers, f.new_resellers, f.certified_resellers = monthly.resellers.get(
                (d, qname, len(ms)), (0, 0, 0)
            )

        first_in = {(d, p): (received, source) for d, p, received, source in first_reports.result()}
        due = {
            str(m): datetime.combine(m.report_due(due_day), time.max) for q in qs for m in q.months
        }
        for (qname, d), f in facts.items():
            late, missing = [], []
            for m in month_lists[qname][0]:
                received, source = first_in.get((d, m), (None, None))
                if received is None:
                    missing.append(m)
                    continue
                f.received_notes.known[m] = (received, source, due[m])
                if received > due[m]:
                    late.append(m)
            f.late_months, f.missing_months = tuple(late), tuple(missing)

        for row in waivers.result():
            f = facts.get((row[1], row[0]))
            if f is not None:
                f.waivers += (Waiver(*row),)

        for d, qname, *values in targets.result():
            f = facts.get((qname, d))
            if f is not None:
                f.targets = {
                    k: (None if v is None else Decimal(v))
                    for k, v in zip(SCORECARD_METRICS, values, strict=True)
                }
    add_to_date(ledger, facts, qs, due_day, monthly)  # each month's close, for the accruals
    return facts

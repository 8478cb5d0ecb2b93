"""The "Your quarter so far" sheet of the monthly report template: where the distributor
stands in its rebate programs for the template's quarter, as it types this month's lines.

For each program in force for the quarter (in the program's calendar, ``core.periods``):

- **reported**: the program's measure over the quarter's months before the template's
  month, as the ledger had it when the template was made (a value, with "as of" wording).
  Revenue is sell-through quantity x unit price in the reporting currency, each month's
  lines at that month's rate; units are sell-through quantity (``ledger.figures``, the
  definitions the statement uses).
- **this month**: an ordinary formula over the SellThrough sheet's lines that carry a
  Reseller ID (rows 2 to ``COUNTED_LINES`` + 1). Units: the sum of Quantity. Revenue:
  per currency, SUMPRODUCT(Quantity x Unit Price), times the rate on the sheet (the
  latest rate the ledger has for that currency, up to the template's month); lines in a
  currency without a rate on the sheet are counted and shown as "not counted", never
  silently dropped.
- **so far** = reported + this month; the tier reached, the gap to the next tier and the
  tier rebate (retroactive: rate reached x measure; incremental: each band's rate on the
  part inside it; rounded half-up to the cent) as ``IFERROR(CHX_...(...), the same figure
  with ordinary functions)``: the ``CHX_`` function where it is installed, and where it is
  not (a distributor has no add-in) the fallback, so no cell shows ``#NAME?``. The
  fallback counts the thresholds reached, k = SUMPRODUCT(--(thresholds <= so far)):
  tier = INDEX(labels, k); gap = INDEX(thresholds, k + 1) - so far (0 at the top tier);
  retroactive = ROUND(INDEX(rates, k) x so far, 2); incremental = ROUND(the sum of the
  tier table's band column, 2), band i = rate_i x (min(so far, threshold_i+1) -
  threshold_i) when so far is above threshold_i.

A growth program's measure (against the same quarter a year earlier) is known only when
the quarter ends, so its block says so instead of showing figures; a distributor with no
program gets a sheet saying that. The tier rebate is before the scorecard, cap, gates and
hold the statement applies; the block names those its program has.

:func:`write_quarter_sheet` returns the value of every formula cell as of the template's
making (no lines typed yet), for ``io.cached_values`` to store in the file, so a viewer
that does not recalculate shows figures. Nothing on this sheet looks like a report's
header row (``io.recognition`` never takes it for data).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from channelxl.core.money import round_cents
from channelxl.core.periods import Month, Quarter
from channelxl.core.rebates import ProgramRules
from channelxl.io.table_sheets import write_value
from channelxl.schema import SELL_THROUGH_SHEET

QUARTER_SHEET = "Your quarter so far"
COUNTED_LINES = 10_000  # SellThrough rows 2 .. 10,001 are counted by the formulas
MONEY = "#,##0.00"
UNITS = "#,##0"
PERCENT = "0.00%"
FX = "0.0000####"
_BOLD = Font(bold=True)
_HEAD = Font(bold=True, color="FFFFFF")
_HEAD_FILL = PatternFill("solid", fgColor="1F4E78")
_TOTAL_FILL = PatternFill("solid", fgColor="DDEBF7")
_NOTE = Font(italic=True, color="595959")


@dataclass(frozen=True)
class QuarterSoFar:
    """What the sheet shows, as the ledger had it on ``as_of`` (``commands.template``)."""

    quarter: Quarter  # the template month's quarter, in the program's calendar
    month: Month  # the template's month
    as_of: date
    currency: str  # the reporting currency: revenue measures and rebates are in it
    programs: tuple[ProgramRules, ...]  # those in force for the distributor in ``quarter``
    reported_revenue: Decimal = Decimal(0)  # months of the quarter before ``month``
    reported_units: int = 0
    missing_months: tuple[str, ...] = ()  # months before ``month`` with no report yet
    missing_fx: tuple[str, ...] = ()  # "USD 2026-10": lines with no rate, not in revenue
    # (currency, rate into ``currency``, the month the rate is for), first the distributor's
    rates: tuple[tuple[str, Decimal, str], ...] = ()
    prior_revenue: Decimal | None = None  # the same quarter a year earlier (growth)

    @property
    def months_before(self) -> list[Month]:
        return [m for m in self.quarter.months if m < self.month]


def _column(name: str) -> str:
    j = [c.name for c in SELL_THROUGH_SHEET.columns].index(name)
    return get_column_letter(j + 1)


def _lines(name: str) -> str:
    letter = _column(name)
    return f"{SELL_THROUGH_SHEET.title}!${letter}$2:${letter}${COUNTED_LINES + 1}"


def _number(value: Decimal | int) -> float | int:
    """A cell's stored value: an int when whole, else a float (what a spreadsheet holds)."""
    d = Decimal(value)
    return int(d) if d == d.to_integral_value() else float(d)


class _Sheet:
    """The sheet being written, a row at a time; ``values`` holds each formula's value."""

    def __init__(self, ws):
        self.ws, self.row, self.values = ws, 1, {}

    def text(self, text: str, *, font=None, column: int = 1, row: int | None = None):
        cell = self.ws.cell(row=row or self.row, column=column)
        write_value(cell, text)
        if font is not None:
            cell.font = font
        if row is None and column == 1:
            self.row += 1
        return cell

    def value(self, column: int, value, fmt: str | None = None, row: int | None = None):
        cell = self.ws.cell(row=row or self.row, column=column)
        write_value(cell, _number(value) if isinstance(value, Decimal | int) else value)
        if fmt:
            cell.number_format = fmt
        return cell

    def formula(self, column: int, text: str, value, fmt: str | None = None, row=None) -> str:
        """A formula cell and its value now; returns its absolute reference."""
        r = row or self.row
        cell = self.ws.cell(row=r, column=column, value=text)
        if fmt:
            cell.number_format = fmt
        stored = _number(value) if isinstance(value, Decimal | int) else value
        self.values[f"{get_column_letter(column)}{r}"] = stored
        return f"${get_column_letter(column)}${r}"

    def header(self, names: list[str], first: int = 1) -> None:
        for j, name in enumerate(names, start=first):
            cell = self.text(name, column=j, row=self.row)
            cell.font, cell.fill = _HEAD, _HEAD_FILL
            cell.alignment = Alignment(horizontal="center")
        self.row += 1

    def skip(self, n: int = 1) -> None:
        self.row += n


def write_quarter_sheet(wb, name: str, q: QuarterSoFar) -> dict[str, object]:
    """Add the sheet to ``wb`` (after the report sheets); return its formula cells' values
    now ({"B9": 120000, ...}) for ``io.cached_values.store_values``."""
    ws = wb.create_sheet(QUARTER_SHEET)
    for letter, width in zip("ABCDEF", (60, 18, 16, 14, 22, 10), strict=True):
        ws.column_dimensions[letter].width = width
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToHeight = 0
    s = _Sheet(ws)
    # the sheet's text is plain ASCII: it survives a save in a legacy encoding (.xls
    # written by an older program, a CSV export in Windows-1252) as it is
    span = q.quarter.span.replace("\u2013", "-")
    s.text(f"Your quarter so far: {q.quarter} ({span})", font=Font(bold=True, size=14))
    shown = [p for p in q.programs if p.measure in ("revenue", "units")]
    if not q.programs:
        s.text(f"No rebate program applies to {name} in {q.quarter}: there is no rebate to follow.")
        s.text("This sheet is for your information; we do not read it.", font=_NOTE)
        return s.values
    s.text(
        f"{name}: where you stand this quarter, from the sell-through you have reported and "
        f"the lines you type on the {SELL_THROUGH_SHEET.title} sheet for {q.month.name}."
    )
    s.text(
        "An estimate that changes as you type; the quarterly rebate statement is what counts. "
        "You need not fill anything here: we do not read this sheet.",
        font=_NOTE,
    )
    s.skip()
    waiting = []  # cells whose formula names the FX table's cells, written last
    for rules in q.programs:
        if rules.measure == "growth":
            _growth_block(s, q, rules)
        else:
            waiting += _program_block(s, q, rules)
    if any(p.measure == "revenue" for p in shown):
        where = _fx_block(s, q)
        for cell in waiting:
            cell.value = cell.value.format(**where)
    return s.values


# ------------------------------------------------------------------ this month's revenue
def _fx_block(s: _Sheet, q: QuarterSoFar) -> dict[str, str]:
    """The currencies of this month's lines and their rates, then their total in the
    reporting currency; returns where the total and the count of lines not counted are."""
    rid, qty, price, cur = (
        _lines(n) for n in ("Reseller ID", "Quantity", "Unit Price", "Currency")
    )
    s.text(f"How {q.month.name} is counted for a revenue program", font=Font(bold=True, size=12))
    s.text(
        f"Each line on the {SELL_THROUGH_SHEET.title} sheet with a Reseller ID (rows 2 to "
        f"{COUNTED_LINES + 1:,}): Quantity x Unit Price, converted to {q.currency} at the "
        "rate below for its currency."
    )
    s.text(
        "The rates are the latest we had; the statement converts each month at that month's "
        "own rate, so its figure can differ a little.",
        font=_NOTE,
    )
    s.header(
        [
            "Currency",
            "Typed this month",
            f"Rate to {q.currency}",
            "Rate of",
            f"In {q.currency}",
            "Lines",
        ]
    )
    first = s.row
    for currency, rate, month in q.rates:
        s.value(1, currency)
        match = f'--({cur}=$A{s.row}),--({rid}<>"")'
        s.formula(2, f"=SUMPRODUCT({match},{qty},{price})", 0, MONEY)
        s.value(3, rate, FX)
        s.value(4, month)
        s.formula(5, f"=B{s.row}*C{s.row}", 0, MONEY)
        s.formula(6, f"=SUMPRODUCT({match})", 0, UNITS)
        s.skip()
    last = max(s.row - 1, first)
    s.text(f"Total in {q.currency}", font=_BOLD)
    total_row = s.row - 1
    total = s.formula(5, f"=SUM(E{first}:E{last})", 0, MONEY, row=total_row)
    s.formula(6, f"=SUM(F{first}:F{last})", 0, UNITS, row=total_row)
    for j in range(1, 7):
        s.ws.cell(row=total_row, column=j).fill = _TOTAL_FILL
    s.ws.cell(row=total_row, column=5).font = _BOLD
    s.text("Lines not counted: their currency has no rate above")
    row = s.row - 1
    missed = s.formula(6, f'=SUMPRODUCT(--({rid}<>""))-F{total_row}', 0, UNITS, row=row)
    s.ws.cell(row=row, column=6).font = Font(bold=True, color="C00000")
    return {"fx_total": total, "fx_not_counted": missed}


# ------------------------------------------------------------------ one program
def _after_tier(rules: ProgramRules, currency: str) -> str:
    """What the statement applies after the tier rebate, in words."""
    parts = []
    if rules.scorecard:
        parts.append("the scorecard payout")
    if rules.cap is not None:
        parts.append(f"the cap of {rules.cap:,.2f} {currency} a quarter")
    if rules.min_certification_rate is not None:
        parts.append("the certification gate")
    if rules.require_on_time:
        parts.append("the reports-on-time gate")
    if rules.hold_max_weeks_of_supply is not None or rules.hold_max_sell_in_ratio is not None:
        parts.append("the inventory-loading hold")
    if not parts:
        return "The program applies nothing after the tier: this is what these figures pay."
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"Before {listed}, which the statement applies."


def _program_block(s: _Sheet, q: QuarterSoFar, rules: ProgramRules) -> list:
    """One program's figures and tier table; returns the cells that wait for the FX table."""
    units = rules.measure == "units"
    fmt = UNITS if units else MONEY
    unit = "units" if units else q.currency
    s.text(f"{rules.name} ({rules.program_id})", font=Font(bold=True, size=12))
    if units:
        s.text("Measure: sell-through units, the sum of Quantity.")
    else:
        s.text(
            f"Measure: sell-through revenue in {q.currency}, Quantity x Unit Price, each "
            f"month converted to {q.currency}."
        )
    if rules.method == "incremental":
        s.text("Pays incrementally: each tier's rate on the part of the quarter inside its band.")
    else:
        s.text("Pays retroactively: the rate of the tier reached on the whole quarter.")
    reported = Decimal(q.reported_units) if units else round_cents(q.reported_revenue)
    before = q.months_before
    if before:
        first, last = before[0], before[-1]
        months = last.name if first == last else f"{first.name} - {last.name}"
        if first != last and first.year == last.year:
            months = f"{first.name.split()[0]} - {last.name}"  # April - May 2026
        s.text(f"Reported for {months}, as of {q.as_of:%d %B %Y}")
    else:
        s.text("Reported earlier this quarter")
    reported_row = s.row - 1
    s.value(2, reported, fmt, row=reported_row)
    s.text(_reported_note(q, before, units), column=3, row=reported_row).font = _NOTE
    s.text(f"{q.month.name}, as typed on the {SELL_THROUGH_SHEET.title} sheet")
    month_row = s.row - 1
    if units:
        rid, qty = _lines("Reseller ID"), _lines("Quantity")
        s.formula(2, f'=SUMPRODUCT(--({rid}<>""),{qty})', 0, fmt, row=month_row)
        waiting = []
    else:
        missed = "{fx_not_counted}"
        s.formula(2, "={fx_total}", 0, fmt, row=month_row)
        s.formula(
            3, f'=IF({missed}>0,{missed}&" line(s) not counted: see below","")', "", row=month_row
        )
        s.ws.cell(row=month_row, column=3).font = Font(bold=True, color="C00000")
        waiting = [s.ws.cell(row=month_row, column=j) for j in (2, 3)]
    s.text("Quarter so far", font=_BOLD)
    total_row = s.row - 1
    tot = s.formula(2, f"=B{reported_row}+B{month_row}", reported, fmt, row=total_row)
    s.ws.cell(row=total_row, column=2).font = _BOLD
    s.ws.cell(row=total_row, column=2).fill = _TOTAL_FILL
    s.text(unit, column=3, row=total_row)
    # the tier table sits below the figures; its rows are known now
    figures_rows = 5  # tier, rate, gap, rebate, what the statement applies after it
    table_first = s.row + figures_rows + 1 + 1  # figures, a blank row, the header
    n = len(rules.tiers.tiers)
    table_last = table_first + n - 1
    thr, rates, labels = (f"${c}${table_first}:${c}${table_last}" for c in "BCD")
    table = f"$B${table_first}:$D${table_last}"
    k = f"SUMPRODUCT(--({thr}<={tot}))"
    measure = reported
    tiers = rules.tiers
    reached = tiers.reached(measure)
    names = [t.label or f"Tier {i}" for i, t in enumerate(tiers.tiers, start=1)]
    s.text("Tier reached")
    s.formula(
        2,
        f'=IFERROR(CHX_REBATE_TIER({tot},{table}),IF({k}=0,"",INDEX({labels},{k})))',
        "" if reached is None else names[reached],
        row=s.row - 1,
    )
    s.ws.cell(row=s.row - 1, column=2).alignment = Alignment(horizontal="right")
    s.text("Rate at that tier")
    rate_fmt = MONEY if units else PERCENT
    s.formula(
        2,
        f"=IF({k}=0,0,INDEX({rates},{k}))",
        tiers.rate_for(measure),
        rate_fmt,
        row=s.row - 1,
    )
    if units:
        s.text(f"{q.currency} per unit", column=3, row=s.row - 1)
    s.text("Still needed for the next tier")
    s.formula(
        2,
        f"=IFERROR(CHX_NEXT_TIER_GAP({tot},{table}),"
        f"IF({k}>=ROWS({thr}),0,INDEX({thr},{k}+1)-{tot}))",
        tiers.next_gap(measure),
        fmt,
        row=s.row - 1,
    )
    s.text(f"{unit}; 0 at the top tier", column=3, row=s.row - 1)
    s.text(f"Rebate at this tier ({rules.method})", font=_BOLD)
    rebate_row = s.row - 1
    if rules.method == "incremental":
        bands = f"$E${table_first}:$E${table_last}"
        fallback = f"ROUND(SUM({bands}),2)"
        method = ',"incremental"'
    else:
        fallback = f"ROUND(IF({k}=0,0,INDEX({rates},{k}))*{tot},2)"
        method = ""
    s.formula(
        2,
        f"=IFERROR(CHX_REBATE({tot},{table}{method}),{fallback})",
        round_cents(tiers.amount(measure, rules.method)),
        MONEY,
        row=rebate_row,
    )
    s.ws.cell(row=rebate_row, column=2).font = _BOLD
    s.ws.cell(row=rebate_row, column=2).fill = _TOTAL_FILL
    s.text(q.currency, column=3, row=rebate_row)
    s.text(_after_tier(rules, q.currency), font=_NOTE)
    s.skip()
    assert s.row == table_first - 1, "the tier table's rows were computed above"
    s.text("Tiers", font=_BOLD, row=s.row, column=1)
    rate_head = f"{q.currency} per unit" if units else "Rate"
    head = [f"From ({unit})", rate_head, "Tier"]
    if rules.method == "incremental":
        head.append(f"Rebate in band ({q.currency})")
    s.header(head, first=2)
    for i, tier in enumerate(tiers.tiers):
        s.value(2, tier.threshold, fmt)
        s.value(3, tier.rate, rate_fmt)
        s.value(4, names[i])
        if rules.method == "incremental":
            lo = f"B{s.row}"
            if i + 1 < n:
                top = f"MIN({tot},B{s.row + 1})"
                upper = tiers.tiers[i + 1].threshold
                band = min(measure, upper) - tier.threshold
            else:
                top, band = tot, measure - tier.threshold
            band_value = tier.rate * band if measure > tier.threshold else Decimal(0)
            s.formula(5, f"=IF({tot}>{lo},({top}-{lo})*C{s.row},0)", band_value, MONEY)
        s.skip()
    s.skip()
    return waiting


def _reported_note(q: QuarterSoFar, before: list[Month], units: bool) -> str:
    if not before:
        return f"{q.month.name} is the quarter's first month"
    notes = []
    missing = [m for m in q.missing_months if Month.parse(m) in before]
    if missing:
        notes.append("no report yet for " + ", ".join(Month.parse(m).name for m in missing))
    fx = [x for x in q.missing_fx if Month.parse(x.split()[-1]) in before]
    if fx and not units:
        notes.append("lines with no rate left out, as in the statement: " + ", ".join(fx))
    return "; ".join(notes) or "from the reports we have loaded"


def _growth_block(s: _Sheet, q: QuarterSoFar, rules: ProgramRules) -> None:
    s.text(f"{rules.name} ({rules.program_id})", font=Font(bold=True, size=12))
    year_ago = q.quarter.year_ago
    if q.prior_revenue is None:
        base = f"we have no report for {year_ago}, so there is no baseline to grow from"
    else:
        base = f"{year_ago}: {round_cents(q.prior_revenue):,.2f} {q.currency} reported"
    s.text(
        f"Measure: growth of sell-through revenue over the same quarter a year earlier ({base})."
    )
    s.text(
        "Growth is known only when the quarter is complete, so this sheet does not estimate "
        "it; the quarterly rebate statement shows it."
    )
    s.skip()

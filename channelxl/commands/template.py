"""``channelxl template``: write each distributor's monthly report template.

One library call, :func:`write_templates`: who gets one, their authorized resellers and
the active SKUs come from the ledger; each file is written by ``io.template_workbook``.
Each template also shows the distributor's quarter so far in its rebate programs
(``io.quarter_so_far``): the measure reported for the quarter's months before this one,
read once for every distributor with the statement's own definitions
(``ledger.figures``), and the latest exchange rates for this month's lines.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from channelxl.core.periods import Month
from channelxl.errors import ChannelxlError
from channelxl.io.atomic import path_inside
from channelxl.io.quarter_so_far import QuarterSoFar
from channelxl.io.template_workbook import TemplateFor, template_file_name, write_template
from channelxl.ledger.figures import exact_sum, quarter_figures
from channelxl.ledger.programs import programs
from channelxl.ledger.store import Ledger


@dataclass
class TemplateRun:
    """The templates written for one month."""

    period: str
    out_dir: Path
    paths: list[Path]
    note: str = ""  # why the templates have no quarter-so-far sheet, when they have none

    def summary(self) -> str:
        done = f"{len(self.paths)} template(s) for {self.period} written to {self.out_dir}"
        return f"{done}; {self.note}" if self.note else done


def write_templates(
    ledger: Ledger,
    period: Month,
    out_dir: str | os.PathLike,
    *,
    distributors: list[str] | None = None,
    today: date | None = None,
) -> TemplateRun:
    """One template per distributor (default: all) for ``period`` into ``out_dir``, named
    ``sellthrough_<id>_<period>.xlsx`` (the id as ``io.atomic.safe_name`` makes it); its
    quarter-so-far sheet says the ledger's figures are as of ``today`` (default: today)."""
    con = ledger.con
    due = period.report_due(ledger.settings().report_due_day)
    rows = con.execute(
        "SELECT distributor_id, name, currency, type FROM distributors ORDER BY distributor_id"
    ).fetchall()
    ledger.distributors(distributors)  # refuses unknown ids
    try:
        so_far, note = _quarters_so_far(ledger, period, today or date.today(), rows), ""
    except ChannelxlError as exc:  # figures the ledger cannot sum: the reports still go out
        so_far, note = {}, f"without the quarter-so-far sheet: {exc}"
    skus = tuple(
        s
        for (s,) in con.execute(
            "SELECT sku FROM products WHERE active = 'Y' ORDER BY sku"
        ).fetchall()
    )
    authorized: dict[str, list] = {}
    for rid, name, dists in con.execute(
        "SELECT reseller_id, name, authorized_distributors FROM resellers ORDER BY reseller_id"
    ).fetchall():
        for d in dists or ():
            authorized.setdefault(d, []).append((rid, name))
    out_dir = Path(out_dir)  # made by the first write (io.atomic), which names any refusal
    written = []
    for d, name, currency, _ in rows:
        if distributors and d not in distributors:
            continue
        t = TemplateFor(
            distributor_id=d,
            name=name,
            currency=currency,
            period=str(period),
            due=due,
            resellers=tuple(authorized.get(d, ())),
            skus=skus,
            quarter=so_far.get(d),
        )
        # the id is data: made safe as a file name, and the path kept inside out_dir
        path = path_inside(out_dir, template_file_name(d, str(period)))
        written.append(write_template(path, t))
    return TemplateRun(str(period), out_dir, written, note)


def _quarters_so_far(ledger: Ledger, period: Month, as_of: date, rows) -> dict[str, QuarterSoFar]:
    """Each distributor's quarter before ``period``, its programs and the rates for this
    month's lines, from one read of the quarter's figures for everyone."""
    settings = ledger.settings()
    quarter = period.quarter_in(settings.fiscal_year_start_month)
    reporting = settings.reporting_currency
    figures = quarter_figures(ledger, quarter)
    progs = programs(ledger)
    before = [i for i, m in enumerate(quarter.months) if m < period]
    names = {str(quarter.months[i]) for i in before}
    # the latest rate of each currency up to this month (the month's own rate may not be in)
    latest = {
        c: (rate, month)
        for c, rate, month in ledger.con.execute(
            "SELECT currency, arg_max(rate, month), max(month) FROM fx_rates "
            "WHERE month <= ? AND currency <> ? GROUP BY currency",
            [str(period), reporting],
        ).fetchall()
    }
    latest[reporting] = (Decimal(1), "")
    used: dict[str, set] = {}
    for d, c in ledger.con.execute(
        "SELECT DISTINCT distributor_id, currency FROM sell_through"
    ).fetchall():
        used.setdefault(d, set()).add(c)
    out = {}
    for d, _, currency, kind in rows:
        f = figures.get(d)
        wanted = dict.fromkeys([currency, reporting, *sorted(used.get(d, ()))])
        out[d] = QuarterSoFar(
            quarter=quarter,
            month=period,
            as_of=as_of,
            currency=reporting,
            programs=tuple(p.rules for p in progs if p.applies(d, kind, quarter)),
            reported_revenue=exact_sum(f.monthly_revenue[i] for i in before) if f else Decimal(0),
            reported_units=sum(f.monthly_units[i] for i in before) if f else 0,
            missing_months=tuple(m for m in f.missing_months if m in names) if f else (),
            missing_fx=tuple(x for x in f.missing_fx if x.split()[-1] in names) if f else (),
            rates=tuple((c, *latest[c]) for c in wanted if c in latest),
            prior_revenue=f.prior_revenue if f else None,
        )
    return out

"""``channelxl template``: write each distributor's monthly report template.

One library call, :func:`write_templates`: who gets one, their authorized resellers and
the active SKUs come from the ledger; each file is written by ``io.template_workbook``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from channelxl.core.periods import Month
from channelxl.io.atomic import path_inside
from channelxl.io.template_workbook import TemplateFor, template_file_name, write_template
from channelxl.ledger.store import Ledger


@dataclass
class TemplateRun:
    """The templates written for one month."""

    period: str
    out_dir: Path
    paths: list[Path]

    def summary(self) -> str:
        return f"{len(self.paths)} template(s) for {self.period} written to {self.out_dir}"


def write_templates(
    ledger: Ledger,
    period: Month,
    out_dir: str | os.PathLike,
    *,
    distributors: list[str] | None = None,
) -> TemplateRun:
    """One template per distributor (default: all) for ``period`` into ``out_dir``, named
    ``sellthrough_<id>_<period>.xlsx`` (the id as ``io.atomic.safe_name`` makes it)."""
    con = ledger.con
    due = period.report_due(ledger.settings().report_due_day)
    rows = con.execute(
        "SELECT distributor_id, name, currency FROM distributors ORDER BY distributor_id"
    ).fetchall()
    ledger.distributors(distributors)  # refuses unknown ids
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
    for d, name, currency in rows:
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
        )
        # the id is data: made safe as a file name, and the path kept inside out_dir
        path = path_inside(out_dir, template_file_name(d, str(period)))
        written.append(write_template(path, t))
    return TemplateRun(str(period), out_dir, written)

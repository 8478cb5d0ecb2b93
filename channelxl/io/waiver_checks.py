"""The Waivers sheet of the program workbook: what its declaration cannot check.

The declaration (``schema.program_sheets.WAIVERS``) already refuses an unknown distributor
or program, a quarter not written as one, an unknown *Waives* and a blank reason, name or
date, each at its cell. Here: a waiver that can never apply (the program has no such
gate) is said as a warning, so the analyst does not believe a result was forgiven.
"""

from __future__ import annotations

import pandas as pd

from channelxl.core.waivers import CERTIFICATION, LATE
from channelxl.issues import WARNING, Issue, a1
from channelxl.schema.program_sheets import WAIVERS


def check_waivers(frames: dict[str, pd.DataFrame], file: str, issues: list[Issue]) -> None:
    """Warn about each waiver naming a program that has no gate of the kind it waives."""
    waivers, programs = frames.get("waivers"), frames.get("rebate_programs")
    if waivers is None or programs is None or waivers.empty:
        return
    gates = {
        rec.program_id: {
            LATE: rec.require_on_time_reports == "Y",
            CERTIFICATION: rec.min_certification_rate is not None,
        }
        for rec in programs.itertuples(index=False)
    }
    column = waivers.attrs["positions"].get(WAIVERS.column("Waives").field, 0)
    for rec in waivers.itertuples(index=False):
        has = gates.get(rec.program_id, {})
        if rec.program_id is None or rec.waives not in has or has[rec.waives]:
            continue
        what = "no on-time reports gate" if rec.waives == LATE else "no certification gate"
        issues.append(
            Issue(
                "REF",
                f"{rec.program_id} has {what}, so this waiver of a {rec.waives} waives nothing",
                WARNING,
                file,
                sheet=waivers.attrs["sheet"],
                cell=a1(rec.sheet_row, column),
            )
        )

"""Quarter cells of the program workbook, in the program's calendar.

A quarter column (Targets, Waivers: any column declared ``quarter``) holds the label as
typed (``io.cells``: 2026Q3 or FY2027Q1). Which months a label means depends on the
Settings sheet's *Fiscal Year Start Month*, known only once the whole workbook is read, so
here each label is resolved in that calendar (``QuarterLabel.resolve``) and either written
as every command writes that quarter (``FY2026Q3`` in a January year becomes ``2026Q3``) or
refused at its cell: a calendar label in a fiscal year would never match a statement's
quarter, and a target or waiver that silently never applies is worse than a refusal.
"""

from __future__ import annotations

import pandas as pd

from channelxl.core.periods import QuarterLabel
from channelxl.issues import Issue, a1
from channelxl.schema import PROGRAM_TABLES


def check_quarter_labels(
    frames: dict[str, pd.DataFrame], settings: dict[str, object], file: str, issues: list[Issue]
) -> None:
    """Resolve every quarter cell in the fiscal year of ``settings`` (in place); an issue at
    each cell whose label is not a quarter of that calendar."""
    start = settings.get("fiscal_year_start_month")
    if not isinstance(start, int) or not 1 <= start <= 12:
        return  # the setting itself is refused at its cell
    for table in PROGRAM_TABLES:
        frame = frames.get(table.name)
        if frame is None or frame.empty:
            continue
        for column in (c for c in table.columns if c.type == "quarter"):
            if column.field not in frame.columns:
                continue
            position = frame.attrs["positions"].get(column.field, 0)
            resolved = []
            for text, row in zip(frame[column.field], frame["sheet_row"], strict=True):
                if text is None or (isinstance(text, float) and pd.isna(text)):
                    resolved.append(text)
                    continue
                try:
                    resolved.append(str(QuarterLabel.parse(text).resolve(start)))
                except ValueError as exc:
                    resolved.append(text)
                    issues.append(
                        Issue(
                            "TYPE",
                            f"{column.name}: {exc}",
                            file=file,
                            sheet=frame.attrs["sheet"],
                            cell=a1(row, position),
                        )
                    )
            frame[column.field] = resolved

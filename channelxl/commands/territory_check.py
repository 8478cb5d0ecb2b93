"""``channelxl territory``: check a quarter's sell-through against the territories and
write the exception workbook and CSV.

One library call, :func:`check_territory`: the check from the ledger
(``ledger.quarter_checks.territory_quarter``), written by ``io.exception_workbooks``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from channelxl.commands.empty_quarter import TERRITORY, check_quarter_has_data
from channelxl.core.periods import Quarter
from channelxl.core.territory import NOT_APPOINTED, OUT
from channelxl.io.exception_workbooks import write_territory
from channelxl.ledger.quarter_checks import TerritoryCheck, territory_quarter
from channelxl.ledger.store import Ledger


@dataclass
class TerritoryRun:
    """A quarter's territory check and the files written for it."""

    check: TerritoryCheck
    xlsx: Path
    csv: Path
    period: Quarter  # the quarter itself: its months and calendar
    warning: str = ""  # an empty quarter written because it was asked for (allow_empty)

    @property
    def heading(self) -> str:
        """``FY2027Q1 (April – June 2026)``: the label with the months it means."""
        return f"{self.period} ({self.period.span})"

    @property
    def quarter(self) -> str:
        return self.check.quarter

    def summary(self) -> str:
        c = self.check
        counts = c.lines["status"].value_counts()
        said = (
            f"{self.heading}: {len(c.lines):,} lines; {int(counts.get(OUT, 0)):,} out of "
            f"territory, {int(counts.get(NOT_APPOINTED, 0)):,} not appointed; "
            f"{len(c.conflicts)} exclusive conflict(s); {len(c.free_riders)} free-riding "
            "reseller(s)."
        )
        return f"{said}\n{self.warning}" if self.warning else said


def check_territory(
    ledger: Ledger,
    quarter: Quarter,
    out_dir: str | os.PathLike,
    *,
    distributors: list[str] | None = None,
    allow_empty: bool = False,
) -> TerritoryRun:
    """Check ``quarter`` (every distributor, or those given) and write the workbook.

    A quarter without sell-through is refused unless ``allow_empty``
    (``commands.empty_quarter``)."""
    if distributors:
        ledger.distributors(distributors)  # refuses unknown ids first
    warning = check_quarter_has_data(
        ledger, quarter, distributors, TERRITORY, allow_empty=allow_empty
    )
    c = territory_quarter(ledger, quarter, distributors=distributors)
    xlsx, csv_path = write_territory(
        quarter, lines=c.lines, conflicts=c.conflicts, free_riders=c.free_riders, out_dir=out_dir
    )
    return TerritoryRun(c, xlsx, csv_path, quarter, warning)

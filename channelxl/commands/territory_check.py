"""``channelxl territory``: check a quarter's sell-through against the territories and
write the exception workbook and CSV.

One library call, :func:`check_territory`: the check from the ledger
(``ledger.quarter_checks.territory_quarter``), written by ``io.exception_workbooks``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

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
        return (
            f"{self.heading}: {len(c.lines):,} lines; {int(counts.get(OUT, 0)):,} out of "
            f"territory, {int(counts.get(NOT_APPOINTED, 0)):,} not appointed; "
            f"{len(c.conflicts)} exclusive conflict(s); {len(c.free_riders)} free-riding "
            "reseller(s)."
        )


def check_territory(
    ledger: Ledger,
    quarter: Quarter,
    out_dir: str | os.PathLike,
    *,
    distributors: list[str] | None = None,
) -> TerritoryRun:
    """Check ``quarter`` (every distributor, or those given) and write the workbook."""
    c = territory_quarter(ledger, quarter, distributors=distributors)
    xlsx, csv_path = write_territory(
        quarter, lines=c.lines, conflicts=c.conflicts, free_riders=c.free_riders, out_dir=out_dir
    )
    return TerritoryRun(c, xlsx, csv_path, quarter)

"""``channelxl reconcile``: reconcile a quarter and write its exception workbook and CSV.

One library call, :func:`reconcile`: the reconciliation from the ledger
(``ledger.quarter_checks.reconcile_quarter``), written by ``io.exception_workbooks``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from channelxl.commands.empty_quarter import RECONCILE, check_quarter_has_data
from channelxl.core.periods import Quarter
from channelxl.io.exception_workbooks import write_reconciliation
from channelxl.ledger.quarter_checks import Reconciliation, reconcile_quarter
from channelxl.ledger.store import Ledger


@dataclass
class ReconcileRun:
    """A reconciled quarter and the files written for it."""

    reconciliation: Reconciliation
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
        return self.reconciliation.quarter

    def summary(self) -> str:
        r = self.reconciliation
        said = (
            f"{self.heading}: {len(r.grid):,} rows reconciled, {len(r.flagged):,} flagged; "
            f"{len(r.lines):,} flagged lines; loading inventory: "
            f"{', '.join(r.loaders) or 'none'}."
        )
        return f"{said}\n{self.warning}" if self.warning else said


def reconcile(
    ledger: Ledger,
    quarter: Quarter,
    out_dir: str | os.PathLike,
    *,
    distributors: list[str] | None = None,
    allow_empty: bool = False,
) -> ReconcileRun:
    """Reconcile ``quarter`` (every distributor, or those given) and write the workbook.

    A quarter without sell-through is refused unless ``allow_empty``
    (``commands.empty_quarter``)."""
    if distributors:
        ledger.distributors(distributors)  # refuses unknown ids first
    warning = check_quarter_has_data(
        ledger, quarter, distributors, RECONCILE, allow_empty=allow_empty
    )
    r = reconcile_quarter(ledger, quarter, distributors=distributors)
    xlsx, csv_path = write_reconciliation(
        quarter, grid=r.grid, lines=r.lines, loading=r.loading, out_dir=out_dir
    )
    return ReconcileRun(r, xlsx, csv_path, quarter, warning)

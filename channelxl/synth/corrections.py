"""A late correction: a distributor re-sends a month's sell-through report after its quarter
was approved (invoices it had left out), written the way ``synth.files`` writes reports."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from channelxl.schema import SELL_THROUGH

QUANTITY = next(c.name for c in SELL_THROUGH.columns if c.field == "quantity")


def late_correction(sent: Path, inbox: Path, *, lines: int = 5, extra_units: int = 3) -> Path:
    """A corrected copy of the report ``sent`` in ``inbox`` (``<name>_corrected.csv``): its
    first ``lines`` lines each ``extra_units`` units more; received now (its file time)."""
    report = pd.read_csv(sent, dtype=str, keep_default_na=False)
    head = report.index[:lines]
    report.loc[head, QUANTITY] = (report.loc[head, QUANTITY].astype(int) + extra_units).astype(str)
    path = Path(inbox) / f"{Path(sent).stem}_corrected.csv"
    report.to_csv(path, index=False)
    return path

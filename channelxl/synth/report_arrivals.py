"""When each distributor's monthly report came in.

Every distributor sends a report for every month, at 09:00 on one of the first days of
the next month, always before the due date (:meth:`Month.report_due`).

Planted: one report that came in nine days late, at 16:00.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from channelxl.core.periods import Month
from channelxl.synth.distributors import Distributors


@dataclass(frozen=True)
class Arrivals:
    frame: pd.DataFrame  # distributor_id, period, received_at
    planted: dict


def draw(
    rng: np.random.Generator,
    months: list[Month],
    dist: Distributors,
    due_day: int,
    *,
    plant: bool,
) -> Arrivals:
    """One arrival per distributor and month; with ``plant``, one of them late."""
    M = len(months)
    rec_d = np.repeat(np.arange(dist.count), M)
    rec_m = np.tile(np.arange(M), dist.count)
    lag = rng.integers(1, due_day - 1, rec_d.size)  # days into the next month, before due
    received = pd.DataFrame(
        {
            "distributor_id": dist.ids[rec_d],
            "period": np.array([str(m) for m in months])[rec_m],
            "received_at": [
                datetime.combine(
                    (months[m] + 1).first_day + timedelta(days=int(x) - 1), datetime.min.time()
                ).replace(hour=9)
                for m, x in zip(rec_m, lag, strict=True)
            ],
        }
    )
    planted = {}
    if plant:
        j = int(rng.integers(0, received.shape[0]))
        due = months[rec_m[j]].report_due(due_day)
        received.loc[j, "received_at"] = datetime.combine(
            due + timedelta(days=9), datetime.min.time()
        ).replace(hour=16)
        planted["late_report"] = {
            "distributor_id": str(received.distributor_id[j]),
            "period": str(received.period[j]),
            "due": str(due),
            "received_at": received.received_at[j].isoformat(),
        }
    return Arrivals(received, planted)

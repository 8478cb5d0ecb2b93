"""Months as day numbers: the vectorised steps place dates as proleptic ordinals."""

from __future__ import annotations

import numpy as np

from channelxl.core.periods import Month


def month_starts(months: list[Month]) -> np.ndarray:
    """The ordinal of each month's first day."""
    return np.array([m.first_day.toordinal() for m in months])


def month_lengths(months: list[Month]) -> np.ndarray:
    """The number of days in each month."""
    return np.array([(m + 1).first_day.toordinal() - m.first_day.toordinal() for m in months])

"""CSV files channelxl writes: whole or absent, UTF-8, and safe to open in a spreadsheet.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run
as a formula when the CSV is opened in Excel (CSV injection: a reseller named
``=HYPERLINK(...)`` in a distributor's report would become a live link in the analyst's
sheet). Such text is written with a leading apostrophe, so it stays text. Numbers, and
text that is a plain number (``-12600.06``), are written as they are.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from channelxl.io.atomic import atomic_file

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d[\d,]*(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def safe_cell(value):
    """``value`` as a CSV cell that cannot run as a formula."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_START)
        and not (value.strip() and _PLAIN_NUMBER.fullmatch(value.strip()))
    ):
        return "'" + value
    return value


def write_csv(path: str | os.PathLike, header: Sequence[str], rows: Iterable[Sequence]) -> Path:
    """Write a CSV atomically (a temporary file renamed over ``path``)."""
    with atomic_file(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow([safe_cell(h) for h in header])
        for row in rows:
            writer.writerow([safe_cell(v) for v in row])
    return Path(path)


def write_frame_csv(path: str | os.PathLike, frame) -> Path:
    """A pandas frame as CSV, atomically; text columns made safe, the rest as pandas writes it."""
    import pandas as pd

    frame = frame.copy()
    for column in frame.columns:
        if pd.api.types.is_object_dtype(frame[column]) or pd.api.types.is_string_dtype(
            frame[column]
        ):
            frame[column] = frame[column].map(safe_cell)
    frame.columns = [safe_cell(str(c)) for c in frame.columns]
    with atomic_file(path, "w", newline="", encoding="utf-8") as fh:
        frame.to_csv(fh, index=False)
    return Path(path)

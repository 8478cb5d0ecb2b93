"""Territory checks: is a sale in territory, where do exclusive rights collide, who free-rides.

- A line is **IN** when the end customer's country (fallback: the reseller's), its segment
  and the invoice date fall in one of the distributor's territory rows (segment ``*``
  covers every segment; Valid To blank = open-ended). **NOT APPOINTED** when the
  distributor holds no territory row valid on that date at all; **OUT** otherwise.
- **Exclusive conflict**: two distributors hold exclusive rows that overlap in country,
  segment (``*`` overlaps every segment) and dates; for a quarter, only when that overlap
  includes at least one day of the quarter.
- **Free-riding**: a reseller buying one product family from more than one distributor
  in one country in one quarter.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd

IN, OUT, NOT_APPOINTED = "IN", "OUT", "NOT APPOINTED"
FAR_FUTURE = pd.Timestamp("2262-04-11")
# the columns of a territory row, as ``territories`` hold them below
TERRITORY_COLUMNS = [
    "distributor_id",
    "country",
    "segment",
    "valid_from",
    "valid_to",
]  # what an open-ended Valid To compares as


def _dates(values) -> pd.Series:
    """``values`` as nanosecond timestamps (what cannot be read as a date: NaT). A date
    beyond what they hold (year 1, 9999: a typing slip) is taken as the earliest or latest
    one they do: before or after every real territory row, as the rows path finds it, never
    an overflow."""
    series = pd.Series(values)
    if not pd.api.types.is_datetime64_any_dtype(series):
        series = pd.to_datetime(series, errors="coerce")
    series = series.mask(series < _EARLIEST, _EARLIEST).mask(series > _LATEST, _LATEST)
    return series.astype("datetime64[ns]")


_EARLIEST, _LATEST = pd.Timestamp.min.ceil("D"), pd.Timestamp.max.floor("D")


def territory_status(lines: pd.DataFrame, territories: pd.DataFrame) -> pd.Series:
    """IN / OUT / NOT APPOINTED for each line, aligned with ``lines``.

    ``lines``: distributor_id, country, segment, date. ``territories``: distributor_id,
    country, segment, valid_from, valid_to (exclusive is not needed here).
    """
    if lines.empty:
        return pd.Series([], dtype=object, index=lines.index)
    t = territories[TERRITORY_COLUMNS].copy()
    t["valid_from"] = _dates(t["valid_from"]).to_numpy()
    t["valid_to"] = _dates(t["valid_to"]).fillna(FAR_FUTURE).to_numpy()
    work = pd.DataFrame(
        {
            "row": np.arange(len(lines)),
            "distributor_id": lines["distributor_id"].to_numpy(),
            "country": lines["country"].to_numpy(),
            "segment": lines["segment"].to_numpy(),
            "date": _dates(lines["date"]).to_numpy(),
        }
    )
    # appointed at all on the date: any row of the distributor valid then (decided once per
    # distributor and date, which are far fewer than lines)
    pairs = work[["distributor_id", "date"]].drop_duplicates()
    dist = pairs.merge(t[["distributor_id", "valid_from", "valid_to"]], on="distributor_id")
    valid = dist[(dist["valid_from"] <= dist["date"]) & (dist["date"] <= dist["valid_to"])]
    valid = valid[["distributor_id", "date"]].drop_duplicates().assign(appointed=True)
    appointed = (
        work[["distributor_id", "date"]]
        .merge(valid, on=["distributor_id", "date"], how="left")["appointed"]
        .fillna(False)
        .to_numpy(dtype=bool)
    )
    # in territory: a valid row for the country whose segment matches
    both = work.merge(t, on=["distributor_id", "country"], suffixes=("", "_t"))
    ok = (
        ((both["segment_t"] == "*") | (both["segment_t"] == both["segment"]))
        & (both["valid_from"] <= both["date"])
        & (both["date"] <= both["valid_to"])
    )
    inside = np.zeros(len(lines), dtype=bool)
    inside[both.loc[ok, "row"].to_numpy()] = True
    status = np.where(inside, IN, np.where(appointed, OUT, NOT_APPOINTED))
    return pd.Series(status, index=lines.index, dtype=object)


# Below this many lines the rule runs in plain Python: building frames for a monthly report
# of a few hundred lines costs more (~20 ms) than checking them one by one (~1 ms).
SMALL_INPUT = 5000


def statuses(lines: Sequence[tuple], territories: Sequence[tuple]) -> list[str]:
    """:func:`territory_status` for rows instead of frames, as fast for few lines as for many.

    ``lines``: (distributor_id, country, segment, date) tuples; ``territories``:
    (distributor_id, country, segment, valid_from, valid_to). The same rule, two paths:
    plain Python for a few lines, the frame version above for many (a property test keeps
    them equal).
    """
    if len(lines) > SMALL_INPUT:
        frame = pd.DataFrame(list(lines), columns=["distributor_id", "country", "segment", "date"])
        t = pd.DataFrame(list(territories), columns=TERRITORY_COLUMNS)
        return territory_status(frame, t).tolist()
    rows = defaultdict(list)
    for d, country, segment, valid_from, valid_to in territories:
        if valid_from is not None:  # a row without a start is never valid (NaT above)
            rows[d].append((country, segment, _day(valid_from), _day(valid_to) or date.max))
    out = []
    for d, country, segment, day in lines:
        day = _day(day)
        valid = [r for r in rows.get(d, ()) if day is not None and r[2] <= day <= r[3]]
        if any(r[0] == country and r[1] in ("*", segment) for r in valid):
            out.append(IN)
        else:
            out.append(OUT if valid else NOT_APPOINTED)
    return out


def _day(value) -> date | None:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if hasattr(value, "date") and callable(value.date):  # datetime
        return value.date()
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value


def exclusive_conflicts(
    territories: pd.DataFrame, *, within: tuple[date, date] | None = None
) -> pd.DataFrame:
    """Pairs of exclusive rows of different distributors that overlap.

    Two rows conflict when their countries are equal, their segments overlap and their
    validities overlap: ``max(valid_from) <= min(valid_to)`` (a blank Valid To runs on).
    With ``within`` (first day, last day; e.g. a quarter) a conflict counts only when that
    overlap also meets the period, ``overlap_from <= last day`` and ``overlap_to >= first
    day``, both ends inclusive: one shared day is enough.

    Columns: distributor_a, distributor_b, country, segment_a, segment_b, overlap_from,
    overlap_to (None when both are open-ended): the whole overlap of the two rows, not
    clipped to ``within``, since that is what the program workbook must correct.
    """
    cols = [
        "distributor_a",
        "distributor_b",
        "country",
        "segment_a",
        "segment_b",
        "overlap_from",
        "overlap_to",
    ]
    ex = territories[territories["exclusive"].astype(str).str.upper() == "Y"]
    if ex.empty:
        return pd.DataFrame(columns=cols)
    ex = ex.assign(
        vf=_dates(ex["valid_from"]).to_numpy(),
        vt=_dates(ex["valid_to"]).fillna(FAR_FUTURE).to_numpy(),
    )
    pairs = ex.merge(ex, on="country", suffixes=("_a", "_b"))
    pairs = pairs[pairs["distributor_id_a"] < pairs["distributor_id_b"]]
    seg = (
        (pairs["segment_a"] == pairs["segment_b"])
        | (pairs["segment_a"] == "*")
        | (pairs["segment_b"] == "*")
    )
    start = pairs[["vf_a", "vf_b"]].max(axis=1)
    end = pairs[["vt_a", "vt_b"]].min(axis=1)
    meets = start <= end
    if within is not None:
        first, last = (pd.Timestamp(d) for d in within)
        meets &= (start <= last) & (end >= first)
    hit = pairs[seg & meets]
    start, end = start[hit.index], end[hit.index]
    return pd.DataFrame(
        {
            "distributor_a": hit["distributor_id_a"].to_numpy(),
            "distributor_b": hit["distributor_id_b"].to_numpy(),
            "country": hit["country"].to_numpy(),
            "segment_a": hit["segment_a"].to_numpy(),
            "segment_b": hit["segment_b"].to_numpy(),
            "overlap_from": [d.date() for d in start],
            "overlap_to": [None if d == FAR_FUTURE else d.date() for d in end],
        },
        columns=cols,
    ).reset_index(drop=True)


def free_riding(lines: pd.DataFrame) -> pd.DataFrame:
    """Resellers buying one family from several distributors in one country and quarter.

    ``lines``: reseller_id, family, country, quarter, distributor_id, quantity. Returns
    reseller_id, family, country, quarter, distributors (sorted list), lines, units.
    """
    cols = ["reseller_id", "family", "country", "quarter", "distributors", "lines", "units"]
    if lines.empty:
        return pd.DataFrame(columns=cols)
    keys = ["reseller_id", "family", "country", "quarter"]
    grouped = lines.groupby(keys, sort=True)
    n = grouped["distributor_id"].nunique()
    multi = n[n > 1].index
    if len(multi) == 0:
        return pd.DataFrame(columns=cols)
    sub = lines.set_index(keys).loc[multi].reset_index()
    out = sub.groupby(keys, sort=True).agg(
        distributors=("distributor_id", lambda s: sorted(set(s))),
        lines=("distributor_id", "size"),
        units=("quantity", "sum"),
    )
    return out.reset_index()[cols]

"""The territory rule's two paths (rows for a few lines, frames for many) agree."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from channelxl.core import territory
from channelxl.core.territory import IN, NOT_APPOINTED, OUT, statuses, territory_status

DAY0 = date(2026, 1, 1)
days = st.integers(0, 60).map(lambda n: DAY0 + timedelta(days=n))
dists = st.sampled_from(["D1", "D2", "D3"])
countries = st.sampled_from(["DE", "FR", "US"])
segments = st.sampled_from(["", "smb", "enterprise"])
territory_rows = st.tuples(
    dists, countries, st.sampled_from(["*", "smb", "enterprise"]), days, st.one_of(st.none(), days)
)
line_rows = st.tuples(dists, countries, segments, days)


def _frame_path(lines, territories):
    frame = pd.DataFrame(lines, columns=["distributor_id", "country", "segment", "date"])
    t = pd.DataFrame(
        territories, columns=["distributor_id", "country", "segment", "valid_from", "valid_to"]
    )
    return territory_status(frame, t).tolist()


@settings(max_examples=200, deadline=None)
@given(st.lists(line_rows, min_size=1, max_size=30), st.lists(territory_rows, max_size=8))
def test_rows_and_frames_give_the_same_status(lines, territories):
    assert statuses(lines, territories) == _frame_path(lines, territories)


def test_hand_checked_cases():
    terr = [
        ("D1", "DE", "*", date(2026, 1, 1), None),
        ("D1", "FR", "smb", date(2026, 1, 1), date(2026, 1, 31)),
    ]
    lines = [
        ("D1", "DE", "enterprise", date(2026, 3, 1)),  # any segment in DE
        ("D1", "FR", "smb", date(2026, 1, 15)),  # FR smb while valid
        ("D1", "FR", "enterprise", date(2026, 1, 15)),  # FR, wrong segment
        ("D1", "FR", "smb", date(2026, 2, 15)),  # FR expired, DE still valid: OUT
        ("D1", "US", "", date(2025, 12, 31)),  # before any row: not appointed
        ("D9", "DE", "", date(2026, 1, 15)),  # no rows at all
    ]
    assert statuses(lines, terr) == [IN, IN, OUT, OUT, NOT_APPOINTED, NOT_APPOINTED]


def test_many_lines_take_the_frame_path(monkeypatch):
    monkeypatch.setattr(territory, "SMALL_INPUT", 1)
    terr = [("D1", "DE", "*", date(2026, 1, 1), None)]
    lines = [("D1", "DE", "", date(2026, 1, 2)), ("D1", "FR", "", date(2026, 1, 2))]
    assert statuses(lines, terr) == [IN, OUT]


def test_a_date_beyond_a_timestamps_range_is_placed_not_an_overflow(monkeypatch):
    """A typing slip of year 1 or 9999 (read by DuckDB as a date, which pandas' nanosecond
    timestamps cannot hold) is before or after every real territory row, on both paths, with
    dates as Python objects or as the datetime64 column a DuckDB frame gives."""
    terr = [
        ("D1", "DE", "*", date(2026, 1, 1), None),
        ("D1", "FR", "*", date(2026, 1, 1), date(2026, 12, 31)),
    ]
    lines = [
        ("D1", "DE", "", date(1, 1, 1)),  # before every row: not appointed
        ("D1", "DE", "", date(9999, 12, 31)),  # DE runs on: in
        ("D1", "FR", "", date(9999, 12, 31)),  # FR ended, DE runs on: out
    ]
    expected = [NOT_APPOINTED, IN, OUT]
    assert statuses(lines, terr) == expected
    as_frame = pd.DataFrame(lines, columns=["distributor_id", "country", "segment", "date"])
    as_frame["date"] = as_frame["date"].astype("datetime64[us]")
    assert _frame_path(lines, terr) == expected
    t = pd.DataFrame(terr, columns=territory.TERRITORY_COLUMNS)
    assert territory_status(as_frame, t).tolist() == expected
    monkeypatch.setattr(territory, "SMALL_INPUT", 1)
    assert statuses(lines, terr) == expected

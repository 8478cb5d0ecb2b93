"""The territory status the ledger decides in SQL (``ledger.territory_lines.STATUS_SQL``) is
the engine's (``core.territory.territory_status``), line for line."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from channelxl.core.territory import IN, NOT_APPOINTED, OUT, territory_status
from channelxl.ledger.territory_lines import STATUS_SQL

DAY0 = date(2026, 1, 1)
days = st.integers(0, 60).map(lambda n: DAY0 + timedelta(days=n))
dists = st.sampled_from(["D1", "D2", "D3"])
countries = st.sampled_from(["DE", "FR", "US"])
territory_rows = st.tuples(
    dists,
    countries,
    st.sampled_from(["*", "smb", "enterprise"]),
    st.one_of(st.none(), days),
    st.one_of(st.none(), days),
)
# a line may name no country at all (no end customer's, no reseller's anywhere)
line_rows = st.tuples(
    dists, st.one_of(countries, st.none()), st.sampled_from(["", "smb", "enterprise"]), days
)


def _sql(lines, territories) -> list[str]:
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE territories (distributor_id VARCHAR, country VARCHAR, segment VARCHAR, "
        "valid_from DATE, valid_to DATE)"
    )
    con.execute(
        "CREATE TABLE l (n INTEGER, distributor_id VARCHAR, country VARCHAR, segment VARCHAR, "
        "invoice_date DATE)"
    )
    if territories:
        con.executemany("INSERT INTO territories VALUES (?, ?, ?, ?, ?)", territories)
    con.executemany("INSERT INTO l VALUES (?, ?, ?, ?, ?)", [(i, *r) for i, r in enumerate(lines)])
    return [s for (s,) in con.execute(f"SELECT {STATUS_SQL} FROM l ORDER BY n").fetchall()]


def _engine(lines, territories) -> list[str]:
    frame = pd.DataFrame(lines, columns=["distributor_id", "country", "segment", "date"])
    t = pd.DataFrame(
        territories, columns=["distributor_id", "country", "segment", "valid_from", "valid_to"]
    )
    return territory_status(frame, t).tolist()


@settings(max_examples=200, deadline=None)
@given(st.lists(line_rows, min_size=1, max_size=30), st.lists(territory_rows, max_size=8))
def test_sql_and_engine_give_the_same_status(lines, territories):
    assert _sql(lines, territories) == _engine(lines, territories)


def test_hand_checked_cases():
    terr = [
        ("D1", "DE", "*", date(2026, 1, 1), None),
        ("D1", "FR", "smb", date(2026, 1, 1), date(2026, 1, 31)),
        ("D2", "DE", "*", None, None),  # no Valid From: never valid
    ]
    lines = [
        ("D1", "DE", "enterprise", date(2026, 3, 1)),  # any segment in DE, open-ended
        ("D1", "FR", "smb", date(2026, 1, 31)),  # FR smb on its last valid day
        ("D1", "FR", "enterprise", date(2026, 1, 15)),  # FR, wrong segment
        ("D1", "FR", "smb", date(2026, 2, 1)),  # FR expired, DE still valid: OUT
        ("D1", "US", "", date(2025, 12, 31)),  # before any row: not appointed
        ("D2", "DE", "", date(2026, 1, 15)),  # its only row has no start
    ]
    assert _sql(lines, terr) == [IN, IN, OUT, OUT, NOT_APPOINTED, NOT_APPOINTED]


def test_a_date_in_year_1_or_9999_is_placed_as_the_engine_places_it():
    # a typing slip DuckDB reads as a date: before every real row, or after every row but
    # the open-ended ones (the same cases as tests/test_territory_paths.py)
    terr = [
        ("D1", "DE", "*", date(2026, 1, 1), None),
        ("D1", "FR", "*", date(2026, 1, 1), date(2026, 12, 31)),
    ]
    lines = [
        ("D1", "DE", "", date(1, 1, 1)),
        ("D1", "DE", "", date(9999, 12, 31)),
        ("D1", "FR", "", date(9999, 12, 31)),
    ]
    assert _sql(lines, terr) == [NOT_APPOINTED, IN, OUT]

"""Exclusive-territory conflicts count in a quarter only when the two rows' overlap reaches
into it: the engine, the quarter's check (``channelxl territory``) and the review."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest
from helpers import run_cli

from channelxl.core.periods import Quarter
from channelxl.core.territory import exclusive_conflicts
from channelxl.ledger.quarter_checks import territory_quarter
from channelxl.reports.facts import quarter_report_facts
from channelxl.workspace import init

Q3 = (date(2026, 7, 1), date(2026, 9, 30))


def _rows(*rows):
    return pd.DataFrame(
        list(rows),
        columns=["distributor_id", "country", "segment", "exclusive", "valid_from", "valid_to"],
    )


def test_a_conflict_that_ended_two_quarters_earlier_does_not_count():
    # D1 holds FR public from 2025-01-01 on; D2 held it 2025-06-01..2025-12-31, which ended
    # two quarters before 2026Q3 (2026Q1 and 2026Q2 lie between)
    terr = _rows(
        ("D1", "FR", "public", "Y", date(2025, 1, 1), None),
        ("D2", "FR", "public", "Y", date(2025, 6, 1), date(2025, 12, 31)),
    )
    assert exclusive_conflicts(terr, within=Q3).empty
    # the rows still overlap: without a quarter (the program workbook's own check) it shows
    whole = exclusive_conflicts(terr)
    assert whole[
        ["distributor_a", "distributor_b", "overlap_from", "overlap_to"]
    ].values.tolist() == [["D1", "D2", date(2025, 6, 1), date(2025, 12, 31)]]
    # and in the quarter where the overlap was, it counts
    in_q4 = exclusive_conflicts(terr, within=(date(2025, 10, 1), date(2025, 12, 31)))
    assert len(in_q4) == 1


@pytest.mark.parametrize(
    ("b_from", "b_to", "counts"),
    [
        (date(2026, 3, 1), date(2026, 7, 1), True),  # overlaps the quarter's first day only
        (date(2026, 9, 30), None, True),  # starts on the quarter's last day
        (date(2026, 3, 1), date(2026, 6, 30), False),  # ends the day before the quarter
        (date(2026, 10, 1), None, False),  # starts the day after it
    ],
)
def test_one_shared_day_in_the_quarter_is_enough(b_from, b_to, counts):
    terr = _rows(
        ("D1", "FR", "*", "Y", date(2025, 1, 1), None),
        ("D2", "FR", "public", "Y", b_from, b_to),
    )
    found = exclusive_conflicts(terr, within=Q3)
    assert len(found) == (1 if counts else 0)
    if counts:  # the overlap reported is the rows' own, not clipped to the quarter
        row = found.iloc[0]
        assert (row["overlap_from"], row["overlap_to"]) == (b_from, b_to)


def test_rows_that_never_overlap_each_other_do_not_conflict_even_inside_the_quarter():
    # both valid inside 2026Q3, but one after the other: July, then August on
    terr = _rows(
        ("D1", "FR", "public", "Y", date(2026, 7, 1), date(2026, 7, 31)),
        ("D2", "FR", "public", "Y", date(2026, 8, 1), None),
    )
    assert exclusive_conflicts(terr, within=Q3).empty


# ------------------------------------------------------------------ the ledger and the review
# The small channel covers 2024-10 .. 2025-03; its planted conflict (D002 and D006, IN,
# public) overlaps in 2025-03 only: part of 2025Q1, not of 2024Q4.
Q4_2024, Q1_2025 = Quarter.parse("2024Q4"), Quarter.parse("2025Q1")


def test_the_quarter_check_and_the_review_show_the_conflict_only_in_its_quarter(
    loaded_channel, small_channel
):
    ws, _ = loaded_channel
    c = small_channel.planted["exclusive_conflict"]
    assert (c["overlap_from"], c["overlap_to"]) == ("2025-03-01", "2025-03-31")
    a, b = c["distributors"]
    with ws.open_ledger() as ledger:
        before = territory_quarter(ledger, Q4_2024)
        during = territory_quarter(ledger, Q1_2025)
        # asked for other distributors only: not their conflict
        others = territory_quarter(ledger, Q1_2025, distributors=["D001"])
        facts_before = quarter_report_facts(ledger, Q4_2024, distributors=[a, b])
        facts_during = quarter_report_facts(ledger, Q1_2025, distributors=[a, b])
    assert before.conflicts.empty and others.conflicts.empty
    assert during.conflicts[["distributor_a", "distributor_b", "country"]].values.tolist() == [
        [a, b, c["country"]]
    ]
    for d in (a, b):
        assert facts_before.by_distributor[d]["territory"]["conflicts"] == []
        assert not any("xclusive" in s for s in facts_before.by_distributor[d]["observations"])
        (conflict,) = facts_during.by_distributor[d]["territory"]["conflicts"]
        assert conflict == {
            "country": c["country"],
            "segment": "public",
            "overlap_from": "2025-03-01",
            "overlap_to": "2025-03-31",
        }
        said = [s for s in facts_during.by_distributor[d]["observations"] if "xclusive" in s]
        assert said == [
            "Its exclusive rights to the public segment in IN overlap another distributor's "
            "exclusive rights from 2025-03-01 to 2025-03-31; the vendor is resolving it."
        ]
    # a review is read by its distributor: the other party is never named in it
    names = {x["distributor_id"]: x["name"] for x in small_channel.program["distributors"]}
    for me, other in ((a, b), (b, a)):
        text = json.dumps(facts_during.by_distributor[me])
        assert other not in text and names[other] not in text


def test_cli_territory_counts_a_one_day_overlap_and_not_an_ended_one(tmp_path, small_channel):
    """``channelxl territory`` as a user types it, on a program whose D001/D003 exclusive
    rows share one day (2024-12-31) with 2024Q4, and none with 2025Q1."""
    program = dict(small_channel.program)
    program["territories"] = [
        r for r in small_channel.program["territories"] if r["exclusive"] != "Y"
    ] + [
        {"distributor_id": "D001", "country": "NO", "segment": "*", "exclusive": "Y",
         "valid_from": date(2024, 1, 1), "valid_to": date(2024, 12, 31)},
        {"distributor_id": "D003", "country": "NO", "segment": "public", "exclusive": "Y",
         "valid_from": date(2024, 12, 31), "valid_to": None},
    ]  # fmt: skip
    init(tmp_path / "ws", rows=program, settings=small_channel.settings)
    # conflicts come from the program workbook: no sell-through needed (--allow-empty)
    q4, q1 = (
        run_cli("territory", "--quarter", q, "--out", "out", "--allow-empty", cwd=tmp_path / "ws")
        for q in ("2024Q4", "2025Q1")
    )
    assert q4.returncode == 0 and q1.returncode == 0, q4.stderr + q1.stderr
    assert "1 exclusive conflict(s)" in q4.stdout, q4.stdout
    assert "0 exclusive conflict(s)" in q1.stdout, q1.stdout

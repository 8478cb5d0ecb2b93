"""A review a distributor's executive can read: the monthly stock table and its formula
agree, counts read "1 activity" / "2 activities", and codes appear as words."""

from __future__ import annotations

import copy
import re

import pytest

from channelxl.core.wording import noun, plural
from channelxl.issues import CODES, LABELS, label
from channelxl.reports import sections
from channelxl.reports.facts import quarter_report_facts
from channelxl.reports.observations import flagged_lines_text, observations


@pytest.mark.parametrize(
    ("count", "word", "expected"),
    [
        (1, "activity", "1 activity"),
        (2, "activity", "2 activities"),
        (0, "line", "0 lines"),
        (1234, "line", "1,234 lines"),
        ("1", "unit", "1 unit"),  # a facts file's exact text
        (3, "day", "3 days"),  # a vowel before the y
        (2, "box", "2 boxes"),
        (1, "certified person", "1 certified person"),
        (2, "certified person", "2 certified people"),
    ],
)
def test_plural(count, word, expected):
    many = "certified people" if word == "certified person" else None
    assert plural(count, word, many) == expected
    assert noun(count, word, many) == expected.split(" ", 1)[1]


@pytest.fixture(scope="module")
def docs(loaded_channel):
    ws, quarter = loaded_channel
    with ws.open_ledger() as ledger:
        return quarter_report_facts(ledger, quarter).by_distributor, ws, quarter


def test_the_monthly_table_is_net_of_returns_and_its_formula_says_so(docs):
    """One month recomputed by hand from the ledger's shipments: the table's sell-in is
    shipments less returns, and last month's closing + that sell-in - sell-through is the
    closing the table shows, for a distributor whose reconciliation has no variance."""
    by, ws, _ = docs
    clean = [
        d
        for d, doc in by.items()
        if doc["stock"]["reconciliation"]["variance_units"] == 0
        and len(doc["stock"]["monthly"]) == 3
        and all(m["closing"] is not None for m in doc["stock"]["monthly"])
    ]
    assert clean
    d = clean[0]
    monthly = by[d]["stock"]["monthly"]
    _, second, third = monthly
    with ws.open_ledger() as ledger:
        shipped, returned = ledger.con.execute(
            "SELECT coalesce(sum(quantity) FILTER (WHERE type = 'shipment'), 0), "
            "coalesce(sum(quantity) FILTER (WHERE type = 'return'), 0) FROM shipments "
            "WHERE distributor_id = ? AND strftime(ship_date, '%Y-%m') = ?",
            [d, third["month"]],
        ).fetchone()
    assert third["sell_in"] == shipped - returned and third["returns"] == returned
    assert second["closing"] + third["sell_in"] - third["sell_through"] == third["closing"]
    html = sections.stock(by[d])._repr_html_()
    assert "Sell-in (net of returns)" in html
    assert "closing stock + sell-in (net of returns) − sell-through = this month" in html
    assert "− returns −" not in html  # returns are not subtracted twice


def test_counts_read_in_the_singular_and_the_plural(docs):
    by, _, _ = docs
    doc = copy.deepcopy(next(iter(by.values())))
    doc["activities"]["planned"] = 1
    doc["certification"]["people"] = 1
    doc["reporting"]["lines_quarantined"] = 1
    doc["territory"].update(lines=1, out=1, not_appointed=0, out_units=1)
    html = sections.enablement(doc)._repr_html_()
    assert "1 activity planned" in html and "1 activities" not in html
    assert "1 certified person." in html
    said = " ".join(observations(doc))
    assert "1 reported line;" in said and "1 reported lines" not in said
    assert "1 of 1 sell-through line (1 unit) falls outside" in said
    doc["activities"]["planned"] = 2
    assert "2 activities planned" in sections.enablement(doc)._repr_html_()
    rebates = len(doc["rebates"])
    expected = plural(rebates, "program")
    assert expected in sections.headline(doc)._repr_html_() and "program(s)" not in expected


def test_no_bare_code_in_text_meant_for_people(docs):
    by, _, _ = docs
    doc = copy.deepcopy(next(iter(by.values())))
    doc["stock"]["reconciliation"]["flagged_lines"] = {"NOSHIP": 1, "UNKSKU": 1, "DUP": 3}
    doc["reporting"]["quarantined"] = {"PRIC": 2}
    doc["reporting"]["warnings"] = {"TERR": 1}
    stock = sections.stock(doc)._repr_html_()
    assert not re.search(r"\b(NOSHIP|UNKSKU|DUP) \d", stock)
    assert (
        "3 lines: duplicate invoice line (reported more than once); "
        "1 line: sold through, but the vendor never shipped this SKU to the distributor; "
        "1 line: SKU is not in the program workbook"
    ) in stock
    assert flagged_lines_text({}) == "no sell-through line was flagged"
    report = sections.reporting(doc)._repr_html_()
    assert '<td class="">Price</td>' in report and '<td class="">Territory</td>' in report
    assert ">PRIC<" not in report and ">TERR<" not in report
    # every code has a label, and a code without one still reads as words
    assert set(LABELS) == set(CODES)
    assert label("NOPE") == "NOPE" and label("FX") == "Exchange rate"

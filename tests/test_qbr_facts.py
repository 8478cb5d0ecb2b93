"""QBR facts: each figure recomputed here from the ledger's rows, by hand, independently."""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest

from channelxl.reports.facts import quarter_report_facts
from channelxl.reports.formatting import money, money_short, number, pct
from channelxl.reports.observations import observations


@pytest.fixture(scope="module")
def facts(loaded_channel):
    ws, quarter = loaded_channel
    with ws.open_ledger(sync=False) as ledger:
        return quarter_report_facts(ledger, quarter)


@pytest.fixture(scope="module")
def rows(loaded_channel):
    """The raw rows the facts come from, read once for the checks below."""
    ws, quarter = loaded_channel
    q = quarter
    months = [str(m) for m in q.months]
    with ws.open_ledger(sync=False) as ledger:
        con = ledger.con
        fx = {
            (c, m): r
            for c, m, r in con.execute("SELECT currency, month, rate FROM fx_rates").fetchall()
        }
        st = con.execute(
            "SELECT distributor_id, period, reseller_id, quantity, unit_price, currency "
            "FROM sell_through"
        ).fetchall()
        ships = con.execute(
            "SELECT distributor_id, ship_date, quantity, type FROM shipments"
        ).fetchall()
        inv = con.execute(
            "SELECT distributor_id, period, on_hand, in_transit FROM inventory WHERE period = ?",
            [months[-1]],
        ).fetchall()
        currency = ledger.settings().reporting_currency
    return {
        "q": q,
        "months": months,
        "fx": fx,
        "st": st,
        "ships": ships,
        "inv": inv,
        "cur": currency,
    }


def test_sell_through_revenue_units_and_resellers_match_the_ledger(facts, rows):
    revenue, units = defaultdict(Decimal), defaultdict(int)
    active, ever_before = defaultdict(set), defaultdict(set)
    for d, period, reseller, qty, price, cur in rows["st"]:
        if period < rows["months"][0]:
            ever_before[d].add(reseller)
        if period not in rows["months"]:
            continue
        rate = Decimal(1) if cur == rows["cur"] else rows["fx"][(cur, period)]
        revenue[d] += Decimal(qty) * price * rate
        units[d] += qty
        active[d].add(reseller)
    assert {d for d, *_ in rows["st"]} <= set(facts.by_distributor)
    for d, doc in facts.by_distributor.items():
        assert Decimal(doc["sell_through"]["revenue"]) == revenue[d], d
        assert doc["sell_through"]["units"] == units[d]
        assert doc["resellers"]["active"] == len(active[d])
        assert doc["resellers"]["new"] == len(active[d] - ever_before[d])
        assert doc["certification"]["active_resellers"] == len(active[d])
        # the quarter's months add up to the quarter
        monthly = doc["sell_through"]["monthly"]
        assert sum(Decimal(m["revenue"]) for m in monthly) == revenue[d]
        assert [m["month"] for m in monthly] == rows["months"]


def test_sell_in_and_closing_stock_match_the_ledger(facts, rows):
    q = rows["q"]
    sell_in, closing = defaultdict(int), defaultdict(int)
    for d, day, qty, kind in rows["ships"]:
        if q.first_day <= day <= q.last_day:
            sell_in[d] += -qty if kind == "return" else qty
    for d, _, on_hand, in_transit in rows["inv"]:
        closing[d] += on_hand + (in_transit or 0)
    for d, doc in facts.by_distributor.items():
        stock = doc["stock"]
        assert stock["sell_in_units"] == sell_in[d]
        assert sum(m["sell_in"] for m in stock["monthly"]) == sell_in[d]
        assert stock["closing_units"] == closing.get(d)
        if stock["closing_units"] and doc["sell_through"]["units"]:
            wos = Decimal(closing[d]) / (Decimal(doc["sell_through"]["units"]) / 13)
            assert Decimal(stock["weeks_of_supply"]) == wos


def test_network_counts_partition_the_resellers(facts):
    for doc in facts.by_distributor.values():
        n = doc["resellers"]
        # every active reseller is new, reactivated or retained; every previous one retained or lapsed
        assert n["new"] + n["reactivated"] + n["retained"] == n["active"]
        assert n["retained"] + n["lapsed"] == n["previous_active"]
        shares = [Decimal(r["share"]) for r in n["top"]]
        assert shares == sorted(shares, reverse=True)
        assert sum(shares) <= 1


def test_scorecard_attainment_is_actual_over_target(facts):
    for doc in facts.by_distributor.values():
        for m in doc["scorecard"]["metrics"]:
            if m["target"] and Decimal(m["target"]) > 0 and m["actual"] is not None:
                assert Decimal(m["attainment"]) == Decimal(m["actual"]) / Decimal(m["target"])


def test_facts_files_are_json_with_exact_decimal_strings(facts, tmp_path):
    paths = facts.write(tmp_path)
    assert set(paths) == set(facts.by_distributor)
    import json

    for d, path in paths.items():
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert doc["distributor"]["id"] == d
        assert isinstance(doc["sell_through"]["revenue"], str)
        Decimal(doc["sell_through"]["revenue"])  # parses exactly
    assert not [p for p in tmp_path.iterdir() if ".tmp" in p.name]


# ------------------------------------------------------------------ formatting
def test_money_is_rounded_half_up_once():
    assert money("1234.565", "EUR") == "€1,234.57"  # half-up, not half-even
    assert money("1234.575", "EUR") == "€1,234.58"
    assert money("0.005", "USD") == "US$0.01"
    assert money("1234567.5", "EUR", cents=False) == "€1,234,568"
    assert money(None, "EUR") == "–"
    assert money_short("1234567", "EUR") == "€1.23M"
    assert money_short("45678.9", "EUR") == "€45.68k"


def test_percentages_and_numbers():
    assert pct("0.12345") == "12.3%"
    assert pct("0.12355") == "12.4%"
    assert pct("-0.05", signed=True) == "-5.0%"
    assert pct("0.05", signed=True) == "+5.0%"
    assert number("12345.5") == "12,346"
    assert number("9.25", 1) == "9.3"


# ------------------------------------------------------------------ observations
def _doc(**over):
    doc = {
        "currency": "EUR",
        "sell_through": {
            "revenue": "80000",
            "target": "100000",
            "vs_target": "0.8",
            "prior_revenue": "100000",
            "vs_last_year": "-0.2",
        },
        "rebates": [],
        "stock": {"loading": {"verdict": "ok", "signals": "none"}},
        "resellers": {"lapsed": 1, "new": 2, "reactivated": 0, "top": []},
        "certification": {
            "rate": "0.5",
            "target": "0.6",
            "certified_resellers": 5,
            "active_resellers": 10,
        },
        "territory": {"out": 0, "not_appointed": 0, "lines": 10, "out_units": 0, "conflicts": []},
        "reporting": {
            "months": [
                {"month": "2026-07", "status": "on time"},
                {"month": "2026-08", "status": "late"},
            ],
            "due_day": 10,
            "lines_quarantined": 0,
        },
    }
    doc.update(over)
    return doc


def test_observations_say_the_numbers_behind_them():
    said = observations(_doc())
    assert said[0] == "Sell-through reached 80.0% of the €100,000 target, €20,000 short."
    assert "Sell-through fell 20.0% on the same quarter last year (€100,000 -> €80,000)." in said
    assert any("Certification is at 50.0%" in s and "60.0% target" in s for s in said)
    assert any(s.startswith("Report for 2026-08 came in after the due day (10") for s in said)


def test_observations_of_a_quiet_quarter_are_few():
    quiet = _doc(
        sell_through={
            "revenue": "95000",
            "target": "100000",
            "vs_target": "0.95",
            "prior_revenue": "94000",
            "vs_last_year": "0.0106",
        },
        certification={
            "rate": "0.7",
            "target": "0.6",
            "certified_resellers": 7,
            "active_resellers": 10,
        },
        reporting={
            "months": [{"month": "2026-07", "status": "on time"}],
            "due_day": 10,
            "lines_quarantined": 0,
        },
    )
    assert observations(quiet) == []


def test_observation_of_a_near_tier_and_a_held_rebate():
    rebate = {
        "program": "Growth",
        "status": "held",
        "held_amount": "1234.5",
        "notes": [],
        "next_tier_gap": "5000",
        "measure": "95000",
        "measure_name": "revenue",
    }
    said = observations(_doc(rebates=[rebate]))
    assert "Growth: €1,234.50 is held for inventory loading until the stock comes down." in said
    assert "Growth: the next tier is only €5,000 away." in said
    top = dict(rebate, next_tier_gap=None, status="earned")  # top tier reached: nothing to say
    assert not any("next tier" in s for s in observations(_doc(rebates=[top])))


def test_half_up_helper_agrees_with_decimal():
    x = Decimal("2.345")
    assert money(x, "EUR") == f"€{x.quantize(Decimal('0.01'), ROUND_HALF_UP)}"


def test_a_quarter_without_any_data_still_makes_every_section(loaded_channel):
    """A distributor with nothing reported (here: a quarter before the channel began)."""
    from channelxl.reports import sections

    ws, quarter = loaded_channel
    empty = quarter + -8
    with ws.open_ledger(sync=False) as ledger:
        facts = quarter_report_facts(ledger, empty)
    for doc in facts.by_distributor.values():
        assert doc["sell_through"]["revenue"] == "0" and doc["resellers"]["active"] == 0
        assert [m["status"] for m in doc["reporting"]["months"]] == ["missing"] * 3
        html = "".join(str(section(doc)) for section in sections.SECTIONS)
        assert doc["distributor"]["name"] in html
        assert "No sell-through report for" in html  # the observation says why it is empty


def test_notebooks_copied_before_the_sections_moved_still_find_them():
    """A vendor's copy of the old notebook imports ``present`` and calls ``p.<section>``."""
    from channelxl.reports import present, sections

    for fn in sections.SECTIONS:
        assert getattr(present, fn.__name__) is fn
    assert present.load is sections.load and present.rebates_earned is sections.rebates_earned

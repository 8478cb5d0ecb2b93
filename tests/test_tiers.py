"""Tier math: DOMAIN.md's worked examples, a Decimal oracle, and invariants (hypothesis)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from channelxl.core.tiers import TierError, TierTable

A = TierTable.of([(0, "0"), (100000, "0.02"), (250000, "0.03"), (500000, "0.04")])
B = TierTable.of([(0, 10), (5, 12), (20, 15), (100, 20)])  # SAP 930537 as lower bounds


def test_worked_example_a():
    assert A.retroactive(300000) == Decimal("9000.00")
    assert A.incremental(300000) == Decimal("4500.00")
    assert A.next_gap(300000) == Decimal(200000)
    assert A.reached(300000) == 2


def test_worked_example_b_per_unit():
    assert B.retroactive(140) == Decimal(2800)
    assert B.incremental(140) == 5 * 10 + 15 * 12 + 80 * 15 + 40 * 20 == 2230


def test_a_tier_is_reached_at_its_threshold():
    assert A.reached(100000) == 1 and A.rate_for(99999.99) == Decimal("0")
    assert A.next_gap(500000) == 0 and A.next_gap(499999) == 1


def test_below_the_first_threshold_nothing_is_reached():
    t = TierTable.of([(1000, "0.01"), (2000, "0.02")])
    assert t.reached(500) is None and t.retroactive(500) == 0 and t.incremental(500) == 0
    assert t.incremental(1500) == Decimal("5.00")
    assert t.next_gap(500) == 500


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([(0, 0), (100, 0.02), (50, 0.03)], "must ascend (row 3)"),
        ([(0, 0), (0, 0.02)], "must ascend (row 2)"),
        ([(0, -0.01)], "negative"),
        ([(0, "x")], "must be numbers"),
        ([], "empty"),
    ],
)
def test_bad_tables_name_the_row(rows, message):
    with pytest.raises(TierError, match=message.replace("(", r"\(").replace(")", r"\)")):
        TierTable.of(rows)


def test_rate_typed_as_float_is_exact():
    t = TierTable.of([(0, 0.005)])
    assert t.retroactive(1000.10) == Decimal("5.00050")


thresholds = st.lists(
    st.integers(min_value=1, max_value=10**7), min_size=1, max_size=6, unique=True
)
rates = st.lists(
    st.decimals(min_value=0, max_value=Decimal("0.2"), places=4), min_size=7, max_size=7
)
measures = st.decimals(min_value=0, max_value=2 * 10**7, places=2)


def table(ths, rs, ascending_rates=False):
    ths = [0, *sorted(ths)]
    rs = rs[: len(ths)]
    if ascending_rates:
        rs = sorted(rs)
    return TierTable.of(list(zip(ths, rs, strict=True)))


@given(thresholds, rates, measures, measures)
def test_incremental_is_non_decreasing(ths, rs, m1, m2):
    t = table(ths, rs)
    lo, hi = sorted((m1, m2))
    assert t.incremental(lo) <= t.incremental(hi)


@given(thresholds, rates, measures)
def test_incremental_is_continuous_at_every_threshold(ths, rs, m):
    t = table(ths, rs)
    eps = Decimal("0.000001")
    for tier in t.tiers[1:]:
        below, at = t.incremental(tier.threshold - eps), t.incremental(tier.threshold)
        # the step across a threshold is at most the largest rate times eps
        assert 0 <= at - below <= max(x.rate for x in t.tiers) * eps


@given(thresholds, rates, measures)
def test_retroactive_at_least_incremental_when_rates_ascend(ths, rs, m):
    t = table(ths, rs, ascending_rates=True)
    assert t.retroactive(m) >= t.incremental(m)


@given(thresholds, rates, measures)
def test_incremental_matches_a_band_by_band_oracle(ths, rs, m):
    t = table(ths, rs)
    bounds = [x.threshold for x in t.tiers] + [Decimal("Infinity")]
    oracle = sum(
        (
            x.rate * (min(m, bounds[i + 1]) - x.threshold)
            for i, x in enumerate(t.tiers)
            if m > x.threshold
        ),
        Decimal(0),
    )
    assert t.incremental(m) == oracle


@given(
    thresholds,
    rates,
    st.lists(st.decimals(min_value=0, max_value=2 * 10**7, places=2), min_size=1, max_size=200),
    st.sampled_from(["retroactive", "incremental"]),
)
def test_fast_column_path_equals_the_decimal_path(ths, rs, ms, method):
    """The float64 column path pays exactly what Decimal pays, ties at half a cent included."""
    from channelxl.core.money import round_cents
    from channelxl.core.tiers import amounts_in_cents

    t = table(ths, rs)
    floats = [float(m) for m in ms]
    fast = amounts_in_cents(t, floats, method).tolist()
    exact = [float(round_cents(t.amount(Decimal(repr(f)), method))) for f in floats]
    assert fast == exact


def test_fast_path_on_exact_half_cents():
    from channelxl.core.tiers import amounts_in_cents

    t = TierTable.of([(0, "0.02")])
    # 0.25 x 2 % = 0.005 exactly -> 0.01; 100.25 x 2 % = 2.005 -> 2.01; 1.15 x 2 % = 0.023 -> 0.02
    assert amounts_in_cents(t, [0.25, 100.25, 1.15]).tolist() == [0.01, 2.01, 0.02]

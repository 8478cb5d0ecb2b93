"""Tier math: DOMAIN.md's worked examples, a Decimal oracle, and invariants (hypothesis)."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
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


@settings(deadline=None)  # 200 measures through Decimal on a busy machine
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


def test_tier_arithmetic_keeps_34_digits_in_any_context():
    """A measure of 23 digits x a rate of 10 needs 31 digits: Python's default context (28)
    would round it; the money context (34) does not, whatever context the caller runs in."""
    from decimal import Context, localcontext

    big = Decimal("123456789012345678901.23")
    t = TierTable.of([(0, "0.0123456789"), (Decimal("1" + "0" * 20), "0.0223456789")])
    oracle = Context(prec=100)  # wide enough to be exact
    cum = oracle.multiply(Decimal("0.0123456789"), Decimal("1" + "0" * 20))
    band = oracle.subtract(big, Decimal("1" + "0" * 20))
    with localcontext(Context(prec=28)):
        assert t.retroactive(big) == oracle.multiply(Decimal("0.0223456789"), big)
        assert t.incremental(big) == oracle.add(cum, oracle.multiply(Decimal("0.0223456789"), band))
        assert len(t.retroactive(big).as_tuple().digits) > 28
        gap = TierTable.of([(0, 0), (Decimal("1" + "0" * 29), "0.01")]).next_gap(Decimal("0.01"))
        assert gap == Decimal("9" * 29 + ".99")  # 31 digits; 28 would say 1.000E+29


def test_results_that_fit_in_28_digits_are_unchanged():
    assert A.retroactive(Decimal("300000.01")) == Decimal("9000.0003")
    assert A.incremental(Decimal("123456.78")) == Decimal("469.1356")  # 2 % of 23,456.78


# ---------------------------------------------------------------- the float64 column path
# Measures of 10**2 to 10**14 ending in .25, .5, .1 ...: with the rates below, most pay
# exactly half a cent (x.xx5) on top of whole cents, the values a fixed window misrounded.
ties = st.tuples(
    st.integers(min_value=2, max_value=13).flatmap(lambda e: st.integers(10**e, 10 ** (e + 1))),
    st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.75, 0.3, 0.7, 0.9]),
).map(lambda t: t[0] + t[1])
tie_rates = st.sampled_from(["0.02", "0.03", "0.05", "0.005", "0.015", "0.025", "0.0125", "12.5"])


@settings(deadline=None)
@given(
    st.lists(st.integers(min_value=1, max_value=10**12), min_size=0, max_size=5, unique=True),
    st.lists(tie_rates, min_size=6, max_size=6),
    st.lists(st.one_of(ties, ties, st.floats(min_value=0, max_value=1e14)), max_size=200),
    st.sampled_from(["retroactive", "incremental"]),
)
def test_fast_column_path_is_exact_for_ties_at_large_magnitudes(ths, rs, ms, method):
    """Half-cent ties (x.xx5) above 10**8 were misrounded by a fixed tie window."""
    from channelxl.core.money import D, round_cents
    from channelxl.core.tiers import amounts_in_cents

    ths = [0, *sorted(ths)]
    t = TierTable.of(list(zip(ths, rs, strict=False)))
    fast = amounts_in_cents(t, ms, method).tolist()
    exact = [float(round_cents(t.amount(D(m), method))) for m in ms]
    assert fast == exact


def test_fast_path_on_a_known_large_tie():
    from channelxl.core.tiers import amounts_in_cents

    # 6,817,436,367.75 x 2 % = 136,348,727.355 exactly: half-up pays .36 (a fixed window paid .35)
    t = TierTable.of([(0, "0.02")])
    assert amounts_in_cents(t, [6817436367.75]).tolist() == [136348727.36]


@pytest.mark.parametrize(("rate", "fraction"), [("0.02", 0.25), ("0.02", 0.75), ("0.03", 0.5)])
def test_fast_path_on_many_large_ties(rate, fraction):
    """Thousands of exact half cents between 10**8 and 10**13 (a fixed window misrounded
    a few in a thousand of them): every one rounds up, as Decimal does."""
    import random

    from channelxl.core.money import D, round_cents
    from channelxl.core.tiers import amounts_in_cents

    rng = random.Random(f"{rate}{fraction}")
    t = TierTable.of([(0, rate)])
    ms = [rng.randint(10**8, 10**13) + fraction for _ in range(4000)]
    exact = [float(round_cents(t.amount(D(m)))) for m in ms]
    assert amounts_in_cents(t, ms).tolist() == exact


def test_fast_path_leaves_what_it_cannot_pay_as_nan_and_computes_the_rest():
    import math

    from channelxl.core.tiers import amounts_in_cents

    result = amounts_in_cents(A, [1e308, float("inf"), float("nan"), 300000.0, -1.0]).tolist()
    assert all(math.isnan(x) for x in result[:3])
    assert result[3:] == [9000.0, 0.0]


def test_fast_path_agrees_with_thresholds_a_float_cannot_hold():
    """100000.000000000000001 is 100000.0 as a float: a measure of 100000.0 is below it."""
    from channelxl.core.money import D, round_cents
    from channelxl.core.tiers import amounts_in_cents

    t = TierTable.of([(0, "0.01"), ("100000.000000000000001", "0.02")])
    fast = amounts_in_cents(t, [100000.0, 100000.01], "retroactive").tolist()
    assert fast == [float(round_cents(t.amount(D(m)))) for m in (100000.0, 100000.01)]
    assert fast == [1000.0, 2000.0]


@given(
    thresholds=st.lists(st.integers(0, 10**9), min_size=1, max_size=6, unique=True),
    measure=st.decimals(min_value=-10, max_value=2 * 10**9, places=4, allow_nan=False),
)
def test_place_is_reached_rate_and_gap_at_once(thresholds, measure):
    """The engine's one search gives the tier reached, its rate, and the gap to the first
    threshold above the measure (none above: 0)."""
    table = TierTable.of([(t, Decimal(k) / 100) for k, t in enumerate(sorted(thresholds))])
    above = [t for t in sorted(thresholds) if t > measure]
    assert table.place(measure) == (
        table.reached(measure),
        table.rate_for(measure),
        above[0] - measure if above else 0,
    )

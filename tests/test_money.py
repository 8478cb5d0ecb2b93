from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from channelxl.core.money import D, multiply, round_cents


def test_float_is_what_was_typed():
    assert D(0.005) == Decimal("0.005")
    assert D(0.1) + D(0.2) == Decimal("0.3")
    assert D(100000.0) == Decimal(100000)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("0.005", "0.01"),
        ("-0.005", "-0.01"),
        ("2.675", "2.68"),
        ("2.665", "2.67"),
        ("1.004", "1.00"),
    ],
)
def test_round_half_up_to_the_cent(amount, expected):
    assert round_cents(Decimal(amount)) == Decimal(expected)


def test_a_float_that_drifts_still_rounds_as_typed():
    # 2.675 as a binary float is 2.67499999...; the amount typed was 2.675 and pays 2.68.
    assert round(2.675, 2) == 2.67
    assert round_cents(D(2.675)) == Decimal("2.68")


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "abc", True, None, [1]])
def test_not_a_number_is_refused(bad):
    with pytest.raises(ValueError):
        D(bad)


@given(
    st.decimals(min_value=-(10**9), max_value=10**9, places=6, allow_nan=False),
    st.decimals(min_value=0, max_value=1, places=6, allow_nan=False),
)
def test_rate_times_measure_matches_the_decimal_oracle(measure, rate):
    oracle = (measure * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert round_cents(multiply(measure, rate)) == oracle


def test_money_arithmetic_has_34_digits_whatever_the_callers_context():
    from decimal import Context, localcontext

    from channelxl.core.money import MONEY_CONTEXT

    assert MONEY_CONTEXT.prec == 34
    # 31 significant digits: Python's default context (28) would round the last three away
    measure, rate = Decimal("123456789012345678901.23"), Decimal("0.0123456789")
    exact = Decimal("1524157875171467887.517090395047")
    with localcontext(Context(prec=28)):
        assert measure * rate != exact  # what the default context would have paid
        assert multiply(measure, rate) == exact
        assert round_cents(multiply(measure, rate)) == Decimal("1524157875171467887.52")


def test_an_amount_too_large_for_the_cent_is_refused_by_name():
    from channelxl.core.money import AmountOutOfRange

    assert round_cents(Decimal("9" * 32 + ".994")) == Decimal("9" * 32 + ".99")
    for too_large in ("1" + "0" * 32, "9" * 32 + ".995", "-1e40", 1e308):
        with pytest.raises(AmountOutOfRange, match="too large to round to the cent"):
            round_cents(D(too_large))

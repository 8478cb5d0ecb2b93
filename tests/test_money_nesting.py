"""Money functions called from money functions (the rebate engine's tiers, scorecard and
accrual months) run in the money context too, and a context a caller sets inside one is
honoured: the shortcut for nested calls never keeps a context that was left or changed."""

from __future__ import annotations

from decimal import Context, Decimal, getcontext, localcontext

from channelxl.core.money import money_arithmetic


@money_arithmetic
def third():
    return Decimal(1) / Decimal(3)


@money_arithmetic
def outer():
    return third(), getcontext().prec


def test_nested_money_functions_keep_34_digits():
    with localcontext(Context(prec=5)):
        inner, prec = outer()
        assert prec == 34
        assert inner == Decimal("0." + "3" * 34)
        assert third() == Decimal("0." + "3" * 34)  # and again outside any money function
        assert getcontext().prec == 5  # the caller's context is back


@money_arithmetic
def with_own_context():
    with localcontext(Context(prec=5)):  # a money function setting a context of its own
        return third()


def test_a_context_set_inside_is_left_for_the_money_context():
    assert with_own_context() == Decimal("0." + "3" * 34)

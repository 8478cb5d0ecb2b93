"""Inventory-loading measures.

- **Weeks of supply (WOS)** = closing units / average weekly sell-through units.
  Over a quarter the trailing window is 13 weeks: weekly = quarter units / 13.
  Zero sell-through has no weeks of supply (None), never a division by zero.
- **Sell-through ratio** = sell-through / sell-in over the same period (units or money);
  no sell-in gives None. Its inverse, sell-in / sell-through, is what a loading hold
  compares with its threshold.
"""

from __future__ import annotations

from decimal import Decimal

from channelxl.core.money import D

WEEKS_PER_QUARTER = 13


def weeks_of_supply(on_hand: object, weekly_sell_through: object) -> Decimal | None:
    weekly = D(weekly_sell_through)
    if weekly <= 0:
        return None
    return D(on_hand) / weekly


def quarter_weeks_of_supply(closing_units: object, quarter_units: object) -> Decimal | None:
    """WOS at quarter end over the trailing 13 weeks (the quarter's sell-through / 13)."""
    return weeks_of_supply(closing_units, D(quarter_units) / WEEKS_PER_QUARTER)


def ratio(numerator: object, denominator: object) -> Decimal | None:
    d = D(denominator)
    return None if d == 0 else D(numerator) / d


def sell_through_ratio(sell_through: object, sell_in: object) -> Decimal | None:
    return ratio(sell_through, sell_in)


def quarter_end_spike(monthly_sell_in: tuple) -> Decimal | None:
    """Last month's sell-in / the average of the quarter's other two months (None: no base)."""
    first, second, last = (D(x) for x in monthly_sell_in)
    base = (first + second) / 2
    return None if base <= 0 else last / base


def loading_signals(
    *,
    sell_in: tuple,
    sell_through: tuple,
    closing: object | None,
    closing_before: object | None,
    sell_through_before: object | None,
    max_weeks: object,
    min_ratio: object,
    spike_ratio: object,
) -> dict:
    """Inventory-loading signals for one distributor-quarter, with a plain verdict.

    ``sell_in`` / ``sell_through``: units in each month of the quarter; ``closing``: units
    at quarter end; ``*_before``: the previous quarter's closing and sell-through units.
    Signals: weeks of supply above ``max_weeks``; sell-through ratio below ``min_ratio``;
    a quarter-end spike above ``spike_ratio``; stock growing (by more than 10 points) faster
    than sell-through. Verdict: ``loading`` when weeks of supply are over the limit and at
    least one other signal holds; ``watch`` for any signal; else ``ok``.
    """
    st_units = sum(D(x) for x in sell_through)
    si_units = sum(D(x) for x in sell_in)
    wos = None if closing is None else quarter_weeks_of_supply(closing, st_units)
    ratio_st = sell_through_ratio(st_units, si_units)
    spike = quarter_end_spike(sell_in)
    stock_growth = (
        ratio(D(closing) - D(closing_before), closing_before)
        if closing is not None and closing_before not in (None, 0)
        else None
    )
    st_growth = (
        ratio(st_units - D(sell_through_before), sell_through_before)
        if sell_through_before not in (None, 0)
        else None
    )
    signals = []
    if wos is not None and wos > D(max_weeks):
        signals.append(f"{wos:.1f} weeks of supply (limit {max_weeks})")
    if ratio_st is not None and ratio_st < D(min_ratio):
        signals.append(f"sold through {ratio_st:.0%} of sell-in (limit {D(min_ratio):.0%})")
    if spike is not None and spike > D(spike_ratio):
        signals.append(f"quarter-end sell-in {spike:.1f}x the other months (limit {spike_ratio})")
    growing = stock_growth is not None and st_growth is not None
    if growing and stock_growth > 0 and stock_growth > st_growth + D("0.1"):
        signals.append(f"stock grew {stock_growth:.0%} while sell-through grew {st_growth:.0%}")
    if wos is None and st_units == 0 and si_units > 0:
        signals.append("bought but sold nothing")
    # Loading needs too much stock (weeks of supply) and a second sign that it was pushed in;
    # any single sign alone is worth watching. Quarter-end pushes are common in any channel.
    too_much = wos is not None and wos > D(max_weeks)
    verdict = "loading" if too_much and len(signals) >= 2 else ("watch" if signals else "ok")
    return {
        "sell_in": si_units,
        "sell_through": st_units,
        "closing": closing,
        "weeks_of_supply": wos,
        "sell_through_ratio": ratio_st,
        "spike": spike,
        "stock_growth": stock_growth,
        "sell_through_growth": st_growth,
        "verdict": verdict,
        "signals": "; ".join(signals) or "none",
    }

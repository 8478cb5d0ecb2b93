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


STOCK_OUTGROWS_SALES = Decimal("0.10")  # stock growth above sell-through growth, in points


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

    ``sell_in`` / ``sell_through``: units in each month of the quarter (sell-in net of
    returns); ``closing``: units at quarter end; ``*_before``: the previous quarter's closing
    and sell-through units. The signals:

    - **A, too much stock**: weeks of supply (closing / (quarter sell-through / 13)) above
      ``max_weeks``;
    - **B, bought more than it sold**: sell-through / sell-in below ``min_ratio``;
    - **C, pushed in at quarter end**: the last month's sell-in above ``spike_ratio`` x the
      other two months' average, *and* B: every channel ships more in a quarter's last
      month (on the synthetic channel half of all distributor-quarters pass the ratio
      alone), so a spike is a sign of loading only when the quarter's sell-in stayed
      unsold;
    - **D, stock outgrew sales**: stock grew by more than 10 points above sell-through's
      growth vs the previous quarter, with A or B (alone it is a growing distributor
      building stock for its growth: a third of ordinary quarters);
    - bought in the quarter but sold nothing.

    Verdict: ``loading`` when A holds and another signal too; ``watch`` when A holds alone,
    or B with C or D (stock piling up, pushed in), or nothing was sold; else ``ok`` (B
    alone, a growing distributor stocking up, is listed but no watch). The ``signals``
    text lists every signal that holds.
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
    too_much = wos is not None and wos > D(max_weeks)
    unsold = ratio_st is not None and ratio_st < D(min_ratio)
    pushed = unsold and spike is not None and spike > D(spike_ratio)
    outgrew = (
        (too_much or unsold)
        and stock_growth is not None
        and st_growth is not None
        and stock_growth > 0
        and stock_growth > st_growth + STOCK_OUTGROWS_SALES
    )
    nothing_sold = wos is None and st_units == 0 and si_units > 0
    signals = []
    if too_much:
        signals.append(f"{wos:.1f} weeks of supply (limit {max_weeks})")
    if unsold:
        signals.append(f"sold through {ratio_st:.0%} of sell-in (limit {D(min_ratio):.0%})")
    if pushed:
        signals.append(
            f"quarter-end sell-in {spike:.1f}x the other months, not sold through "
            f"(limit {spike_ratio})"
        )
    if outgrew:
        signals.append(f"stock grew {stock_growth:.0%} while sell-through grew {st_growth:.0%}")
    if nothing_sold:
        signals.append("bought but sold nothing")
    if too_much and len(signals) >= 2:
        verdict = "loading"
    elif too_much or pushed or outgrew or nothing_sold:
        verdict = "watch"
    else:
        verdict = "ok"
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

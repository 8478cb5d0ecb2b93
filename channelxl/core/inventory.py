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

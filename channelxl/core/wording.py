"""How a count reads in text meant for people: ``1 activity``, ``2 activities``, ``1,234 lines``.

One rule for every sentence channelxl writes (reviews, observations, feedback notes), so
no reader meets "1 activities" or "1 lines". English plurals of the nouns channelxl counts:
a consonant + ``y`` becomes ``ies`` (activity, quantity), ``s``/``x``/``ch``/``sh`` take
``es``, anything else takes ``s``; an irregular noun passes its plural (``many="people"``).
"""

from __future__ import annotations

from decimal import Decimal

from channelxl.core.money import D

VOWELS = frozenset("aeiou")


def noun(count: int | Decimal | str, singular: str, many: str | None = None) -> str:
    """The noun alone, singular for exactly one (``1`` or ``-1``) and plural otherwise,
    zero included ("0 lines"). ``count``: a number or its exact text (a facts file's)."""
    if abs(D(count)) == 1:
        return singular
    if many is not None:
        return many
    if singular.endswith("y") and len(singular) > 1 and singular[-2].lower() not in VOWELS:
        return singular[:-1] + "ies"
    if singular.endswith(("s", "x", "ch", "sh")):
        return singular + "es"
    return singular + "s"


def plural(count: int | Decimal | str, singular: str, many: str | None = None) -> str:
    """The count with digit grouping and its noun: ``plural(1, "activity")`` ->
    ``1 activity``; ``plural(1234, "line")`` -> ``1,234 lines``."""
    return f"{D(count):,} {noun(count, singular, many)}"

"""How generated things are named and written: ids, made-up company names, decimal text."""

from __future__ import annotations

import numpy as np

_WORDS_A = (
    "Alpine",
    "Blue",
    "Cedar",
    "Delta",
    "Eagle",
    "First",
    "Golden",
    "Harbor",
    "Iron",
    "Jade",
    "Keystone",
    "Lumen",
    "Metro",
    "North",
    "Oak",
    "Pioneer",
    "Quartz",
    "River",
    "Summit",
    "Tower",
    "Union",
    "Vertex",
    "West",
    "Zenith",
)
_WORDS_B = (
    "Systems",
    "Networks",
    "Solutions",
    "Data",
    "Logistics",
    "Health",
    "Retail",
    "Foods",
    "Energy",
    "Media",
    "Works",
    "Partners",
    "Labs",
    "Group",
    "Digital",
    "Tech",
)


def names(rng: np.random.Generator, n: int, suffix: str) -> np.ndarray:
    """``n`` two-word names ("Harbor Logistics"), each followed by ``suffix``."""
    a = rng.integers(0, len(_WORDS_A), n)
    b = rng.integers(0, len(_WORDS_B), n)
    out = np.char.add(np.char.add(np.array(_WORDS_A)[a], " "), np.array(_WORDS_B)[b])
    return np.char.add(out, suffix) if suffix else out


def ids(prefix: str, n: int, width: int) -> np.ndarray:
    """``prefix`` followed by 1..n, zero-padded to ``width`` digits (D001, D002...)."""
    return np.array([f"{prefix}{i:0{width}d}" for i in range(1, n + 1)])


def dec(x: float, places: int) -> str:
    """Text form of a rounded figure; the readers turn it into an exact Decimal."""
    return f"{x:.{places}f}"

"""How big a synthetic channel is. Light (no numpy): the command line reads its defaults."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_SEED = 7  # the demo's channel; same seed and sizes, same channel


@dataclass(frozen=True)
class Sizes:
    """Size knobs. The defaults are the demo's channel."""

    distributors: int = 40
    resellers: int = 2000
    skus: int = 160
    months: int = 24
    start: str = "2024-10"
    lines: int = 60_000  # sell-through lines over all months, before planted duplicates
    plant: bool = True  # False: a clean channel with nothing planted

"""The values a column may take, and what each means: declared once.

The tier methods are the tier engine's own (``core.tiers.METHODS``): the rule and the list
of its names live together there.
"""

from __future__ import annotations

from dataclasses import dataclass

from channelxl.core.tiers import METHODS

DISTRIBUTOR_TYPES = ("broadline", "vad", "regional", "cloud")
SEGMENTS = ("enterprise", "midmarket", "smb", "public")
YES_NO = ("Y", "N")
MEASURES = ("revenue", "units", "growth")
GROWTH_BASES = ("increment", "whole")
SHIPMENT_TYPES = ("shipment", "return")
ACTIVITY_TYPES = ("campaign", "event", "webinar", "training", "promotion")
ACTIVITY_STATUSES = ("planned", "completed", "cancelled")


@dataclass(frozen=True)
class Metric:
    """A scorecard metric: how a review labels it, its unit, and its Targets column."""

    label: str
    unit: str  # money | count | percent
    target: str  # field of the Targets sheet holding the distributor's target


SCORECARD_METRICS: dict[str, Metric] = {
    "sell_through": Metric("Sell-through revenue", "money", "sell_through_target"),
    "new_resellers": Metric("New resellers", "count", "new_resellers_target"),
    "certification": Metric("Certification rate", "percent", "certification_rate_target"),
    "demand_gen": Metric(
        "Demand-gen activities completed", "count", "demand_gen_activities_target"
    ),
}

__all__ = [
    "ACTIVITY_STATUSES",
    "ACTIVITY_TYPES",
    "DISTRIBUTOR_TYPES",
    "GROWTH_BASES",
    "MEASURES",
    "METHODS",
    "SCORECARD_METRICS",
    "SEGMENTS",
    "SHIPMENT_TYPES",
    "YES_NO",
    "Metric",
]

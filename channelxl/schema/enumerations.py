"""The values a column may take, and what each means: declared once.

The tier methods are the tier engine's own (``core.tiers.METHODS``): the rule and the list
of its names live together there. So are the cross-reference kinds and qualifiers
(``core.cross_reference``): which X12 and EANCOM qualifiers are read as which is declared
there (``EDI_QUALIFIERS``), beside the resolver that reads them.
"""

from __future__ import annotations

from dataclasses import dataclass

from channelxl.core import cross_reference
from channelxl.core.tiers import METHODS

DISTRIBUTOR_TYPES = ("broadline", "vad", "regional", "cloud")
SEGMENTS = ("enterprise", "midmarket", "smb", "public")
YES_NO = ("Y", "N")
MEASURES = ("revenue", "units", "growth")
GROWTH_BASES = ("increment", "whole")
SHIPMENT_TYPES = ("shipment", "return")
ACTIVITY_TYPES = ("campaign", "event", "webinar", "training", "promotion")
ACTIVITY_STATUSES = ("planned", "completed", "cancelled")
# Cross References: the kind of thing a code names, and what the code is (its qualifier);
# which X12 / EANCOM qualifier is read as which (EDI_QUALIFIERS) is told in words by
# edi_qualifiers_text, for the sheet's help and docs/WORKBOOK.md
CROSS_REFERENCE_KINDS = cross_reference.KINDS
QUALIFIERS = cross_reference.QUALIFIERS
CROSS_REFERENCE_QUALIFIERS = cross_reference.ALL_QUALIFIERS
EDI_QUALIFIERS = cross_reference.EDI_QUALIFIERS
edi_qualifiers_text = cross_reference.edi_qualifiers_text


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
    "CROSS_REFERENCE_KINDS",
    "CROSS_REFERENCE_QUALIFIERS",
    "DISTRIBUTOR_TYPES",
    "EDI_QUALIFIERS",
    "GROWTH_BASES",
    "MEASURES",
    "METHODS",
    "QUALIFIERS",
    "SCORECARD_METRICS",
    "SEGMENTS",
    "SHIPMENT_TYPES",
    "YES_NO",
    "Metric",
    "edi_qualifiers_text",
]

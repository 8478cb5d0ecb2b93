"""The vendor's fixed terms: rebate programs and tiers, the scorecard, settings.

These are not drawn: every synthetic channel runs the same three programs from its first
month. ``P-ST`` pays a retroactive tiered rebate on sell-through revenue, with a cap, a
minimum certification rate, on-time reports and holds on too much stock or sell-in;
``P-VAD`` pays VADs on growth and ``P-CLOUD`` pays cloud distributors on units. The
scorecard weighs the P-ST metrics. Settings are the declared defaults (reports due on the
10th of the next month), in euros.
"""

from __future__ import annotations

from datetime import date

from channelxl.schema import SETTINGS
from channelxl.synth.countries import REPORTING_CURRENCY


def settings() -> dict[str, object]:
    """The program workbook's settings: the declared defaults, in the reporting currency."""
    return {**{s.field: s.default for s in SETTINGS}, "reporting_currency": REPORTING_CURRENCY}


def rebate_programs(start: date) -> list[dict]:
    return [
        {
            "program_id": "P-ST",
            "name": "Sell-through growth rebate",
            "applies_to": "*",
            "measure": "revenue",
            "method": "retroactive",
            "min_certification_rate": "0.4",
            "require_on_time_reports": "Y",
            "cap": "250000",
            "hold_max_weeks_of_supply": "26",
            "hold_max_sell_in_ratio": "1.6",
            "mdf_rate": "0.01",
            "attainment_cap": "1.2",
            "valid_from": start,
        },
        {
            "program_id": "P-VAD",
            "name": "VAD solutions bonus",
            "applies_to": "vad",
            "measure": "growth",
            "method": "incremental",
            "growth_basis": "increment",
            "valid_from": start,
        },
        {
            "program_id": "P-CLOUD",
            "name": "Cloud units incentive",
            "applies_to": "cloud",
            "measure": "units",
            "method": "incremental",
            "valid_from": start,
        },
    ]


def rebate_tiers() -> list[dict]:
    rows = []
    for pid, tiers in (
        (
            "P-ST",
            (
                (0, "0", "Base"),
                (100000, "0.02", "Silver"),
                (250000, "0.03", "Gold"),
                (500000, "0.04", "Platinum"),
            ),
        ),
        ("P-VAD", ((0, "0", None), (0.05, "0.02", None), (0.15, "0.05", None))),
        ("P-CLOUD", ((0, "0", None), (500, "1.5", None), (2000, "2.5", None))),
    ):
        for threshold, rate, label in tiers:
            rows.append(
                {"program_id": pid, "threshold": str(threshold), "rate": rate, "label": label}
            )
    return rows


def scorecard() -> list[dict]:
    return [
        {"program_id": "P-ST", "metric": m, "weight": w}
        for m, w in (
            ("sell_through", "0.5"),
            ("new_resellers", "0.2"),
            ("certification", "0.2"),
            ("demand_gen", "0.1"),
        )
    ]


def scorecard_payouts() -> list[dict]:
    return [
        {"program_id": "P-ST", "min_score": a, "payout": b}
        for a, b in (("0", "0.5"), ("0.7", "0.8"), ("0.9", "1"), ("1.1", "1.1"))
    ]

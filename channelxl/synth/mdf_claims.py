"""MDF claims and the vendor's decisions on them.

Each distributor claims, for one to three of its latest activities completed before the
last month, the MDF the campaign export shows claimed (half the cost), a few days to
weeks after each was done, in the activity's currency, with an invoice number, a file
name or a URL as proof. The vendor decides the claims made before the last month: most
approved, some only in part (80 %, with a reason), some rejected (with a reason); the
rest are pending. Planted: one claim against an activity still planned, which ingest
quarantines.

Drawn from a generator of its own (seeded from the channel's seed), so adding claims
changes nothing else the channel draws.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import numpy as np
import pandas as pd

from channelxl.core.periods import Month

STREAM = 0x4D4446  # "MDF": this step's own random stream, beside the channel's seed
DECIDERS = ("M. Keller", "S. Ortiz", "J. Lindqvist")
PARTLY = "receipts cover only part of the claimed spend"
REJECTED = "the proof does not show the vendor's products in the activity"


def draw(seed: int, months: list[Month], activities: pd.DataFrame) -> tuple:
    """(claims frame with the mdf_claims fields, the MDF Decisions rows, what was planted)."""
    rng = np.random.default_rng([seed, STREAM])
    last_day, last_first = months[-1].last_day, months[-1].first_day
    claims, decisions, planted = [], [], {}
    for d, acts in activities.groupby("distributor_id", sort=True):
        done = acts[(acts["status"] == "completed") & (acts["completed_date"] < last_first)]
        done = done.sort_values(["completed_date", "activity_id"]).tail(int(rng.integers(1, 4)))
        for n, a in enumerate(done.to_dict("records"), start=1):
            claim_date = min(
                a["completed_date"] + timedelta(days=int(rng.integers(3, 26))), last_day
            )
            # what the campaign export says was claimed (half the cost)
            amount = Decimal(str(a["mdf_claimed"])).quantize(Decimal("0.01"))
            claim_id = f"MC-{d}-{n:03d}"
            claims.append(_claim(rng, claim_id, d, a, claim_date, amount))
            if claim_date >= last_first:
                continue  # the last month's claims wait for a decision
            decided = min(claim_date + timedelta(days=int(rng.integers(5, 31))), last_day)
            kind = rng.choice(["approved", "approved", "approved", "partly", "rejected"])
            row = {
                "claim_id": claim_id,
                "decision": "rejected" if kind == "rejected" else "approved",
                "approved_amount": None,
                "decided_by": str(rng.choice(DECIDERS)),
                "date": decided,
                "reason": None,
            }
            if kind == "rejected":
                row["reason"] = REJECTED
            else:
                partly = kind == "partly"
                row["approved_amount"] = str(
                    (amount * Decimal("0.8")).quantize(Decimal("0.01")) if partly else amount
                )
                row["reason"] = PARTLY if partly else None
            decisions.append(row)
        planned = acts[acts["status"] == "planned"].sort_values("activity_id")
        if not planted and len(planned):
            a = planned.iloc[0].to_dict()
            claim_id = f"MC-{d}-900"
            day = min(a["planned_date"] + timedelta(days=10), last_day)
            claims.append(_claim(rng, claim_id, d, a, day, Decimal(str(a["cost"])) / 10))
            planted = {"claim_id": claim_id, "activity_id": a["activity_id"], "distributor_id": d}
    frame = pd.DataFrame(
        claims,
        columns=[
            "claim_id",
            "distributor_id",
            "activity_id",
            "claim_date",
            "amount",
            "currency",
            "proof_reference",
            "description",
        ],
    )
    return frame, decisions, {"mdf_claim_on_planned_activity": planted}


def _claim(rng, claim_id: str, d: str, a: dict, claim_date, amount: Decimal) -> dict:
    """A claim on activity ``a`` with a proof of one of three kinds."""
    proof = (
        f"INV-{int(rng.integers(10000, 99999))}",
        f"{a['activity_id']}_receipts.pdf",
        f"https://files.example.com/mdf/{claim_id}",
    )[int(rng.integers(3))]
    return {
        "claim_id": claim_id,
        "distributor_id": d,
        "activity_id": a["activity_id"],
        "claim_date": claim_date,
        "amount": str(Decimal(amount).quantize(Decimal("0.01"))),
        "currency": a["currency"],
        "proof_reference": proof,
        "description": f"{a['activity_type']}: {a['name']}",
    }

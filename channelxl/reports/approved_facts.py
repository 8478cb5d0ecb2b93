"""An approved quarter as its review shows it, and the MDF adjustments an open quarter's
review lists (``reports.facts``).

An **approved quarter** (``ledger.approvals``) is reviewed with the money that was
approved: each program's steps and amounts, the scorecard's score and payout, the MDF
accrued and the MDF fund are the approved statement's rows, never recomputed
(:class:`ApprovedQuarter`). Its ``facts`` say who approved it and when, and list what
today's ledger would change (``ledger.adjustments``): each difference is carried as a
prior-period adjustment by the next open quarter; adjustments already frozen in a later
approval are listed as such. The review of the open quarter that carries MDF adjustments
lists them in its fund (:func:`mdf_carried`, :func:`with_adjustments`).
"""

from __future__ import annotations

import re
from decimal import Decimal

from channelxl.core.periods import Quarter
from channelxl.ledger.adjustments import awaiting, differences, next_open
from channelxl.ledger.approvals import Approval, approved_rows, settled, settled_mdf
from channelxl.ledger.store import Ledger


def mdf_carried(ledger: Ledger, q: Quarter, wanted: list[str]) -> dict[str, list[dict]]:
    """Distributor -> the MDF adjustments open quarter ``q`` carries of approved quarters
    (``ledger.adjustments``; they are in its fund's Accrued): {} when none awaits ``q``."""
    pending = awaiting(ledger, q)
    if not pending:
        return {}
    lines: list = []
    differences(ledger, pending, wanted, mdf=lines)
    out: dict[str, list[dict]] = {}
    for x in lines:
        out.setdefault(x.distributor_id, []).append(
            {
                "quarter_adjusted": x.approval.quarter,
                "program_id": x.program_id,
                "program": x.program,
                "difference": x.difference,
                "what_changed": x.what_changed,
            }
        )
    return out


def with_adjustments(fund: dict | None, lines: list[dict]) -> dict | None:
    """A fund's facts with the prior-period MDF adjustments in it: their lines and sum."""
    if fund is None:
        return None
    fund["prior_period_adjustments"] = sum((x["difference"] for x in lines), Decimal(0))
    fund["adjustments"] = lines
    return fund


# A gate on the statement reads "name: value (needs required) verdict", gates joined by
# "; "; a waiver's reason in a verdict may hold "; " itself, so a gate starts only where a
# "name: ... (needs" follows.
GATE = re.compile(
    r"(?:^|; )(?P<name>[^:;]+): (?P<value>.*?) \(needs (?P<required>.*?)\) "
    r"(?P<verdict>pass|FAIL(?:, .*?)?)(?=; [^:;]+: .*? \(needs |$)",
    re.S,
)


def approved_gates(text: str) -> list[dict]:
    """The statement's Gates text back as the review's gates (name, value, required,
    verdict); [] when there is none or it does not read as gates."""
    return [m.groupdict() for m in GATE.finditer(text or "")]


class ApprovedQuarter:
    """An approved quarter as its review shows it: the approved statement's rows (rebates,
    MDF fund and claims) and what differs on today's ledger (``ledger.adjustments``)."""

    def __init__(self, ledger: Ledger, approval: Approval, q: Quarter, wanted: list[str]):
        self.approval = approval
        self.rows: dict[str, list[dict]] = {}
        for row in approved_rows(ledger, approval.quarter, "statement"):
            self.rows.setdefault(row["distributor_id"], []).append(row)
        self.funds = {
            r["distributor_id"]: r for r in approved_rows(ledger, approval.quarter, "mdf.funds")
        }
        self.pending_claims: dict[str, int] = {}
        for c in approved_rows(ledger, approval.quarter, "mdf.claims"):
            if c.get("status") == "pending":
                d = c["distributor_id"]
                self.pending_claims[d] = self.pending_claims.get(d, 0) + 1
        mdf_lines: list = []
        lines, _ = differences(ledger, [(approval, q)], wanted, mdf=mdf_lines)
        self.lines = [("rebate", x) for x in lines] + [("MDF", x) for x in mdf_lines]
        self.carried_in = str(next_open(ledger, q))
        self.earlier = [
            ("rebate", key, s.earlier_adjustments)
            for key, s in sorted(settled(ledger, approval.quarter).items())
            if s.earlier_adjustments
        ] + [
            ("MDF", key, s.earlier_adjustments)
            for key, s in sorted(settled_mdf(ledger, approval.quarter).items())
            if s.earlier_adjustments
        ]

    def facts(self, d: str) -> dict:
        """``approval``: who approved the quarter and when, the adjustments of it already
        frozen in later approvals, and those today's ledger would carry to ``carried_in``."""
        a = self.approval
        names = {r["program_id"]: r["program"] for r in self.rows.get(d, [])}
        return {
            "quarter": a.quarter,
            "approved_by": a.approved_by,
            "approved_at": a.approved_at,
            "said": a.said(),
            "note": a.note,
            "carried_in": self.carried_in,
            "adjusted_since": [
                {"kind": kind, "program_id": p, "program": names.get(p, ""), "amount": amount}
                for kind, (dd, p), amount in self.earlier
                if dd == d
            ],
            "adjustments": [
                {
                    "kind": kind,
                    "program_id": x.program_id,
                    "program": x.program or names.get(x.program_id, ""),
                    "approved_amount": x.approved_amount,
                    "earlier_adjustments": x.earlier_adjustments,
                    "recomputed_amount": x.recomputed_amount,
                    "difference": x.difference,
                    "what_changed": x.what_changed,
                }
                for kind, x in self.lines
                if x.distributor_id == d
            ],
        }

    def rebates(self, d: str, tiers_of: dict) -> list[dict]:
        """Each program of the approved statement, in the keys of :func:`_rebate`."""
        carried = {
            x.program_id: x for kind, x in self.lines if kind == "rebate" and x.distributor_id == d
        }
        out = []
        for row in self.rows.get(d, []):
            tiers = tiers_of.get(row["program_id"])
            x = carried.get(row["program_id"])
            notes = row.get("notes") or ""
            out.append(
                {
                    "program_id": row["program_id"],
                    "program": row["program"],
                    "measure_name": row["measure"],
                    "method": row["method"],
                    "measure": row["measure_value"],
                    "status": row["status"],
                    "tier": row["tier"],
                    "tier_label": row["tier_label"],
                    "rate": row["rate"],
                    "rate_unit": "per unit" if row["measure"] == "units" else "fraction",
                    "tier_rebate": row["tier_rebate"],
                    "score": row["score"],
                    "payout": row["payout"],
                    "after_scorecard": row["after_scorecard"],
                    "cap_applied": row["capped"] == "Y",
                    "capped_amount": row["cap_reduction"],
                    "gates": approved_gates(row.get("gates") or ""),
                    "withheld_amount": row["withheld_amount"],
                    "withheld_reason": row["withheld_reason"],
                    "hold_reason": row.get("hold") or "",
                    "amount": row["amount"],
                    "held_amount": row["held_amount"],
                    "next_tier_gap": row["next_tier_gap"] or None,
                    "accrued": row["accrued"],
                    "accrued_held": row["accrued_held"],
                    "accrual_basis": row["accrual_basis"],
                    "true_up": row["true_up"],
                    "mdf_accrued": row["mdf_accrued"],
                    "tiers": []
                    if tiers is None
                    else [
                        {"threshold": t.threshold, "rate": t.rate, "label": t.label}
                        for t in tiers.tiers
                    ],
                    "notes": notes.split("; ") if notes else [],
                    "as_approved": True,
                    "adjustment": None
                    if x is None
                    else {
                        "difference": x.difference,
                        "recomputed_amount": x.recomputed_amount,
                        "carried_in": self.carried_in,
                        "what_changed": x.what_changed,
                    },
                }
            )
        return out

    def replace_money(self, doc: dict, d: str) -> None:
        """The scorecard's score and payout, the MDF accrued and the MDF fund in ``doc`` as
        approved (the rebates are already)."""
        rows = self.rows.get(d, [])
        scored = next((r for r in rows if r.get("score") is not None), None)
        sc = doc["scorecard"]
        sc["program"] = scored["program"] if scored else None
        sc["score"] = scored["score"] if scored else None
        sc["payout"] = scored["payout"] if scored else None
        acts = doc["activities"]
        acts["mdf_accrued"] = sum((r.get("mdf_accrued") or Decimal(0) for r in rows), Decimal(0))
        f = self.funds.get(d)
        acts["mdf_fund"] = (
            None
            if f is None
            else {
                "from": f.get("fund_from") or None,
                "accrued_in_quarter": f["accrued_this_quarter"],
                "accrued": f["accrued"],
                "claimed": f["claimed"],
                "approved": f["approved"],
                "rejected": f["rejected"],
                "pending": f["pending"],
                "remaining": f["remaining"],
                "claims": f["claims"],
                "pending_claims": self.pending_claims.get(d, 0),
                "flags": [x for x in (f.get("flags") or "").split("; ") if x],
            }
        )

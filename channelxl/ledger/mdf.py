"""The market development funds in the ledger: each distributor's fund and its claims.

Definitions (``core.funds`` does the arithmetic):

- **The fund** is one balance per distributor, over every program that accrues MDF for it.
  It runs from the first quarter of the earliest such program's *Valid From* (and not
  before the ledger's first sell-through month) and never lapses: an amount accrued stays
  claimable until a rule that says otherwise is declared.
- **Accrued** = the engine's *MDF Accrued* (MDF rate x sell-through revenue, rounded to the
  cent per program and quarter) summed over the fund's quarters up to and including the
  quarter asked; **accrued this quarter** = that quarter's alone.
- **Approved quarters** (``ledger.approvals``): an approved quarter's MDF accrued is what
  was approved. A later change to its inputs is not restated: the next open quarter carries
  it as a prior-period MDF adjustment (``ledger.adjustments``: Recomputed - Approved -
  Earlier Adjustments, a line each, with what changed and which submissions), so an open
  quarter's Accrued = the quarter before's Accrued + Prior-Period Adjustments + Accrued This
  Quarter. As every approved quarter's adjustments are carried by an open quarter no later
  than the one asked, an open quarter's Accrued equals the sum above on today's ledger.
- **Claims** in the fund are those in force (``mdf_claims``) dated on or before the
  quarter's last day; each is converted with the FX rate of its claim month (``RATES_SQL``).
  Decisions (the program workbook's MDF Decisions sheet) count as they are in the ledger
  now, whatever their date: the statement shows what is known when it is run.
- **Checks** against the ledger: a decision naming no received claim (warning: it is
  ignored); an approval above the amount claimed (error: not applied, the claim stays
  pending); a partial approval without a reason (warning); and, on each claim, an activity
  the activities export does not list, one no longer completed, approvals above its cost.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from channelxl.core.funds import APPROVED, PARTLY, Claim, ClaimStatus, FundBalance, fund_balance
from channelxl.core.periods import Month, Quarter
from channelxl.io.mdf_workbook import MdfTables
from channelxl.issues import ERROR, WARNING, Issue
from channelxl.ledger.figures import RATES_SQL, rates_params
from channelxl.ledger.programs import evaluate_quarters, programs
from channelxl.ledger.store import Ledger
from channelxl.schema.program_sheets import MDF_DECISIONS

ZERO = Decimal(0)
MAX_FUND_QUARTERS = 40  # ten years of quarters: a fund older than that starts here


@dataclass(frozen=True)
class ClaimFacts:
    """What the MDF Claims sheet shows of a claim beyond its standing."""

    activity_name: str | None
    proof_reference: str


@dataclass
class MdfFund:
    """Every distributor's fund at the end of ``quarter`` and the standing of its claims."""

    quarter: Quarter
    currency: str
    first_quarter: Quarter | None  # None: no program accrues MDF
    balances: list[FundBalance] = field(default_factory=list)
    claims: list[ClaimStatus] = field(default_factory=list)
    accrued_in_quarter: dict[str, Decimal] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    claim_facts: dict[str, ClaimFacts] = field(default_factory=dict)

    @property
    def remaining(self) -> Decimal:
        return sum((b.remaining for b in self.balances), ZERO)

    def tables(self, names: dict[str, str]) -> MdfTables:
        """The MDF sheets' rows (``schema.outputs.MDF_FUND``, ``MDF_CLAIM_STATUS``)."""
        funds = [
            {
                "distributor_id": b.distributor_id,
                "distributor": names.get(b.distributor_id, ""),
                "currency": self.currency,
                "fund_from": str(self.first_quarter) if self.first_quarter else "",
                "accrued_this_quarter": self.accrued_in_quarter.get(b.distributor_id, ZERO),
                # approved quarters' MDF changed since: commands.approved.carry_mdf_adjustments
                "prior_period_adjustments": Decimal("0.00"),
                "accrued": b.accrued,
                "claims": b.claims,
                "claimed": b.claimed,
                "approved": b.approved,
                "rejected": b.rejected,
                "pending": b.pending,
                "remaining": b.remaining,
                "flags": "; ".join(b.flags),
            }
            for b in self.balances
        ]
        claims = []
        for s in self.claims:
            c, facts = s.claim, self.claim_facts.get(s.claim.claim_id)
            claims.append(
                {
                    "distributor_id": c.distributor_id,
                    "claim_id": c.claim_id,
                    "activity_id": c.activity_id,
                    "activity": facts.activity_name if facts else None,
                    "claim_date": c.claim_date,
                    "currency": c.currency,
                    "amount": c.amount,
                    "proof_reference": facts.proof_reference if facts else None,
                    "status": s.status,
                    "approved_amount": c.approved_amount
                    if s.status in (APPROVED, PARTLY)
                    else None,
                    "decided_by": c.decided_by,
                    "decision_date": c.decided_on,
                    "reason": c.reason,
                    "fx_rate": c.rate,
                    "claimed": s.claimed,
                    "approved": s.approved,
                    "flags": "; ".join(s.flags),
                }
            )
        return MdfTables(funds, claims)

    def facts(self, distributor_id: str) -> dict | None:
        """One distributor's fund as its review shows it (None: it has no fund)."""
        b = self.of(distributor_id)
        if b is None:
            return None
        mine = [s for s in self.claims if s.claim.distributor_id == distributor_id]
        return {
            "from": str(self.first_quarter) if self.first_quarter else None,
            "accrued_in_quarter": self.accrued_in_quarter.get(distributor_id, ZERO),
            "accrued": b.accrued,
            "claimed": b.claimed,
            "approved": b.approved,
            "rejected": b.rejected,
            "pending": b.pending,
            "remaining": b.remaining,
            "claims": b.claims,
            "pending_claims": sum(1 for s in mine if s.status == "pending"),
            "flags": list(b.flags),
        }

    def of(self, distributor_id: str) -> FundBalance | None:
        return next((b for b in self.balances if b.distributor_id == distributor_id), None)

    def summary(self) -> str:
        pending = sum(1 for s in self.claims if s.status == "pending")
        flagged = sum(1 for s in self.claims if s.flags)
        text = (
            f"MDF: {self.currency} {self.remaining:,.2f} remaining in {len(self.balances)} "
            f"funds; {len(self.claims)} claims, {pending} pending, {flagged} flagged"
        )
        for issue in self.issues:
            text += f"\n  {issue.severity} {issue.where}: {issue.message}"
        return text


def fund_quarters(ledger: Ledger, quarter: Quarter, start: date) -> list[Quarter]:
    """The fund's quarters: from the one holding ``start`` (or the ledger's first
    sell-through month, when later) up to ``quarter``, oldest first."""
    first_month = ledger.con.execute("SELECT min(period) FROM sell_through").fetchone()[0]
    if first_month is not None:
        start = max(start, Month.parse(first_month).first_day)
    out = [quarter]
    while len(out) < MAX_FUND_QUARTERS and out[-1].first_day > start:
        out.append(out[-1] + -1)
    return out[::-1]


def _program_file(ledger: Ledger) -> str:
    row = ledger.con.execute(
        "SELECT file_name FROM submissions WHERE kind = 'program' ORDER BY loaded_at DESC LIMIT 1"
    ).fetchone()
    return row[0] if row else "program.xlsx"


def _decision_issues(ledger: Ledger, last_day: date) -> tuple[list[Issue], set[str]]:
    """Decisions the claims contradict: (issues, claim ids whose decision is unknown)."""
    file = _program_file(ledger)
    where = {"file": file, "sheet": MDF_DECISIONS.title}
    issues = []
    unknown = ledger.con.execute(
        "SELECT d.claim_id FROM mdf_decisions d WHERE d.claim_id NOT IN "
        "(SELECT claim_id FROM mdf_claims) ORDER BY d.claim_id"
    ).fetchall()
    for (claim_id,) in unknown:
        issues.append(
            Issue(
                "MDF",
                f"claim {claim_id} has a decision but no claim with that id was received; the "
                "decision is ignored: check the Claim ID, or load the distributor's claims file",
                WARNING,
                column="Claim ID",
                **where,
            )
        )
    for claim_id, decision, approved, claimed, currency, reason in ledger.con.execute(
        "SELECT d.claim_id, d.decision, d.approved_amount, c.amount, c.currency, d.reason "
        "FROM mdf_decisions d JOIN mdf_claims c USING (claim_id) WHERE c.claim_date <= ? "
        "ORDER BY d.claim_id",
        [last_day],
    ).fetchall():
        if decision != "approved" or approved is None:
            continue
        if approved > claimed:
            issues.append(
                Issue(
                    "MDF",
                    f"claim {claim_id}: approved {approved} {currency} is above the {claimed} "
                    f"{currency} claimed; the approval is not applied until Approved Amount is "
                    "at most the amount claimed",
                    ERROR,
                    column="Approved Amount",
                    **where,
                )
            )
        elif approved < claimed and not reason:
            issues.append(
                Issue(
                    "MDF",
                    f"claim {claim_id}: {approved} of {claimed} {currency} approved with no "
                    "Reason; say why the rest is not, the distributor will ask",
                    WARNING,
                    column="Reason",
                    **where,
                )
            )
    return issues, {c for (c,) in unknown}


CLAIMS_SQL = f"""
WITH rates AS {RATES_SQL},
on_activity AS (
    SELECT activity_id, sum(approved_amount) AS approved FROM mdf_decisions
    JOIN mdf_claims USING (claim_id)
    WHERE decision = 'approved' AND approved_amount <= amount GROUP BY ALL
)
SELECT c.claim_id, c.distributor_id, c.activity_id, c.claim_date, c.amount, c.currency,
       r.rate, d.decision, d.approved_amount, d.decided_by, d.date, d.reason,
       a.distributor_id AS owner, a.status, a.cost, a.currency AS cost_currency,
       a.name AS activity_name, c.proof_reference, oa.approved AS approved_on_activity
FROM mdf_claims c
LEFT JOIN rates r ON r.currency = c.currency AND r.month = strftime(c.claim_date, '%Y-%m')
LEFT JOIN mdf_decisions d USING (claim_id)
LEFT JOIN activities a USING (activity_id)
LEFT JOIN on_activity oa USING (activity_id)
WHERE c.claim_date <= ?
ORDER BY c.distributor_id, c.claim_date, c.claim_id
"""


def _claims(ledger: Ledger, quarter: Quarter, currency: str):
    months = [
        m
        for (m,) in ledger.con.execute(
            "SELECT DISTINCT strftime(claim_date, '%Y-%m') FROM mdf_claims WHERE claim_date <= ?",
            [quarter.last_day],
        ).fetchall()
    ]
    cursor = ledger.con.execute(CLAIMS_SQL, [*rates_params(currency, months), quarter.last_day])
    names = [d[0] for d in cursor.description]
    claims, facts = [], {}
    for values in cursor.fetchall():
        row = dict(zip(names, values, strict=True))
        activity, d, cur = row["activity_id"], row["distributor_id"], row["currency"]
        owner, approved, cost = row["owner"], row["approved_on_activity"], row["cost"]
        flags = []
        if owner is None:
            flags.append(f"activity {activity} is not in the activities export")
        elif owner != d:
            flags.append(f"activity {activity} is {owner}'s, not {d}'s")
        elif row["status"] != "completed":
            flags.append(f"activity {activity} is {row['status']}, not completed")
        over = approved is not None and cost is not None and approved > cost
        if over and row["cost_currency"] == cur:
            flags.append(
                f"approvals on activity {activity} total {approved} {cur}, "
                f"above its cost of {cost} {cur}"
            )
        claims.append(
            Claim(
                row["claim_id"],
                d,
                activity,
                row["claim_date"],
                row["amount"],
                cur,
                row["rate"],
                row["decision"],
                row["approved_amount"],
                row["decided_by"],
                row["date"],
                row["reason"],
                tuple(flags),
            )
        )
        facts[row["claim_id"]] = ClaimFacts(row["activity_name"], row["proof_reference"])
    return claims, facts


def mdf_fund(ledger: Ledger, quarter: Quarter, *, distributors: list[str] | None = None) -> MdfFund:
    """Each distributor's fund at the end of ``quarter`` (those asked for, else every
    distributor with an MDF program or a claim) and the standing of its claims."""
    currency = ledger.settings().reporting_currency
    mdf_programs = {p.rules.program_id: p.valid_from for p in programs(ledger) if p.rules.mdf_rate}
    first = None
    accrued: dict[str, Decimal] = defaultdict(lambda: ZERO)
    in_quarter: dict[str, Decimal] = defaultdict(lambda: ZERO)
    if mdf_programs:
        quarters = fund_quarters(ledger, quarter, min(mdf_programs.values()))
        first = quarters[0]
        results, _ = evaluate_quarters(ledger, quarters, distributors=distributors)
        for r in results:
            if r.program_id not in mdf_programs:
                continue
            accrued[r.distributor_id] += r.mdf_accrued
            if str(r.quarter) == str(quarter):
                in_quarter[r.distributor_id] += r.mdf_accrued
    claims, facts = _claims(ledger, quarter, currency)
    if distributors:
        claims = [c for c in claims if c.distributor_id in distributors]
    issues, _ = _decision_issues(ledger, quarter.last_day)
    by_distributor: dict[str, list[Claim]] = defaultdict(list)
    for c in claims:
        by_distributor[c.distributor_id].append(c)
    fund = MdfFund(
        quarter,
        currency,
        first,
        accrued_in_quarter=dict(in_quarter),
        issues=issues,
        claim_facts=facts,
    )
    for d in sorted(set(accrued) | set(by_distributor)):
        balance, statuses = fund_balance(d, accrued.get(d, ZERO), by_distributor.get(d, []))
        fund.balances.append(balance)
        fund.claims += statuses
    return fund

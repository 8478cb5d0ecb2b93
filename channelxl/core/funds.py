"""A distributor's market development fund: what accrued, what its claims drew.

Pure arithmetic on figures the ledger gives (``ledger.mdf`` reads them). All amounts of a
:class:`FundBalance` are in the reporting currency:

- **claim amounts**: each claim (and each approved amount) is converted with the FX rate of
  its claim date's month and rounded half-up to the cent **once**, there: that converted
  approved amount is what the distributor is reimbursed. Totals are sums of those cents.
  A claim whose currency has no rate that month is not converted: it is listed as
  unconverted, counted in no total, and the balance says so.
- **claimed** = every claim; **approved** = the approved amounts (possibly less than
  claimed); **rejected** and **pending** (no decision yet) = the amounts claimed by those
  claims.
- **remaining** = accrued - approved. It may go below zero: approvals are never capped
  here; an approval that takes the fund below zero is flagged (:data:`OVER_FUND`), in the
  order the decisions were dated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from channelxl.core.money import money_arithmetic, multiply, round_cents

ZERO = Decimal(0)
APPROVED, PARTLY, REJECTED, PENDING = "approved", "partly approved", "rejected", "pending"
OVER_FUND = "exceeds the remaining fund"


@dataclass(frozen=True)
class Claim:
    """One claim as received, with the vendor's decision (None: pending) and the rate of
    its currency into the reporting currency in its claim month (None: no rate)."""

    claim_id: str
    distributor_id: str
    activity_id: str
    claim_date: date
    amount: Decimal  # in currency
    currency: str
    rate: Decimal | None
    decision: str | None = None  # approved, rejected or None
    approved_amount: Decimal | None = None  # in currency
    decided_by: str | None = None
    decided_on: date | None = None
    reason: str | None = None
    flags: tuple[str, ...] = ()  # what the ledger found (activity, decision problems)


@dataclass
class ClaimStatus:
    """A claim's standing in the fund: status, amounts in the reporting currency, flags."""

    claim: Claim
    status: str
    claimed: Decimal | None  # None: no FX rate
    approved: Decimal | None
    flags: list[str] = field(default_factory=list)


@dataclass
class FundBalance:
    distributor_id: str
    accrued: Decimal
    claimed: Decimal = ZERO
    approved: Decimal = ZERO
    rejected: Decimal = ZERO
    pending: Decimal = ZERO
    claims: int = 0
    unconverted: list[str] = field(default_factory=list)  # "C-1 USD 2026-08"
    flags: list[str] = field(default_factory=list)

    @property
    def remaining(self) -> Decimal:
        return self.accrued - self.approved


def _converted(amount: Decimal | None, rate: Decimal | None) -> Decimal | None:
    if amount is None or rate is None:
        return None
    return round_cents(multiply(amount, rate))


@money_arithmetic
def claim_status(claim: Claim) -> ClaimStatus:
    """Status and converted amounts of one claim; an approval above the amount claimed is
    not applied (the claim stays pending and says why)."""
    flags = list(claim.flags)
    claimed = _converted(claim.amount, claim.rate)
    decision, approved_amount = claim.decision, claim.approved_amount
    if decision == APPROVED and approved_amount is not None and approved_amount > claim.amount:
        flags.append(
            f"decision not applied: approved {approved_amount} {claim.currency} is above the "
            f"{claim.amount} claimed"
        )
        decision = None
    if claim.rate is None:
        flags.append(f"no FX rate for {claim.currency} in {claim.claim_date:%Y-%m}: not converted")
    if decision == APPROVED:
        status = PARTLY if approved_amount < claim.amount else APPROVED
        return ClaimStatus(claim, status, claimed, _converted(approved_amount, claim.rate), flags)
    return ClaimStatus(claim, REJECTED if decision == REJECTED else PENDING, claimed, None, flags)


@money_arithmetic
def fund_balance(
    distributor_id: str, accrued: Decimal, claims: list[Claim]
) -> tuple[FundBalance, list[ClaimStatus]]:
    """The fund of one distributor and the standing of each of its claims (in claim-date
    order). Approvals draw the fund in the order they were decided (then by Claim ID); one
    that takes the running balance below zero is flagged with how far."""
    balance = FundBalance(distributor_id, accrued)
    statuses = [claim_status(c) for c in sorted(claims, key=lambda c: (c.claim_date, c.claim_id))]
    for s in statuses:
        balance.claims += 1
        if s.claimed is None:
            balance.unconverted.append(
                f"{s.claim.claim_id} {s.claim.currency} {s.claim.claim_date:%Y-%m}"
            )
            continue
        balance.claimed += s.claimed
        if s.status in (APPROVED, PARTLY):
            balance.approved += s.approved
        elif s.status == REJECTED:
            balance.rejected += s.claimed
        else:
            balance.pending += s.claimed
    drawn = ZERO
    for s in sorted(
        (s for s in statuses if s.approved is not None),
        key=lambda s: (s.claim.decided_on or date.max, s.claim.claim_id),
    ):
        before = accrued - drawn
        drawn += s.approved
        if drawn > accrued:
            over = min(s.approved, drawn - accrued)
            s.flags.append(f"{OVER_FUND} ({max(before, ZERO):,.2f}) by {over:,.2f}")
    if balance.remaining < 0:
        balance.flags.append(f"overdrawn by {-balance.remaining:,.2f}")
    if balance.unconverted:
        balance.flags.append(
            f"{len(balance.unconverted)} claim(s) without an FX rate, in no total: "
            + ", ".join(balance.unconverted)
        )
    return balance, statuses

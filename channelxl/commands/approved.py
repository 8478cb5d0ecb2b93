"""Approved quarters in the statement: an approved quarter's files as approved, and the
prior-period adjustments an open quarter carries.

- :func:`approved_rerun`: ``channelxl rebates`` for an approved quarter writes its approved
  files from the ledger, byte for byte, and says what would differ today.
- :func:`carry_adjustments`: an open quarter Q carries the adjustments of each approved
  quarter P whose first quarter after it that is not approved is Q. For each distributor-
  program of P: Difference = P evaluated on today's ledger (its Amount, rounded once) -
  settled (the approved amount + adjustments already frozen in later approvals); a line
  for each non-zero difference. When Q is approved the lines are frozen with it
  (``ledger.approvals``), so the next open quarter carries only what changes after that.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from channelxl.core.periods import Quarter
from channelxl.core.rebates import RebateResult
from channelxl.errors import ChannelxlError
from channelxl.io.atomic import write_atomically
from channelxl.ledger.approvals import (
    SHARED,
    Approval,
    approval_of,
    approvals,
    approved_files,
    describe_submissions,
    inputs_in_force,
    settled,
    settled_inputs,
)
from channelxl.ledger.programs import evaluate_quarters
from channelxl.ledger.store import Ledger

ZERO = Decimal(0)
LISTED = 6  # submissions named in a line before "and N more"


def result_steps(r: RebateResult) -> dict[str, str]:
    """The steps of an evaluation a person compares, as text: the measure, the tier, its
    rate and the method (so a changed Rebate Tiers sheet or method is named), the scorecard
    payout, the cap, each gate's verdict, the hold and the status."""
    return {
        "measure": "" if r.measure is None else f"{r.measure:,.2f}",
        "tier": "" if r.tier is None else f"{r.tier}{f' ({r.tier_label})' if r.tier_label else ''}",
        "rate": "" if r.tier is None else format(r.rate.normalize(), "f"),
        "method": r.method or "",
        "payout": "" if r.payout is None else f"{r.payout:.4f}",
        "cap": f"{r.capped_amount:,.2f}" if r.cap_applied else "",
        "gates": "; ".join(f"{g.name} {g.verdict}" for g in r.gates),
        "hold": r.hold_reason if r.held else "",
        "status": r.status,
    }


def changed_steps(before: dict[str, str], after: dict[str, str]) -> str:
    """``tier: 1 (Silver) -> 2 (Gold); measure: 1,000.00 -> 1,250.00`` (only what changed;
    a step an older approval did not record is not compared)."""
    parts = [
        f"{k}: {before.get(k) or '-'} -> {after.get(k) or '-'}"
        for k in after
        if k in before and before[k] != after[k]
    ]
    return "; ".join(parts) or "the amount only (rounding of a changed basis)"


@dataclass
class Difference:
    """A distributor-program of an approved quarter whose amount today differs."""

    approval: Approval
    distributor_id: str
    program_id: str
    program: str
    approved_amount: Decimal
    earlier_adjustments: Decimal
    recomputed_amount: Decimal
    steps: dict[str, str]
    what_changed: str
    new: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)

    @property
    def difference(self) -> Decimal:
        return self.recomputed_amount - self.approved_amount - self.earlier_adjustments


def differences(
    ledger: Ledger, approved: list[tuple[Approval, Quarter]], distributors=None
) -> tuple[list[Difference], dict[str, dict[str, set]]]:
    """What differs today in each approved quarter, and the inputs now in force for each
    (quarter text -> distributor -> (kind, submission id)), read in one pass."""
    if not approved:
        return [], {}
    results, _ = evaluate_quarters(ledger, [q for _, q in approved], distributors=distributors)
    by_quarter: dict[str, dict[tuple[str, str], RebateResult]] = {}
    for r in results:
        by_quarter.setdefault(str(r.quarter), {})[(r.distributor_id, r.program_id)] = r
    out, now_inputs = [], {}
    for a, q in approved:
        now_results = by_quarter.get(a.quarter, {})
        was = settled(ledger, a.quarter)
        if distributors:
            was = {k: s for k, s in was.items() if k[0] in distributors}
        now_in = inputs_in_force(ledger, q)
        then_in = settled_inputs(ledger, a.quarter)
        now_inputs[a.quarter] = now_in
        for key in sorted(set(was) | set(now_results)):
            r = now_results.get(key)
            s = was.get(key)
            recomputed = r.amount if r else ZERO
            approved_amount = s.approved_amount if s else ZERO
            earlier = s.earlier_adjustments if s else ZERO
            if recomputed == approved_amount + earlier:
                continue
            steps = result_steps(r) if r else {}
            if s is None:
                what = "not on the approved statement (the program applies to it now)"
            elif r is None:
                what = "no longer evaluated (the program no longer applies to it)"
            else:
                what = changed_steps(s.steps, steps)
            d = key[0]
            now_set = now_in.get(d, set()) | now_in.get(SHARED, set())
            then_set = then_in.get(d, set()) | then_in.get(SHARED, set())
            out.append(
                Difference(
                    a,
                    d,
                    key[1],
                    r.program_name if r else "",
                    approved_amount,
                    earlier,
                    recomputed,
                    steps,
                    what,
                    sorted(sid for _, sid in now_set - then_set),
                    sorted(sid for _, sid in then_set - now_set),
                )
            )
    names = describe_submissions(ledger, [i for x in out for i in (*x.new, *x.replaced)])
    for x in out:
        x.new = [names.get(i, f"#{i}") for i in x.new]
        x.replaced = [names.get(i, f"#{i}") for i in x.replaced]
    return out, now_inputs


def _listed(items: list[str]) -> str:
    more = len(items) - LISTED
    return "; ".join(items[:LISTED]) + (f"; and {more} more" if more > 0 else "")


def awaiting(ledger: Ledger, quarter: Quarter) -> list[tuple[Approval, Quarter]]:
    """The approved quarters whose adjustments ``quarter`` carries: each approved quarter
    before it whose first quarter after it that is not approved is ``quarter``."""
    start = quarter.start_month
    done = approvals(ledger)
    names = {a.quarter for a in done}
    if str(quarter) in names:
        return []
    out = []
    for a in done:
        try:
            q = Quarter.parse(a.quarter, start)
        except ValueError:
            raise ChannelxlError(
                f"{a.quarter} was approved in another calendar than the program's now "
                f"({quarter.calendar}): its adjustments cannot be computed. Set the program's "
                "Fiscal Year Start Month back, or settle that quarter by hand."
            ) from None
        if q.first_day >= quarter.first_day:
            continue
        after = q + 1
        while str(after) in names:
            after = after + 1
        if after == quarter:
            out.append((a, q))
    return out


@dataclass
class Carried:
    """The adjustments an open quarter carries, as rows and as what an approval freezes."""

    rows: list[dict]
    lines: list[Difference]
    inputs: dict[str, dict[str, set]]  # adjusted quarter -> distributor -> inputs now

    @property
    def total(self) -> Decimal:
        return sum((x.difference for x in self.lines), ZERO)


def carry_adjustments(
    ledger: Ledger, quarter: Quarter, tables, names: dict[str, str], distributors=None
) -> Carried | None:
    """Add the prior-period adjustments ``quarter`` carries to the statement ``tables``
    (``io.statement_workbook.StatementTables``): the lines, and on the summary each
    distributor's Prior-Period Adjustments and Total Payable = Amount + adjustments (and
    their totals). None (no adjustments sheet) when no approved quarter awaits this one."""
    pending = awaiting(ledger, quarter)
    lines, inputs = differences(ledger, pending, distributors)
    currency = tables.currency or ledger.settings().reporting_currency
    rows = [
        {
            "distributor_id": x.distributor_id,
            "distributor": names.get(x.distributor_id, ""),
            "program_id": x.program_id,
            "program": x.program,
            "quarter_adjusted": x.approval.quarter,
            "approved": x.approval.said(),
            "currency": currency,
            "approved_amount": x.approved_amount,
            "earlier_adjustments": x.earlier_adjustments,
            "recomputed_amount": x.recomputed_amount,
            "difference": x.difference,
            "what_changed": x.what_changed,
            "new_submissions": _listed(x.new),
            "replaced_submissions": _listed(x.replaced),
            "steps": x.steps,  # not a column: what an approval freezes as settled
        }
        for x in lines
    ]
    by_distributor: dict[str, Decimal] = {}
    for x in lines:
        by_distributor[x.distributor_id] = by_distributor.get(x.distributor_id, ZERO) + x.difference
    seen = set()
    for s in tables.summary:
        d = s["distributor_id"]
        seen.add(d)
        s["prior_period_adjustments"] = by_distributor.get(d, ZERO)
        s["total_payable"] = s["amount"] + s["prior_period_adjustments"]
    for d in sorted(set(by_distributor) - seen):  # adjusted, with nothing this quarter
        tables.summary.append(
            {
                "distributor_id": d,
                "distributor": names.get(d, ""),
                "programs": 0,
                "amount": ZERO,
                "prior_period_adjustments": by_distributor[d],
                "total_payable": by_distributor[d],
            }
        )
    adjusted = sum(by_distributor.values(), ZERO)
    tables.totals["prior_period_adjustments"] = adjusted
    tables.totals["total_payable"] = tables.total + adjusted
    if not pending:
        return None
    tables.adjustments = rows
    return Carried(rows, lines, inputs)


@dataclass
class ApprovedRun:
    """``channelxl rebates`` for an approved quarter: its files as approved, and what the
    ledger would give today (the differences the next open quarter carries)."""

    quarter: str
    currency: str
    approval: Approval
    files: list[Path]
    xlsx: Path
    csv: Path
    differences: list[Difference]
    carried_in: str  # the open quarter that carries the differences
    results: list = field(default_factory=list)  # none evaluated: the statement is frozen

    @property
    def total(self) -> Decimal:
        return self.approval.total

    def count(self, status: str) -> int:
        return 0

    def summary(self) -> str:
        a = self.approval
        lines = [
            f"{self.quarter}: {a.said()}; figures frozen. The files written are the approved "
            f"statement, byte for byte: total {self.currency} {a.total:,.2f}"
            + (
                f", prior-period adjustments {self.currency} {a.adjustments:,.2f}, total "
                f"payable {self.currency} {a.total_payable:,.2f}"
                if a.adjustments
                else ""
            )
            + "."
        ]
        if not self.differences:
            lines.append("The ledger's inputs today give the same amounts.")
            return "\n".join(lines)
        net = sum((x.difference for x in self.differences), ZERO)
        where = ", ".join(
            f"{x.distributor_id} {x.program_id} {x.difference:+,.2f}" for x in self.differences[:5]
        )
        more = len(self.differences) - 5
        lines.append(
            f"Inputs have changed since: {len(self.differences)} distributor-program(s) would "
            f"differ today (net {self.currency} {net:+,.2f}: {where}"
            + (f", and {more} more" if more > 0 else "")
            + f"). They are carried as prior-period adjustments in {self.carried_in}'s "
            f"statement ('channelxl rebates --quarter {self.carried_in}'); this one stays as "
            "approved."
        )
        return "\n".join(lines)


def next_open(ledger: Ledger, quarter: Quarter) -> Quarter:
    """The first quarter after ``quarter`` that is not approved."""
    names = {a.quarter for a in approvals(ledger)}
    after = quarter + 1
    while str(after) in names:
        after = after + 1
    return after


def approved_rerun(
    ledger: Ledger, quarter: Quarter, out_dir: str | os.PathLike, *, distributors=None
) -> ApprovedRun | None:
    """For an approved ``quarter``: write its approved files into ``out_dir`` as they were
    approved and say what differs today; None when ``quarter`` is not approved."""
    a = approval_of(ledger, str(quarter))
    if a is None:
        return None
    if distributors:
        raise ChannelxlError(
            f"{quarter} is {a.said()}: its statement is frozen and covers every distributor. "
            f"Run 'channelxl rebates --quarter {quarter}' without --distributor to write it; "
            "each distributor has its own sheet in it."
        )
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = approved_files(ledger, a.approval_id)
    written = [write_atomically(out / name, content) for name, content, _ in files]
    by_name = {p.name: p for p in written}
    lines, _ = differences(ledger, [(a, quarter)])
    return ApprovedRun(
        str(quarter),
        a.currency,
        a,
        written,
        by_name.get(f"rebates_{quarter}.xlsx", out / f"rebates_{quarter}.xlsx"),
        by_name.get(f"rebates_{quarter}.csv", out / f"rebates_{quarter}.csv"),
        lines,
        str(next_open(ledger, quarter)),
    )

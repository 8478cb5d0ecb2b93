"""What differs today in an approved quarter: the prior-period adjustments' rule.

An approved quarter P (``ledger.approvals``) is carried by the first quarter after it that
is not approved (:func:`next_open`; :func:`awaiting` lists the approved quarters an open
quarter carries). For each distributor-program of P (:func:`differences`):

- rebates (:class:`Difference`): Difference = P's Amount evaluated on today's ledger
  (rounded once) - settled (the approved amount + adjustments already frozen in later
  approvals);
- MDF (:class:`MdfDifference`): Difference = MDF accrued evaluated today - settled
  (approved + MDF adjustments frozen since).

What changed is said in the statement's own units (``ledger.adjustment_steps``), and the
submissions added and replaced since the approval are named. The statement
(``commands.approved``), the approval (``commands.approve``) and the review of a quarter
(``reports.facts``) all ask here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from channelxl.core.periods import Quarter
from channelxl.core.rebates import RebateResult
from channelxl.errors import ChannelxlError
from channelxl.ledger.adjustment_steps import changed_steps
from channelxl.ledger.approvals import (
    SHARED,
    Approval,
    approvals,
    describe_submissions,
    inputs_in_force,
    settled,
    settled_inputs,
    settled_mdf,
)
from channelxl.ledger.programs import evaluate_quarters, programs
from channelxl.ledger.store import Ledger

ZERO = Decimal(0)


def result_steps(r: RebateResult) -> dict[str, str]:
    """The steps of an evaluation a person compares, as text: the measure, the tier, its
    rate and the method (so a changed Rebate Tiers sheet or method is named), the scorecard
    payout, the cap, each gate's verdict, the hold and the status."""
    places = 4 if r.measure_name == "growth" else 2  # growth reads as 23.5 % (one decimal)
    return {
        "measure": "" if r.measure is None else f"{r.measure:,.{places}f}",
        "tier": "" if r.tier is None else f"{r.tier}{f' ({r.tier_label})' if r.tier_label else ''}",
        "rate": "" if r.tier is None else format(r.rate.normalize(), "f"),
        "method": r.method or "",
        "payout": "" if r.payout is None else f"{r.payout:.4f}",
        "cap": f"{r.capped_amount:,.2f}" if r.cap_applied else "",
        "gates": "; ".join(f"{g.name} {g.verdict}" for g in r.gates),
        "hold": r.hold_reason if r.held else "",
        "status": r.status,
    }


class _Adjustment:
    """What an adjustment line carries: Difference = Recomputed - Approved - Earlier
    Adjustments (the adjustments of the quarter already frozen in later approvals)."""

    recomputed_amount: Decimal
    approved_amount: Decimal
    earlier_adjustments: Decimal

    @property
    def difference(self) -> Decimal:
        return self.recomputed_amount - self.approved_amount - self.earlier_adjustments


@dataclass
class Difference(_Adjustment):
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


@dataclass
class MdfDifference(_Adjustment):
    """A distributor-program of an approved quarter whose MDF accrued today differs:
    Difference = Recomputed - Approved - Earlier Adjustments (MDF rate x the quarter's
    sell-through revenue, rounded once to the cent, as the statement accrues it)."""

    approval: Approval
    distributor_id: str
    program_id: str
    program: str
    approved_amount: Decimal
    earlier_adjustments: Decimal
    recomputed_amount: Decimal
    revenue: Decimal  # the quarter's sell-through revenue today (reporting currency)
    what_changed: str
    new: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)


def _mdf_changed(before: Decimal | None, now: Decimal, rate: Decimal | None) -> str:
    """``sell-through revenue: 232,426.04 -> 233,676.04 (MDF rate 1.00 %)``, or the rate
    when the revenue is unchanged (the program workbook changed)."""
    said = "" if rate is None else f"MDF rate {rate * 100:.2f} %"
    if before is None:  # an approval that did not record the revenue
        return f"sell-through revenue now {now:,.2f}" + (f" ({said})" if said else "")
    if before != now:
        return f"sell-through revenue: {before:,.2f} -> {now:,.2f}" + (f" ({said})" if said else "")
    return f"the MDF rate (program workbook): now {said or 'none'}"


def differences(
    ledger: Ledger,
    approved: list[tuple[Approval, Quarter]],
    distributors=None,
    *,
    mdf: list[MdfDifference] | None = None,
) -> tuple[list[Difference], dict[str, dict[str, set]]]:
    """What differs today in each approved quarter, and the inputs now in force for each
    (quarter text -> distributor -> (kind, submission id)), read in one pass. Given a list
    ``mdf``, the MDF accrued that differs (:class:`MdfDifference`) is added to it, from the
    same evaluation."""
    if not approved:
        return [], {}
    results, figures = evaluate_quarters(
        ledger, [q for _, q in approved], distributors=distributors
    )
    by_quarter: dict[str, dict[tuple[str, str], RebateResult]] = {}
    for r in results:
        by_quarter.setdefault(str(r.quarter), {})[(r.distributor_id, r.program_id)] = r
    mdf_rates = {p.rules.program_id: p.rules.mdf_rate for p in programs(ledger)}
    out, now_inputs, mdf_out = [], {}, []
    currency = ledger.settings().reporting_currency  # a units rate reads "EUR 1.50 per unit"
    for a, q in approved:
        now_results = by_quarter.get(a.quarter, {})
        was = settled(ledger, a.quarter)
        if distributors:
            was = {k: s for k, s in was.items() if k[0] in distributors}
        now_in = inputs_in_force(ledger, q)
        then_in = settled_inputs(ledger, a.quarter)
        now_inputs[a.quarter] = now_in

        def inputs_changed(d: str, now_in=now_in, then_in=then_in) -> tuple[list, list]:
            now_set = now_in.get(d, set()) | now_in.get(SHARED, set())
            then_set = then_in.get(d, set()) | then_in.get(SHARED, set())
            return sorted(sid for _, sid in now_set - then_set), sorted(
                sid for _, sid in then_set - now_set
            )

        if mdf is not None:
            was_mdf = settled_mdf(ledger, a.quarter)
            if distributors:
                was_mdf = {k: s for k, s in was_mdf.items() if k[0] in distributors}
            for key in sorted(set(was_mdf) | set(now_results)):
                r, s = now_results.get(key), was_mdf.get(key)
                recomputed = r.mdf_accrued if r else ZERO
                if recomputed == (s.amount if s else ZERO):
                    continue
                f = figures.get((a.quarter, key[0]))
                revenue = f.revenue if f is not None else ZERO
                if s is None:
                    what = "not on the approved statement (the program accrues MDF for it now)"
                elif r is None:
                    what = "no longer evaluated (the program no longer applies to it)"
                else:
                    what = _mdf_changed(s.revenue, revenue, mdf_rates.get(key[1]))
                new, replaced = inputs_changed(key[0])
                mdf_out.append(
                    MdfDifference(
                        a,
                        key[0],
                        key[1],
                        r.program_name if r else "",
                        s.approved if s else ZERO,
                        s.earlier_adjustments if s else ZERO,
                        recomputed,
                        revenue,
                        what,
                        new,
                        replaced,
                    )
                )
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
                what = changed_steps(  # in the statement's units: %, money per unit
                    s.steps, steps, measure=r.measure_name, currency=currency
                )
            new, replaced = inputs_changed(key[0])
            out.append(
                Difference(
                    a,
                    key[0],
                    key[1],
                    r.program_name if r else "",
                    approved_amount,
                    earlier,
                    recomputed,
                    steps,
                    what,
                    new,
                    replaced,
                )
            )
    every = [*out, *mdf_out]
    names = describe_submissions(ledger, [i for x in every for i in (*x.new, *x.replaced)])
    for x in every:
        x.new = [names.get(i, f"#{i}") for i in x.new]
        x.replaced = [names.get(i, f"#{i}") for i in x.replaced]
    if mdf is not None:
        mdf.extend(mdf_out)
    return out, now_inputs


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


def next_open(ledger: Ledger, quarter: Quarter) -> Quarter:
    """The first quarter after ``quarter`` that is not approved."""
    names = {a.quarter for a in approvals(ledger)}
    after = quarter + 1
    while str(after) in names:
        after = after + 1
    return after

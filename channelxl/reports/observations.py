"""Plain-language observations derived from a distributor's QBR facts.

Each rule reads figures already in the facts and says one thing a channel manager would
raise in the review, with the numbers that justify it. Rules are ordered by how much money
or risk they concern; a quiet quarter yields few sentences, never filler. Thresholds:

- sell-through below 90 % of target, or at/above 100 %; growth vs last year beyond ±10 %;
- inventory: the loading verdict of the reconciliation (``watch`` / ``loading``) with its
  signals; weeks of supply above the loading limit;
- resellers: more lapsed than new; the largest reseller above 30 % of revenue;
- certification below its target;
- rebates: held or withheld amounts, and a next tier within 10 % of the measure;
- territory: any line out of territory or not appointed, and exclusive conflicts;
- reports: late or missing months, quarantined lines;
- first of all, for an approved quarter whose inputs changed since: the adjustments carried
  to the next open quarter, net.
"""

from __future__ import annotations

from decimal import Decimal

from channelxl.core.money import D
from channelxl.core.reconcile import FLAGS
from channelxl.core.wording import noun, plural
from channelxl.reports.formatting import money, number, pct

NEAR_TIER = Decimal("0.10")
CONCENTRATION = Decimal("0.30")


def flagged_lines_text(counts: dict) -> str:
    """The reconciliation's flagged sell-through lines in words, most frequent first:
    ``2 lines: duplicate invoice line (reported more than once); 1 line: resold below the
    floor price`` (``no sell-through line was flagged`` for none)."""
    if not counts:
        return "no sell-through line was flagged"
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return "; ".join(f"{plural(n, 'line')}: {FLAGS.get(flag, flag)}" for flag, n in ordered)


def conflict_sentence(c: dict) -> str:
    """One exclusive-territory conflict as the distributor may read it: where and when,
    never with whom."""
    segment = "every segment" if c.get("segment") in (None, "*") else f"the {c['segment']} segment"
    until = f" to {c['overlap_to']}" if c.get("overlap_to") else " on, with no end date"
    return (
        f"Its exclusive rights to {segment} in {c['country']} overlap another distributor's "
        f"exclusive rights from {c['overlap_from']}{until}; the vendor is resolving it."
    )


def _d(x) -> Decimal | None:
    return None if x is None else D(x)


def observations(doc: dict) -> list[str]:
    """Sentences for the review, most important first."""
    cur = doc["currency"]
    out: list[str] = []
    approval = doc.get("approval") or {}
    changed = []
    for kind, what in (("rebate", "its rebates"), ("MDF", "its MDF accrued")):
        lines = [x for x in approval.get("adjustments", []) if x["kind"] == kind]
        if lines:
            net = sum((D(x["difference"]) for x in lines), Decimal(0))
            changed.append(
                f"{what} by {'+' if net >= 0 else '−'}{money(abs(net), cur)} "
                f"({'; '.join(x['program'] or x['program_id'] for x in lines)})"
            )
    if changed:
        out.append(
            f"{approval['quarter']} is {approval['said']}; since then {' and '.join(changed)} "
            f"changed, carried as prior-period adjustments in {approval['carried_in']}: the "
            "approved amounts stand."
        )
    st = doc["sell_through"]
    vs_target, vs_ly = _d(st["vs_target"]), _d(st["vs_last_year"])
    if vs_target is not None:
        gap = _d(st["target"]) - _d(st["revenue"])
        if vs_target < Decimal("0.9"):
            out.append(
                f"Sell-through reached {pct(vs_target)} of the {money(st['target'], cur, cents=False)} "
                f"target, {money(gap, cur, cents=False)} short."
            )
        elif vs_target >= 1:
            out.append(
                f"Sell-through beat its target: {pct(vs_target)} of "
                f"{money(st['target'], cur, cents=False)}."
            )
    if vs_ly is not None and abs(vs_ly) >= Decimal("0.1"):
        word = "grew" if vs_ly > 0 else "fell"
        out.append(
            f"Sell-through {word} {pct(abs(vs_ly))} on the same quarter last year "
            f"({money(st['prior_revenue'], cur, cents=False)} -> {money(st['revenue'], cur, cents=False)})."
        )
    for r in doc["rebates"]:
        if r["status"] == "held":
            out.append(
                f"{r['program']}: {money(r['held_amount'], cur)} is held for inventory loading "
                "until the stock comes down."
            )
        elif r["status"] == "withheld":
            gates = "; ".join(n for n in r["notes"] if n.startswith("withheld"))
            out.append(f"{r['program']}: nothing is paid this quarter ({gates}).")
        gap, measure = _d(r["next_tier_gap"]), _d(r["measure"])
        if gap is not None and measure and measure > 0 and gap <= NEAR_TIER * measure:
            size = (
                money(gap, cur, cents=False)
                if r["measure_name"] == "revenue"
                else f"{number(gap)} {noun(gap, 'unit')}"
                if r["measure_name"] == "units"
                else f"{pct(gap)} points of growth"
            )
            out.append(f"{r['program']}: the next tier is only {size} away.")
    stock = doc["stock"]
    loading = stock.get("loading") or {}
    if loading.get("verdict") in ("watch", "loading"):
        out.append(
            f"Inventory {'loading' if loading['verdict'] == 'loading' else 'to watch'}: "
            f"{loading.get('signals') or 'see the stock section'}."
        )
    net = doc["resellers"]
    if net["lapsed"] > net["new"] + net["reactivated"]:
        out.append(
            f"The reseller network shrank: {net['lapsed']} lapsed against {net['new']} new and "
            f"{net['reactivated']} reactivated."
        )
    if net["top"]:
        share = _d(net["top"][0]["share"])
        if share is not None and share > CONCENTRATION:
            out.append(
                f"{net['top'][0]['name'] or net['top'][0]['reseller_id']} alone is {pct(share)} of "
                "sell-through: a concentration risk."
            )
    cert = doc["certification"]
    rate, target = _d(cert["rate"]), _d(cert["target"])
    if rate is not None and target is not None and rate < target:
        out.append(
            f"Certification is at {pct(rate)} of active resellers against a {pct(target)} target "
            f"({cert['certified_resellers']} of {cert['active_resellers']})."
        )
    terr = doc["territory"]
    outside = terr["out"] + terr["not_appointed"]
    if outside:
        out.append(
            f"{number(outside)} of {plural(terr['lines'], 'sell-through line')} "
            f"({plural(terr['out_units'], 'unit')}) {'falls' if outside == 1 else 'fall'} "
            "outside the distributor's territory."
        )
    out.extend(conflict_sentence(c) for c in terr["conflicts"])
    rep = doc["reporting"]
    late = [m["month"] for m in rep["months"] if m["status"] == "late"]
    missing = [m["month"] for m in rep["months"] if m["status"] == "missing"]
    if missing:
        out.append(f"No sell-through report for {', '.join(missing)}.")
    if late:
        out.append(
            f"Report{'s' if len(late) > 1 else ''} for {', '.join(late)} came in after the "
            f"due day ({rep['due_day']} of the following month)."
        )
    if rep["lines_quarantined"]:
        out.append(
            f"Rejected, and not in these figures: {plural(rep['lines_quarantined'], 'reported line')}; "
            "the feedback workbooks list each one."
        )
    return out

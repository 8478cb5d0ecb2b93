"""The QBR's sections, from one distributor's facts file: what the report notebook calls.

The notebook (``notebooks/qbr.ipynb``) loads the facts with :func:`load`, then calls one
function per section; each returns a :class:`Block` that Jupyter displays as HTML.
:data:`SECTIONS` lists them in the review's order. The HTML pieces are in
``reports.html``, the charts (PNG data URIs, so the exported HTML is one self-contained
file) in ``reports.charts``. Every text from the ledger is HTML-escaped.

Nothing here reads the ledger or computes a figure the facts file does not hold, apart
from presentation arithmetic (shares of a total, differences shown in a table); a figure in
the report can be found in ``facts/<distributor>.json`` beside it.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from channelxl.core.money import D
from channelxl.core.wording import plural
from channelxl.issues import CODES, label
from channelxl.reports.charts import sell_through_chart, stock_chart, tier_chart
from channelxl.reports.formatting import NONE, dec, measure, money, number, pct, rate
from channelxl.reports.html import Block, bar, e, mark, section, table, tiles, vs
from channelxl.reports.observations import conflict_sentence, flagged_lines_text
from channelxl.reports.paths import safe_name


def load(facts_dir: str, distributor_id: str) -> dict:
    """The facts document of one distributor (``<facts_dir>/<id>.json``)."""
    path = Path(facts_dir) / f"{safe_name(distributor_id)}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def header(doc: dict) -> Block:
    d = doc["distributor"]
    return Block(
        '<header class="report-title">'
        f'<div class="kicker">Quarterly business review · {e(doc["quarter"])}'
        f"{' · ' + e(doc['span']) if doc.get('span') else ''}</div>"
        f"<h1>{e(d['name'])}</h1>"
        f'<div class="meta">{e(d["id"])} · {e(d["type"])} distributor · {e(d["country"])} · '
        f"figures in {e(doc['currency'])}, sell-through converted at each month's rate"
        f" · ledger as of {e((doc.get('ledger_as_of') or NONE)[:16].replace('T', ' '))}</div>"
        f'<div class="meta">Quarters: {e(doc.get("calendar") or "calendar quarters")}</div>'
        "</header>"
    )


def headline(doc: dict) -> Block:
    cur = doc["currency"]
    st, stock, net = doc["sell_through"], doc["stock"], doc["resellers"]
    paid = rebates_earned(doc)
    on_time = sum(m["status"] == "on time" for m in doc["reporting"]["months"])
    kpis = tiles(
        [
            (
                "Sell-through",
                money(st["revenue"], cur, cents=False),
                f"{vs(st['vs_target'], signed=False)} of target · {vs(st['vs_last_year'])} vs last year",
            ),
            (
                "Rebates earned",
                money(paid, cur),
                plural(len(doc["rebates"]), "program")
                + (" · as approved" if doc.get("approval") else ""),
            ),
            (
                "Weeks of supply",
                number(stock["weeks_of_supply"], 1),
                f"loading check: {e((stock.get('loading') or {}).get('verdict', NONE))}",
            ),
            (
                "Active resellers",
                number(net["active"]),
                f"{net['new']} new · {net['reactivated']} back · {net['lapsed']} lapsed",
            ),
            (
                "Certified resellers",
                pct(doc["certification"]["rate"]),
                f"target {pct(doc['certification']['target'])}",
            ),
            ("Reports on time", f"{on_time} of {len(doc['reporting']['months'])}", "months"),
        ]
    )
    sc = doc["scorecard"]
    rows = []
    for m in sc["metrics"]:
        att = m["attainment"]
        rows.append(
            [
                e(m["label"]),
                measure(m["target"], m["unit"], cur),
                measure(m["actual"], m["unit"], cur),
                vs(att, signed=False) if att is not None else NONE,
                bar(att),
                pct(m["weight"], 0) if m["weight"] is not None else NONE,
            ]
        )
    plan = table(
        ["Joint business plan", "Target", "Actual", "Attainment", "", "Weight"],
        rows,
        numeric={1, 2, 3, 5},
        cls="scorecard",
    )
    score = ""
    if sc["score"] is not None:
        score = (
            f'<p class="score">Scorecard of <b>{e(sc["program"])}</b>: score '
            f"{pct(sc['score'])}, payout {pct(sc['payout'], 0)} of the tier rebate.</p>"
        )
    return section("Headline", approval(doc) + kpis + plan + score, anchor="headline")


def approval(doc: dict) -> str:
    """For an approved quarter: who approved it and when, that the money shown is the
    approved statement's, and what changed since (each adjustment with the quarter that
    carries it, or already settled by a later approval). "" for an open quarter."""
    a = doc.get("approval")
    if not a:
        return ""
    cur = doc["currency"]
    text = (
        f"<p class='approval'><b>{e(a['quarter'])} is approved</b> ({e(a['said'])}"
        + (f"; {e(a['note'])}" if a.get("note") else "")
        + "): the rebate and MDF amounts in this review are the approved statement's. "
        "Sell-through and the other figures are the ledger's today.</p>"
    )
    items = [
        f"{e(x['kind'])} {e(x['program'] or x['program_id'])}: {money(x['amount'], cur)} already "
        "adjusted in a later approved statement"
        for x in a.get("adjusted_since", [])
    ]
    adjustments = a.get("adjustments", [])
    for x in adjustments:
        what = "MDF accrued" if x["kind"] == "MDF" else "rebate"
        items.append(
            f"{e(x['program'] or x['program_id'])} {what}: approved "
            f"{money(x['approved_amount'], cur)}, {money(x['recomputed_amount'], cur)} on "
            f"today's data, <b>{signed_money(x['difference'], cur)}</b> carried as a "
            f"prior-period adjustment in {e(a['carried_in'])} ({e(x['what_changed'])})"
        )
    if adjustments:
        text += (
            "<p class='approval'>Its inputs have changed since it was approved; the approved "
            "amounts stand and the difference is settled in the next open quarter:</p>"
        )
    if items:
        text += "<ul class='approval'>" + "".join(f"<li>{x}</li>" for x in items) + "</ul>"
    return text


def signed_money(value, cur: str) -> str:
    """``+€150.00`` / ``−€250,000.00``: a difference, with its sign."""
    v = D(value)
    return ("+" if v >= 0 else "−") + money(abs(v), cur)


def rebates_earned(doc: dict) -> Decimal:
    """What the distributor's rebate programs pay for the quarter, all programs together."""
    return sum((D(r["amount"]) for r in doc["rebates"]), Decimal(0))


def observations(doc: dict) -> Block:
    items = doc.get("observations") or ["Nothing stands out this quarter."]
    return section(
        "Observations",
        "<ul class='observations'>" + "".join(f"<li>{e(x)}</li>" for x in items) + "</ul>",
        anchor="observations",
    )


def sell_through(doc: dict) -> Block:
    cur = doc["currency"]
    st = doc["sell_through"]
    trend = st["trend"]
    chart = sell_through_chart(trend, cur)
    rows = [
        [e(m["month"]), money(m["revenue"], cur), number(m["units"])] for m in st["monthly"]
    ] + [["<b>Quarter</b>", f"<b>{money(st['revenue'], cur)}</b>", f"<b>{number(st['units'])}</b>"]]
    by_month = table(["Month", "Revenue", "Units"], rows, numeric={1, 2})
    against = table(
        ["", "Amount", "Actual vs it"],
        [
            ["Target", money(st["target"], cur), vs(st["vs_target"], signed=False)],
            [
                f"Same quarter last year ({e(trend[0]['quarter'])})",
                money(st["prior_revenue"], cur),
                vs(st["vs_last_year"]),
            ],
        ],
        numeric={1, 2},
    )
    note = ""
    if st["missing_fx"]:
        note = f'<p class="note">Not included (no exchange rate): {e(", ".join(st["missing_fx"]))}.</p>'
    return section(
        "Sell-through",
        chart + '<div class="cols">' + by_month + against + "</div>" + note,
        anchor="sell-through",
    )


def stock(doc: dict) -> Block:
    s = doc["stock"]
    monthly = s["monthly"]
    body = ""
    if monthly:
        body += stock_chart(monthly)
        body += table(
            [
                "Month",
                "Sell-in (net of returns)",
                "of which returned",
                "Sell-through",
                "Closing stock",
                "Weeks of supply",
            ],
            [
                [
                    e(m["month"]),
                    number(m["sell_in"]),
                    number(m["returns"]),
                    number(m["sell_through"]),
                    number(m["closing"]),
                    number(m["weeks_of_supply"], 1),
                ]
                for m in monthly
            ],
            numeric={1, 2, 3, 4, 5},
        )
    loading = s.get("loading") or {}
    verdict = loading.get("verdict")
    rec = s["reconciliation"]
    body += (
        f"<p>Quarter: sell-in {plural(s['sell_in_units'], 'unit')} (net of returns), "
        f"sell-through ratio {pct(s['sell_through_ratio'], 0)} (units sold / units bought), "
        f"closing stock {plural(s['closing_units'] or 0, 'unit')} = "
        f"{number(s['weeks_of_supply'], 1)} weeks of supply. Inventory-loading check: "
        f"{mark(verdict == 'ok' if verdict else None, e(verdict or NONE))}"
        f"{' — ' + e(loading.get('signals')) if verdict not in (None, 'ok') else ''}.</p>"
        # the table's sell-in is already net of returns: subtracting them again would not
        # give the closing stock shown
        f"<p>Reconciliation, per SKU and month: last month's closing stock + sell-in (net of "
        f"returns) − sell-through = this month's closing stock. "
        f"{rec['flagged_rows']} of {plural(rec['rows'], 'row')} differ or carry a flag, net "
        f"variance {plural(rec['variance_units'], 'unit')}; "
        f"{e(flagged_lines_text(rec['flagged_lines']))}.</p>"
    )
    return section("Sell-in, sell-through and stock", body, anchor="stock")


def resellers(doc: dict) -> Block:
    cur = doc["currency"]
    n = doc["resellers"]
    counts = tiles(
        [
            ("Active", number(n["active"]), f"{number(n['previous_active'])} last quarter"),
            ("New", number(n["new"]), "first purchase ever"),
            ("Reactivated", number(n["reactivated"]), "back after a quiet quarter"),
            ("Retained", number(n["retained"]), "active both quarters"),
            ("Lapsed", number(n["lapsed"]), "active last quarter, not this one"),
        ]
    )
    top = table(
        ["#", "Reseller", "Country", "Revenue", "Share", "Units", "Certified"],
        [
            [
                str(r["rank"]),
                f"{e(r['name'] or '')} <span class='muted'>{e(r['reseller_id'])}</span>",
                e(r["country"]),
                money(r["revenue"], cur),
                pct(r["share"]),
                number(r["units"]),
                "yes" if r["certified"] else mark(False, "no"),
            ]
            for r in n["top"]
        ],
        numeric={3, 4, 5},
    )
    return section("Reseller network", counts + "<h3>Top resellers</h3>" + top, anchor="resellers")


def enablement(doc: dict) -> Block:
    """Certification in the reseller portfolio, demand generation and MDF."""
    cur = doc["currency"]
    c, a = doc["certification"], doc["activities"]
    rate, target = dec(c["rate"]), dec(c["target"])
    cert = (
        f"<p>{number(c['certified_resellers'])} of {number(c['active_resellers'])} active resellers "
        f"hold a current certification: <b>{pct(rate)}</b> against a target of {pct(target)} "
        f"{mark(None if rate is None or target is None else rate >= target, 'met' if rate is not None and target is not None and rate >= target else 'not met' if target is not None else 'no target')}"
        f"; {plural(c['people'], 'certified person', 'certified people')}.</p>"
    )
    activities = (
        f"<p>Demand generation: {plural(a['planned'], 'activity')} planned in the quarter, "
        f"{number(a['completed'])} completed (target {number(a['target'])}). MDF claimed "
        f"{money(a['mdf_claimed'], cur)}; MDF accrued by the rebate programs "
        f"{money(a['mdf_accrued'], cur)}.</p>"
    )
    rows = [
        [
            e(x["name"]),
            e(x["type"]),
            e(x["planned"]),
            e(x["completed"] or NONE),
            e(x["status"]),
            money(x["mdf_claimed"], x["currency"]) if x["mdf_claimed"] is not None else NONE,
        ]
        for x in a["list"]
    ]
    listing = (
        table(
            ["Activity", "Type", "Planned", "Completed", "Status", "MDF claimed"], rows, numeric={5}
        )
        if rows
        else "<p class='muted'>No activity planned or completed in the quarter.</p>"
    )
    return section(
        "Certification, demand generation and MDF",
        "<h3>Certification</h3>"
        + cert
        + "<h3>Activities</h3>"
        + activities
        + listing
        + mdf_fund(a.get("mdf_fund"), cur),
        anchor="enablement",
    )


def mdf_fund(f: dict | None, cur: str) -> str:
    """The distributor's MDF fund to the quarter's end: accrued, what its claims drew, what
    remains (``ledger.mdf``)."""
    if not f:
        return ""
    head = ["Accrued", "Claimed", "Approved", "Rejected", "Pending", "Remaining"]
    row = [money(f[k.lower()], cur) for k in head]
    waiting = f["pending_claims"]
    adjusted = f.get("adjustments") or []
    text = (
        f"<p>Market development funds since {e(f['from'] or NONE)}: accrued "
        f"{money(f['accrued'], cur)} ({money(f['accrued_in_quarter'], cur)} this quarter"
        + (
            f", {signed_money(f['prior_period_adjustments'], cur)} of prior-period adjustments"
            if adjusted
            else ""
        )
        + f"); {plural(f['claims'], 'claim')}; remaining <b>{money(f['remaining'], cur)}</b>"
        + (f"; {plural(waiting, 'claim')} awaiting a decision" if waiting else "")
        + ".</p>"
    )
    if adjusted:  # an approved quarter's MDF changed since: said, never restated silently
        text += (
            "<ul class='approval'>"
            + "".join(
                f"<li>Approved {e(x['quarter_adjusted'])}, {e(x['program'] or x['program_id'])}: "
                f"{signed_money(x['difference'], cur)} ({e(x['what_changed'])})</li>"
                for x in adjusted
            )
            + "</ul>"
        )
    over = -dec(f["remaining"]) if dec(f["remaining"]) < 0 else None
    flags = (
        f"<p class='muted'>Approved claims exceed what has accrued by {money(over, cur)}.</p>"
        if over
        else ""
    ) + "".join(f"<p class='muted'>{e(x)}</p>" for x in f["flags"] if not x.startswith("overdrawn"))
    return "<h3>MDF fund</h3>" + text + table(head, [row], numeric=set(range(6))) + flags


def rebates(doc: dict) -> Block:
    """Each program as a controller reads it: measure, tier and rate; tier rebate x payout =
    after scorecard; what the cap, a failed gate or a hold took away; paid; accruals."""
    cur = doc["currency"]
    if not doc["rebates"]:
        return section(
            "Rebates", "<p>No rebate program applies this quarter.</p>", anchor="rebates"
        )
    parts = []
    for r in doc["rebates"]:
        unit = {"revenue": "money", "units": "count", "growth": "growth"}.get(
            r["measure_name"], "count"
        )
        parts.append(
            f"<h3>{e(r['program'])} <span class='muted'>{e(r['program_id'])} · {e(r['method'])}</span></h3>"
            + '<div class="cols wide-left">'
            + table(["", "", ""], rebate_rows(r, unit, cur), numeric={2}, cls="kv")
            + tier_chart(r, unit, cur)
            + "</div>"
            + (
                "<ul class='notes'>" + "".join(f"<li>{e(n)}</li>" for n in r["notes"]) + "</ul>"
                if r["notes"]
                else ""
            )
        )
    totals = rebate_totals(doc)
    return section("Rebates", "".join(parts) + totals, anchor="rebates")


# how a status is marked: paid in full or capped is good, nothing to pay is neutral
STATUS_GOOD = {"earned": True, "capped": True, "no payout": None, "no baseline": None}


def rebate_rows(r: dict, unit: str, cur: str) -> list[list[str]]:
    """The rows of one program: the chain from the measure to the amount paid."""
    rate_text = rate(r["rate"], r.get("rate_unit", "fraction"), cur)
    at_top = r["next_tier_gap"] is None or D(r["next_tier_gap"]) == 0
    tier = r["tier_label"] or (f"tier {r['tier']}" if r["tier"] else "below the first tier")
    rows = [
        ["Measure", e(r["measure_name"]), measure(r["measure"], unit, cur)],
        ["Tier reached", e(tier), f"rate {rate_text}"],
        [
            "Next tier",
            "top tier reached" if at_top else "still needed",
            NONE if at_top else measure(r["next_tier_gap"], unit, cur),
        ],
        ["Tier rebate", "the tier table on the measure", money(r["tier_rebate"], cur)],
    ]
    if r.get("payout") is not None:
        rows.append(
            [
                "× scorecard payout",
                f"score {pct(r['score'])} → payout {pct(r['payout'], 1)}: "
                f"{money(r['tier_rebate'], cur)} × {pct(r['payout'], 1)}",
                f"= {money(r['after_scorecard'], cur)}",
            ]
        )
    if r.get("cap_applied"):
        rows.append(["− Cap", "the quarterly cap", f"−{money(r['capped_amount'], cur)}"])
    for g in r.get("gates", []):
        rows.append(
            [
                f"Gate: {e(g['name'])}",
                f"{e(g['value'])} (needs {e(g['required'])})",
                mark(g["verdict"] == "pass", e(g["verdict"])),
            ]
        )
    if D(r.get("withheld_amount") or 0):
        rows.append(
            [
                "− Withheld (forgone)",
                "gate failed: "
                + e(", ".join(g["name"] for g in r.get("gates", []) if g["verdict"] == "FAIL")),
                mark(False, f"−{money(r['withheld_amount'], cur)}"),
            ]
        )
    if D(r["held_amount"]):
        rows.append(
            [
                "− Held for inventory loading",
                e(r.get("hold_reason") or ""),
                mark(False, f"−{money(r['held_amount'], cur)}"),
            ]
        )
    status = r["status"]
    rows.append(
        [
            "Paid" if status != "no payout" else "No payout",
            mark(STATUS_GOOD.get(status, False), e(status)),
            f"<b>{money(r['amount'], cur)}</b>",
        ]
    )
    if r.get("adjustment"):
        x = r["adjustment"]
        rows.append(
            [
                "Prior-period adjustment",
                f"carried in {e(x['carried_in'])}: {e(x['what_changed'])}",
                signed_money(x["difference"], cur),
            ]
        )
    rows.append(
        [
            "Accrued during the quarter",
            "at the expected payout each month",
            money(r["accrued"], cur),
        ]
    )
    if D(r.get("accrued_held") or 0):
        rows.append(["Accrued into the held bucket", "", money(r["accrued_held"], cur)])
    rows.append(["True-up vs accruals", "paid − accrued", money(r["true_up"], cur)])
    if D(r["mdf_accrued"]):
        rows.append(["MDF accrued", "", money(r["mdf_accrued"], cur)])
    return rows


def rebate_totals(doc: dict) -> str:
    """All programs together: paid, withheld, held, accrued, true-up, MDF."""
    if len(doc["rebates"]) < 2:
        return ""
    cur = doc["currency"]
    keys = [
        ("Paid", "amount"),
        ("Withheld", "withheld_amount"),
        ("Held", "held_amount"),
        ("Accrued", "accrued"),
        ("True-up", "true_up"),
        ("MDF accrued", "mdf_accrued"),
    ]
    row = [money(sum((D(r.get(k) or 0) for r in doc["rebates"]), Decimal(0)), cur) for _, k in keys]
    return "<h3>All programs</h3>" + table(
        [label for label, _ in keys], [row], numeric=set(range(len(keys)))
    )


def territory(doc: dict) -> Block:
    t = doc["territory"]
    outside = t["out"] + t["not_appointed"]
    body = (
        f"<p>{plural(t['lines'], 'sell-through line')}: {number(t['in'])} in territory, "
        f"{number(t['out'])} out of territory, {number(t['not_appointed'])} on dates without an "
        f"appointment ({plural(t['out_units'], 'unit')} outside in all).</p>"
    )
    if outside:
        body += table(
            ["Status", "Country", "Lines", "Units"],
            [
                [e(x["status"]), e(x["country"]), number(x["lines"]), number(x["units"])]
                for x in t["exceptions"]
            ],
            numeric={2, 3},
        )
    for c in t["conflicts"]:
        body += f"<p>{mark(False, 'Conflict')} {e(conflict_sentence(c))}</p>"
    if t["free_riding_resellers"]:
        body += (
            f"<p>{number(t['free_riding_resellers'])} of its resellers also bought the same product "
            "family from another distributor in the same country this quarter.</p>"
        )
    return section("Territory", body, anchor="territory")


def reporting(doc: dict) -> Block:
    r = doc["reporting"]
    months = table(
        ["Month", "Due", "First report received", "Status"],
        [
            [
                e(m["month"]),
                e(m["due"]),
                e((m["first_received"] or NONE)[:16].replace("T", " ")),
                mark(m["status"] == "on time", e(m["status"])),
            ]
            for m in r["months"]
        ],
    )
    counts = (
        f"<p>{plural(r['files'], 'sell-through and inventory file')} accepted for the "
        f"quarter ({number(r['resubmissions'])} later replaced by a corrected file); "
        f"{plural(r['lines_read'], 'line')} read, {number(r['lines_loaded'])} loaded, "
        f"{number(r['lines_quarantined'])} rejected.</p>"
    )
    found = [
        [
            e(label(code)),  # people read the words, not the code
            e(CODES.get(code, "")),
            "rejected" if kind == "quarantined" else "warning",
            number(n),
        ]
        for kind in ("quarantined", "warnings")
        for code, n in sorted(r[kind].items())
    ]
    issues = (
        table(["Problem", "Meaning", "Effect", "Lines"], found, numeric={3})
        if found
        else "<p>No line was rejected or warned about.</p>"
    )
    return section(
        "Quality and timeliness of reports", months + counts + issues, anchor="reporting"
    )


def footer(doc: dict) -> Block:
    return Block(
        '<footer class="method"><h2>How these figures are made</h2><p>Sell-through revenue is '
        "quantity × unit price of each reported line, converted with the month's exchange rate "
        "and summed exactly; money is rounded half-up to the cent once, where it is shown. "
        "A later report for the same month replaces the earlier one. Weeks of supply = closing "
        "stock / average weekly sell-through (13 weeks a quarter). Rebates follow the program "
        "workbook's tiers; the statement workbook shows every step. Every figure here is in "
        f"<code>facts/{e(doc['distributor']['id'])}.json</code> beside this report.</p></footer>"
    )


SECTIONS = (
    header,
    headline,
    observations,
    sell_through,
    stock,
    resellers,
    enablement,
    rebates,
    territory,
    reporting,
    footer,
)

"""The QBR's sections as HTML, from one distributor's facts file.

The report notebook (``notebooks/qbr.ipynb``) calls one function per section; each returns
a :class:`Block` that Jupyter displays as HTML. Charts are drawn with matplotlib's Agg
canvas (no pyplot state, no display backend) and embedded as PNG data URIs, so the exported
HTML is one self-contained file. Every text from the ledger is HTML-escaped.

Nothing here reads the ledger or computes a figure the facts file does not hold, apart
from presentation arithmetic (shares of a total, differences shown in a table); a figure in
the report can be found in ``facts/<distributor>.json`` beside it.
"""

from __future__ import annotations

import base64
import html
import io
import json
from decimal import Decimal
from pathlib import Path

from channelxl.core.money import D
from channelxl.issues import CODES
from channelxl.reports.formatting import NONE, dec, measure, money, money_short, number, pct

# colours: one palette for every chart and status mark (print-safe on white)
INK, MUTED, ACCENT, ACCENT2, GOOD, BAD, WARN = (
    "#1f2933",
    "#7b8794",
    "#1d5fa7",
    "#9cc3e6",
    "#1a7f37",
    "#b42318",
    "#b54708",
)
DPI = 144


class Block:
    """An HTML fragment Jupyter displays as is (``_repr_html_``)."""

    def __init__(self, markup: str):
        self.markup = markup

    def _repr_html_(self) -> str:
        return self.markup

    def __str__(self) -> str:
        return self.markup


def load(facts_dir: str, distributor_id: str) -> dict:
    """The facts document of one distributor (``<facts_dir>/<id>.json``)."""
    from channelxl.reports.worker import safe_name

    path = Path(facts_dir) / f"{safe_name(distributor_id)}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def e(text) -> str:
    return html.escape("" if text is None else str(text))


def _table(headers: list[str], rows: list[list], *, numeric: set[int] = frozenset(), cls="") -> str:
    head = "".join(
        f'<th class="{"num" if i in numeric else ""}">{e(h)}</th>' for i, h in enumerate(headers)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="{"num" if i in numeric else ""}">{cell}</td>' for i, cell in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _tiles(items: list[tuple[str, str, str]]) -> str:
    """KPI tiles: (label, value, note)."""
    return (
        '<div class="tiles">'
        + "".join(
            f'<div class="tile"><div class="label">{e(label)}</div>'
            f'<div class="value">{value}</div><div class="note">{note}</div></div>'
            for label, value, note in items
        )
        + "</div>"
    )


def _mark(good: bool | None, text: str) -> str:
    cls = "neutral" if good is None else "good" if good else "bad"
    return f'<span class="mark {cls}">{text}</span>'


def _vs(value, *, signed=True) -> str:
    """A change or attainment, coloured by sign (attainment: >= 100 % is good)."""
    if value is None:
        return NONE
    x = D(value)
    good = x >= 0 if signed else x >= 1
    return _mark(good, pct(x, signed=signed))


def _figure(fig, alt: str, caption: str) -> str:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    # fixed margins (set in _new_figure), not bbox_inches="tight": that draws everything twice
    fig.savefig(buf, format="png", dpi=DPI)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{e(alt)}">'
        f"<figcaption>{e(caption)}</figcaption></figure>"
    )


def _new_figure(width=7.2, height=2.8, margins=(0.09, 0.91, 0.11, 0.97)):
    """A figure with one axes; margins (left, right, bottom, top) as figure fractions."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    left, right, bottom, top = margins
    fig.subplots_adjust(left=left, right=right, bottom=bottom, top=top)
    ax = fig.add_subplot()
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(colors=INK, labelsize=8)
    return fig, ax


def _legend_below(ax, handles_labels) -> None:
    handles, labels = handles_labels
    ax.legend(
        handles,
        labels,
        frameon=False,
        fontsize=7,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.1),
        ncol=len(labels),
    )


def _section(title: str, body: str, *, anchor: str) -> Block:
    return Block(f'<section id="{anchor}"><h2>{e(title)}</h2>{body}</section>')


def _f(x) -> float:
    """Chart coordinates only: money stays exact everywhere else."""
    return 0.0 if x is None else float(D(x))


# ------------------------------------------------------------------ sections
def header(doc: dict) -> Block:
    d = doc["distributor"]
    return Block(
        '<header class="report-title">'
        f'<div class="kicker">Quarterly business review · {e(doc["quarter"])}</div>'
        f"<h1>{e(d['name'])}</h1>"
        f'<div class="meta">{e(d["id"])} · {e(d["type"])} distributor · {e(d["country"])} · '
        f"figures in {e(doc['currency'])}, sell-through converted at each month's rate"
        f" · ledger as of {e((doc.get('ledger_as_of') or NONE)[:16].replace('T', ' '))}</div>"
        "</header>"
    )


def headline(doc: dict) -> Block:
    cur = doc["currency"]
    st, stock, net = doc["sell_through"], doc["stock"], doc["resellers"]
    paid = rebates_earned(doc)
    on_time = sum(m["status"] == "on time" for m in doc["reporting"]["months"])
    tiles = _tiles(
        [
            (
                "Sell-through",
                money(st["revenue"], cur, cents=False),
                f"{_vs(st['vs_target'], signed=False)} of target · {_vs(st['vs_last_year'])} vs last year",
            ),
            ("Rebates earned", money(paid, cur), f"{len(doc['rebates'])} program(s)"),
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
                _vs(att, signed=False) if att is not None else NONE,
                _bar(att),
                pct(m["weight"], 0) if m["weight"] is not None else NONE,
            ]
        )
    table = _table(
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
    return _section("Headline", tiles + table + score, anchor="headline")


def rebates_earned(doc: dict) -> Decimal:
    """What the distributor's rebate programs pay for the quarter, all programs together."""
    return sum((D(r["amount"]) for r in doc["rebates"]), Decimal(0))


def _bar(fraction) -> str:
    """A small attainment bar (CSS), capped at 150 % of target."""
    if fraction is None:
        return ""
    x = max(Decimal(0), min(D(fraction), Decimal("1.5")))
    width = (x / Decimal("1.5") * 100).quantize(Decimal("0.1"))
    cls = "good" if D(fraction) >= 1 else "bad"
    return f'<div class="bar"><span class="{cls}" style="width:{width}%"></span><i></i></div>'


def observations(doc: dict) -> Block:
    items = doc.get("observations") or ["Nothing stands out this quarter."]
    return _section(
        "Observations",
        "<ul class='observations'>" + "".join(f"<li>{e(x)}</li>" for x in items) + "</ul>",
        anchor="observations",
    )


def sell_through(doc: dict) -> Block:
    cur = doc["currency"]
    st = doc["sell_through"]
    trend = st["trend"]
    fig, ax = _new_figure(margins=(0.09, 0.97, 0.2, 0.97))
    xs = list(range(len(trend)))
    colours = [ACCENT2] * (len(trend) - 1) + [ACCENT]
    ax.bar(xs, [_f(t["revenue"]) for t in trend], color=colours, width=0.6, label="Sell-through")
    targets = [(i, _f(t["target"])) for i, t in enumerate(trend) if t["target"] is not None]
    if targets:
        ax.scatter(
            [i for i, _ in targets],
            [v for _, v in targets],
            marker="_",
            s=900,
            color=INK,
            linewidths=2,
            label="Target",
            zorder=3,
        )
    # values at the foot of each bar: clear of the target marks at any height
    for i, t in enumerate(trend):
        ax.text(
            i,
            0,
            money_short(t["revenue"], cur),
            ha="center",
            va="bottom",
            fontsize=7,
            color="white" if i == len(trend) - 1 else INK,
        )
    high = max([_f(t["revenue"]) for t in trend] + [v for _, v in targets] + [1.0])
    ax.set_ylim(0, high * 1.12)
    ax.set_xticks(xs, [t["quarter"] for t in trend])
    ax.yaxis.set_major_formatter(lambda v, _: money_short(Decimal(str(v)), cur))
    _legend_below(ax, ax.get_legend_handles_labels())
    chart = _figure(
        fig,
        "Sell-through revenue by quarter with targets",
        f"Sell-through revenue, last five quarters ({cur}); bars: actual, dashes: target.",
    )
    rows = [
        [e(m["month"]), money(m["revenue"], cur), number(m["units"])] for m in st["monthly"]
    ] + [["<b>Quarter</b>", f"<b>{money(st['revenue'], cur)}</b>", f"<b>{number(st['units'])}</b>"]]
    table = _table(["Month", "Revenue", "Units"], rows, numeric={1, 2})
    vs = _table(
        ["", "Amount", "Actual vs it"],
        [
            ["Target", money(st["target"], cur), _vs(st["vs_target"], signed=False)],
            [
                f"Same quarter last year ({e(trend[0]['quarter'])})",
                money(st["prior_revenue"], cur),
                _vs(st["vs_last_year"]),
            ],
        ],
        numeric={1, 2},
    )
    note = ""
    if st["missing_fx"]:
        note = f'<p class="note">Not included (no exchange rate): {e(", ".join(st["missing_fx"]))}.</p>'
    return _section(
        "Sell-through",
        chart + '<div class="cols">' + table + vs + "</div>" + note,
        anchor="sell-through",
    )


def stock(doc: dict) -> Block:
    s = doc["stock"]
    monthly = s["monthly"]
    body = ""
    if monthly:
        fig, ax = _new_figure(margins=(0.09, 0.91, 0.2, 0.97))
        xs = list(range(len(monthly)))
        w = 0.38
        ax.bar(
            [x - w / 2 for x in xs],
            [m["sell_in"] for m in monthly],
            w,
            color=ACCENT2,
            label="Sell-in (net of returns)",
        )
        ax.bar(
            [x + w / 2 for x in xs],
            [m["sell_through"] for m in monthly],
            w,
            color=ACCENT,
            label="Sell-through",
        )
        ax.set_xticks(xs, [m["month"] for m in monthly])
        ax.set_ylabel("units", fontsize=8, color=INK)
        ax2 = ax.twinx()
        wos = [
            (i, _f(m["weeks_of_supply"]))
            for i, m in enumerate(monthly)
            if m["weeks_of_supply"] is not None
        ]
        if wos:
            ax2.plot(
                [i for i, _ in wos],
                [v for _, v in wos],
                color=WARN,
                marker="o",
                label="Weeks of supply",
            )
            ax2.set_ylim(0, max(v for _, v in wos) * 1.15 or 1)
        ax2.set_ylabel("weeks of supply", fontsize=8, color=WARN)
        ax2.tick_params(labelsize=8, colors=WARN)
        ax2.spines["top"].set_visible(False)
        top = max([m["sell_in"] for m in monthly] + [m["sell_through"] for m in monthly] + [1])
        ax.set_ylim(0, top * 1.1)
        handles, more = ax.get_legend_handles_labels(), ax2.get_legend_handles_labels()
        _legend_below(ax, (handles[0] + more[0], handles[1] + more[1]))
        body += _figure(
            fig,
            "Monthly sell-in and sell-through in units, with weeks of supply",
            "Sell-in vs sell-through by month (units, left) and weeks of supply at month end (right).",
        )
        body += _table(
            ["Month", "Sell-in", "Returns", "Sell-through", "Closing stock", "Weeks of supply"],
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
    flags = ", ".join(f"{k} {v}" for k, v in sorted(rec["flagged_lines"].items())) or "none"
    body += (
        f"<p>Quarter: sell-in {number(s['sell_in_units'])} units, sell-through ratio "
        f"{pct(s['sell_through_ratio'], 0)} (units sold / units bought), closing stock "
        f"{number(s['closing_units'])} units = {number(s['weeks_of_supply'], 1)} weeks of supply. "
        f"Inventory-loading check: "
        f"{_mark(verdict == 'ok' if verdict else None, e(verdict or NONE))}"
        f"{' — ' + e(loading.get('signals')) if verdict not in (None, 'ok') else ''}.</p>"
        f"<p>Reconciliation (opening + sell-in − returns − sell-through = closing, per SKU and "
        f"month): {rec['flagged_rows']} of {rec['rows']} rows flagged, net variance "
        f"{number(rec['variance_units'])} units; flagged lines: {e(flags)}.</p>"
    )
    return _section("Sell-in, sell-through and stock", body, anchor="stock")


def resellers(doc: dict) -> Block:
    cur = doc["currency"]
    n = doc["resellers"]
    tiles = _tiles(
        [
            ("Active", number(n["active"]), f"{number(n['previous_active'])} last quarter"),
            ("New", number(n["new"]), "first purchase ever"),
            ("Reactivated", number(n["reactivated"]), "back after a quiet quarter"),
            ("Retained", number(n["retained"]), "active both quarters"),
            ("Lapsed", number(n["lapsed"]), "active last quarter, not this one"),
        ]
    )
    top = _table(
        ["#", "Reseller", "Country", "Revenue", "Share", "Units", "Certified"],
        [
            [
                str(r["rank"]),
                f"{e(r['name'] or '')} <span class='muted'>{e(r['reseller_id'])}</span>",
                e(r["country"]),
                money(r["revenue"], cur),
                pct(r["share"]),
                number(r["units"]),
                "yes" if r["certified"] else _mark(False, "no"),
            ]
            for r in n["top"]
        ],
        numeric={3, 4, 5},
    )
    return _section("Reseller network", tiles + "<h3>Top resellers</h3>" + top, anchor="resellers")


def enablement(doc: dict) -> Block:
    """Certification in the reseller portfolio, demand generation and MDF."""
    cur = doc["currency"]
    c, a = doc["certification"], doc["activities"]
    rate, target = dec(c["rate"]), dec(c["target"])
    cert = (
        f"<p>{number(c['certified_resellers'])} of {number(c['active_resellers'])} active resellers "
        f"hold a current certification: <b>{pct(rate)}</b> against a target of {pct(target)} "
        f"{_mark(None if rate is None or target is None else rate >= target, 'met' if rate is not None and target is not None and rate >= target else 'not met' if target is not None else 'no target')}"
        f"; {number(c['people'])} certified people.</p>"
    )
    activities = (
        f"<p>Demand generation: {number(a['planned'])} activities planned in the quarter, "
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
    table = (
        _table(
            ["Activity", "Type", "Planned", "Completed", "Status", "MDF claimed"], rows, numeric={5}
        )
        if rows
        else "<p class='muted'>No activity planned or completed in the quarter.</p>"
    )
    return _section(
        "Certification, demand generation and MDF",
        "<h3>Certification</h3>" + cert + "<h3>Activities</h3>" + activities + table,
        anchor="enablement",
    )


def rebates(doc: dict) -> Block:
    cur = doc["currency"]
    if not doc["rebates"]:
        return _section(
            "Rebates", "<p>No rebate program applies this quarter.</p>", anchor="rebates"
        )
    parts = []
    for r in doc["rebates"]:
        unit = {"revenue": "money", "units": "count", "growth": "growth"}.get(
            r["measure_name"], "count"
        )
        at_top = r["next_tier_gap"] is None or D(r["next_tier_gap"]) == 0
        rows = [
            ["Measure", e(r["measure_name"]), measure(r["measure"], unit, cur)],
            [
                "Tier reached",
                e(
                    r["tier_label"]
                    or (f"tier {r['tier']}" if r["tier"] else "below the first tier")
                ),
                f"rate {pct(r['rate'], 2)}",
            ],
            [
                "Next tier",
                "top tier reached" if at_top else "still needed",
                NONE if at_top else measure(r["next_tier_gap"], unit, cur),
            ],
            ["Accrued during the quarter", "", money(r["accrued"], cur)],
            [
                "Earned (paid)",
                _mark(r["status"] in ("earned", "capped"), e(r["status"])),
                f"<b>{money(r['amount'], cur)}</b>",
            ],
            ["True-up vs accruals", "", money(r["true_up"], cur)],
        ]
        if D(r["held_amount"]):
            rows.append(["Held for inventory loading", "", money(r["held_amount"], cur)])
        if D(r["mdf_accrued"]):
            rows.append(["MDF accrued", "", money(r["mdf_accrued"], cur)])
        notes = "".join(f"<li>{e(n)}</li>" for n in r["notes"])
        chart = _tier_chart(r, unit, cur)
        parts.append(
            f"<h3>{e(r['program'])} <span class='muted'>{e(r['program_id'])} · {e(r['method'])}</span></h3>"
            + '<div class="cols wide-left">'
            + _table(["", "", ""], rows, numeric={2}, cls="kv")
            + chart
            + "</div>"
            + (f"<ul class='notes'>{notes}</ul>" if notes else "")
        )
    return _section("Rebates", "".join(parts), anchor="rebates")


def _tier_chart(r: dict, unit: str, cur: str) -> str:
    """The tier ladder as a horizontal band with the measure marked."""
    if r["measure"] is None or not r["tiers"]:
        return ""
    tiers = r["tiers"]
    value = _f(r["measure"])
    top = max(_f(tiers[-1]["threshold"]) * 1.25, value * 1.1, 1e-9)
    fig, ax = _new_figure(3.8, 1.5, margins=(0.03, 0.97, 0.2, 0.98))
    edges = [_f(t["threshold"]) for t in tiers] + [top]
    shades = ["#e4e7eb", "#cbd2d9", "#9aa5b1", "#7b8794", "#616e7c", "#52606d"]
    for i, t in enumerate(tiers):
        ax.barh(
            0, edges[i + 1] - edges[i], left=edges[i], color=shades[i % len(shades)], height=0.5
        )
        ax.text(  # at each tier's start, staggered so narrow tiers do not overprint
            edges[i],
            0.3 + 0.32 * (i % 2),
            f" {t['label'] or i + 1} {pct(t['rate'], 1)}",
            ha="left",
            va="bottom",
            fontsize=6.5,
            color=INK,
        )
    ax.axvline(value, color=BAD if r["status"] in ("withheld", "held") else ACCENT, linewidth=2.5)
    ax.set_ylim(-0.3, 1.05)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    fmt = {
        "money": lambda v, _: money_short(Decimal(str(v)), cur),
        "growth": lambda v, _: pct(Decimal(str(v)), 0),
    }.get(unit, lambda v, _: number(Decimal(str(v))))
    ax.xaxis.set_major_formatter(fmt)
    ax.tick_params(labelsize=6.5)
    return _figure(fig, f"Tier ladder of {r['program']}", "Tiers and where this quarter landed.")


def territory(doc: dict) -> Block:
    t = doc["territory"]
    outside = t["out"] + t["not_appointed"]
    body = (
        f"<p>{number(t['lines'])} sell-through lines: {number(t['in'])} in territory, "
        f"{number(t['out'])} out of territory, {number(t['not_appointed'])} on dates without an "
        f"appointment ({number(t['out_units'])} units outside in all).</p>"
    )
    if outside:
        body += _table(
            ["Status", "Country", "Lines", "Units"],
            [
                [e(x["status"]), e(x["country"]), number(x["lines"]), number(x["units"])]
                for x in t["exceptions"]
            ],
            numeric={2, 3},
        )
    for c in t["conflicts"]:
        body += (
            f"<p>{_mark(False, 'Conflict')} exclusive territory in {e(c['country'])} overlaps with "
            f"{e(c['with_name'] or c['with'])} from {e(c['overlap_from'])}"
            f"{' to ' + e(c['overlap_to']) if c['overlap_to'] else ''}.</p>"
        )
    if t["free_riding_resellers"]:
        body += (
            f"<p>{number(t['free_riding_resellers'])} of its resellers also bought the same product "
            "family from another distributor in the same country this quarter.</p>"
        )
    return _section("Territory", body, anchor="territory")


def reporting(doc: dict) -> Block:
    r = doc["reporting"]
    months = _table(
        ["Month", "Due", "First report received", "Status"],
        [
            [
                e(m["month"]),
                e(m["due"]),
                e((m["first_received"] or NONE)[:16].replace("T", " ")),
                _mark(m["status"] == "on time", e(m["status"])),
            ]
            for m in r["months"]
        ],
    )
    counts = (
        f"<p>{number(r['files'])} sell-through and inventory files accepted for the quarter "
        f"({number(r['resubmissions'])} later replaced by a corrected file); "
        f"{number(r['lines_read'])} lines read, {number(r['lines_loaded'])} loaded, "
        f"{number(r['lines_quarantined'])} rejected.</p>"
    )
    found = [
        [
            e(code),
            e(CODES.get(code, "")),
            "rejected" if kind == "quarantined" else "warning",
            number(n),
        ]
        for kind in ("quarantined", "warnings")
        for code, n in sorted(r[kind].items())
    ]
    issues = (
        _table(["Class", "Meaning", "Effect", "Lines"], found, numeric={3})
        if found
        else "<p>No line was rejected or warned about.</p>"
    )
    return _section(
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

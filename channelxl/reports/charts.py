"""The review's charts: matplotlib figures drawn with the Agg canvas (no pyplot state, no
display backend) and embedded in the HTML as PNG data URIs, so the exported review is one
self-contained file.

Each public function takes figures from a facts document and returns an HTML ``<figure>``.
Chart coordinates are floats (:func:`_f`); money stays exact everywhere else. matplotlib is
imported when the first chart is drawn, not with this module.
"""

from __future__ import annotations

import base64
import io
from decimal import Decimal

from channelxl.core.money import D
from channelxl.reports.formatting import money_short, number, pct
from channelxl.reports.html import e

# colours: one palette for every chart, the status marks' colours in templates/qbr/qbr.css
# (print-safe on white)
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


def _f(x) -> float:
    """Chart coordinates only: money stays exact everywhere else."""
    return 0.0 if x is None else float(D(x))


def _figure(fig, alt: str, caption: str) -> str:
    """``fig`` as an HTML ``<figure>``: the PNG as a data URI, ``alt`` text and a caption."""
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
    """One row of legend under the axes, so it never covers a bar or a line."""
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


def sell_through_chart(trend: list[dict], cur: str) -> str:
    """Sell-through of the last quarters (bars) against their targets (dashes)."""
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
    return _figure(
        fig,
        "Sell-through revenue by quarter with targets",
        f"Sell-through revenue, last five quarters ({cur}); bars: actual, dashes: target.",
    )


def stock_chart(monthly: list[dict]) -> str:
    """Monthly sell-in against sell-through (units), with weeks of supply on a second axis."""
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
    return _figure(
        fig,
        "Monthly sell-in and sell-through in units, with weeks of supply",
        "Sell-in vs sell-through by month (units, left) and weeks of supply at month end (right).",
    )


def tier_chart(r: dict, unit: str, cur: str) -> str:
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

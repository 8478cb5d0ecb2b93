"""The run's index page: every distributor's report with its headline figures and status.

One self-contained HTML file (no script, no external style), written atomically beside
the reports, linking each report, its PDF and its executed notebook by relative path.
"""

from __future__ import annotations

from pathlib import Path

from channelxl.io.atomic import write_atomically
from channelxl.reports.formatting import NONE, money, number, pct
from channelxl.reports.html import e
from channelxl.reports.sections import rebates_earned

STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10pt; color: #1f2933;
       margin: 8mm; }
h1 { font-size: 16pt; margin-bottom: 1mm; } .meta { color: #7b8794; margin-bottom: 4mm; }
table { border-collapse: collapse; width: 100%; }
th { text-align: left; border-bottom: 1.5px solid #1f2933; padding: 1mm 2mm; }
td { border-bottom: 1px solid #d9dee3; padding: 1mm 2mm; vertical-align: top; }
.num { text-align: right; white-space: nowrap; }
.ok { color: #1a7f37; font-weight: bold; } .bad { color: #b42318; font-weight: bold; }
.err { color: #b42318; font-size: 8.5pt; }
.note { border-left: 3px solid #b54708; background: #fffaeb; padding: 1mm 3mm;
        margin-bottom: 3mm; }
@page { size: A4 landscape; margin: 10mm; }
@media print { body { margin: 0; font-size: 8.5pt; } }
"""


def _link(path: str | None, label: str) -> str:
    return f'<a href="{e(path)}">{label}</a>' if path else ""


def _quarter_meta(manifest: dict) -> str:
    """``April – June 2026 · quarters: fiscal year starting in April, ...``."""
    calendar = manifest.get("calendar") or "calendar quarters"
    span = manifest.get("span")
    return f"{span} · quarters: {calendar}" if span else f"Quarters: {calendar}"


def write_index(path: Path, manifest: dict, docs: dict[str, dict]) -> Path:
    cur = manifest["currency"]
    rows = []
    for d, r in manifest["reports"].items():
        doc = docs.get(d)
        st = doc["sell_through"] if doc else {}
        earned = rebates_earned(doc) if doc else None
        status = (
            '<span class="ok">ok</span>'
            if r["status"] == "ok"
            else f'<span class="bad">{e(r["status"])}</span><div class="err">{e(r.get("error"))}</div>'
        )
        links = " · ".join(
            x
            for x in (
                _link(r.get("html"), "report"),
                _link(r.get("pdf"), "PDF"),
                _link(r.get("notebook"), "notebook"),
                _link(r.get("earlier_report"), "earlier run's report"),
            )
            if x
        )
        rows.append(
            "<tr>"
            f"<td>{e(d)}</td><td>{e(r.get('name'))}</td>"
            f'<td class="num">{money(st.get("revenue"), cur, cents=False) if doc else NONE}</td>'
            f'<td class="num">{pct(st.get("vs_target")) if doc else NONE}</td>'
            f'<td class="num">{pct(st.get("vs_last_year"), signed=True) if doc else NONE}</td>'
            f'<td class="num">{money(earned, cur) if doc else NONE}</td>'
            f'<td class="num">{number(doc["stock"]["weeks_of_supply"], 1) if doc else NONE}</td>'
            f"<td>{status}</td><td>{links}</td></tr>"
        )
    counts = manifest.get("counts", {})
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    notes = "".join(f'<div class="note">{e(n)}</div>' for n in manifest.get("notes", ()))
    html = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>QBR {e(manifest["quarter"])}</title>
<style>{STYLE}</style></head><body>
<h1>Quarterly business reviews {e(manifest["quarter"])}</h1>
<div class="meta">{e(_quarter_meta(manifest))}</div>
<div class="meta">{len(manifest["reports"])} distributors: {e(summary or "none yet")} ·
ledger as of {e((manifest.get("ledger_as_of") or NONE)[:16].replace("T", " "))} ·
updated {e(manifest["generated_at"][:16].replace("T", " "))} UTC · figures in {e(cur)}</div>
{notes}<table><thead><tr><th>ID</th><th>Distributor</th><th class="num">Sell-through</th>
<th class="num">vs target</th><th class="num">vs last year</th><th class="num">Rebates earned</th>
<th class="num">Weeks of supply</th><th>Status</th><th>Files</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table>
</body></html>
"""
    return write_atomically(path, html)

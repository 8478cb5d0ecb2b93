"""HTML pieces of a review: escaping, tables, KPI tiles, status marks, attainment bars, and
the section wrapper, shared by the sections (``reports.sections``) and the index page.

Every text from the ledger goes through :func:`e`. The class names (``num``, ``tiles``,
``mark good`` ...) are styled by the print CSS of the ``templates/qbr`` template.
"""

from __future__ import annotations

import html
from decimal import Decimal

from channelxl.core.money import D
from channelxl.reports.formatting import NONE, pct


class Block:
    """An HTML fragment Jupyter displays as is (``_repr_html_``)."""

    def __init__(self, markup: str):
        self.markup = markup

    def _repr_html_(self) -> str:
        return self.markup

    def __str__(self) -> str:
        return self.markup


def e(text) -> str:
    """``text`` escaped for HTML (None as empty)."""
    return html.escape("" if text is None else str(text))


def table(headers: list[str], rows: list[list], *, numeric: set[int] = frozenset(), cls="") -> str:
    """A table; ``rows`` hold markup (escape texts first), ``numeric`` the right-aligned columns."""
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


def tiles(items: list[tuple[str, str, str]]) -> str:
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


def mark(good: bool | None, text: str) -> str:
    """``text`` (markup) marked good, bad, or neutral when ``good`` is None."""
    cls = "neutral" if good is None else "good" if good else "bad"
    return f'<span class="mark {cls}">{text}</span>'


def vs(value, *, signed=True) -> str:
    """A change or attainment, coloured by sign (attainment: >= 100 % is good)."""
    if value is None:
        return NONE
    x = D(value)
    good = x >= 0 if signed else x >= 1
    return mark(good, pct(x, signed=signed))


def bar(fraction) -> str:
    """A small attainment bar (CSS), capped at 150 % of target."""
    if fraction is None:
        return ""
    x = max(Decimal(0), min(D(fraction), Decimal("1.5")))
    width = (x / Decimal("1.5") * 100).quantize(Decimal("0.1"))
    cls = "good" if D(fraction) >= 1 else "bad"
    return f'<div class="bar"><span class="{cls}" style="width:{width}%"></span><i></i></div>'


def section(title: str, body: str, *, anchor: str) -> Block:
    """One section of the review: a titled ``<section>`` that links can jump to (``#anchor``)."""
    return Block(f'<section id="{anchor}"><h2>{e(title)}</h2>{body}</section>')

"""Files of approved statements: the prior-period adjustments sheet and CSV, and an xlsx
whose bytes depend only on its content and the approval time.

The adjustment lines are declared once (``schema.outputs.ADJUSTMENTS``); the rows are made
by ``commands.approved``.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook

from channelxl.io.csvfile import write_csv
from channelxl.io.table_sheets import write_table_sheet
from channelxl.schema.outputs import ADJUSTMENTS, MONEY


def adjustments_csv_name(quarter: str) -> str:
    return f"adjustments_{quarter}.csv"


def write_adjustments(
    wb: Workbook, rows: list[dict] | None, out_dir: str | os.PathLike, quarter: str, currency: str
) -> Path | None:
    """Sheet "Prior-period adjustments" and ``adjustments_<quarter>.csv``, when the quarter
    carries the adjustments of an approved quarter (``rows`` is a list, maybe empty: the
    check was made and nothing changed); nothing when ``rows`` is None (no approved quarter
    before this one awaits its adjustments here)."""
    if rows is None:
        return None
    write_table_sheet(wb, ADJUSTMENTS, rows, validation=False)
    ws = wb.worksheets[-1]
    if currency:
        for j, column in enumerate(ADJUSTMENTS.columns, start=1):
            if column.format == MONEY:
                ws.cell(row=1, column=j).value = f"{column.name} ({currency})"
    return write_csv(
        Path(out_dir) / adjustments_csv_name(quarter),
        [c.name for c in ADJUSTMENTS.columns],
        ([_text(row.get(c.field)) for c in ADJUSTMENTS.columns] for row in rows),
    )


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def adjustments_reading(rows: list[dict] | None) -> list[str]:
    """The "How to read" paragraphs about approval and prior-period adjustments."""
    if rows is None:
        return []
    return [
        "## Prior-period adjustments (sheet Prior-period adjustments)",
        "An approved statement never changes. When a report or export for an approved quarter "
        "arrives or is corrected later, that quarter is evaluated again on today's ledger; each "
        "distributor and program whose amount differs from what was settled (the approved "
        "amount plus any earlier adjustment frozen in a later approved statement) is one line "
        "here: Difference = Recomputed Amount - Approved Amount - Earlier Adjustments, with "
        "what changed and the submissions behind it. It is carried by the first quarter after "
        "the approved one that is not approved; when that statement is approved, the "
        "adjustment is frozen with it and never carried again.",
        "Total Payable (sheet Summary) = Amount + Prior-Period Adjustments: what the "
        "distributor is paid (a negative adjustment is recovered) with this statement. The "
        "Amount column and every other column describe this quarter alone.",
    ]


_CORE_TIMES = re.compile(
    rb"(<dcterms:(created|modified) xsi:type=\"dcterms:W3CDTF\">)[^<]*(</dcterms:\2>)"
)


def frozen_xlsx(data: bytes, when: datetime) -> bytes:
    """``data`` (an xlsx openpyxl wrote) with its created and modified times (docProps/
    core.xml) and every zip member's time set to ``when`` (UTC): the same content gives the
    same bytes, whenever it is written. Members keep their order and compression."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _CORE_TIMES.sub(lambda m: m.group(1) + stamp + m.group(3), content)
            member = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            member.compress_type = info.compress_type
            member.external_attr = info.external_attr
            target.writestr(member, content)
    return out.getvalue()

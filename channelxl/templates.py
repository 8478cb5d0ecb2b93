"""Monthly report templates sent to distributors: one workbook per distributor and month.

The sheets' columns are the declared report layouts (``schema.SELL_THROUGH`` and
``schema.INVENTORY``) without Distributor ID and Period, which the template carries itself:
in custom document properties and in a very hidden sheet, so a returned file says what it
is without relying on a cell a person could overwrite.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from channelxl.core.periods import Month
from channelxl.errors import ChannelxlError
from channelxl.io.cells import country_codes, currency_codes
from channelxl.io.workbook import (
    number_format,
    save_atomically,
    write_table_sheet,
    write_text_sheet,
)
from channelxl.ledger.store import Ledger
from channelxl.schema import INVENTORY, SEGMENTS, SELL_THROUGH, Table

TEMPLATE_VERSION = "1"
META_SHEET = "_channelxl"
PREFIX = "channelxl."
TYPING_ROWS = 2000  # rows below the table pre-formatted and validated for typing


def _template_table(layout: Table, title: str, help_text: str) -> Table:
    """The layout as the template shows it: no Distributor ID or Period column."""
    columns = tuple(c for c in layout.columns if c.field not in ("distributor_id", "period"))
    return replace(layout, title=title, columns=columns, help=help_text)


SELL_THROUGH_SHEET = _template_table(
    SELL_THROUGH,
    "SellThrough",
    "What the distributor sold to resellers in the month: one row per invoice line.",
)
INVENTORY_SHEET = _template_table(
    INVENTORY, "Inventory", "The distributor's stock of each SKU at the end of the month."
)


@dataclass(frozen=True)
class TemplateFor:
    distributor_id: str
    name: str
    currency: str
    period: str
    due: date
    resellers: tuple[tuple[str, str], ...]  # authorized (id, name)
    skus: tuple[str, ...]  # active SKUs


def due_date(period: str, due_day: int) -> date:
    """A month's report is due on ``due_day`` of the following month."""
    return (Month.parse(period) + 1).first_day + timedelta(days=due_day - 1)


def instructions(t: TemplateFor) -> list[str]:
    month = Month.parse(t.period)
    return [
        f"# {t.name}: monthly report for {month.first_day:%B %Y}",
        f"Please fill in both sheets and send this file back by {t.due:%d %B %Y}.",
        "## SellThrough sheet",
        f"One row for each invoice line to a reseller dated in {month.first_day:%B %Y} "
        f"({month.first_day:%Y-%m-%d} to {month.last_day:%Y-%m-%d}). Pick Reseller ID and SKU "
        "from the lists (click the cell); the note on each header says what it needs.",
        "Dates as dates (2026-10-31); quantities as whole numbers (negative for a credit "
        f"note); unit prices in the invoice currency (usually {t.currency}).",
        "## Inventory sheet",
        f"Your stock of each SKU at the end of {month.first_day:%B %Y}: On Hand in your "
        "warehouses, In Transit shipped by us but not yet received. A SKU you do not list "
        "counts as 0.",
        "## Please",
        "Keep the sheet names, the header row and the column names as they are; you may add "
        "rows and columns of your own (they are ignored). Do not rename or delete the file's "
        "sheets. Send the file itself (xlsx, or save as .ods/.xls, or export each sheet as "
        "CSV); we will reply with any line we could not accept and why.",
    ]


def _lists(wb: Workbook, t: TemplateFor) -> dict[str, str]:
    ws = wb.create_sheet("Lists")
    columns = {
        "Resellers": [r for r, _ in t.resellers],
        "ResellerNames": [n for _, n in t.resellers],
        "SKUs": list(t.skus),
        "Countries": sorted(country_codes()),
        "Segments": list(SEGMENTS),
        "Currencies": sorted(currency_codes()),
    }
    ranges = {}
    for j, (name, values) in enumerate(columns.items(), start=1):
        letter = get_column_letter(j)
        ws.cell(row=1, column=j, value=name).font = Font(bold=True)
        for i, v in enumerate(values, start=2):
            ws.cell(row=i, column=j, value=v)
        ranges[name] = f"Lists!${letter}$2:${letter}${max(len(values), 1) + 1}"
    ws.sheet_state = "hidden"
    return ranges


def _prepare_typing_rows(ws, table: Table) -> None:
    """Number and date formats on the rows a distributor will type into."""
    for j, column in enumerate(table.columns, start=1):
        fmt = number_format(column)
        if fmt:
            for i in range(2, TYPING_ROWS + 2):
                ws.cell(row=i, column=j).number_format = fmt


def write_template(path: str | os.PathLike, t: TemplateFor) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    write_text_sheet(wb, "Instructions", instructions(t))
    ranges = _lists(wb, t)
    lists = {
        "Countries": ranges["Countries"],
        "Currencies": ranges["Currencies"],
        "EndCustomerSegmentValues": ranges["Segments"],
    }
    id_sources = {"resellers.Reseller ID": ranges["Resellers"], "products.SKU": ranges["SKUs"]}
    for table in (SELL_THROUGH_SHEET, INVENTORY_SHEET):
        write_table_sheet(wb, table, [], lists=lists, id_sources=id_sources)
        _prepare_typing_rows(wb[table.title], table)
    wb.move_sheet("Lists", offset=len(wb.sheetnames))
    meta = {
        "distributor_id": t.distributor_id,
        "period": t.period,
        "template_version": TEMPLATE_VERSION,
        "kind": "monthly_report",
    }
    ws = wb.create_sheet(META_SHEET)
    for i, (k, v) in enumerate(meta.items(), start=1):
        ws.cell(row=i, column=1, value=k)
        ws.cell(row=i, column=2, value=v)
    ws.sheet_state = "veryHidden"
    for k, v in meta.items():
        wb.custom_doc_props.append(StringProperty(name=PREFIX + k, value=v))
    wb.active = 1  # open on the SellThrough sheet
    return save_atomically(wb, path)


def read_template_meta(path: str | os.PathLike) -> dict[str, str]:
    """What a returned template says it is: its custom document properties, else the hidden
    sheet. Read straight from the package (a large workbook is not parsed for this)."""
    import zipfile
    from xml.etree import ElementTree

    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        meta = {}
        if "docProps/custom.xml" in names:
            root = ElementTree.fromstring(z.read("docProps/custom.xml"))
            for prop in root:
                name = prop.get("name", "")
                if name.startswith(PREFIX) and len(prop):
                    meta[name[len(PREFIX) :]] = (prop[0].text or "").strip()
        if meta:
            return meta
    wb = load_workbook(path, read_only=True)
    try:
        if META_SHEET in wb.sheetnames:
            return {str(k): str(v) for k, v, *_ in wb[META_SHEET].iter_rows(values_only=True) if k}
        return {}
    finally:
        wb.close()


def write_templates(
    ledger: Ledger,
    period: str,
    out_dir: str | os.PathLike,
    *,
    distributors: list[str] | None = None,
) -> list[Path]:
    """One template per distributor (default: all) for ``period`` into ``out_dir``."""
    try:
        period = str(Month.parse(period))
    except ValueError as exc:
        raise ChannelxlError(str(exc)) from None
    con = ledger.con
    settings = ledger.settings()
    due = due_date(period, int(settings.get("report_due_day", "10")))
    rows = con.execute(
        "SELECT distributor_id, name, currency FROM distributors ORDER BY distributor_id"
    ).fetchall()
    ledger.distributors(distributors)  # refuses unknown ids
    skus = tuple(
        s
        for (s,) in con.execute(
            "SELECT sku FROM products WHERE active = 'Y' ORDER BY sku"
        ).fetchall()
    )
    authorized: dict[str, list] = {}
    for rid, name, dists in con.execute(
        "SELECT reseller_id, name, authorized_distributors FROM resellers ORDER BY reseller_id"
    ).fetchall():
        for d in dists or ():
            authorized.setdefault(d, []).append((rid, name))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for d, name, currency in rows:
        if distributors and d not in distributors:
            continue
        t = TemplateFor(d, name, currency, period, due, tuple(authorized.get(d, ())), skus)
        written.append(write_template(out_dir / f"sellthrough_{d}_{period}.xlsx", t))
    return written

"""The monthly report template as a file: written for one distributor and month, and the
metadata a returned one carries read back.

The sheets are declared in ``schema.received`` (``TEMPLATE_SHEETS``: the report layouts
without Distributor ID and Period). The template carries those two itself, in custom
document properties and in a very hidden sheet, so a returned file says what it is without
relying on a cell a person could overwrite. ``commands.template`` writes one per
distributor from the ledger.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from channelxl.core.periods import Month
from channelxl.io.cells import country_codes, currency_codes
from channelxl.io.table_sheets import save_atomically, write_table_sheet, write_text_sheet
from channelxl.schema import INVENTORY_SHEET, SEGMENTS, SELL_THROUGH_SHEET, TEMPLATE_SHEETS, Table

TEMPLATE_VERSION = "1"
TEMPLATE_KIND = "monthly_report"  # what the metadata of a monthly report template says it is
META_SHEET = "_channelxl"
PREFIX = "channelxl."
TYPING_ROWS = 2000  # rows below the table pre-formatted and validated for typing


@dataclass(frozen=True)
class TemplateFor:
    distributor_id: str
    name: str
    currency: str
    period: str
    due: date
    resellers: tuple[tuple[str, str], ...]  # authorized (id, name)
    skus: tuple[str, ...]  # active SKUs


def instructions(t: TemplateFor) -> list[str]:
    month = Month.parse(t.period)
    return [
        f"# {t.name}: monthly report for {month.first_day:%B %Y}",
        f"Please fill in both sheets and send this file back by {t.due:%d %B %Y}.",
        f"## {SELL_THROUGH_SHEET.title} sheet",
        f"One row for each invoice line to a reseller dated in {month.first_day:%B %Y} "
        f"({month.first_day:%Y-%m-%d} to {month.last_day:%Y-%m-%d}). Pick Reseller ID and SKU "
        "from the lists (click the cell); the note on each header says what it needs.",
        "Dates as dates (2026-10-31); quantities as whole numbers (negative for a credit "
        f"note); unit prices in the invoice currency (usually {t.currency}).",
        f"## {INVENTORY_SHEET.title} sheet",
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
        fmt = column.excel_format
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
    for table in TEMPLATE_SHEETS:
        write_table_sheet(wb, table, [], lists=lists, id_sources=id_sources)
        _prepare_typing_rows(wb[table.title], table)
    wb.move_sheet("Lists", offset=len(wb.sheetnames))
    meta = {
        "distributor_id": t.distributor_id,
        "period": t.period,
        "template_version": TEMPLATE_VERSION,
        "kind": TEMPLATE_KIND,
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

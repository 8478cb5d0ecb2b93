"""The monthly report template as a file: written for one distributor and month, and the
metadata a returned one carries read back.

The sheets are declared in ``schema.received`` (``TEMPLATE_SHEETS``: the report layouts
without Distributor ID and Period). The template carries those two itself, in custom
document properties and in a very hidden sheet, so a returned file says what it is without
relying on a cell a person could overwrite. ``commands.template`` writes one per
distributor from the ledger. A "Your quarter so far" sheet (``io.quarter_so_far``) shows the
distributor where it stands in its rebate programs as it types; its formula cells carry
their values as of the template's making (``io.cached_values``). It is never read back.

What a returned file says it is, by how it came back:

- **.xlsx / .xlsm** as sent: the properties and the hidden sheet (:func:`template_sources`;
  each stands in for the other when a program dropped it; when both speak they must agree).
- **saved as .ods or .xls**: LibreOffice keeps the properties in an .ods (as user-defined
  metadata) and the hidden sheet in both; calamine reads hidden sheets.
- **a sheet exported as CSV**: only its file name survives, so the name the template is
  sent with says whose report it is and for which month (:func:`template_file_name`,
  read back by :func:`scope_from_file_name`, which also takes the names spreadsheet
  programs give an exported sheet: ``sellthrough_D004_2026-09-SellThrough.csv``,
  ``sellthrough_D004_2026-09 - SellThrough.csv``). A workbook's file name is checked
  against what the template says inside, so a renamed file is caught.

:func:`template_scope` checks what a template says (kind, a month, an id channelxl issues,
a version this code reads) and returns its distributor and period, or raises
:class:`TemplateMetaError` saying what is wrong in words a distributor understands.
"""

from __future__ import annotations

import os
import re
import zipfile
import zlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from xml.etree import ElementTree

from openpyxl import Workbook
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from channelxl.core.periods import Month
from channelxl.io.atomic import safe_name
from channelxl.io.cached_values import store_values
from channelxl.io.cells import country_codes, currency_codes
from channelxl.io.quarter_so_far import QUARTER_SHEET, QuarterSoFar, write_quarter_sheet
from channelxl.io.table_sheets import save_atomically, write_table_sheet, write_text_sheet
from channelxl.schema import INVENTORY_SHEET, SEGMENTS, SELL_THROUGH_SHEET, TEMPLATE_SHEETS, Table

TEMPLATE_VERSION = "1"
TEMPLATE_KIND = "monthly_report"  # what the metadata of a monthly report template says it is
META_SHEET = "_channelxl"
PREFIX = "channelxl."
TYPING_ROWS = 2000  # rows below the table pre-formatted and validated for typing
META_KEYS = ("distributor_id", "period", "template_version", "kind")
MAX_ID_LENGTH = 64  # a distributor id names files: no program workbook holds a longer one
# What no distributor id can hold: control characters and what a file name cannot hold
_NOT_IN_IDS = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
# The shape of an id a file name can hold as it is (others are written with a hash in the
# name: ``io.atomic.safe_name``, which also refuses a trailing dot, CON and the like)
NAME_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def kept_in_file_names(distributor_id: str) -> bool:
    """Whether a template's file name holds ``distributor_id`` as it is (so the name can
    give it back); the one test, ``io.atomic.safe_name``'s."""
    return NAME_SAFE_ID.fullmatch(distributor_id) is not None and (
        safe_name(distributor_id) == distributor_id
    )


# sellthrough_<distributor>_<YYYY-MM>, then anything a program or a person added after a
# separator (" - SellThrough", "-Inventory", " (1)")
_FILE_NAME = re.compile(
    r"sellthrough_(?P<distributor>[A-Za-z0-9][A-Za-z0-9_.-]*?)_(?P<period>\d{4}-\d{2})"
    r"(?:[\s_.(-].*)?",
    re.IGNORECASE | re.DOTALL,
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
    quarter: QuarterSoFar | None = None  # the quarter-so-far sheet's figures (none: no sheet)


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
        *_quarter_instructions(t),
        "## Please",
        "Keep the sheet names, the header row and the column names as they are; you may add "
        "rows and columns of your own (they are ignored). Do not rename or delete the file's "
        "sheets. Send the file itself (xlsx, or save as .ods/.xls, or export each sheet as "
        "CSV); we will reply with any line we could not accept and why.",
        f"Keep the file's name, {Path(template_file_name(t.distributor_id, t.period)).stem}: "
        "it says whose report this is and for which month. A sheet exported as CSV may add "
        "the sheet's name to it (for example "
        f"{Path(template_file_name(t.distributor_id, t.period)).stem}-SellThrough.csv).",
    ]


def _quarter_instructions(t: TemplateFor) -> list[str]:
    if t.quarter is None:
        return []
    if not t.quarter.programs:
        return [
            f"## {QUARTER_SHEET} sheet",
            f"No rebate program applies to you in {t.quarter.quarter}; the sheet says so.",
        ]
    return [
        f"## {QUARTER_SHEET} sheet",
        f"Where you stand in your rebate programs for {t.quarter.quarter}: what you reported "
        f"earlier in the quarter plus the lines you type on the {SELL_THROUGH_SHEET.title} "
        "sheet, the tier reached, what is still needed for the next one and the rebate at "
        "that tier. It updates as you type; it is an estimate, and we do not read that sheet.",
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
    cached = {}
    if t.quarter is not None:
        cached[QUARTER_SHEET] = write_quarter_sheet(wb, t.name, t.quarter)
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
    written = save_atomically(wb, path)
    if cached:  # the figures as of now, for a viewer that does not recalculate
        store_values(written, cached)
    return written


def template_file_name(distributor_id: str, period: str) -> str:
    """The name a template is sent with; its CSV exports keep it (see the module). An id
    that cannot be part of a file name as it is goes through ``io.atomic.safe_name``."""
    return f"sellthrough_{safe_name(distributor_id)}_{period}.xlsx"


def scope_from_file_name(path: str | os.PathLike) -> tuple[str, str] | None:
    """(distributor, period) a file's name says, when it is named as a template is sent
    (:func:`template_file_name`), export suffixes allowed; None for any other name. (An id
    not :func:`kept_in_file_names` is sent under a name that cannot give it back.)"""
    m = _FILE_NAME.fullmatch(Path(path).stem)
    if m is None:
        return None
    try:
        return m.group("distributor"), str(Month.parse(m.group("period")))
    except ValueError:
        return None


class TemplateMetaError(ValueError):
    """What a returned template says about itself cannot be used; the message says why,
    in words meant for the distributor who sent it."""


def template_sources(path: str | os.PathLike, book=None) -> tuple[dict, dict]:
    """What a returned template says it is, from each place it says it: (its custom document
    properties, its hidden sheet), each ``{key: text}`` and empty when absent.

    The properties are read straight from the package: ``docProps/custom.xml`` of an
    .xlsx, the user-defined metadata of an .ods. The hidden sheet is read with
    python-calamine from ``book`` (an open ``CalamineWorkbook``, any format it reads),
    else from ``path``, which must then already have passed ``io.safety``. Unreadable
    properties count as absent; a property given twice with two values raises
    :class:`TemplateMetaError`.
    """
    return _properties(path), _meta_sheet(path, book)


def read_template_meta(path: str | os.PathLike, book=None) -> dict[str, str]:
    """What a returned template says it is: its custom document properties, else the hidden
    sheet (:func:`template_sources`). Empty for a file that is not a template.
    :func:`template_scope` checks it."""
    properties, sheet = template_sources(path, book)
    return properties or sheet


def template_scope(properties: dict, sheet: dict) -> tuple[str, str]:
    """The (distributor, period) a template is for, from what it says in its properties and
    its hidden sheet (:func:`template_sources`; either may be empty, not both).

    Raises :class:`TemplateMetaError` when the two disagree, when it says it is something
    other than a monthly report template, names a period that is not a month or a
    distributor id channelxl would not issue, or was made by a newer version of channelxl.
    """
    for key in META_KEYS:
        a, b = properties.get(key), sheet.get(key)
        if a is not None and b is not None and a != b:
            raise TemplateMetaError(
                f"the template says two different things about itself: its {_LABELS[key]} "
                f"is {_shown(a)} in its document properties but {_shown(b)} in its hidden "
                f"{META_SHEET} sheet; send the template we sent you, filled in, without "
                "changing its properties"
            )
    meta = {**sheet, **properties}
    kind = meta.get("kind")
    if kind != TEMPLATE_KIND:
        said = f"says it is a {_shown(kind)}" if kind else "does not say what it is"
        raise TemplateMetaError(
            f"the file carries channelxl template information but {said}, not a monthly "
            "report template; send the monthly report template we sent you"
        )
    version = meta.get("template_version") or "1"  # the first templates said 1
    if not (version.isascii() and version.isdigit()):
        raise TemplateMetaError(
            f"the template's version {_shown(version)} is not one channelxl writes; send "
            "the template we sent you, without changing its properties"
        )
    if int(version) > int(TEMPLATE_VERSION):
        raise TemplateMetaError(
            f"the template was made by a newer version of channelxl (template version "
            f"{version}; this one reads up to {TEMPLATE_VERSION}): nothing is wrong with "
            "your report, the vendor must update channelxl to load it"
        )
    distributor = meta.get("distributor_id") or ""
    if (
        not distributor
        or distributor != distributor.strip()
        or len(distributor) > MAX_ID_LENGTH
        or not distributor.isprintable()
        or _NOT_IN_IDS.search(distributor)
    ):
        raise TemplateMetaError(
            f"the template's distributor id {_shown(distributor)} is not one channelxl "
            "issues; send the template we sent you, without changing its properties"
        )
    try:
        period = str(Month.parse(meta.get("period") or ""))
    except ValueError:
        raise TemplateMetaError(
            f"the template's period {_shown(meta.get('period') or '')} is not a month "
            "(YYYY-MM); send the template we sent you for the month you report"
        ) from None
    return distributor, period


_LABELS = {
    "distributor_id": "distributor",
    "period": "period",
    "template_version": "version",
    "kind": "kind",
}


def _shown(value: object) -> str:
    """A value from the file, quoted and cut short: the file, not us, chose its length."""
    text = repr(str(value))
    return text if len(text) <= 42 else text[:40] + "...'"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _properties(path: str | os.PathLike) -> dict[str, str]:
    found: list[tuple[str, str]] = []
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            if "docProps/custom.xml" in names:  # .xlsx
                for prop in ElementTree.fromstring(z.read("docProps/custom.xml")):
                    found.append((prop.get("name", ""), prop[0].text if len(prop) else ""))
            if "meta.xml" in names:  # .ods: LibreOffice keeps them as user-defined metadata
                for el in ElementTree.fromstring(z.read("meta.xml")).iter():
                    if _local(el.tag) == "user-defined":
                        name = next((v for k, v in el.attrib.items() if _local(k) == "name"), "")
                        found.append((name, el.text))
    except (zipfile.BadZipFile, zlib.error, ElementTree.ParseError, OSError, KeyError, ValueError):
        return {}  # unreadable properties: the hidden sheet may still say
    meta: dict[str, str] = {}
    for name, value in found:
        if not name.startswith(PREFIX):
            continue
        key, text = name[len(PREFIX) :], (value or "").strip()
        if key in meta and meta[key] != text:
            raise TemplateMetaError(
                f"the template's document properties give its {_LABELS.get(key, key)} twice "
                f"({_shown(meta[key])} and {_shown(text)}); send the template we sent you, "
                "without changing its properties"
            )
        meta[key] = text
    return meta


def _meta_sheet(path: str | os.PathLike, book) -> dict[str, str]:
    if book is None:
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_path(str(path))
    if META_SHEET not in book.sheet_names:
        return {}
    meta = {}
    for row in book.get_sheet_by_name(META_SHEET).to_python():
        key = _cell_text(row[0]) if row else ""
        if key:
            meta[key] = _cell_text(row[1]) if len(row) > 1 else ""
    return meta


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a version a program turned into a number: 1.0 -> "1"
    return str(value if value is not None else "").strip()

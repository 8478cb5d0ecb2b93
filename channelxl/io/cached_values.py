"""Formula results stored in an .xlsx, so a workbook shows its figures wherever it is opened.

An .xlsx cell keeps a formula (``<f>``) and, next to it, the value it last computed
(``<v>``). Excel, LibreOffice and every viewer show that stored value until they recompute.
openpyxl writes formulas without values, so a workbook it writes shows nothing (or
``#NAME?`` where a ``CHX_`` function is not installed) until a spreadsheet with the
functions recalculates. :func:`store_values` writes the values into the saved file:

- only into formula cells, or cells an array formula fills (its ``ref`` range): an input a
  person typed is never overwritten (:class:`CachedValueError`);
- numbers as numbers, text as a formula's text result (``t="str"``), ``True``/``False`` as
  booleans, a standard error code (``#N/A``, ``#DIV/0!``...) as that error (``t="e"``);
  a ``CHX_`` function's own message (``#VALUE! tier thresholds must ascend (row 3)``) is text,
  as the function returns it; ``None`` removes the stored value;
- the workbook stops asking for a full recalculation when it is opened (openpyxl writes
  ``fullCalcOnLoad="1"``, and an old calculation-engine id makes Excel recompute on open):
  opened where the functions are not installed, a recalculation would replace every stored
  ``CHX_`` value by ``#NAME?``. A spreadsheet still recomputes a formula whose inputs change.

Every other part of the file is copied as it is. The sheet XML is edited as text, cell by
cell (cells never nest), so the namespace declarations and extensions Excel writes survive
exactly; an XML library that rewrites prefixes would break them. The rewrite is atomic:
``out`` (or the file itself) is replaced only once the new file is complete.
"""

from __future__ import annotations

import math
import os
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, range_boundaries

from channelxl.io.atomic import atomic_path

ERROR_CODES = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#SPILL!", "#CALC!"}
)
# the calculation engine of Excel 2019 and Microsoft 365: a workbook saved with an older id
# is recomputed in full when Excel opens it
EXCEL_CALC_ID = 191029

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_SHEET_DATA = re.compile(r"<(?:(\w+):)?sheetData\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?sheetData>)", re.S)
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class CachedValueError(ValueError):
    """A value could not be stored: the cell is not a formula cell, or the sheet is not there."""


@dataclass(frozen=True)
class _Cell:
    column: int
    text: str  # the whole element, ``<c .../>`` or ``<c ...>...</c>``


def store_values(
    path: str | os.PathLike,
    values: Mapping[str, Mapping[str, object]],
    out: str | os.PathLike | None = None,
) -> Path:
    """Store ``values`` (sheet title -> cell reference such as ``"B5"`` -> value) as the
    computed values of those formula cells of the .xlsx at ``path``; write to ``out``
    (default: the file itself). Returns the path written."""
    path = Path(path)
    target = Path(out) if out is not None else path
    with zipfile.ZipFile(path) as z:
        parts = _sheet_parts(z)
        missing = sorted(set(values) - set(parts))
        if missing:
            raise CachedValueError(f"{path.name}: no sheet named {', '.join(missing)}")
        edited = {
            parts[title]: _patch_sheet(z.read(parts[title]).decode("utf-8"), cells, title)
            for title, cells in values.items()
            if cells
        }
        book = _workbook_part(z)
        edited[book] = _quiet_calc(edited.get(book) or z.read(book).decode("utf-8"))
        with atomic_path(target) as tmp, zipfile.ZipFile(tmp, "w") as w:
            for info in z.infolist():
                data = edited[info.filename].encode() if info.filename in edited else None
                w.writestr(info, data if data is not None else z.read(info), info.compress_type)
    return target


# --------------------------------------------------------------------------- the package


def _workbook_part(z: zipfile.ZipFile) -> str:
    """The workbook part named by the package's relationships (``xl/workbook.xml``)."""
    root = ElementTree.fromstring(z.read("_rels/.rels"))
    for rel in root.iter(f"{{{_PKG_REL}}}Relationship"):
        if rel.get("Type", "").endswith("/officeDocument"):
            return rel.get("Target", "").lstrip("/")
    raise CachedValueError("the file names no workbook part: not an .xlsx")


def _sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title -> its part in the package (``xl/worksheets/sheet1.xml``)."""
    book = _workbook_part(z)
    folder = PurePosixPath(book).parent
    rels_name = str(folder / "_rels" / (PurePosixPath(book).name + ".rels"))
    targets = {
        rel.get("Id"): rel.get("Target", "")
        for rel in ElementTree.fromstring(z.read(rels_name)).iter(f"{{{_PKG_REL}}}Relationship")
    }
    parts = {}
    for sheet in ElementTree.fromstring(z.read(book)).iter(f"{{{_MAIN}}}sheet"):
        target = targets.get(sheet.get(f"{{{_REL}}}id"), "")
        if not target:
            continue
        part = target.lstrip("/") if target.startswith("/") else str(folder / target)
        parts[sheet.get("name", "")] = os.path.normpath(part).replace(os.sep, "/")
    return parts


def _quiet_calc(book: str) -> str:
    """The workbook part without a request to recompute everything on open."""

    def calc(m: re.Match) -> str:
        tag = re.sub(r'\s+fullCalcOnLoad="[^"]*"', "", m.group(0))
        if re.search(r'\bcalcId="(\d+)"', tag):
            return re.sub(
                r'\bcalcId="(\d+)"',
                lambda c: f'calcId="{max(int(c.group(1)), EXCEL_CALC_ID)}"',
                tag,
            )
        return tag.replace("calcPr", f'calcPr calcId="{EXCEL_CALC_ID}"', 1)

    return re.sub(r"<(?:\w+:)?calcPr\b[^>]*>", calc, book, count=1)


# ---------------------------------------------------------------------------- the sheet


def _patch_sheet(xml: str, cells: Mapping[str, object], title: str) -> str:
    """The sheet XML with ``cells`` stored: the rows they are in rewritten (their other
    cells as they were), rows an array formula fills and the sheet lacks added in order,
    every other row left byte for byte."""
    m = _SHEET_DATA.search(xml)
    if not m:
        raise CachedValueError(f"sheet {title!r} has no cell data")
    prefix = f"{m.group(1)}:" if m.group(1) else ""
    body = m.group(2) or ""
    wanted: dict[int, dict[int, tuple[str, object]]] = {}
    for ref, value in cells.items():
        col_letters, row = coordinate_from_string(ref.replace("$", "").upper())
        wanted.setdefault(row, {})[column_index_from_string(col_letters)] = (
            f"{col_letters}{row}",
            value,
        )
    arrays = _array_ranges(body, prefix)
    rows = _rows(body, prefix)  # row number -> (start, end, attributes, cells)
    pieces, at = [], 0
    pending = sorted(wanted)
    for number, (start, end, attrs, row_cells) in sorted(rows.items()):
        while pending and pending[0] < number:  # a row the sheet lacks, before this one
            new = pending.pop(0)
            pieces.append(_row(prefix, f' r="{new}"', {}, wanted[new], arrays, title))
        pieces.append(body[at:start])
        if pending and pending[0] == number:
            pending.pop(0)
            pieces.append(_row(prefix, attrs, row_cells, wanted[number], arrays, title))
        else:
            pieces.append(body[start:end])
        at = end
    pieces.append(body[at:])
    for new in pending:  # rows below the last one
        pieces.append(_row(prefix, f' r="{new}"', {}, wanted[new], arrays, title))
    tag = f"{prefix}sheetData"
    return f"{xml[: m.start()]}<{tag}>{''.join(pieces)}</{tag}>{xml[m.end() :]}"


def _row(prefix, attrs, row_cells, wanted, arrays, title) -> str:
    """One row with the ``wanted`` cells' values stored."""
    row_cells = dict(row_cells)
    for column, (ref, value) in wanted.items():
        old = row_cells.get(column)
        row = int(re.sub(r"[A-Z]", "", ref))
        if not _is_formula(old, prefix) and not _in_array(arrays, row, column):
            raise CachedValueError(f"{title}!{ref} holds no formula: its value is not stored")
        row_cells[column] = _Cell(column, _with_value(old, ref, value, prefix))
    attrs = re.sub(r'\s+spans="[^"]*"', "", attrs)  # a hint only; cells may now lie outside it
    tag = f"{prefix}row"
    body = "".join(c.text for _, c in sorted(row_cells.items()))
    return f"<{tag}{attrs}>{body}</{tag}>"


def _rows(body: str, prefix: str) -> dict[int, tuple[int, int, str, dict[int, _Cell]]]:
    """Row number -> (where its element starts and ends in ``body``, its attributes,
    column -> cell)."""
    row_tag = re.escape(f"{prefix}row")
    rows = {}
    for m in re.finditer(rf"<{row_tag}\b([^>]*?)(?:/>|>(.*?)</{row_tag}>)", body, re.S):
        attrs = m.group(1)
        number = re.search(r'\br="(\d+)"', attrs)
        if not number:
            raise CachedValueError("a row without its number: the sheet is not edited")
        cells = {c.column: c for c in _cells(m.group(2) or "", prefix)}
        rows[int(number.group(1))] = (m.start(), m.end(), attrs, cells)
    return rows


def _cells(row_body: str, prefix: str) -> list[_Cell]:
    c_tag = re.escape(f"{prefix}c")
    out = []
    for m in re.finditer(rf"<{c_tag}(?=[\s/>])[^>]*?(?:/>|>.*?</{c_tag}>)", row_body, re.S):
        ref = re.search(r'\br="([A-Z]{1,3})\d+"', m.group(0)[: m.group(0).find(">") + 1])
        if not ref:
            raise CachedValueError("a cell without its reference: the sheet is not edited")
        out.append(_Cell(column_index_from_string(ref.group(1)), m.group(0)))
    return out


def _array_ranges(body: str, prefix: str) -> list[tuple[int, int, int, int]]:
    """(min col, min row, max col, max row) of every array formula on the sheet."""
    f_tag = re.escape(f"{prefix}f")
    out = []
    for m in re.finditer(rf"<{f_tag}\b([^>]*)>", body):
        if re.search(r'\bt="array"', m.group(1)):
            ref = re.search(r'\bref="([^"]+)"', m.group(1))
            if ref:
                out.append(range_boundaries(ref.group(1)))
    return out


def _in_array(arrays, row: int, column: int) -> bool:
    return any(c1 <= column <= c2 and r1 <= row <= r2 for c1, r1, c2, r2 in arrays)


def _is_formula(cell: _Cell | None, prefix: str) -> bool:
    return cell is not None and re.search(rf"<{re.escape(prefix)}f[\s/>]", cell.text) is not None


def _with_value(cell: _Cell | None, ref: str, value: object, prefix: str) -> str:
    """The cell element with ``value`` stored: its formula and style kept, its type set."""
    c_tag, f_tag = f"{prefix}c", f"{prefix}f"
    if cell is None:
        head, inner = f'<{c_tag} r="{ref}"', ""
    else:
        text = cell.text
        end = text.find(">")
        head = text[:end].rstrip("/").rstrip()
        inner = "" if text[end - 1] == "/" else text[end + 1 : text.rfind("<")]
    head = re.sub(r'\s+t="[^"]*"', "", head)
    formula = re.search(
        rf"<{re.escape(f_tag)}\b[^>]*?(?:/>|>.*?</{re.escape(f_tag)}>)", inner, re.S
    )
    kind, text_value = _typed(value)
    parts = [head + (f' t="{kind}"' if kind else "") + ">"]
    if formula:
        parts.append(formula.group(0))
    if text_value is not None:
        parts.append(f"<{prefix}v>{text_value}</{prefix}v>")
    return "".join(parts) + f"</{c_tag}>"


def _typed(value: object) -> tuple[str | None, str | None]:
    """(the cell's ``t`` attribute, the ``<v>`` text) for a value."""
    if value is None:
        return None, None
    if isinstance(value, bool):
        return "b", "1" if value else "0"
    if isinstance(value, int):
        return None, str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return "e", "#NUM!"
        return None, repr(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            return "e", "#NUM!"
        return None, format(value, "f")
    text = str(value)
    if text in ERROR_CODES:
        return "e", text
    return "str", escape(_XML_ILLEGAL.sub("", text))

"""Formula cells saved without their result.

Excel saves each formula with its last result, and readers (calamine, and channelxl) read
that result. A workbook written by a program (openpyxl, some ERP exports) may hold only the
formula: the cell then reads as empty. This finds such cells, so a refusal can say why a
cell that looks filled in is empty. Only .xlsx / .xlsm; it streams the sheet's XML and is
used only on the error path.
"""

from __future__ import annotations

import posixpath
import zipfile
from pathlib import Path
from xml.etree.ElementTree import iterparse

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _sheet_paths(book: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its XML part inside the package."""
    targets = {}
    with book.open("xl/_rels/workbook.xml.rels") as fh:
        for _, el in iterparse(fh):
            if el.tag == f"{_PKG_REL}Relationship":
                target = el.get("Target", "")
                targets[el.get("Id")] = (
                    target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
                )
    out = {}
    with book.open("xl/workbook.xml") as fh:
        for _, el in iterparse(fh):
            if el.tag == f"{_MAIN}sheet":
                out[el.get("name")] = targets.get(el.get(f"{_REL}id"), "")
    return out


def uncached_formulas(path: str | Path, sheet: str) -> dict[str, str]:
    """Cells of ``sheet`` (A1 reference -> formula text) whose result was not saved.

    Empty when the file is not an xlsx package or the sheet is not found: this only ever
    adds an explanation, it never refuses anything by itself.
    """
    try:
        with zipfile.ZipFile(path) as book:
            part = _sheet_paths(book).get(sheet)
            if not part or part not in book.namelist():
                return {}
            out = {}
            with book.open(part) as fh:
                for _, el in iterparse(fh):
                    if el.tag != f"{_MAIN}c":
                        continue
                    formula = el.find(f"{_MAIN}f")
                    value = el.find(f"{_MAIN}v")
                    if formula is not None and (value is None or not (value.text or "").strip()):
                        out[el.get("r")] = formula.text or ""
                    el.clear()  # stream: keep memory flat on large sheets
            return out
    except (zipfile.BadZipFile, KeyError, OSError, SyntaxError):
        return {}

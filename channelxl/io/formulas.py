"""Formula cells saved without their result.

Excel saves each formula with its last result, and readers (calamine, and channelxl) read
that result. A workbook written by a program (openpyxl, some ERP exports) may hold only the
formula: the cell then reads as empty. This finds such cells, so a refusal can say why a
cell that looks filled in is empty. Only .xlsx / .xlsm; it streams the sheet's XML (found
as calamine finds it, ``io.safety.xlsx_sheet_parts``) and is used only on the error path.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path
from xml.etree.ElementTree import iterparse

from channelxl.io.safety import xlsx_sheet_parts

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def uncached_formulas(path: str | Path, sheet: str) -> dict[str, str]:
    """Cells of ``sheet`` (A1 reference -> formula text) whose result was not saved.

    Empty when the file is not an xlsx package or the sheet is not found: this only ever
    adds an explanation, it never refuses anything by itself.
    """
    try:
        with zipfile.ZipFile(path) as book:
            part = next((p for p, name in xlsx_sheet_parts(book).items() if name == sheet), None)
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
    except (zipfile.BadZipFile, zlib.error, KeyError, OSError, SyntaxError, ValueError):
        return {}

"""Recalculate a workbook without a spreadsheet: every ``CHX_`` formula and the ordinary
formulas around them, their values stored next to the formulas (``channelxl calc``).

The engine is the ``formulas`` library (it reads the workbook, builds the graph of cells
and evaluates Excel's own functions); the ``CHX_`` functions are added to it from the
registry, so a cell computes through the same code as in Excel, in LibreOffice Calc and on
the command line. The values are written with :func:`io.cached_values.store_values`: the
formulas stay, each cell carries its value, and the file opens with numbers in Excel
without the add-in, in LibreOffice without the extension and in any viewer.

A formula the engine cannot compute is never given a value: one that calls a function the
engine does not know (a newer Excel function, another add-in's), and every formula that
depends on such a cell, directly or through others. Those cells keep what the file had and
are listed (:attr:`Recalculation.uncomputed`) with their formula and why.

What arrives in a ``CHX_`` function is shaped as Windows Excel passes it: numbers as
``float``, blanks as ``None``, a range as rows of cells; an error shown by another cell as
its text (``#N/A``). A range result fills an array formula's cells; in a one-cell formula
the first value is kept (as a spreadsheet without dynamic arrays shows it).

LibreOffice is not used: Calc 7.4 does not map the ``CHX_`` names in an .xlsx to its
extension (``docs/EXCEL.md``), and it recomputes array formulas when it opens an .xlsx.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from importlib.metadata import version
from pathlib import Path

from channelxl.core.cell_values import EXCEL_EPOCH
from channelxl.errors import ChannelxlError
from channelxl.io.cached_values import CachedValueError, store_values
from channelxl.io.safety import check_zip

SUFFIXES = (".xlsx", ".xlsm")
_KEY = re.compile(r"^'?\[[^\]]*\](?P<sheet>.*?)'?!(?P<ref>\$?[A-Z]+\$?\d+(?::\$?[A-Z]+\$?\d+)?)$")


class CalcError(ChannelxlError):
    """The workbook cannot be recalculated (not an .xlsx, damaged, or the engine refused it)."""


@dataclass(frozen=True)
class Uncomputed:
    sheet: str
    cell: str
    formula: str
    why: str

    def __str__(self) -> str:
        return f"{self.sheet}!{self.cell} {self.formula}: {self.why}"


@dataclass
class Recalculation:
    source: Path
    out: Path
    engine: str
    computed: int = 0  # formula cells given a value
    chx: int = 0  # of which call a CHX_ function
    uncomputed: list[Uncomputed] = field(default_factory=list)

    def summary(self) -> str:
        lines = [
            f"{self.out}: {self.computed:,} formula cell(s) computed "
            f"({self.chx:,} with CHX_ functions) by {self.engine}; values stored, formulas kept"
        ]
        if self.uncomputed:
            lines.append(
                f"{len(self.uncomputed):,} formula cell(s) not computed (they keep what the "
                "file had):"
            )
            lines += [f"  {u}" for u in self.uncomputed]
        return "\n".join(lines)


def default_out(path: Path) -> Path:
    """Where ``channelxl calc`` writes without ``--out``: beside the workbook,
    ``<name>_calculated.xlsx``; the workbook itself is not changed."""
    return path.with_name(f"{path.stem}_calculated{path.suffix}")


def recalculate(path: str | os.PathLike, out: str | os.PathLike | None = None) -> Recalculation:
    """Compute every formula of the .xlsx at ``path`` and write the workbook, formulas kept
    and values stored, to ``out`` (default :func:`default_out`; ``out`` may be ``path``)."""
    path = Path(path)
    out = Path(out) if out is not None else default_out(path)
    if path.suffix.lower() not in SUFFIXES:
        raise CalcError(
            f"{path.name}: channelxl calc reads .xlsx and .xlsm workbooks; save it as .xlsx "
            "(in LibreOffice with the channelxl extension installed an .ods recalculates itself)"
        )
    if not path.is_file():
        raise CalcError(f"{path}: no such workbook")
    try:
        check_zip(path)
    except ChannelxlError as exc:
        raise CalcError(str(exc)) from None
    formulas_engine = _engine()
    formulas_by_cell = _formula_cells(path)
    result = Recalculation(path, out, engine=f"formulas {version('formulas')}")
    if not formulas_by_cell:
        if out != path:
            shutil.copyfile(path, out)
        return result
    model, solution = _evaluate(formulas_engine, path)
    known = _known_functions(formulas_engine)
    blocked = _uncomputable(formulas_engine, formulas_by_cell, known, model)
    values: dict[str, dict[str, object]] = {}
    for key, sol in solution.items():
        m = _KEY.match(key)
        if not m or not hasattr(sol, "value"):
            continue
        sheet = _title(formulas_by_cell, m["sheet"])
        if sheet is None:
            continue
        for ref, value in _cells_of(m["ref"], sol.value):
            if (sheet, ref) in formulas_by_cell and (sheet, ref) not in blocked:
                values.setdefault(sheet, {})[ref] = _stored(value)
    for (sheet, ref), formula in formulas_by_cell.items():
        if (sheet, ref) in blocked:
            result.uncomputed.append(Uncomputed(sheet, ref, formula, blocked[(sheet, ref)]))
        elif ref in values.get(sheet, {}):
            result.computed += 1
            result.chx += "CHX_" in formula.upper()
    try:
        store_values(path, values, out)
    except (CachedValueError, OSError) as exc:
        raise CalcError(f"{path.name}: the values could not be stored ({exc})") from None
    return result


# ------------------------------------------------------------------------------ engine


def _engine():
    """The formulas library with every CHX_ function added (once)."""
    import formulas

    from channelxl.excel.registry import REGISTRY

    functions = formulas.get_functions()
    for name, function in REGISTRY.items():
        if not getattr(functions.get(name), "_channelxl", False):
            functions[name] = _adapter(function.fn)
    return formulas


def _adapter(fn):
    def call(*args):
        try:
            result = fn(*[_incoming(a) for a in args])
        except Exception as exc:  # the functions are guarded; a conversion here is not
            result = f"#VALUE! {exc}"
        return _outgoing(result)

    call._channelxl = True
    return call


def _incoming(value):
    """A formulas argument as Windows Excel passes it (numbers as float, blanks as None)."""
    import numpy as np

    value = getattr(value, "value", value)  # a Ranges object: its values
    if isinstance(value, np.ndarray):
        rows = value.tolist() if value.ndim == 2 else [value.tolist()]
        cells = [[_cell_in(v) for v in row] for row in rows]
        return cells[0][0] if len(cells) == 1 and len(cells[0]) == 1 else cells
    return _cell_in(value)


def _cell_in(value):
    import numpy as np

    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool | str | float) or value is None:
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, datetime | date):
        return value
    name = type(value).__name__
    if name == "XlError":
        return str(value)
    return None  # the engine's empty cell


def _outgoing(result):
    import numpy as np

    if isinstance(result, list):
        rows = [r if isinstance(r, list) else [r] for r in result]
        width = max((len(r) for r in rows), default=1)
        return np.array(
            [[_cell_out(v) for v in r] + [""] * (width - len(r)) for r in rows] or [[""]],
            dtype=object,
        )
    return _cell_out(result)


def _cell_out(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return (
            _serial(value.date())
            + (value - datetime.combine(value.date(), datetime.min.time())).total_seconds() / 86400
        )
    if isinstance(value, date):
        return _serial(value)
    return "" if value is None else value


def _serial(day: date) -> float:
    return float((day - EXCEL_EPOCH).days)


def _evaluate(formulas, path: Path):
    """The engine's model and its solution; any failure is the workbook's, said plainly."""
    try:
        with contextlib.redirect_stderr(io.StringIO()):  # the engine draws progress bars
            model = formulas.ExcelModel().loads(str(path)).finish(circular=True)
            solution = model.calculate()
    except Exception as exc:  # the engine raises many kinds on formulas it cannot read
        raise CalcError(
            f"{path.name}: the formula engine could not read the workbook ({exc})"
        ) from None
    return model, solution


def _known_functions(formulas) -> callable:
    from formulas.functions import not_implemented

    functions = formulas.get_functions()

    def known(name: str) -> bool:
        return name in functions and functions[name] is not not_implemented

    return known


# ----------------------------------------------------------------------- which cells


def _formula_cells(path: Path) -> dict[tuple[str, str], str]:
    """(sheet title, cell) -> formula text of every formula cell, array formulas' cells
    included (each with the array's formula)."""
    from openpyxl import load_workbook
    from openpyxl.utils.cell import get_column_letter, range_boundaries
    from openpyxl.worksheet.formula import ArrayFormula

    try:
        wb = load_workbook(path, read_only=False, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds on a damaged workbook
        raise CalcError(f"{path.name}: the workbook could not be read ({exc})") from None
    cells = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, ArrayFormula):
                    c1, r1, c2, r2 = range_boundaries(value.ref)
                    for r in range(r1, r2 + 1):
                        for c in range(c1, c2 + 1):
                            cells[(ws.title, f"{get_column_letter(c)}{r}")] = value.text
                elif cell.data_type == "f" and isinstance(value, str):
                    cells.setdefault((ws.title, cell.coordinate), value)
    return cells


def _title(cells: dict[tuple[str, str], str], engine_sheet: str) -> str | None:
    """The workbook's own sheet title for the engine's upper-cased one."""
    wanted = engine_sheet.replace("''", "'").upper()
    for title, _ in cells:
        if title.upper() == wanted:
            return title
    return None


def _cells_of(ref: str, value) -> list[tuple[str, object]]:
    """(cell, value) of a solution: one cell, or each cell of a range with its value."""
    from openpyxl.utils.cell import get_column_letter, range_boundaries

    ref = ref.replace("$", "")
    c1, r1, c2, r2 = range_boundaries(ref if ":" in ref else f"{ref}:{ref}")
    rows = value.tolist() if hasattr(value, "tolist") else [[value]]
    if not isinstance(rows, list):
        rows = [[rows]]
    out = []
    for i, r in enumerate(range(r1, r2 + 1)):
        for j, c in enumerate(range(c1, c2 + 1)):
            try:
                out.append((f"{get_column_letter(c)}{r}", rows[i][j]))
            except (IndexError, TypeError):
                out.append((f"{get_column_letter(c)}{r}", "#N/A"))
    return out


def _uncomputable(formulas, cells, known, model) -> dict[tuple[str, str], str]:
    """Formula cells the engine cannot compute, with why: a function it does not know, or
    a reference (directly or through other cells) to such a cell."""
    blocked: dict[tuple[str, str], str] = {}
    parser = formulas.Parser()
    for (sheet, ref), formula in cells.items():
        try:
            tokens, _ = parser.ast(formula if formula.startswith("=") else f"={formula}")
        except Exception as exc:  # a formula the engine cannot parse
            blocked[(sheet, ref)] = f"the formula engine cannot read it ({exc})"
            continue
        unknown = sorted(
            {
                t.name
                for t in tokens
                if type(t).__name__ in ("Function", "Lambda") and not known(t.name)
            }
        )
        if unknown:
            blocked[(sheet, ref)] = (
                f"calls {', '.join(unknown)}, which the formula engine does not know"
            )
    if not blocked:
        return blocked
    inputs = _inputs(model, cells)
    changed = True
    while changed:  # a cell reading a blocked cell is blocked: to a fixed point
        changed = False
        for key, ranges in inputs.items():
            if key in blocked:
                continue
            for sheet, bounds in ranges:
                hit = next((b for b in blocked if b[0] == sheet and _inside(b[1], bounds)), None)
                if hit:
                    blocked[key] = f"depends on {hit[0]}!{hit[1]}, which is not computed"
                    changed = True
                    break
    return blocked


def _inputs(model, cells) -> dict[tuple[str, str], list[tuple[str, tuple[int, int, int, int]]]]:
    """Formula cell -> the ranges it reads: (sheet title, (min col, min row, max col, max row))."""
    from openpyxl.utils.cell import range_boundaries

    out: dict[tuple[str, str], list] = {}
    for key, cell in model.cells.items():
        m = _KEY.match(key)
        if not m or not getattr(cell, "inputs", None):
            continue
        sheet = _title(cells, m["sheet"])
        if sheet is None:
            continue
        ranges = []
        for name in cell.inputs:
            r = _KEY.match(str(name))
            if r and _title(cells, r["sheet"]):
                ref = r["ref"].replace("$", "")
                ranges.append(
                    (
                        _title(cells, r["sheet"]),
                        range_boundaries(ref if ":" in ref else f"{ref}:{ref}"),
                    )
                )
        for target, _ in _cells_of(m["ref"], [[None]]):
            out[(sheet, target)] = ranges
    return out


def _inside(ref: str, bounds: tuple[int, int, int, int]) -> bool:
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    col, row = coordinate_from_string(ref)
    c = column_index_from_string(col)
    c1, r1, c2, r2 = bounds
    return c1 <= c <= c2 and r1 <= row <= r2


def _stored(value):
    """The engine's value as :func:`store_values` takes it."""
    import numpy as np

    if isinstance(value, np.generic):
        value = value.item()
    if type(value).__name__ == "XlError":
        return str(value)
    if isinstance(value, bool | int | float | str) or value is None:
        return value if value != "" else ""
    return None  # the engine's empty result

"""Recalculate a workbook without a spreadsheet: every ``CHX_`` formula and the ordinary
formulas around them, their values stored next to the formulas (``channelxl calc``).

The engine is the ``formulas`` library (it reads the workbook, builds the graph of cells
and evaluates Excel's own functions); the ``CHX_`` functions are added to it from the
registry, so a cell computes through the same code as in Excel, in LibreOffice Calc and on
the command line. The values are written with :func:`io.cached_values.store_values`: the
formulas stay, each cell carries its value, and the file opens with numbers in Excel
without the add-in, in LibreOffice without the extension and in any viewer.

A formula the engine cannot compute is never given a value (``excel.formula_graph``: a
function the engine does not know, a circular reference, and every formula depending on
such a cell, directly or through others). Those cells keep what the file had and are
listed (:attr:`Recalculation.uncomputed`) with their formula and why. A formula the engine
cannot even read stops the engine for the whole workbook: the refusal names its cells.

``excel.formula_engine`` says how values pass between the engine and the functions. A range
result fills an array formula's cells; in a one-cell formula the first value is kept (as a
spreadsheet without dynamic arrays shows it).

LibreOffice is not used: Calc 7.4 does not map the ``CHX_`` names in an .xlsx to its
extension (``docs/EXCEL.md``), and it recomputes array formulas when it opens an .xlsx.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from channelxl.errors import ChannelxlError
from channelxl.excel import formula_engine, formula_graph
from channelxl.excel.formula_graph import KEY, Titles, refs_of
from channelxl.io.cached_values import CachedValueError, store_values
from channelxl.io.safety import check_zip

SUFFIXES = (".xlsx", ".xlsm")
MAX_LISTED = 10  # unreadable formulas named in a refusal


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
        cells = formula_graph.formula_cells(path)
    except ChannelxlError as exc:
        raise CalcError(str(exc)) from None
    result = Recalculation(path, out, engine=formula_engine.engine_name())
    if not cells:
        if out != path:
            shutil.copyfile(path, out)
        return result
    engine = formula_engine.load_engine()
    blocked = formula_graph.parse_problems(engine, cells, formula_engine.known_functions(engine))
    unreadable = {c: why for c, why in blocked.items() if why.startswith("the formula engine")}
    if unreadable:  # the engine would refuse the whole workbook: say which cells
        listed = [f"{s}!{r} {cells[(s, r)]}: {why}" for (s, r), why in unreadable.items()]
        raise CalcError(
            f"{path.name}: the formula engine cannot read {len(listed)} formula(s); correct "
            "them in a spreadsheet and run again:\n  " + "\n  ".join(listed[:MAX_LISTED])
        )
    try:
        model, solution = formula_engine.evaluate(engine, path)
    except ChannelxlError as exc:
        raise CalcError(str(exc)) from None
    titles = Titles(cells)
    computed: dict[tuple[str, str], object] = {}
    for key, sol in solution.items():
        m = KEY.match(key)
        sheet = titles(m["sheet"]) if m else None
        if sheet is None or not hasattr(sol, "value"):
            continue
        for ref, value in zip(refs_of(m["ref"]), _flat(sol.value, m["ref"]), strict=True):
            if (sheet, ref) in cells:
                computed[(sheet, ref)] = formula_engine.stored(value)
    for cell, value in computed.items():
        if value == formula_engine.UNREADABLE:
            blocked[cell] = "the formula engine could not pass the function its arguments"
    graph = formula_graph.reads(model, cells, titles)
    for cell in formula_graph.circular(graph):
        blocked.setdefault(cell, "on a circular reference (the formula reads itself)")
    blocked = formula_graph.spread(blocked, graph)
    values: dict[str, dict[str, object]] = {}
    for (sheet, ref), formula in cells.items():
        if (sheet, ref) in blocked:
            result.uncomputed.append(Uncomputed(sheet, ref, formula, blocked[(sheet, ref)]))
        elif (sheet, ref) in computed:
            values.setdefault(sheet, {})[ref] = computed[(sheet, ref)]
            result.computed += 1
            result.chx += "CHX_" in formula.upper()
    try:
        store_values(path, values, out)
    except (CachedValueError, OSError) as exc:
        raise CalcError(f"{path.name}: the values could not be stored ({exc})") from None
    return result


def _flat(value, ref: str) -> list:
    """A solution's values, one per cell of ``ref`` row by row; a cell the engine's
    result does not reach shows #N/A, as a spreadsheet shows it."""
    c1, r1, c2, r2 = formula_graph.bounds(ref)
    rows = value.tolist() if hasattr(value, "tolist") else [[value]]
    if not isinstance(rows, list):
        rows = [[rows]]
    rows = [r if isinstance(r, list) else [r] for r in rows]
    out = []
    for i in range(r2 - r1 + 1):
        for j in range(c2 - c1 + 1):
            try:
                out.append(rows[i][j])
            except IndexError:
                out.append("#N/A")
    return out

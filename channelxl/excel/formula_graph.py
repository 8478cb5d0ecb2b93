"""Which cells of a workbook hold formulas, which cells each reads, and which cannot be
computed: the bookkeeping of ``channelxl calc`` (``excel.workbook_calc``).

A formula cell is *not computed* when:

- it calls a function the engine does not know (another add-in's, a newer Excel function);
- it reads another workbook (``[1]Sheet!A1``: the engine does not open it);
- the engine cannot read the formula;
- it is on a circular reference (it reads itself through other cells): a spreadsheet
  shows 0 or the last iteration, neither of which is the figure;
- the engine could not pass a ``CHX_`` function its arguments (``formula_engine.UNREADABLE``);
- it reads, directly or through other cells, a cell that is not computed.

Cells are ``(sheet title, "B5")``; a range is ``(sheet title, (min col, min row, max col,
max row))``.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict, deque
from pathlib import Path

from openpyxl.utils.cell import (
    column_index_from_string,
    coordinate_from_string,
    get_column_letter,
    range_boundaries,
)

from channelxl.errors import ChannelxlError

Cell = tuple[str, str]
Bounds = tuple[int, int, int, int]
# the engine's cell keys: '[book.xlsx]SHEET'!A1 or '[book.xlsx]SHEET'!A1:B5
KEY = re.compile(r"^'?\[[^\]]*\](?P<sheet>.*?)'?!(?P<ref>\$?[A-Z]+\$?\d+(?::\$?[A-Z]+\$?\d+)?)$")


def formula_cells(path: Path) -> dict[Cell, str]:
    """Every formula cell of the workbook and its formula; each cell an array formula
    fills, with the array's formula."""
    from openpyxl import load_workbook
    from openpyxl.worksheet.formula import ArrayFormula

    try:
        wb = load_workbook(path, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds on a damaged workbook
        raise ChannelxlError(f"{path.name}: the workbook could not be read ({exc})") from None
    cells = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, ArrayFormula):
                    for ref in refs_of(value.ref):
                        cells[(ws.title, ref)] = value.text
                elif cell.data_type == "f" and isinstance(value, str):
                    cells.setdefault((ws.title, cell.coordinate), value)
    return cells


def bounds(ref: str) -> Bounds:
    ref = ref.replace("$", "")
    return range_boundaries(ref if ":" in ref else f"{ref}:{ref}")


def refs_of(ref: str) -> list[str]:
    """The cells of ``A1`` or ``A1:B3``, row by row."""
    c1, r1, c2, r2 = bounds(ref)
    return [f"{get_column_letter(c)}{r}" for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


class Titles:
    """The workbook's own sheet titles for the engine's upper-cased names."""

    def __init__(self, cells: dict[Cell, str], more: list[str] = ()):
        self._by_upper = {t.upper(): t for t in [*(s for s, _ in cells), *more]}

    def __call__(self, engine_sheet: str) -> str | None:
        return self._by_upper.get(engine_sheet.replace("''", "'").upper())


def parse_problems(formulas, cells: dict[Cell, str], known) -> dict[Cell, str]:
    """Formula cells the engine cannot read, or that call functions it does not know."""
    problems = {}
    parser = formulas.Parser()
    said: dict[str, str | None] = {}  # by the formula's shape: a column of one formula parses once
    for cell, formula in cells.items():
        shape = _ROW_NUMBER.sub("1", formula)
        if shape not in said:
            said[shape] = _problem(parser, formula, known)
        if said[shape]:
            problems[cell] = said[shape]
    return problems


# the row number of a cell reference (E17, $E$17), not the digits of a function name (LOG10()
_ROW_NUMBER = re.compile(r"(?<=[A-Z$])\d+(?![\d(])")


def _problem(parser, formula: str, known) -> str | None:
    """Why the engine cannot compute ``formula`` (its references aside), or None."""
    try:
        tokens, _ = parser.ast(formula if formula.startswith("=") else f"={formula}")
    except Exception as exc:  # the parser raises many kinds
        return f"the formula engine cannot read it ({exc.args[0] if exc.args else exc})"
    if any(type(t).__name__ == "Range" and "]" in str(t.name) for t in tokens):
        return "reads another workbook, which channelxl calc does not open"
    unknown = sorted(
        {t.name for t in tokens if type(t).__name__ in ("Function", "Lambda") and not known(t.name)}
    )
    if unknown:
        return f"calls {', '.join(unknown)}, which the formula engine does not know"
    return None


def reads(model, cells: dict[Cell, str], titles: Titles) -> dict[Cell, set[Cell]]:
    """Formula cell -> the formula cells it reads (directly), from the engine's model."""
    where: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for sheet, ref in cells:
        col, row = coordinate_from_string(ref)
        where[sheet][column_index_from_string(col)].append(row)
    for columns in where.values():
        for rows in columns.values():
            rows.sort()

    def formula_cells_in(sheet: str, box: Bounds) -> set[Cell]:
        c1, r1, c2, r2 = box
        found = set()
        for c, rows in where.get(sheet, {}).items():
            if c1 <= c <= c2:
                lo, hi = bisect.bisect_left(rows, r1), bisect.bisect_right(rows, r2)
                found.update((sheet, f"{get_column_letter(c)}{r}") for r in rows[lo:hi])
        return found

    graph: dict[Cell, set[Cell]] = {}
    for key, node in model.cells.items():
        m = KEY.match(key)
        sheet = titles(m["sheet"]) if m else None
        if sheet is None or not getattr(node, "inputs", None):
            continue
        inputs: set[Cell] = set()
        for name in node.inputs:
            r = KEY.match(str(name))
            source = titles(r["sheet"]) if r else None
            if source is not None:
                inputs |= formula_cells_in(source, bounds(r["ref"]))
        for ref in refs_of(m["ref"]):
            if (sheet, ref) in cells:
                graph[(sheet, ref)] = inputs
    return graph


def circular(graph: dict[Cell, set[Cell]]) -> set[Cell]:
    """Cells on a circular reference: in a strongly connected group of two or more cells,
    or reading themselves (Tarjan's algorithm, iterative: a long chain of cells must not
    exhaust Python's recursion)."""
    index: dict[Cell, int] = {}
    low: dict[Cell, int] = {}
    on_stack: set[Cell] = set()
    stack: list[Cell] = []
    found: set[Cell] = set()
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1 or node in graph.get(node, ()):
                    found.update(group)
    return found


def spread(blocked: dict[Cell, str], graph: dict[Cell, set[Cell]]) -> dict[Cell, str]:
    """``blocked`` and every cell reading one of them, directly or through others, each
    with why ("depends on Sheet!B5, which is not computed")."""
    readers: dict[Cell, list[Cell]] = defaultdict(list)
    for cell, inputs in graph.items():
        for source in inputs:
            readers[source].append(cell)
    out = dict(blocked)
    queue = deque(sorted(blocked))
    while queue:
        source = queue.popleft()
        for cell in sorted(readers.get(source, ())):
            if cell not in out:
                out[cell] = f"depends on {source[0]}!{source[1]}, which is not computed"
                queue.append(cell)
    return out

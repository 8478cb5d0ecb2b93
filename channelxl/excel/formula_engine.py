"""The formula engine ``channelxl calc`` computes with: the ``formulas`` library, with every
``CHX_`` function of the registry added.

What a ``CHX_`` function receives is shaped as Windows Excel passes it: numbers as
``float`` (an ``int`` 0 would read as an Office.js blank), blanks as ``None``, a range as
rows of cells, an error shown by another cell as its text (``#N/A``). What it returns goes
back as the engine holds values: a table as a 2-D array (an array formula's cells take its
values), a date as its Excel serial number, ``Decimal`` as ``float``.

When the engine cannot give a function the values of an argument (it happens with a
defined name next to an argument showing an error), the cell's value is
:data:`UNREADABLE`, and ``excel.workbook_calc`` lists the cell as not computed instead of
storing a value the function never computed.
"""

from __future__ import annotations

import contextlib
import io
from datetime import date, datetime, time
from decimal import Decimal
from importlib.metadata import version
from pathlib import Path

from channelxl.core.cell_values import EXCEL_EPOCH
from channelxl.errors import ChannelxlError

UNREADABLE = "#VALUE! channelxl: the formula engine could not pass this function its arguments"


class EngineError(ChannelxlError):
    """The engine cannot read the workbook."""


def engine_name() -> str:
    return f"formulas {version('formulas')}"


def load_engine():
    """The formulas library with every CHX_ function added (once per process)."""
    import formulas

    from channelxl.excel.registry import REGISTRY

    functions = formulas.get_functions()
    for name, function in REGISTRY.items():
        if not getattr(functions.get(name), "_channelxl", False):
            functions[name] = _adapter(function.fn)
    return formulas


def evaluate(formulas, path: Path):
    """The engine's model of the workbook at ``path`` and its solution (cell key -> value).
    The engine is not asked to solve circular references (its cycle search grows with the
    square of the cells): ``excel.formula_graph`` finds them and their values are not kept."""
    try:
        with contextlib.redirect_stderr(io.StringIO()):  # the engine draws progress bars
            model = formulas.ExcelModel().loads(str(path)).finish()
            solution = model.calculate()
    except Exception as exc:  # the engine raises many kinds on a workbook it cannot read
        raise EngineError(
            f"{path.name}: the formula engine could not read the workbook ({exc})"
        ) from None
    return model, solution


def known_functions(formulas):
    """A test: does the engine compute the function of this name?"""
    from formulas.functions import not_implemented

    functions = formulas.get_functions()
    return lambda name: name in functions and functions[name] is not not_implemented


def _adapter(fn):
    from formulas.errors import RangeValueError

    def call(*args):
        try:
            cells = [_incoming(a) for a in args]
        except RangeValueError:  # a range the engine holds no values for
            return UNREADABLE
        return _outgoing(fn(*cells))  # the functions are guarded: they never raise

    call._channelxl = True
    return call


def _incoming(value):
    import numpy as np

    value = getattr(value, "value", value)  # a Ranges object: its values (or RangeValueError)
    if isinstance(value, np.ndarray):
        rows = value.tolist() if value.ndim == 2 else [value.tolist()]
        cells = [[_cell_in(v) for v in row] for row in rows]
        return cells[0][0] if len(cells) == 1 and len(cells[0]) == 1 else cells
    return _cell_in(value)


def _cell_in(value):
    import numpy as np

    if isinstance(value, np.generic):
        value = value.item()
    if _is_token(value):  # the engine's markers are text underneath: tell them apart first
        return str(value) if type(value).__name__ == "XlError" else None
    if isinstance(value, bool | str | float) or value is None:
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, datetime | date):
        return value
    return None


def _is_token(value) -> bool:
    """The engine's own markers (schedula tokens: an empty cell, an error such as #N/A),
    which are ``str`` subclasses."""
    from schedula.utils.gen import Token

    return isinstance(value, Token)


def _outgoing(result):
    import numpy as np

    if isinstance(result, list):
        rows = [r if isinstance(r, list) else [r] for r in result] or [[""]]
        width = max(len(r) for r in rows)
        return np.array(
            [[_cell_out(v) for v in r] + [""] * (width - len(r)) for r in rows], dtype=object
        )
    return _cell_out(result)


def _cell_out(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        day = float((value.date() - EXCEL_EPOCH).days)
        return day + (value - datetime.combine(value.date(), time())).total_seconds() / 86400
    if isinstance(value, date):
        return float((value - EXCEL_EPOCH).days)
    return "" if value is None else value


def stored(value):
    """An engine value as ``io.cached_values.store_values`` takes it: numbers, text,
    booleans, errors as their code; the engine's empty result as no value."""
    import numpy as np

    if isinstance(value, np.generic):
        value = value.item()
    if _is_token(value):  # an error keeps its code; the empty result stores no value
        return str(value) if type(value).__name__ == "XlError" else None
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    return None

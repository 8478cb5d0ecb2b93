"""The Calc add-in's UNO component: runs inside LibreOffice, never imported by channelxl.

``channelxl addin build --libreoffice`` copies this file into channelxl.oxt as
``channelxl_calc.py``, beside ``functions.json`` (UNO method -> CHX_ function) and
``site.json`` (where channelxl is installed, for which Python). LibreOffice's Python loader
executes it with ``__file__`` set to that copy. Each call converts what Calc passes to what
the Excel functions take, calls the registry's function (already guarded: bad input gives
an error text such as ``#VALUE! tier thresholds must ascend (row 3)``, as in Excel), and
converts the result back:

- in: a number (float), a text, a range as rows of cells (empty cells void -> None), an
  omitted optional argument void -> None; ranges become lists of lists, as xlwings gives;
- out: always rows of cells (the interface's ``sequence< sequence< any > >``; one value
  is 1x1, a one-dimensional list a column): Decimal/int -> float, None -> "", a date ->
  its serial number (days since 1899-12-30, Calc's and Excel's default).
"""

import json
import os
import sys
from datetime import date, datetime
from decimal import Decimal

import unohelper
from org.channelxl.calc import XChannelxl  # the type library (channelxl.rdb) in the .oxt

HERE = os.path.dirname(os.path.abspath(__file__))
IMPLEMENTATION = "org.channelxl.calc.Channelxl"
_EPOCH = date(1899, 12, 30)


def _read(name):
    with open(os.path.join(HERE, name), encoding="utf-8") as handle:
        return json.load(handle)


FUNCTIONS = _read("functions.json")
SITE = _read("site.json")
_registry = {}  # filled on the first call: importing pandas costs a second


def _load():
    """The registry, imported from where ``channelxl addin install`` found channelxl."""
    if _registry:
        return None
    built_for = tuple(SITE["python"])
    if sys.version_info[:2] != built_for:
        have = sys.version_info[:2]
        return (
            f"#VALUE! the channelxl add-in was built for Python {built_for[0]}.{built_for[1]} "
            f"but LibreOffice runs Python {have[0]}.{have[1]}: install channelxl for "
            "LibreOffice's Python and run `channelxl addin install --libreoffice` with it"
        )
    for path in reversed(SITE["paths"]):
        if path not in sys.path:
            sys.path.insert(0, path)  # before LibreOffice's own: channelxl's own libraries
    try:
        from channelxl.excel import REGISTRY
    except Exception as exc:  # a cell shows why, never a traceback
        return (
            f"#VALUE! channelxl could not be imported from {SITE['paths'][0]} ({exc}): "
            "reinstall the add-in with `channelxl addin install --libreoffice`"
        )
    _registry.update(REGISTRY)
    return None


def _incoming(value):
    if isinstance(value, tuple):
        return [_incoming(v) for v in value]
    return value


def _cell(value):
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int | float | Decimal):
        return float(value)
    if isinstance(value, datetime):
        return (
            float((value.date() - _EPOCH).days)
            + (value.hour * 3600 + value.minute * 60 + value.second) / 86400
        )
    if isinstance(value, date):
        return float((value - _EPOCH).days)
    if value is None:
        return ""
    return str(value)


def _outgoing(value):
    """Rows of cells padded to one width (Calc needs a rectangle); a value is 1x1."""
    if isinstance(value, list | tuple):
        rows = [list(r) if isinstance(r, list | tuple) else [r] for r in value]
        if not rows:
            return (("",),)
        width = max(len(r) for r in rows)
        return tuple(tuple(_cell(c) for c in r + [None] * (width - len(r))) for r in rows)
    return ((_cell(value),),)  # 1x1: a plain cell shows the value


def _call(name, args):
    problem = _load()
    if problem:
        return ((problem,),)
    function = _registry[name].fn
    return _outgoing(function(*[_incoming(a) for a in args]))


class Channelxl(unohelper.Base, XChannelxl):
    """One method per CHX_ function, added below from functions.json."""

    def __init__(self, ctx):
        self.ctx = ctx


def _method(name):
    def call(self, *args):
        return _call(name, args)

    call.__name__ = name
    return call


for _uno_name, _spec in FUNCTIONS.items():
    setattr(Channelxl, _uno_name, _method(_spec["name"]))

g_ImplementationHelper = unohelper.ImplementationHelper()
g_ImplementationHelper.addImplementation(Channelxl, IMPLEMENTATION, ("com.sun.star.sheet.AddIn",))

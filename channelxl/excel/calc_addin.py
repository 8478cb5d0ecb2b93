"""The CHX_ functions as a LibreOffice Calc add-in (``channelxl.oxt``), generated from REGISTRY.

What the extension holds, and why:

- ``channelxl.rdb``: the UNO type library of ``org.channelxl.calc.XChannelxl``, one method per
  function. Every argument is ``any`` (Calc passes a number, a text, or a range as rows of
  cells; an omitted optional argument as void), the result is ``any`` (a value, or rows of
  values: entered as an array formula, a column or table fills its cells). Building it needs
  ``unoidl-write`` from the LibreOffice SDK, which users do not have: the package ships
  ``_data/calc/channelxl.rdb`` built from ``_data/calc/XChannelxl.idl``, and a test checks
  both still match the registry (``python -m channelxl.excel.calc_addin`` rebuilds them).
- ``channelxl.components``: registers the Python component. A manifest entry alone fails at
  install (the new type is not loaded yet); a ``.components`` file is read after the types.
- ``CalcAddIns.xcu``: what the Function Wizard shows: each function's name (``CHX_REBATE``),
  description and argument descriptions, and the name used in .xlsx files
  (``CompatibilityName``), so a workbook written by Excel or openpyxl opens with working
  formulas.
- ``channelxl_calc.py`` (the source of :mod:`channelxl.excel.calc_component`),
  ``functions.json`` (method -> function) and ``site.json``: where this channelxl and its
  libraries are installed, and for which Python. LibreOffice runs the component in its own
  Python (Debian's ``python3`` on Linux); it imports channelxl from there, so a cell
  computes through the very code the CLI uses.
"""

from __future__ import annotations

import json
import shutil
import site
import subprocess
import sys
import sysconfig
import tempfile
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import channelxl
from channelxl.excel.registry import REGISTRY, Function

DATA = Path(__file__).resolve().parent.parent / "_data" / "calc"
SHIPPED_IDL = DATA / "XChannelxl.idl"
SHIPPED_RDB = DATA / "channelxl.rdb"
IMPLEMENTATION = "org.channelxl.calc.Channelxl"
INTERFACE = "org.channelxl.calc.XChannelxl"
EXTENSION_ID = "org.channelxl.calc"
# Calc's Function Wizard has a fixed list of categories; an add-in's functions go to
# "Add-In" (an unknown category name lands there too), so descriptions start "channelxl: ".
WIZARD_CATEGORY = "Add-In"
SDK_TOOLS = (Path("/usr/lib/libreoffice/sdk/bin"), Path("/usr/lib/libreoffice/program"))


def method_name(function: Function) -> str:
    """CHX_NEXT_TIER_GAP -> chxNextTierGap: the UNO method (Calc's programmatic name)."""
    first, *rest = function.name.lower().split("_")
    return first + "".join(p.capitalize() for p in rest)


def param_name(name: str) -> str:
    """sell_in -> sellIn: UNOIDL identifiers have no underscores."""
    first, *rest = name.split("_")
    return first + "".join(p.capitalize() for p in rest)


def idl_text() -> str:
    """The UNOIDL of XChannelxl: one ``any f([in] any a, ...)`` per registry function."""
    lines = [
        "// generated from channelxl.excel.registry by channelxl.excel.calc_addin; do not edit",
        "#include <com/sun/star/uno/XInterface.idl>",
        "module org { module channelxl { module calc {",
        "interface XChannelxl : com::sun::star::uno::XInterface",
        "{",
    ]
    for f in REGISTRY.values():
        args = ", ".join(f"[in] any {param_name(a.name)}" for a in f.args)
        lines.append(f"    sequence< sequence< any > > {method_name(f)}({args});")
    lines += ["};", "}; }; };", ""]
    return "\n".join(lines)


def unoidl_write() -> Path | None:
    """The SDK's unoidl-write (Debian: libreoffice-dev), or None."""
    found = shutil.which("unoidl-write")
    if found:
        return Path(found)
    return next((d / "unoidl-write" for d in SDK_TOOLS if (d / "unoidl-write").exists()), None)


def office_types() -> Path | None:
    """LibreOffice's own types.rdb, which XChannelxl's base interface comes from."""
    for base in (Path("/usr/lib/libreoffice/program"), Path("/opt/libreoffice/program")):
        if (base / "types.rdb").exists():
            return base / "types.rdb"
    return None


def compile_rdb(idl: Path, out: Path) -> None:
    """``unoidl-write types.rdb X.idl out.rdb``: the type library from the IDL."""
    tool, types = unoidl_write(), office_types()
    if tool is None or types is None:
        raise FileNotFoundError("unoidl-write (LibreOffice SDK, Debian: libreoffice-dev)")
    subprocess.run([str(tool), str(types), str(idl), str(out)], check=True, capture_output=True)


def _xml_value(text: str) -> str:
    return f'<value xml:lang="en-US">{escape(text)}</value>'


def xcu_text() -> str:
    """CalcAddIns.xcu: names, descriptions and argument descriptions for the wizard."""
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<oor:component-data xmlns:oor="http://openoffice.org/2001/registry"'
        ' xmlns:xs="http://www.w3.org/2001/XMLSchema"'
        ' oor:name="CalcAddIns" oor:package="org.openoffice.Office">',
        '<node oor:name="AddInInfo">',
        f'<node oor:name="{IMPLEMENTATION}" oor:op="replace">',
        '<node oor:name="AddInFunctions">',
    ]
    for f in REGISTRY.values():
        out += [
            f'<node oor:name="{method_name(f)}" oor:op="replace">',
            f'<prop oor:name="DisplayName">{_xml_value(f.name)}</prop>',
            f'<prop oor:name="Description">{_xml_value("channelxl: " + f.summary)}</prop>',
            f'<prop oor:name="Category"><value>{WIZARD_CATEGORY}</value></prop>',
            f'<prop oor:name="CompatibilityName">{_xml_value(f.name)}</prop>',
            '<node oor:name="Parameters">',
        ]
        for a in f.args:
            doc = f"{a.accepts}{' (optional)' if a.optional else ''}"
            out += [
                f'<node oor:name="{param_name(a.name)}" oor:op="replace">',
                f'<prop oor:name="DisplayName">{_xml_value(a.name)}</prop>',
                f'<prop oor:name="Description">{_xml_value(doc)}</prop>',
                "</node>",
            ]
        out += ["</node>", "</node>"]
    out += ["</node>", "</node>", "</node>", "</oor:component-data>", ""]
    return "\n".join(out)


def components_xml() -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<components xmlns="http://openoffice.org/2010/uno-components">\n'
        '  <component loader="com.sun.star.loader.Python" uri="channelxl_calc.py">\n'
        f'    <implementation name="{IMPLEMENTATION}">\n'
        '      <service name="com.sun.star.sheet.AddIn"/>\n'
        "    </implementation>\n"
        "  </component>\n"
        "</components>\n"
    )


def manifest_xml() -> str:
    entries = [
        ("channelxl.rdb", "application/vnd.sun.star.uno-typelibrary;type=RDB"),
        ("channelxl.components", "application/vnd.sun.star.uno-components"),
        ("CalcAddIns.xcu", "application/vnd.sun.star.configuration-data"),
    ]
    rows = "".join(
        f"  <manifest:file-entry manifest:full-path={quoteattr(p)} "
        f"manifest:media-type={quoteattr(t)}/>\n"
        for p, t in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<manifest:manifest xmlns:manifest="http://openoffice.org/2001/manifest">\n'
        f"{rows}</manifest:manifest>\n"
    )


def description_xml() -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<description xmlns="http://openoffice.org/extensions/description/2006"'
        ' xmlns:xlink="http://www.w3.org/1999/xlink">\n'
        f'  <identifier value="{EXTENSION_ID}"/>\n'
        f'  <version value="{channelxl.__version__}"/>\n'
        "  <display-name><name>channelxl CHX_ functions</name></display-name>\n"
        "</description>\n"
    )


def functions_json() -> str:
    """Method -> (function name, whether each argument is optional), for the component."""
    table = {
        method_name(f): {"name": f.name, "optional": [a.optional for a in f.args]}
        for f in REGISTRY.values()
    }
    return json.dumps(table, indent=1, sort_keys=True)


def _imported_from() -> list[str]:
    """The folders the libraries imported so far came from (the standard library aside):
    importing channelxl.excel imported everything the functions need, wherever it lives
    (site-packages, a PYTHONPATH folder, an editable install)."""
    stdlib = [Path(sysconfig.get_paths()[k]).resolve() for k in ("stdlib", "platstdlib")]
    # only folders on sys.path: a module registered under a top-level name from inside a
    # package (pandas does) must not put that package's folder first
    on_path = {Path(p).resolve() for p in sys.path if p}
    found = []
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if "." in name or not file:
            continue
        path = Path(file)
        base = path.parent.parent if path.name == "__init__.py" else path.parent
        real = base.resolve()
        if real in on_path and not any(real == s or s in real.parents for s in stdlib):
            found.append(str(base))
    return found


def site_json() -> str:
    """Where this channelxl and its libraries live, and the Python they were built for:
    channelxl's folder first, then where its libraries were imported from, then this
    Python's site-packages (for a library imported later)."""
    paths = [str(Path(channelxl.__file__).resolve().parent.parent), *_imported_from()]
    paths += site.getsitepackages() + [sysconfig.get_paths()[k] for k in ("purelib", "platlib")]
    unique = [p for i, p in enumerate(paths) if p not in paths[:i] and Path(p).is_dir()]
    version = list(sys.version_info[:2])
    return json.dumps(
        {"paths": unique, "python": version, "channelxl": channelxl.__version__}, indent=1
    )


def check_shipped() -> list[str]:
    """What is stale in the shipped IDL/.rdb (empty when both match the registry)."""
    problems = []
    if not SHIPPED_IDL.exists() or SHIPPED_IDL.read_text(encoding="utf-8") != idl_text():
        problems.append(f"{SHIPPED_IDL.name} differs from the registry")
    if not SHIPPED_RDB.exists():
        problems.append(f"{SHIPPED_RDB.name} is missing")
    return problems


def type_library(workdir: Path) -> Path:
    """The .rdb for the current registry: compiled when the SDK is here, else the shipped one.

    Refused when neither works: a library that lacks a function would make Calc show
    #NAME? for it, with no reason given.
    """
    if unoidl_write() is not None and office_types() is not None:
        idl = workdir / "XChannelxl.idl"
        idl.write_text(idl_text(), encoding="utf-8")
        compile_rdb(idl, workdir / "channelxl.rdb")
        return workdir / "channelxl.rdb"
    problems = check_shipped()
    if problems:
        raise RuntimeError(
            "the shipped Calc type library is stale ("
            + "; ".join(problems)
            + "): run `python -m channelxl.excel.calc_addin` where the LibreOffice SDK is "
            "installed (Debian: libreoffice-dev)"
        )
    return SHIPPED_RDB


def build_oxt(out: Path) -> Path:
    """Write channelxl.oxt to ``out`` (the files listed in this module's docstring)."""
    component = Path(__file__).with_name("calc_component.py")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as workdir:
        rdb = type_library(Path(workdir))  # before the zip: a refusal leaves no broken .oxt
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as oxt:
            oxt.writestr("META-INF/manifest.xml", manifest_xml())
            oxt.writestr("description.xml", description_xml())
            oxt.writestr("channelxl.components", components_xml())
            oxt.writestr("CalcAddIns.xcu", xcu_text())
            oxt.write(rdb, "channelxl.rdb")
            oxt.write(component, "channelxl_calc.py")
            oxt.writestr("functions.json", functions_json())
            oxt.writestr("site.json", site_json())
    return out


def refresh_shipped() -> None:
    """Rewrite _data/calc/XChannelxl.idl and channelxl.rdb from the registry (needs the SDK)."""
    DATA.mkdir(parents=True, exist_ok=True)
    SHIPPED_IDL.write_text(idl_text(), encoding="utf-8")
    compile_rdb(SHIPPED_IDL, SHIPPED_RDB)


if __name__ == "__main__":
    refresh_shipped()
    print(f"wrote {SHIPPED_IDL} and {SHIPPED_RDB}")

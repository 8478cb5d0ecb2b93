"""The CHX_ functions as a LibreOffice Calc add-in: the generated extension, the command, and
real headless LibreOffice computing a workbook through it.

The live tests need soffice, unopkg and LibreOffice's Python with its UNO bridge (Debian:
libreoffice-calc-nogui, libreoffice-script-provider-python, python3-uno; ``.ci/run``
installs them); without them they are skipped with that reason. unopkg refuses to install
for root, so as root the live tests install and run LibreOffice as ``nobody``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import datetime
from pathlib import Path
from xml.etree import ElementTree

import pytest
from helpers import run_cli
from office import drop_to_nobody, office_user

import channelxl
from channelxl.excel import REGISTRY, chx_rebate
from channelxl.excel.calc_addin import (
    SHIPPED_IDL,
    SHIPPED_RDB,
    build_oxt,
    compile_rdb,
    idl_text,
    office_types,
    unoidl_write,
)

OFFICE_PYTHON = "/usr/bin/python3"  # the Python LibreOffice runs its components in (Debian)
DRIVER = Path(__file__).with_name("calc_driver.py")
OOR = "{http://openoffice.org/2001/registry}"
TIERS = [["Threshold", "Rate"], [0, 0], [100000, 0.02], [250000, 0.03], [500000, 0.04]]
MEASURES = [50000, 120000, 300000, 600000]
# by hand: retroactive = the reached tier's rate x the whole measure
RETROACTIVE = [0.0, 2400.0, 9000.0, 24000.0]


def _office_missing() -> str | None:
    for tool in ("soffice", "unopkg"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (Debian: libreoffice-calc-nogui)"
    probe = subprocess.run(
        [OFFICE_PYTHON, "-c", "import sys, uno; print(*sys.version_info[:2])"],
        capture_output=True,
        text=True,
    )
    if probe.returncode != 0:
        return "LibreOffice's Python has no uno module (Debian: python3-uno)"
    office = tuple(map(int, probe.stdout.split()))
    if office != sys.version_info[:2]:  # the add-in refuses then, saying so in each cell
        return f"LibreOffice's Python is {office}, these tests' Python {sys.version_info[:2]}"
    if os.geteuid() == 0:  # LibreOffice runs as nobody: it must read channelxl and its libraries
        drop = drop_to_nobody

        folders = [Path(channelxl.__file__).parent, Path(_site_packages())]
        for folder in folders:
            seen = subprocess.run(
                [OFFICE_PYTHON, "-c", f"import os; os.listdir({str(folder)!r})"],
                preexec_fn=drop,
                capture_output=True,
            )
            if seen.returncode != 0:
                return (
                    f"{folder} cannot be read by the user LibreOffice runs as here (nobody); "
                    "make it and the folders above it readable (chmod o+rx)"
                )
    return None


def _site_packages() -> str:
    """The folder this Python's third-party libraries are in (the add-in imports from it)."""
    import numpy

    return str(Path(numpy.__file__).parent.parent)


# ------------------------------------------------------------------ the generated extension


def test_the_shipped_type_library_matches_the_registry():
    assert SHIPPED_IDL.read_text(encoding="utf-8") == idl_text(), (
        "run `python -m channelxl.excel.calc_addin` to rebuild _data/calc"
    )
    if unoidl_write() is None or office_types() is None:
        pytest.skip("unoidl-write (libreoffice-dev) is absent: the .rdb bytes are not rebuilt")
    with tempfile.TemporaryDirectory() as d:
        compile_rdb(SHIPPED_IDL, Path(d) / "x.rdb")
        assert (Path(d) / "x.rdb").read_bytes() == SHIPPED_RDB.read_bytes()


def test_the_interface_has_one_method_per_function_with_its_arguments_in_order():
    idl = idl_text()
    rows = "sequence< sequence< any > >"
    assert f"{rows} chxNextTierGap([in] any measure, [in] any tiers);" in idl
    assert f"{rows} chxRebate([in] any measure, [in] any tiers, [in] any method);" in idl
    assert "[in] any weeklySellThrough" in idl  # UNOIDL names have no underscores
    assert idl.count(f"    {rows} chx") == len(REGISTRY)


def test_the_extension_holds_what_calc_needs_and_the_wizard_text(tmp_path):
    done = run_cli("addin", "build", "--libreoffice", "--out", tmp_path / "c.oxt")
    assert done.returncode == 0, done.stderr
    assert "c.oxt" in done.stdout
    with zipfile.ZipFile(tmp_path / "c.oxt") as oxt:
        names = set(oxt.namelist())
        manifest = oxt.read("META-INF/manifest.xml").decode()
        xcu = ElementTree.fromstring(oxt.read("CalcAddIns.xcu"))
        site = json.loads(oxt.read("site.json"))
    assert {"channelxl.rdb", "channelxl.components", "channelxl_calc.py", "description.xml"} <= (
        names
    )
    for entry in ("channelxl.rdb", "channelxl.components", "CalcAddIns.xcu"):
        assert f'full-path="{entry}"' in manifest
    functions = {n.get(f"{OOR}name"): n for n in xcu.iter("node") if n.find("prop") is not None}
    rebate = functions["chxRebate"]
    shown = {p.get(f"{OOR}name"): p.findtext("value") for p in rebate.findall("prop")}
    assert shown["DisplayName"] == "CHX_REBATE"
    assert shown["Description"].startswith("channelxl: Rebate for a measure")
    params = [n.get(f"{OOR}name") for n in rebate.find("node").findall("node")]
    assert params == ["measure", "tiers", "method"]
    assert Path(site["paths"][0], "channelxl", "excel").is_dir()
    # where LibreOffice's Python finds the functions' libraries; never a package's own
    # folder, whose modules (channelxl/io) would shadow the standard library's (io)
    assert any(Path(p, "numpy").is_dir() for p in site["paths"])
    assert not any(Path(p, "__init__.py").exists() for p in site["paths"])


def test_addin_help_says_where_each_route_works():
    done = run_cli("addin", "--help")
    assert done.returncode == 0
    for route in ("Excel on Windows", "xlwings add-in", "LibreOffice Calc", "xlwings Lite"):
        assert route in done.stdout


def test_an_addin_without_a_target_is_refused_with_the_fix():
    done = run_cli("addin", "build")
    assert done.returncode == 2
    assert "--libreoffice" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="the refusal is for root")
def test_install_as_root_says_to_run_it_as_the_user(tmp_path):
    if shutil.which("unopkg") is None:
        pytest.skip("unopkg is not installed")
    done = run_cli("addin", "install", "--libreoffice", "--profile", tmp_path / "p")
    assert done.returncode == 2
    assert "as the user who runs LibreOffice" in done.stderr


# ------------------------------------------------------------------ real LibreOffice


def _cell_value(v):
    """A Python cell value as Calc holds it: dates as serial days since 1899-12-30."""
    if isinstance(v, datetime):
        return float((v - datetime(1899, 12, 30)).days)
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else v


def _address(col: int, row: int) -> str:
    return f"{chr(65 + col)}{row + 1}"


def _spec(ods: Path) -> tuple[dict, dict]:
    """The sheet: every registry example (arguments in cells), the CHX_REBATE cases, and a
    timed block; returns the spec and the expected values (rows of cells) by formula id."""
    cells, formulas, expected = [], [], {}
    data_row, formula_row = 0, 0

    def block(rows):
        nonlocal data_row
        for j, row in enumerate(rows):
            for i, v in enumerate(row):
                if v is not None:
                    cells.append({"at": [12 + i, data_row + j], "value": _cell_value(v)})
        first = _address(12, data_row)
        last = _address(12 + max(len(r) for r in rows) - 1, data_row + len(rows) - 1)
        data_row += len(rows) + 1
        return first if first == last else f"{first}:{last}"

    def formula(fid, text, result):
        nonlocal formula_row
        rows = result if isinstance(result, list) else [[result]]
        rows = [[_cell_value(v if v is not None else "") for v in r] for r in rows]
        size = [len(rows[0]), len(rows)] if (len(rows), len(rows[0])) != (1, 1) else None
        formulas.append({"id": fid, "at": [0, formula_row], "local": text, "size": size})
        expected[fid] = rows
        formula_row += len(rows) + 1

    for f in REGISTRY.values():
        refs = [block(a if isinstance(a, list) else [[a]]) for a in f.example_args]
        result = f.fn(*f.example_args)  # what Excel computes for the same arguments
        assert _cell_value(result) == _cell_value(f.example_result) or isinstance(result, list)
        formula(f.name, f"={f.name}({';'.join(refs)})", result)

    tiers, measures = block(TIERS), block([[m] for m in MEASURES])
    formula("scalar", f"=CHX_REBATE(300000;{tiers})", 9000.0)
    formula("incremental", f'=CHX_REBATE(300000;{tiers};"incremental")', 4500.0)
    formula("column", f"=CHX_REBATE({measures};{tiers})", [[v] for v in RETROACTIVE])
    descending = block([[0, 0], [250000, 0.03], [100000, 0.02]])
    error = chx_rebate(300000.0, [[0.0, 0.0], [250000.0, 0.03], [100000.0, 0.02]])
    assert error.startswith("#VALUE! ")
    formula("error", f"=CHX_REBATE(300000;{descending})", error)
    timed = [
        {"at": [24, i], "local": f"=CHX_REBATE({measures.split(':')[0]}+{i};{tiers})"}
        for i in range(400)
    ]
    return {"cells": cells, "formulas": formulas, "timed": timed, "ods": str(ods)}, expected


@pytest.fixture(scope="module")
def calc_results():
    missing = _office_missing()
    if missing:
        pytest.skip(missing)
    work = Path(tempfile.mkdtemp(prefix="chx-calc-", dir="/tmp"))
    try:
        profile = work / "profile"
        oxt = build_oxt(work / "channelxl.oxt")
        spec, expected = _spec(work / "recomputed.ods")
        (work / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
        env = {**os.environ, "HOME": str(work)}
        drop = office_user(work)  # unopkg refuses root: LibreOffice runs as nobody here

        unopkg = [shutil.which("unopkg"), "add", "--force", "--suppress-license", str(oxt)]
        unopkg.append(f"-env:UserInstallation={profile.as_uri()}")
        done = subprocess.run(unopkg, env=env, preexec_fn=drop, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        started = time.perf_counter()
        done = subprocess.run(
            [OFFICE_PYTHON, str(DRIVER), str(profile), str(work / "spec.json"), str(work / "o")],
            env=env,
            preexec_fn=drop,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        results = json.loads((work / "o").read_text(encoding="utf-8"))
        results["wall_seconds"] = time.perf_counter() - started
        results["ods_written"] = (work / "recomputed.ods").stat().st_size > 0
        yield results, expected, len(spec["timed"]) + len(spec["formulas"])
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_every_function_in_calc_gives_what_the_python_function_gives(calc_results):
    results, expected, _ = calc_results
    for name in REGISTRY:
        assert results[name] == expected[name], name


def test_a_scalar_a_range_a_column_and_an_error_in_calc(calc_results):
    results, _, _ = calc_results
    assert results["ods_written"]
    assert results["scalar"] == [[9000.0]]
    assert results["scalar:formula"].startswith("=CHX_REBATE(")  # the name a user typed
    assert results["incremental"] == [[4500.0]]
    assert results["column"] == [[v] for v in RETROACTIVE]  # an array formula over 4 rows
    (error,) = results["error"][0]
    assert error.startswith("#VALUE! ") and "ascend" in error


def test_the_function_wizard_lists_every_function_with_its_arguments(calc_results):
    wizard = calc_results[0]["wizard"]
    assert sorted(wizard) == sorted(REGISTRY)
    rebate = wizard["CHX_REBATE"]
    assert rebate["description"].startswith("channelxl: Rebate for a measure from a tier table")
    assert [name for name, _ in rebate["arguments"]] == ["measure", "tiers", "method"]
    assert rebate["arguments"][2][1] == '"retroactive" (default) or "incremental" (optional)'


def test_a_recalculation_costs_little_per_call(calc_results):
    results, _, calls = calc_results
    # by hand: measure 50000 + i stays in the base tier (rate 0) for every i < 50000
    assert results["timed_values"] == [0.0] * 400
    per_call = results["recalc_seconds"] / calls
    print(
        f"Calc recalculated {calls} CHX_ calls in {results['recalc_seconds']:.3f} s "
        f"({per_call * 1000:.2f} ms per call); whole run {results['wall_seconds']:.1f} s"
    )
    assert per_call < 0.05


# ------------------------------------------------------------------ the component, without LibreOffice


def _component(tmp_path, python=None):
    """The extension's component executed as LibreOffice's loader does (``__file__`` set,
    beside functions.json and site.json), with stand-ins for LibreOffice's own modules."""
    import runpy
    import types

    from channelxl.excel.calc_addin import functions_json, site_json

    site = json.loads(site_json())
    if python:
        site["python"] = python
    (tmp_path / "functions.json").write_text(functions_json(), encoding="utf-8")
    (tmp_path / "site.json").write_text(json.dumps(site), encoding="utf-8")
    source = Path(__file__).parents[1] / "channelxl" / "excel" / "calc_component.py"
    shutil.copy(source, tmp_path / "channelxl_calc.py")
    helper = types.ModuleType("unohelper")
    helper.Base = type("Base", (), {})
    helper.ImplementationHelper = lambda: types.SimpleNamespace(addImplementation=lambda *a: None)
    interface = types.ModuleType("org.channelxl.calc")
    interface.XChannelxl = type("XChannelxl", (), {})
    stand_ins = {
        "unohelper": helper,
        "org": types.ModuleType("org"),
        "org.channelxl": types.ModuleType("org.channelxl"),
        "org.channelxl.calc": interface,
    }
    saved = {k: sys.modules.get(k) for k in stand_ins}
    sys.modules.update(stand_ins)
    try:
        return runpy.run_path(str(tmp_path / "channelxl_calc.py"))["Channelxl"](None)
    finally:
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v


def test_the_component_returns_rows_of_cells_as_calc_takes_them(tmp_path):
    calc = _component(tmp_path)
    tiers = ((0.0, 0.0), (100000.0, 0.02), (250000.0, 0.03), (500000.0, 0.04))
    assert calc.chxRebate(300000.0, tiers, None) == ((9000.0,),)  # a value is 1x1
    column = calc.chxRebate(((50000.0,), (120000.0,), (300000.0,), (600000.0,)), tiers, None)
    assert column == tuple((v,) for v in RETROACTIVE)
    territories = (
        ("Distributor", "Country", "Segment", "Exclusive", "Valid From", "Valid To"),
        ("D001", "IN", "public", "Y", 45658.0, None),  # 2025-01-01, open-ended
        ("D002", "IN", "*", "Y", 45809.0, 46112.0),  # 2025-06-01 .. 2026-03-31
    )
    header, row = calc.chxTerritoryConflicts(territories)
    assert header[0] == "Distributor A" and len(header) == len(row)
    # dates go back as serial days since 1899-12-30, every cell a float or a text
    assert row[-2:] == (45809.0, 46112.0)
    (error,) = calc.chxRebate(300000.0, ((0.0, 0.0), (250000.0, 0.03), (100000.0, 0.02)), None)
    assert error[0].startswith("#VALUE! ")


def test_the_component_says_in_the_cell_when_the_python_differs(tmp_path):
    calc = _component(tmp_path, python=[2, 7])
    ((text,),) = calc.chxRebate(300000.0, ((0.0, 0.0),), None)
    assert text.startswith("#VALUE! the channelxl add-in was built for Python 2.7")
    assert "channelxl addin install --libreoffice" in text

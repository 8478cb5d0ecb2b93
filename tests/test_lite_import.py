"""channelxl's Excel functions in xlwings Lite (Python in the browser, on Pyodide).

Lite can import the standard library, the packages Pyodide builds (numpy, pandas and their
own dependencies), pure-Python wheels, and xlwings, which Lite itself provides. Each test
runs a fresh Python in which every other package is unimportable (a ``sys.meta_path``
finder refuses it), imports ``channelxl.excel`` -- from the source tree and from the Lite
wheel ``workbooks/lite/build_wheel.py`` builds -- loads ``workbooks/lite/main.py`` as Lite
would, and calls every registered function's example with its values shaped as Office.js
passes them: whole numbers as ``int``, blank cells as ``""``, dates as serial numbers.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LITE = ROOT / "workbooks" / "lite"
# workbooks/lite is a folder of files, not a package (and it holds a main.py): load the
# build script by path rather than put the folder on sys.path
_spec = importlib.util.spec_from_file_location("lite_build_wheel", LITE / "build_wheel.py")
build_wheel = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_wheel)

# What Lite's Python may import besides the standard library. Everything else is refused,
# notably the desktop packages: duckdb and python_calamine (the ledger and the file
# readers: python-calamine has no Pyodide build, and micropip stops at a dependency
# without one), papermill, nbclient, nbconvert, jupyter_client and zmq (reviews run a
# kernel in a subprocess; the browser has no processes), weasyprint (PDF through native
# Pango), dask and distributed (threads and sockets), openpyxl, babel and pycountry (pure
# Python, so installable, but only the file readers use them: a cell has no reason to
# download them), matplotlib and click (charts and the command line).
LITE_IMPORTABLE = {
    "channelxl",
    "xlwings",  # provided by Lite (its own requirements.txt starts with it)
    "numpy",  # built by Pyodide
    "pandas",  # built by Pyodide; the next three are its own dependencies
    "dateutil",
    "pytz",
    "tzdata",
    "six",  # python-dateutil's dependency
}

SCRIPT = r"""
import datetime as dt
import importlib.abc
import importlib.util
import json
import sys

ALLOWED = set(json.loads(sys.argv[1]))
SOURCE, MAIN = sys.argv[2], sys.argv[3]
refused = set()


class LiteOnly(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        top = name.partition(".")[0]
        if top in sys.stdlib_module_names or top.startswith("_") or top in ALLOWED:
            return None
        refused.add(top)
        raise ImportError(f"{top} is not available in xlwings Lite")


sys.meta_path.insert(0, LiteOnly())
sys.path.insert(0, SOURCE)

import channelxl.excel
from channelxl.excel import REGISTRY

spec = importlib.util.spec_from_file_location("main", MAIN)
main = importlib.util.module_from_spec(spec)
spec.loader.exec_module(main)

EPOCH = dt.datetime(1899, 12, 30)


def office_js(value):
    # Office.js: a blank cell is "", a whole number an int, a date its serial number
    if isinstance(value, list | tuple):
        return [office_js(v) for v in value]
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return office_js((value - EPOCH).total_seconds() / 86400)
    if isinstance(value, dt.date):
        return (value - EPOCH.date()).days
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def plain(value):
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


results = {}
for name, f in REGISTRY.items():
    results[name] = {
        "got": plain(f.fn(*office_js(list(f.example_args)))),
        "expected": plain(f.example_result),
        "in_main": getattr(main, name.lower(), None) is f.fn,
    }
# modules imported from a file; cython_runtime and the like are made by extension modules
loaded = sorted(
    {n.partition(".")[0] for n, m in sys.modules.items() if getattr(m, "__spec__", None)}
    - set(sys.stdlib_module_names)
)
print(json.dumps({
    "channelxl_from": channelxl.__file__,
    "results": results,
    "loaded": [m for m in loaded if not m.startswith("_")],
    "refused": sorted(refused),
}))
"""


def _run_in_lite(source: Path, tmp_path: Path) -> dict:
    script = tmp_path / "lite_check.py"
    script.write_text(SCRIPT, encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            str(script),
            json.dumps(sorted(LITE_IMPORTABLE)),
            str(source),
            str(LITE / "main.py"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def _check(report: dict, source: Path) -> None:
    assert Path(report["channelxl_from"]).resolve().is_relative_to(source.resolve())
    assert set(report["loaded"]) <= LITE_IMPORTABLE | {"channelxl"}
    for desktop in ("duckdb", "python_calamine", "openpyxl", "babel", "pycountry", "click"):
        assert desktop not in report["loaded"]
    wrong = {name: r for name, r in report["results"].items() if r["got"] != r["expected"]}
    assert not wrong, wrong
    missing = sorted(name for name, r in report["results"].items() if not r["in_main"])
    assert not missing, f"workbooks/lite/main.py does not import {missing}"


def test_the_functions_import_and_compute_with_only_what_lite_offers(tmp_path):
    report = _run_in_lite(ROOT, tmp_path)
    _check(report, ROOT)
    # the examples by hand, so an empty registry could not pass: 3 % of 300,000
    # retroactively; 2 % of 150,000 + 3 % of 50,000 incrementally
    assert report["results"]["CHX_REBATE"]["got"] == 4500
    assert report["results"]["CHX_NEXT_TIER_GAP"]["got"] == 500000 - 300000
    assert report["results"]["CHX_TERRITORY_CHECK"]["got"] == "IN"


@pytest.fixture(scope="module")
def lite_wheel(tmp_path_factory) -> Path:
    return build_wheel.build(tmp_path_factory.mktemp("dist"))


def test_the_lite_wheel_alone_runs_every_function(lite_wheel, tmp_path):
    unpacked = tmp_path / "site"
    with zipfile.ZipFile(lite_wheel) as whl:
        whl.extractall(unpacked)
        names = whl.namelist()
    assert not any(
        n.startswith("channelxl/io/") or n.startswith("channelxl/ledger/") for n in names
    )
    report = _run_in_lite(unpacked, tmp_path)
    _check(report, unpacked)


def _requirement_names(lines: list[str]) -> set[str]:
    names = set()
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if line:
            names.add(re.split(r"[\s<>=!~;@\[]", line, maxsplit=1)[0].lower())
    return names


def test_the_lite_requirements_cover_what_the_wheel_and_the_import_need(lite_wheel, tmp_path):
    requirements_text = (LITE / "requirements.txt").read_text(encoding="utf-8")
    requirements = _requirement_names(requirements_text.splitlines())
    assert requirements == {"numpy", "pandas", "channelxl"}
    # the address names the wheel the build writes (a version bump must update it)
    assert requirements_text.count(lite_wheel.name) == 1

    metadata = zipfile.ZipFile(lite_wheel).read("channelxl-0.1.0.dist-info/METADATA").decode()
    declared = {
        line.split(":", 1)[1].strip().lower()
        for line in metadata.splitlines()
        if line.startswith("Requires-Dist:")
    }
    # the wheel declares nothing micropip would fail on: no desktop package
    assert declared == {"numpy", "pandas"}

    # every distribution the import loaded is declared, Lite's own xlwings, or installed
    # with a declared one as its dependency
    report = _run_in_lite(ROOT, tmp_path)
    by_module = importlib.metadata.packages_distributions()
    with_deps = set(requirements) | {"xlwings"}
    for name in ("numpy", "pandas"):
        for req in importlib.metadata.requires(name) or []:
            if "extra ==" not in req:
                with_deps |= _requirement_names([req])
    with_deps |= {"six"}  # python-dateutil's own dependency
    for module in report["loaded"]:
        if module == "channelxl":
            continue
        dists = {d.lower() for d in by_module.get(module, [module])}
        assert dists & with_deps, f"{module} ({dists}) is not declared for Lite"

"""Build channelxl's wheel for xlwings Lite: ``python workbooks/lite/build_wheel.py [DIR]``.

The full package declares the desktop dependencies (DuckDB, python-calamine, Papermill,
WeasyPrint...). In xlwings Lite, micropip installs a wheel's declared dependencies too and
stops at the first one with no pure-Python or Pyodide build ("Can't find a pure Python 3
wheel"), so the full wheel cannot be installed there. This wheel holds only what
``import channelxl.excel`` loads (parts of ``channelxl.core``, ``channelxl.schema`` and
``channelxl.excel``) and declares only numpy and pandas (Pyodide builds both; Lite
provides xlwings). tests/test_lite_import.py builds it, unpacks it and runs every
function's example from it with the desktop packages made unimportable.
"""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "channelxl"
REQUIRES = ("numpy", "pandas")
TAG = "py3-none-any"


def _version() -> str:
    for line in (PACKAGE / "__init__.py").read_text(encoding="utf-8").splitlines():
        if line.startswith("__version__"):
            return line.split("=", 1)[1].strip().strip("\"'")
    raise SystemExit("channelxl/__init__.py has no __version__")


def _files() -> list[Path]:
    """The modules ``import channelxl.excel`` loads, found by importing it in a fresh Python:
    the wheel holds exactly what the functions need (not the Calc add-in, not the workbook
    builder), and a new import shows up without a list here to keep."""
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, channelxl.excel; print('\\n'.join(m.__file__ for n, m in "
            "sys.modules.items() if n == 'channelxl' or n.startswith('channelxl.')))",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    files = sorted({Path(f).resolve() for f in loaded})
    outside = [f for f in files if not f.is_relative_to(PACKAGE)]
    if outside:
        raise SystemExit(f"channelxl.excel loaded channelxl from elsewhere: {outside[0]}")
    return files


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def build(out_dir: Path) -> Path:
    """Write channelxl-VERSION-py3-none-any.whl into ``out_dir``; return its path."""
    version = _version()
    dist_info = f"channelxl-{version}.dist-info"
    metadata = "\n".join(
        [
            "Metadata-Version: 2.1",
            "Name: channelxl",
            f"Version: {version}",
            "Summary: channelxl's CHX_ Excel functions, for xlwings Lite",
            "Requires-Python: >=3.11",
            *(f"Requires-Dist: {r}" for r in REQUIRES),
            "",
        ]
    )
    wheel = (
        f"Wheel-Version: 1.0\nGenerator: channelxl build_wheel\nRoot-Is-Purelib: true\nTag: {TAG}\n"
    )
    entries = [(f"channelxl/{p.relative_to(PACKAGE).as_posix()}", p.read_bytes()) for p in _files()]
    entries += [
        (f"{dist_info}/METADATA", metadata.encode()),
        (f"{dist_info}/WHEEL", wheel.encode()),
    ]
    record = [_record_line(name, data) for name, data in entries] + [f"{dist_info}/RECORD,,"]
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"channelxl-{version}-{TAG}.whl"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as whl:
        for name, data in entries:
            # a fixed date: the same sources give the same wheel, byte for byte
            whl.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data)
        whl.writestr(
            zipfile.ZipInfo(f"{dist_info}/RECORD", date_time=(2026, 1, 1, 0, 0, 0)),
            "\n".join(record) + "\n",
        )
    return target


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "dist"))

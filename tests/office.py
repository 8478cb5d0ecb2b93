"""What LibreOffice shows: a workbook opened in headless LibreOffice, nothing installed (a
throw-away profile, no channelxl extension), every sheet's cells as LibreOffice formats them.

Used to prove that a workbook channelxl writes shows its figures where the CHX_ functions
are not installed. Without soffice the tests that need it are skipped, saying why.
"""

from __future__ import annotations

import csv
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

# CSV export options: comma, double quote, UTF-8, from line 1, cells as shown (formatted),
# every sheet to its own file (the last field, -1: LibreOffice 7.2 and later)
ALL_SHEETS = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"


def needs_office() -> None:
    if shutil.which("soffice") is None:
        pytest.skip("soffice is not installed (Debian: libreoffice-calc-nogui)")


def shown(path: Path) -> dict[str, list[list[str]]]:
    """Sheet title -> rows of cell texts, as LibreOffice shows the workbook at ``path``
    opened as it is (LibreOffice recalculates nothing it need not on opening an .xlsx)."""
    needs_office()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        src = tmp / f"book{path.suffix}"
        shutil.copyfile(path, src)
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation={(tmp / 'profile').as_uri()}",
                "--headless",
                "--convert-to",
                ALL_SHEETS,
                "--outdir",
                str(tmp / "out"),
                str(src),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        sheets = {}
        for f in sorted((tmp / "out").glob("book-*.csv")):
            with f.open(encoding="utf-8", newline="") as fh:
                sheets[f.stem.removeprefix("book-")] = list(csv.reader(fh))
        return sheets


def cell(sheets: dict[str, list[list[str]]], sheet: str, ref: str) -> str:
    """The text LibreOffice shows in ``sheet!ref`` ('' when empty)."""
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    col, row = coordinate_from_string(ref)
    rows = sheets[sheet]
    try:
        return rows[row - 1][column_index_from_string(col) - 1]
    except IndexError:
        return ""


def drop_to_nobody() -> None:
    """In the child, before it runs: become ``nobody`` (unopkg refuses root)."""
    nobody = pwd.getpwnam("nobody")
    os.setgroups([])
    os.setgid(nobody.pw_gid)
    os.setuid(nobody.pw_uid)


def office_user(work: Path):
    """The ``preexec_fn`` that runs LibreOffice as the user the tests use: as root, ``work``
    (and all in it) is given to ``nobody`` and the child becomes ``nobody``; else None."""
    if os.geteuid() != 0:
        return None
    nobody = pwd.getpwnam("nobody")
    for p in [work, *work.rglob("*")]:
        os.chown(p, nobody.pw_uid, nobody.pw_gid)
    return drop_to_nobody

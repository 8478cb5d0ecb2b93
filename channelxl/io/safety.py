"""File safety: what a received file must pass before anything parses it for real.

Refused here, with a plain reason and nothing loaded: a missing, empty or oversized file;
a workbook that would inflate absurdly (a zip bomb) or whose XML declares a DTD or entities
(entity expansion, external entities); a password-protected or encrypted workbook; a
damaged one. These are refusals of the file as a whole (``FileRefused``), never of a line.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from python_calamine import CalamineWorkbook, PasswordError

from channelxl.errors import FileRefused
from channelxl.issues import Issue

MAX_FILE_BYTES = 1 << 30  # 1 GiB: a larger "export" is a mistake, not a report
MAX_UNZIPPED_BYTES = 2 << 30  # 2 GiB: a workbook that inflates past this is refused
MAX_ZIP_RATIO = 200  # and so is one whose parts inflate more than 200 times


def refusal(path: Path, message: str, code: str = "FILE", **where) -> FileRefused:
    """A refusal of the whole file ``path``: one located issue saying why."""
    return FileRefused(str(path), [Issue(code, message, file=path.name, **where)])


def precheck(path: Path) -> list[Issue]:
    """File-level refusals that need no parsing: missing, empty, too large."""
    file = path.name
    if not path.is_file():
        return [Issue("FILE", "no such file", file=file)]
    size = path.stat().st_size
    if size == 0:
        return [Issue("FILE", "the file is empty", file=file)]
    if size > MAX_FILE_BYTES:
        return [
            Issue(
                "FILE",
                f"the file is {size / 2**20:,.0f} MiB, over the "
                f"{MAX_FILE_BYTES / 2**20:,.0f} MiB limit; split it by month",
                file=file,
            )
        ]
    return []


def check_zip(path: Path) -> None:
    """Refuse a workbook that inflates absurdly or whose XML declares a DTD or entities."""
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            total = sum(i.file_size for i in infos)
            packed = max(1, sum(i.compress_size for i in infos))
            if total > MAX_UNZIPPED_BYTES or total / packed > MAX_ZIP_RATIO:
                raise refusal(
                    path,
                    f"the workbook would expand to {total / 2**20:,.0f} MiB "
                    f"({total / packed:,.0f} times its size): refused as unsafe",
                )
            for info in infos:
                if info.filename.endswith((".xml", ".rels", ".vml")):
                    with z.open(info) as f:
                        head = f.read(8192).upper()
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                        raise refusal(
                            path,
                            f"{info.filename} in the workbook declares a DTD or "
                            "entities, which spreadsheets never need: refused as unsafe",
                        )
    except zipfile.BadZipFile:
        raise refusal(
            path, "the workbook is damaged (not a valid zip); save it again as .xlsx"
        ) from None


def open_workbook(path: Path, fmt: str) -> CalamineWorkbook:
    """The workbook at ``path`` (``fmt`` from ``csv_dialect.file_format``), or a refusal
    saying what to do: remove a password, save it again as .xlsx."""
    try:
        return CalamineWorkbook.from_path(str(path))
    except PasswordError:
        raise refusal(
            path,
            "the workbook is password-protected; remove the password (File > "
            "Info > Protect Workbook) and send it again",
        ) from None
    except Exception as exc:
        if fmt == "ole":
            raise refusal(
                path,
                "the file is encrypted or not a workbook channelxl can read; save "
                "it as .xlsx without a password and send it again",
            ) from None
        raise refusal(
            path, f"the workbook cannot be read ({exc}); save it again as .xlsx"
        ) from None

"""Files written whole or not at all, inside the folder they are meant for: every file
channelxl writes goes through here.

The content is written to a temporary name beside the target (same folder, same disk),
then renamed over it: a reader sees the old file or the new one, never half of one, and a
failure leaves no temporary file behind. The temporary name is unique per process and
call, so parallel writers (report workers) never share one. Files get the permissions
an ordinary ``open`` gives (the umask applies). A write the machine refuses (a full disk,
a folder that may not be written, a read-only disk) is raised as ``CannotWrite``, which
names the file and the cause.

Names made from data (a distributor id in a template's or a review's name, a received
file's name in its feedback's) go through :func:`safe_name`, and the path built from it
through :func:`path_inside`, which refuses any path that would leave its folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from channelxl.errors import ChannelxlError, cannot_write

# ----------------------------------------------------------------- names made from data
MAX_NAME_PART = 64  # characters: room for a prefix, a period and a suffix in any file system
# Characters no file name may hold on Windows (and '/' nowhere), and control characters
FORBIDDEN_IN_NAMES = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
# Names Windows keeps for devices, with or without an extension ("con.xlsx" too)
WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"COM{i}" for i in range(1, 10)}
    | {f"LPT{i}" for i in range(1, 10)}
)
_UNSAFE_IN_SAFE_NAMES = re.compile(r"[^A-Za-z0-9._-]")
_NOT_KEPT_IN_HASHED_NAMES = re.compile(r"[^A-Za-z0-9_-]")  # no dot: no '..', no 'nul.txt'


def name_problem(text: str, *, limit: int = MAX_NAME_PART) -> str | None:
    """Why ``text`` cannot be (part of) a file name on Windows, macOS and Linux alike, in
    words for the person who typed it; None when it can."""
    if not text or not text.strip():
        return "it is empty"
    bad = sorted(set(FORBIDDEN_IN_NAMES.findall(text)))
    if bad:
        shown = " ".join(repr(c) if c.isprintable() else f"U+{ord(c):04X}" for c in bad)
        return f"it holds {shown}, which a file name cannot hold"
    if ".." in text:
        return "it holds '..', which in a file path means the folder above"
    if text != text.strip(" ."):
        return "it starts or ends with a space or a dot, which Windows drops from file names"
    if text.split(".")[0].strip().upper() in WINDOWS_RESERVED:
        return f"{text.split('.')[0]!r} is a name Windows reserves for a device"
    if len(text) > limit:
        return f"it is {len(text)} characters long; at most {limit} fit in a file name"
    return None


def safe_name(text: str, *, limit: int = MAX_NAME_PART) -> str:
    """``text`` as part of a file name: itself when it is letters, digits and ``.-_`` and
    passes :func:`name_problem`; otherwise its letters, digits, ``-`` and ``_`` kept (any
    other character as ``_``, dots too), cut to ``limit``, plus ``-`` and 8 hex digits of
    its SHA-256, so two different texts never share a name and the same text always gets
    the same one."""
    text = str(text)
    if not _UNSAFE_IN_SAFE_NAMES.search(text) and name_problem(text, limit=limit) is None:
        return text
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    kept = _NOT_KEPT_IN_HASHED_NAMES.sub("_", text)[: max(1, limit - 9)]
    return f"{kept or '_'}-{digest}"


def is_inside(path: str | os.PathLike, folder: str | os.PathLike) -> bool:
    """True when ``path`` would be written in ``folder`` or below, however either is spelled
    (``..``, a symbolic link)."""
    try:
        return Path(path).resolve().is_relative_to(Path(folder).resolve())
    except OSError:  # an unreadable link: not provably inside
        return False


def not_into_outbox(
    path: str | os.PathLike, outbox: str | os.PathLike | None, distributors: int, instead: str
) -> None:
    """Refuse to write ``path`` inside ``outbox`` (what is sent to distributors, each file
    one distributor's) when what is written holds ``distributors`` other than one.
    ``instead``: where it should go."""
    if outbox is not None and distributors != 1 and is_inside(path, outbox):
        raise ChannelxlError(
            f"{path}: not written into the outbox ({outbox}), which holds what is sent to "
            f"distributors: this holds every distributor's data. Write it {instead}, or "
            "limit it to one distributor with --distributor D"
        )


def path_inside(folder: str | os.PathLike, name: str) -> Path:
    """``folder / name``, refused unless ``name`` is one plain file name, so the path
    stays directly inside ``folder`` (no separator of any system, no ``..``, not absolute,
    no drive): the guard for every path built from data. (A link already at that name is
    replaced by the atomic writer, not written through.)"""
    folder = Path(folder)
    path = folder / name
    if (
        name in ("", ".", "..")
        or any(sep in name for sep in ("/", "\\", "\x00", ":"))
        or path.parent != folder
        or path.name != name
    ):
        raise ChannelxlError(
            f"refused to write {name!r}: the name would put the file outside {folder}. "
            "Nothing was written; the name comes from the data (a distributor id or a "
            "file name): correct it there."
        )
    return path


# ----------------------------------------------------------------- writing whole files
def _about_target(exc: OSError, path: Path, tmp: Path) -> bool:
    """Whether ``exc`` is about writing ``path``: no file named, the temporary file, the
    target, or a folder on the way to it (a failed ``mkdir``)."""
    if exc.filename is None:
        return True
    named = Path(os.fsdecode(exc.filename))
    return named in (tmp, path) or named in path.parents


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``path``."""
    path = Path(path)
    # the target's suffix kept last: writers that pick a format by suffix still see it
    tmp = path.with_name(f".{path.stem}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp{path.suffix}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        yield tmp
        os.replace(tmp, path)
    except OSError as exc:
        problem = cannot_write(exc, path) if _about_target(exc, path, tmp) else None
        if problem is None:
            raise
        raise problem from exc
    finally:
        # a folder that refused the file may refuse this too: the write's error is the news
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


@contextmanager
def atomic_file(path: str | os.PathLike, mode: str = "w", **open_args) -> Iterator[IO]:
    """An open file (``open``'s mode and arguments) whose content replaces ``path`` when
    the block ends without an error, and is dropped otherwise."""
    with atomic_path(path) as tmp, open(tmp, mode, **open_args) as fh:
        yield fh


def write_atomically(path: str | os.PathLike, data: bytes | str) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` whole or not at all."""
    with atomic_file(path, "wb") as fh:
        fh.write(data.encode("utf-8") if isinstance(data, str) else data)
    return Path(path)

"""Files written whole or not at all: every file channelxl writes goes through here.

The content is written to a temporary name beside the target (same folder, same disk),
then renamed over it: a reader sees the old file or the new one, never half of one, and a
failure leaves no temporary file behind. The temporary name is unique per process and
call, so parallel writers (report workers) never share one. Files get the permissions
an ordinary ``open`` gives (the umask applies).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # the target's suffix kept last: writers that pick a format by suffix still see it
    tmp = path.with_name(f".{path.stem}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp{path.suffix}")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_atomically(path: str | os.PathLike, data: bytes | str) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` whole or not at all."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return Path(path)

"""Where things are: a run's files for one distributor, and the notebook and template folders
channelxl ships.

A run's folder (see ``reports.batch``) holds ``<id>.html``, ``<id>.pdf``,
``notebooks/<id>.ipynb`` (``<id>.failed.ipynb`` when it failed) and ``facts/<id>.json``,
``<id>`` being the distributor id made safe as a file name (:func:`safe_name`). It imports
nothing heavy: a worker process and the report kernel both use it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "_data"


def safe_name(distributor_id: str) -> str:
    """A distributor id as a file name (anything but letters, digits, ``.-_`` becomes ``_``)."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", distributor_id) or "_"


def report_paths(out_dir: str | os.PathLike, distributor_id: str) -> dict[str, Path]:
    out, name = Path(out_dir), safe_name(distributor_id)
    return {
        "html": out / f"{name}.html",
        "pdf": out / f"{name}.pdf",
        "notebook": out / "notebooks" / f"{name}.ipynb",
        "failed": out / "notebooks" / f"{name}.failed.ipynb",
    }


def resource_dir(name: str) -> Path:
    """``notebooks`` or ``templates``: the repository's top-level folders, which the package
    reaches through the symlinks in ``channelxl/_data`` (copied into a built wheel)."""
    folder = DATA / name
    if not folder.is_dir():
        raise FileNotFoundError(f"channelxl's {name}/ folder is missing from the installation")
    return folder


def default_notebook() -> Path:
    return resource_dir("notebooks") / "qbr.ipynb"

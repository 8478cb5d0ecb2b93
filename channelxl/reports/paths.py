"""Where things are: a run's files for one distributor, and the notebook and template folders
channelxl ships.

A run's folder (see ``reports.batch``) holds ``<id>.html``, ``<id>.pdf``,
``notebooks/<id>.ipynb`` (``<id>.failed.ipynb`` when it failed) and ``facts/<id>.json``,
``<id>`` being the distributor id made safe as a file name (:func:`safe_name`). It imports
nothing heavy: a worker process and the report kernel both use it.
"""

from __future__ import annotations

import os
from pathlib import Path

from channelxl.io import atomic

DATA = Path(__file__).resolve().parents[1] / "_data"


def safe_name(distributor_id: str) -> str:
    """A distributor id as a file name: the id itself when it is letters, digits and
    ``.-_`` and fits any file system; otherwise those characters kept, others as ``_``, and
    a short hash of the id, so no two ids share a file (``io.atomic.safe_name``)."""
    return atomic.safe_name(distributor_id)


def report_paths(out_dir: str | os.PathLike, distributor_id: str) -> dict[str, Path]:
    """A distributor's files in a run's folder, each kept inside it whatever the id holds."""
    out, name = Path(out_dir), safe_name(distributor_id)
    return {
        "html": atomic.path_inside(out, f"{name}.html"),
        "pdf": atomic.path_inside(out, f"{name}.pdf"),
        "notebook": atomic.path_inside(out / "notebooks", f"{name}.ipynb"),
        "failed": atomic.path_inside(out / "notebooks", f"{name}.failed.ipynb"),
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

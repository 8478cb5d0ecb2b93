"""Executed notebook -> HTML (nbconvert, the ``templates/qbr`` template) -> PDF.

HTML: outputs only (no code, no prompts), the print CSS inlined, charts already embedded
as data URIs by the notebook, so one file carries everything.

PDF, from that same HTML, by the first engine that works (a registry, tried in order):
WeasyPrint (installs with pip; needs the Pango library of the system) or a Chromium /
Chrome already on the machine (``--print-to-pdf``). When none works, :class:`PdfError`
says why for each, and the HTML stays.

One renderer per process: WeasyPrint is imported and its font configuration (the fonts
Pango found, and the fonts a document has loaded) made once per worker, then reused by
every PDF it prints. Most of a PDF's time is WeasyPrint laying the pages out, which no
cache shortens (see docs/BENCHMARKS.md for the figures).
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path

from channelxl.errors import ChannelxlError, PdfError
from channelxl.io.atomic import atomic_path
from channelxl.reports.paths import default_notebook, resource_dir


def check_notebook(path: str | os.PathLike | None = None) -> Path:
    """The report notebook to run (default: channelxl's), refused before any report starts
    when it is missing or not a valid Jupyter notebook."""
    import nbformat

    nb_path = Path(path).resolve() if path else default_notebook()
    try:
        nbformat.validate(nbformat.read(nb_path, as_version=4))
    except Exception as exc:  # missing, not JSON, not a notebook: one answer for all
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ChannelxlError(
            f"{nb_path} is not a Jupyter notebook channelxl can run ({first[:200]}); "
            "start from a copy of notebooks/qbr.ipynb"
        ) from None
    return nb_path


def css_string(text: str) -> str:
    """``text`` as the body of a CSS string literal inside a <style> element."""
    out = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return out.replace("<", "\\3C ").replace(">", "\\3E ")


@cache
def _exporter():
    # one exporter per process: building it (template lookup, Jinja environment) costs
    # more than rendering a report with it
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="qbr",
        extra_template_basedirs=[str(resource_dir("templates"))],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )


def notebook_html(nb, *, title: str, page_header: str) -> str:
    """The report HTML of an executed notebook node."""
    body, _ = _exporter().from_notebook_node(
        nb, resources={"qbr": {"title": title, "page_header_css": css_string(page_header)}}
    )
    return body


# ------------------------------------------------------------------ PDF engines
@cache
def _weasyprint_renderer():
    """(weasyprint module, FontConfiguration): loaded once per process."""
    try:
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration
    except (ImportError, OSError) as exc:  # OSError: Pango / its libraries are missing
        raise RuntimeError(f"cannot load WeasyPrint ({str(exc).splitlines()[0]})") from None
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    return weasyprint, FontConfiguration()


def _weasyprint(html: str, target: Path) -> None:
    weasyprint, fonts = _weasyprint_renderer()
    # the reports load no web fonts (their CSS names system fonts), so the shared
    # configuration holds no document's @font-face rules
    weasyprint.HTML(string=html, base_url=str(target.parent)).write_pdf(target, font_config=fonts)


CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


def _chromium(html: str, target: Path) -> None:
    exe = os.environ.get("CHANNELXL_CHROMIUM") or next(
        (shutil.which(n) for n in CHROMIUM_NAMES if shutil.which(n)), None
    )
    if not exe:
        raise RuntimeError("no Chromium or Chrome on PATH (or CHANNELXL_CHROMIUM)")
    with tempfile.TemporaryDirectory(prefix="chx-pdf-") as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(html, encoding="utf-8")
        # flags: no sandbox as root, and no background traffic on machines without network
        cmd = [
            exe,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp}/profile",
            "--no-pdf-header-footer",
            f"--print-to-pdf={target}",
            page.as_uri(),
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if done.returncode != 0 or not target.exists():
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise RuntimeError(f"{Path(exe).name} exited {done.returncode}: {last}")


PDF_ENGINES: dict[str, Callable[[str, Path], None]] = {
    "weasyprint": _weasyprint,
    "chromium": _chromium,
}


def write_pdf(html: str, path: Path, *, engines: tuple[str, ...] | None = None) -> str:
    """Write ``path`` from ``html`` atomically; returns the engine that made it."""
    path = Path(path)
    reasons = {}
    for name in engines or tuple(PDF_ENGINES):
        try:
            with atomic_path(path) as tmp:
                PDF_ENGINES[name](html, tmp)
            return name
        except Exception as exc:  # each engine's failure is reported, the next one tried
            reasons[name] = str(exc) or type(exc).__name__
    raise PdfError(reasons)

"""What a workbook says about when it was made and last saved: its core properties
(``docProps/core.xml``: ``dcterms:created`` and ``dcterms:modified``, which Excel and
LibreOffice write on every save). ``core.received_dates`` decides what they are evidence of.

Read only from a file the recognition step has already passed (``io.safety.check_zip``
refuses DTDs and entities); anything missing or unreadable here is simply no evidence.
"""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree

CORE = "docProps/core.xml"
MAX_CORE_BYTES = 1 << 20  # the part is a few hundred bytes; more is not a real one
_TERMS = "{http://purl.org/dc/terms/}"


def _local(text: str | None) -> datetime | None:
    """A W3CDTF time (``2026-10-09T08:15:00Z``) as a naive local time; None if unreadable.
    Without a zone it is taken as UTC, as the format's writers mean it."""
    if not text:
        return None
    try:
        at = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    try:
        return at.astimezone().replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):  # year 1 or 9999 in a far zone
        return None


def workbook_stamps(path: str | Path) -> tuple[datetime | None, datetime | None]:
    """(created, last saved) of an .xlsx/.xlsm, naive local times; (None, None) for any
    other file or when the workbook does not say."""
    try:
        with zipfile.ZipFile(path) as z:
            info = z.getinfo(CORE)
            if info.file_size > MAX_CORE_BYTES:
                return None, None
            root = ElementTree.fromstring(z.read(info))
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError, OSError, ValueError):
        return None, None
    return _local(root.findtext(f"{_TERMS}created")), _local(root.findtext(f"{_TERMS}modified"))

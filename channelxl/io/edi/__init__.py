"""Distributor reports in EDI: X12 867 / 852 and EANCOM SLSRPT / INVRPT (``io.edi.model``
says what every reader returns). :func:`read_edi` recognises a file as EDI by its first
bytes, whatever its name, and reads it with the reader of its standard."""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from channelxl.io.edi.model import Interchange, Standard

SNIFF_BYTES = 4096
# The readers hold a file's segments as objects: about 20 bytes of memory per byte of file
# (a 20 MB 867: 0.4 GB). A larger file is refused, saying how to send it.
MAX_EDI_BYTES = 256 << 20


@dataclass
class EdiFile:
    standard: Standard
    interchanges: list[Interchange]


def _utf16(head: bytes) -> str | None:
    """The codec of a file saved as UTF-16 with its byte order mark (Windows "Unicode")."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def is_edi(head: bytes) -> Standard | None:
    """``"X12"`` or ``"EDIFACT"`` when the first bytes of a file open an interchange
    (UTF-16 with its byte order mark read as the text it holds)."""
    # the two sniffers from the syntax modules: recognising a file imports no reader
    from channelxl.io.edi.edifact_syntax import is_edifact
    from channelxl.io.edi.x12_syntax import is_x12

    if _utf16(head):
        head = head[: len(head) - len(head) % 2].decode("utf-16", "replace").encode()
    if is_x12(head):
        return "X12"
    if is_edifact(head):
        return "EDIFACT"
    return None


def read_edi(path: Path) -> EdiFile | None:
    """The interchanges of an EDI file; None when the file is not EDI. Never raises on
    content (what cannot be read is a located problem of the interchange or message)."""
    with open(path, "rb") as f:
        head = f.read(SNIFF_BYTES)
    standard = is_edi(head)
    if standard is None:
        return None
    size = path.stat().st_size
    if size > MAX_EDI_BYTES:
        from channelxl.io.safety import refusal

        raise refusal(
            path,
            f"an EDI file of {size / 2**20:,.0f} MB is more than channelxl reads at once "
            f"({MAX_EDI_BYTES >> 20} MB): send the reports as one interchange per month",
        )
    data = path.read_bytes()
    codec = _utf16(head)
    if codec:  # the readers take text: decoded here, whole
        data = data.decode(codec, "replace")
    if standard == "X12":
        from channelxl.io.edi.x12 import read_x12

        return EdiFile(standard, read_x12(data, path.name))
    from channelxl.io.edi.edifact import read_edifact

    return EdiFile(standard, read_edifact(data, path.name))

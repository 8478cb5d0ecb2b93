"""EDIFACT / EANCOM distributor reports: recognise an interchange, read its SLSRPT and
INVRPT messages into report lines, and answer it with a CONTRL acknowledgement.

``is_edifact`` and ``read_edifact`` live in ``edifact_envelope`` (interchanges, groups,
messages), the message layouts in ``eancom_slsrpt`` and ``eancom_invrpt``, the syntax
(service characters, character sets, release character) in ``edifact_syntax`` and the
acknowledgement in ``edifact_ack``. docs/EDI_EANCOM.md says what is read from where.
"""

from __future__ import annotations

from channelxl.io.edi.edifact_ack import write_contrl
from channelxl.io.edi.edifact_envelope import is_edifact, read_edifact

__all__ = ["is_edifact", "read_edifact", "write_contrl"]

"""EDIFACT / EANCOM distributor reports: recognise an interchange, read its SLSRPT and
INVRPT messages into report lines, and answer it with a CONTRL acknowledgement.

``read_edifact`` lives in ``edifact_envelope`` (interchanges, groups, messages), the
message layouts in ``eancom_slsrpt`` and ``eancom_invrpt``, the syntax (service
characters, character sets, release character, ``is_edifact``) in ``edifact_syntax`` and the
acknowledgement in ``edifact_ack``. docs/EDI_EANCOM.md says what is read from where.
"""

from __future__ import annotations

from channelxl.io.edi.edifact_ack import write_contrl
from channelxl.io.edi.edifact_envelope import read_edifact
from channelxl.io.edi.edifact_syntax import is_edifact

__all__ = ["is_edifact", "read_edifact", "write_contrl"]

"""X12 for distributor reports: read 867 and 852 interchanges into report lines, answer each
interchange with a 997 functional acknowledgement.

``is_x12`` recognises an interchange by its ISA, whatever the file's name; ``read_x12``
returns :class:`~channelxl.io.edi.model.Interchange` objects and never raises (what it
cannot read is a located ``Problem``); ``write_997`` writes the acknowledgement. What is read
from each segment: docs/EDI_X12.md.
"""

from channelxl.io.edi.x12_ack import write_997
from channelxl.io.edi.x12_envelope import read_x12
from channelxl.io.edi.x12_syntax import is_x12, split_segments

__all__ = ["is_x12", "read_x12", "split_segments", "write_997"]

"""X12 transaction sets: which reader reads a set (867 in a PT group, 852), and what is
said of one that is not read (an acknowledgement, a utility 867, any other set: refused,
naming it).
"""

from __future__ import annotations

from collections.abc import Iterator

from channelxl.io.edi import x12_codes as codes
from channelxl.io.edi.x12_852 import Reader852
from channelxl.io.edi.x12_867 import Reader867
from channelxl.io.edi.x12_common import SetContext, read_segments


class Skip:
    """Reads a set it does not understand: counts its segments, nothing more."""

    def segment(self, els: list[str], pos: int, line: int) -> None:
        pass

    def read(
        self, segments: Iterator[str], elem: str, line: int, base: int
    ) -> tuple[list[str] | None, int]:
        return read_segments(self.segment, segments, elem, line, base)

    def finish(self) -> None:
        pass


def set_reader(
    ctx: SetContext, set_id: str, group_id: str, line: int
) -> Reader867 | Reader852 | Skip:
    expected = codes.GROUP_OF.get(set_id)
    if set_id == "867" and group_id != "PT":
        ctx.problem(
            "EDI",
            f"an 867 in functional group {group_id or '(none)'} rather than PT (product "
            "transfer): a utility usage report is not read; refused",
            1,
            "ST",
            "ST01",
            line,
            ack="AK502:1",
        )
        return Skip()
    if set_id == "867":
        return Reader867(ctx)
    if set_id == "852":
        if group_id != expected:
            ctx.problem(
                "EDI",
                f"an 852 in functional group {group_id or '(none)'} rather than PD",
                1,
                "ST",
                "ST01",
                line,
                severity="warning",
            )
        return Reader852(ctx)
    if set_id in codes.ACKNOWLEDGEMENTS:
        ctx.problem(
            "EDI",
            f"transaction set {set_id} ({codes.TRANSACTION_SETS.get(set_id, 'acknowledgement')}) "
            "is an acknowledgement, not a report: nothing to read",
            1,
            "ST",
            "ST01",
            line,
            severity="warning",
        )
        return Skip()
    name = codes.TRANSACTION_SETS.get(set_id)
    ctx.problem(
        "EDI",
        f"transaction set {set_id[:10] or '(missing)'}"
        + (f" ({name})" if name else "")
        + " is not a report channelxl reads (867 Product Transfer and Resale Report, 852 "
        "Product Activity Data): refused",
        1,
        "ST",
        "ST01",
        line,
        ack="AK502:1" if set_id else "AK502:6",
    )
    return Skip()

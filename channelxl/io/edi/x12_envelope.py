"""X12 interchanges: envelopes and control counts; transaction sets handed to their
readers (``x12_sets``: 867, 852). Delimiters and segments: ``x12_syntax``.

ISA11 is the repetition separator from 00501 on (``U`` before). Checked: IEA01 = number of
groups, IEA02 = ISA13; GE01 = number of sets, GE02 = GS06; SE01 = number of segments
ST..SE, SE02 = ST02; ST02 unique in its group; the trailers present. A problem of the
interchange or a group goes to ``Interchange.problems``, one of a set to its
``Message.problems``; nothing raises.
"""

from __future__ import annotations

import gc

from channelxl.io.edi import x12_codes as codes
from channelxl.io.edi.model import Code, Interchange, Message, Problem, Where
from channelxl.io.edi.x12_852 import Reader852
from channelxl.io.edi.x12_867 import Reader867
from channelxl.io.edi.x12_common import SetContext, element, parse_date
from channelxl.io.edi.x12_sets import Skip, set_reader
from channelxl.io.edi.x12_syntax import (
    BOM_AND_SPACE,
    body_segments,
    decode,
    interchange_end,
    isa_delimiters,
)


def read_x12(data: bytes | str, file_name: str) -> list[Interchange]:
    """Every interchange in an X12 file, with its 867 and 852 report lines and its problems.

    ``file_name`` names the file in the problem of a file that holds no interchange. The
    cyclic garbage collector is paused while reading (and restored as it was): a large
    report builds millions of small objects and nothing in them forms a cycle, so its
    passes would only double the time."""
    paused = gc.isenabled()
    gc.disable()
    try:
        return _read(data, file_name)
    finally:
        if paused:
            gc.enable()


def _read(data: bytes | str, file_name: str) -> list[Interchange]:
    text = decode(data)
    pos = len(text) - len(text.lstrip(BOM_AND_SPACE))
    interchanges: list[Interchange] = []
    seen: set[str] = set()
    line = 0
    if not text.startswith("ISA", pos):
        return [_no_interchange(file_name, text[pos : pos + 20])]
    while pos < len(text):
        if not text.startswith("ISA", pos):
            last = interchanges[-1]
            last.problems.append(
                Problem(
                    "EDI",
                    f"text after interchange {last.control} that is not an interchange "
                    f"({text[pos : pos + 20]!r}...): ignored",
                    Where(last.control, None, None, None, "IEA", None, line),
                    "warning",
                )
            )
            break
        head = isa_delimiters(text, pos)
        if head is None:
            interchange = _no_interchange(file_name, text[pos : pos + 20], truncated=True)
            interchanges.append(interchange)
            break
        elem, component, term, body_start = head
        end, next_pos = interchange_end(text, body_start, elem, term)
        line += 1
        isa_line = line
        interchange, line = _read_interchange(
            text, pos, body_start, end, elem, component, term, line
        )
        if interchange.control in seen:
            interchange.problems.append(
                Problem(
                    "EDI",
                    f"interchange control number {interchange.control} repeats in this file: "
                    "the same interchange sent twice?",
                    Where(interchange.control, None, None, None, "ISA", "ISA13", isa_line),
                    "warning",
                )
            )
        interchanges.append(interchange)
        seen.add(interchange.control)
        pos = next_pos
        while pos < len(text) and text[pos] in BOM_AND_SPACE:
            pos += 1
    return interchanges


def _no_interchange(file_name: str, start: str, truncated: bool = False) -> Interchange:
    why = (
        "the file ends inside an ISA segment (truncated)"
        if truncated
        else f"no ISA segment at the start of {file_name} (it starts {start!r}): not an X12 "
        "interchange"
    )
    return Interchange(
        "X12",
        "",
        Code("", ""),
        Code("", ""),
        None,
        {},
        problems=[
            Problem("EDI", why, Where("", None, None, None, "ISA", None, 1), "error", "TA105:024")
        ],
    )


def _read_interchange(
    text: str,
    isa_start: int,
    body_start: int,
    end: int,
    elem: str,
    component: str,
    term: str,
    line: int,
) -> tuple[Interchange, int]:
    """One interchange from its ISA to its end; ``line`` is the ISA's ordinal in the file.
    Returns it with the ordinal of its last segment."""
    isa = text[isa_start : body_start - 1].split(elem)
    control = element(isa, 13).strip()
    version = element(isa, 12).strip()
    repetition = element(isa, 11) if version >= "00402" else ""
    interchange = Interchange(
        "X12",
        control,
        Code(element(isa, 6).strip(), element(isa, 5).strip()),
        Code(element(isa, 8).strip(), element(isa, 7).strip()),
        parse_date(element(isa, 9)),
        {"element": elem, "component": component, "segment": term, "repetition": repetition},
        test=element(isa, 15) == "T",
    )
    problems = interchange.problems

    def envelope(
        text_: str,
        segment: str,
        el: str | None,
        at: int,
        ack: str | None,
        group: str | None = None,
        severity: str = "error",
    ) -> None:
        problems.append(
            Problem("EDI", text_, Where(control, group, None, None, segment, el, at), severity, ack)  # type: ignore[arg-type]
        )

    if len(isa) != 17:
        envelope(f"ISA has {len(isa) - 1} elements, not 16", "ISA", None, line, "TA105:024")
    elif body_start - isa_start != 106:
        envelope(
            "ISA is not fixed width (106 characters): read by its separators",
            "ISA",
            None,
            line,
            None,
            severity="warning",
        )
    if not (len(control) == 9 and (control.isascii() and control.isdigit())):
        envelope(
            f"ISA13 {control!r} is not a 9-digit control number", "ISA", "ISA13", line, "TA105:018"
        )
    if version not in ("00401", "00501") and not (
        len(version) == 5 and (version.isascii() and version.isdigit())
    ):
        envelope(
            f"ISA12 version {version!r} is not an X12 version",
            "ISA",
            "ISA12",
            line,
            "TA105:017",
            severity="warning",
        )
    default_version = "005010" if version >= "00501" else "004010"

    group: str | None = None
    group_id = ""
    group_version = default_version
    group_sets: list[str] = []
    sender_ids: tuple[Code, ...] = ()
    message: Message | None = None
    reader: Reader867 | Reader852 | Skip | None = None
    position = 0
    iea_seen = False

    def close_set(at: int, se: list[str] | None) -> None:
        nonlocal message, reader
        assert message is not None and reader is not None
        ctx_where = Where(control, group, message.control, None, "SE", None, at)
        if se is None:
            message.problems.append(
                Problem(
                    "EDI",
                    f"transaction set {message.control} has no SE trailer",
                    ctx_where,
                    "error",
                    "AK502:2",
                )
            )
        else:
            count, se_control = element(se, 1), element(se, 2)
            if count != str(position):
                message.problems.append(
                    Problem(
                        "EDI",
                        f"SE01 says {count or '(nothing)'} segments, the set has {position}",
                        Where(control, group, message.control, position, "SE", "SE01", at),
                        "error",
                        "AK502:4",
                    )
                )
            if se_control != message.control:
                message.problems.append(
                    Problem(
                        "EDI",
                        f"SE02 {se_control!r} does not match ST02 {message.control!r}",
                        Where(control, group, message.control, position, "SE", "SE02", at),
                        "error",
                        "AK502:3",
                    )
                )
        reader.finish()
        if any(p.ack and p.ack.startswith("AK502") for p in message.problems):
            message.accepted = False
        message = reader = None

    def close_group(at: int, ge: list[str] | None) -> None:
        nonlocal group
        if ge is None:
            envelope(
                f"functional group {group} has no GE trailer", "GE", None, at, "AK905:3", group
            )
        else:
            count, ge_control = element(ge, 1), element(ge, 2)
            if count.isascii() and count.isdigit():
                interchange.counts[group or ""] = int(count)
            if count != str(len(group_sets)):
                envelope(
                    f"GE01 says {count or '(nothing)'} transaction sets, the group has "
                    f"{len(group_sets)}",
                    "GE",
                    "GE01",
                    at,
                    "AK905:5",
                    group,
                )
            if ge_control != group:
                envelope(
                    f"GE02 {ge_control!r} does not match GS06 {group!r}",
                    "GE",
                    "GE02",
                    at,
                    "AK905:4",
                    group,
                )
        group = None

    # The envelope takes the segments outside the sets; at ST the set's reader takes the
    # same iterator and gives back the envelope segment it stopped at (``pending``).
    segments = body_segments(text, body_start, end, term)
    pending: list[str] | None = None
    base = 0  # the open set's ST ordinal - 1: a segment's position is its ordinal - base
    while True:
        if pending is None:
            seg = next(segments, None)
            if seg is None:
                break
            if not seg:
                continue
            line += 1
            els = seg.split(elem)
        else:
            els, pending = pending, None
        sid = els[0]
        if reader is not None:
            if sid == "SE":
                position = line - base
                close_set(line, els)
                continue
            position = line - 1 - base
            close_set(line, None)
        if sid == "ST":
            if group is None:
                envelope("ST outside a functional group (no GS before it)", "ST", None, line, None)
            set_id, set_control = element(els, 1), element(els, 2)
            message = Message(set_id, set_control, group_version, group=group)
            interchange.messages.append(message)
            position = 1
            ctx = SetContext(message, control, group, component, sender_ids)
            if set_control in group_sets:
                ctx.problem(
                    "EDI",
                    f"ST02 {set_control} repeats in group {group}",
                    1,
                    "ST",
                    "ST02",
                    line,
                    ack="AK502:23",
                )
            group_sets.append(set_control)
            if not set_control:
                ctx.problem(
                    "EDI", "ST02 (control number) is missing", 1, "ST", "ST02", line, ack="AK502:7"
                )
            reader = set_reader(ctx, set_id, group_id, line)
            if isinstance(reader, Skip) and set_id not in codes.ACKNOWLEDGEMENTS:
                message.accepted = False
            base = line - 1
            pending, line = reader.read(segments, elem, line, base)
            if pending is None:  # the interchange ends inside the set
                position = line - base
                break
        elif sid == "GS":
            if group is not None:
                close_group(line, None)
            group = element(els, 6)
            group_id = element(els, 1)
            group_version = element(els, 8) or default_version
            group_sets = []
            interchange.groups.append((group_id, group))
            sender_ids = (Code(element(els, 2), "GS02"),) if element(els, 2) else ()
            if not group:
                envelope(
                    "GS06 (group control number) is missing", "GS", "GS06", line, "AK905:4", group
                )
        elif sid == "GE":
            if group is None:
                envelope("GE without a GS", "GE", None, line, None)
            else:
                close_group(line, els)
        elif sid == "IEA":
            if group is not None:
                close_group(line, None)
            iea_seen = True
            count, iea_control = element(els, 1), element(els, 2)
            if count.isascii() and count.isdigit():
                interchange.counts["IEA01"] = int(count)
            if count != str(len(interchange.groups)):
                envelope(
                    f"IEA01 says {count or '(nothing)'} functional groups, the interchange "
                    f"has {len(interchange.groups)}",
                    "IEA",
                    "IEA01",
                    line,
                    "TA105:021",
                )
            if iea_control != control:
                envelope(
                    f"IEA02 {iea_control!r} does not match ISA13 {control!r}",
                    "IEA",
                    "IEA02",
                    line,
                    "TA105:001",
                )
        elif sid == "SE":
            envelope("SE without an ST", "SE", None, line, None, group)
        elif sid == "ISA":
            envelope("a second ISA inside the interchange", "ISA", None, line, "TA105:024")
        else:
            envelope(
                f"segment {sid[:10]} outside a transaction set: ignored",
                sid[:3] or "?",
                None,
                line,
                None,
                group,
            )
    if reader is not None:
        close_set(line, None)
    if group is not None:
        close_group(line, None)
    if not iea_seen:
        envelope(
            f"interchange {control} has no IEA trailer: the file is cut short or damaged",
            "IEA",
            None,
            line,
            "TA105:023",
        )
    return interchange, line

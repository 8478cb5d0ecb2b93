"""The 997 functional acknowledgement of a received X12 interchange.

One interchange back per interchange received; in it one functional group (GS01 FA) per
received group, each holding one 997: AK1 names the group (GS01, GS06; 005010 adds GS08),
then per transaction set AK2 (ST01, ST02), an AK3 per segment in error (segment id, its
position counted from ST = 1, the segment note code) with an AK4 per element in error (its
position, the element note code), and AK5 (A accepted, E accepted but errors were noted, R
rejected, with up to five set notes); AK9 closes the group (A, E, P partially accepted, R;
sets included as GE01 said, received, accepted; group notes). Groups of acknowledgements
(GS01 FA) are not acknowledged, as the 997 itself requires.

The notes come from ``Problem.ack`` (``"AK304:7"``, ``"AK403:8"``, ``"AK502:4"``,
``"AK905:5"``); a set is rejected when a set note is present or the reader refused it
(``Message.accepted`` False), accepted with errors when only segment notes are. Interchange
notes (TA1) have no place in a 997. Delimiters of the answer: ``*`` ``>`` ``~`` (and ``^``
for repetition from 00501 on), a line break after each segment.
"""

from __future__ import annotations

from datetime import datetime

from channelxl.io.edi.model import Code, Interchange, Message

_MAX_SET_NOTES = 5  # AK502..AK506
_MAX_GROUP_NOTES = 5  # AK905..AK909


def _set_response(message: Message) -> tuple[list[str], str]:
    """The AK2 loop of one transaction set and its AK5 code."""
    segments = [f"AK2*{message.type}*{message.control}"]
    notes: dict[tuple[int, str], list[tuple[str, str, str | None]]] = {}
    set_codes: list[str] = []
    for p in message.problems:
        if not p.ack or ":" not in p.ack:
            continue
        kind, code = p.ack.split(":", 1)
        if kind == "AK502":
            if code not in set_codes:
                set_codes.append(code)
        elif kind in ("AK304", "AK403") and p.where.position is not None:
            key = (p.where.position, p.where.segment)
            notes.setdefault(key, []).append((kind, code, p.where.element))
    for (position, segment), items in sorted(notes.items()):
        segment_code = next((c for k, c, _ in items if k == "AK304"), "8")
        segments.append(f"AK3*{segment}*{position}**{segment_code}")
        for kind, code, el in items:
            if kind != "AK403":
                continue
            digits = (el or "")[len(segment) :].split("-")
            if digits and (digits[0].isascii() and digits[0].isdigit()):
                pos = str(int(digits[0]))
                if len(digits) > 1 and (digits[1].isascii() and digits[1].isdigit()):
                    pos += f">{int(digits[1])}"
                segments.append(f"AK4*{pos}**{code}")
    if not message.accepted or set_codes:
        status = "R"
    elif notes:
        status = "E"
    else:
        status = "A"
    if status != "A" and notes and "5" not in set_codes:
        set_codes.append("5")  # one or more segments in error
    segments.append("*".join(["AK5", status, *set_codes[:_MAX_SET_NOTES]]))
    return segments, status


def write_997(interchange: Interchange, our_id: Code, control: str, when: datetime) -> str:
    """The 997 acknowledgement of ``interchange`` as X12 text, from ``our_id`` (the receiver
    of the report: its id and ISA05 qualifier) back to the interchange's sender, with
    interchange control number ``control`` (up to 9 digits) and date ``when``. Empty when
    the interchange holds nothing to acknowledge (only acknowledgements)."""
    if not ((control.isascii() and control.isdigit()) and len(control) <= 9):
        raise ValueError(f"interchange control number {control!r}: up to 9 digits")
    groups = [(gid, gcn) for gid, gcn in interchange.groups if gid != "FA"]
    if not groups:
        return ""
    by_group: dict[str | None, list[Message]] = {}
    for m in interchange.messages:
        by_group.setdefault(m.group, []).append(m)
    versions = [by_group.get(gcn, [None])[0] for _, gcn in groups]
    group_versions = [m.version if m is not None and m.version else "004010" for m in versions]
    five = any(v >= "005" for v in group_versions)
    their = interchange.sender
    out = [
        "ISA*00*          *00*          *"
        f"{our_id.qualifier[:2]:<2}*{our_id.value[:15]:<15}*"
        f"{their.qualifier[:2]:<2}*{their.value[:15]:<15}*"
        f"{when:%y%m%d}*{when:%H%M}*{'^' if five else 'U'}*{'00501' if five else '00401'}*"
        f"{control.zfill(9)}*0*{'T' if interchange.test else 'P'}*>"
    ]
    for n, ((gid, gcn), version) in enumerate(zip(groups, group_versions, strict=True), 1):
        out.append(f"GS*FA*{our_id.value}*{their.value}*{when:%Y%m%d}*{when:%H%M}*{n}*X*{version}")
        body = [f"ST*997*{n:04d}", f"AK1*{gid}*{gcn}" + (f"*{version}" if version >= "005" else "")]
        received = by_group.get(gcn, [])
        statuses = []
        for m in received:
            segments, status = _set_response(m)
            body += segments
            statuses.append(status)
        accepted = sum(s != "R" for s in statuses)
        group_codes: list[str] = []
        for p in interchange.problems:
            if p.where.group == gcn and p.ack and p.ack.startswith("AK905:"):
                code = p.ack.split(":", 1)[1]
                if code not in group_codes:
                    group_codes.append(code)
        if (received and accepted == 0) or (not received and group_codes):
            group_status = "R"
        elif accepted < len(received):
            group_status = "P"
        elif group_codes or "E" in statuses:
            group_status = "E"
        else:
            group_status = "A"
        included = interchange.counts.get(gcn or "", len(received))
        body.append(
            "*".join(
                [
                    "AK9",
                    group_status,
                    str(included),
                    str(len(received)),
                    str(accepted),
                    *group_codes[:_MAX_GROUP_NOTES],
                ]
            )
        )
        body.append(f"SE*{len(body) + 1}*{n:04d}")
        out += body
        out.append(f"GE*1*{n}")
    out.append(f"IEA*{len(groups)}*{control.zfill(9)}")
    return "~\n".join(out) + "~\n"

"""CONTRL (syntax and service report, D:3:UN) acknowledging one received EDIFACT
interchange.

::

    UNA:+.? '
    UNB+UNOC:3+<our id>:<qual>+<their sender>:<qual>+YYMMDD:HHMM+<control>'
    UNH+1+CONTRL:D:3:UN'
    UCI+<their UNB05>+<their sender>+<their recipient>+<action>[+<error>+<tag>+<element>]'
    (UCF+<UNG05>+<sender>+<recipient>+<action>')       only when the interchange had groups
    UCM+<UNH01>+<UNH02>+<action>[+<error>+<UNH/UNT>+<element>]'
    UCS+<segment position, UNH = 1>[+<error>]'
    UCD+<error>+<element>:<component>'
    UNT+<segments>+1'
    UNZ+1+<control>'

Action codes (0083): 7 acknowledged (this level and every level below unless rejected
there), 4 rejected, 8 received (an interchange without messages). The interchange is
accepted (UCI 7, every UCM 7), accepted with errors (UCI 7, some UCF or UCM 4) or rejected
(UCI 4: an error in UNA, UNB or UNZ, a cut-off file). A group's error (UNE count or
reference) rejects the group in its UCF. Error codes (0085) are the ``Problem.ack`` of the errors read: 2 syntax
version not supported, 12 invalid value, 13 missing, 14 value not supported in this
position, 15 not supported in this position, 20 character invalid as service character, 26
duplicate detected, 28 references do not match, 29 control count does not match, 33
invalid occurrence outside message or group, 37 invalid type of characters. Warnings are
not syntax errors and are not reported.
"""

from __future__ import annotations

from datetime import datetime

from channelxl.io.edi.model import Code, Interchange, Message, Problem

_UNA = ":+.? '"
_SERVICE = ("UNA", "UNB", "UNZ", "UNG", "UNE")


def _esc(value: str) -> str:
    """A value with the service characters released (``?`` before ``? : + '``)."""
    for ch in "?:+'":
        if ch in value:
            value = value.replace(ch, "?" + ch)
    return value


def _seg(*elements: str | tuple[str, ...] | None) -> str:
    """A segment from elements (a tuple is a composite); trailing empty elements dropped."""
    parts = []
    for el in elements:
        if el is None:
            parts.append("")
        elif isinstance(el, tuple):
            comps = [_esc(c) for c in el]
            while comps and not comps[-1]:
                comps.pop()
            parts.append(":".join(comps))
        else:
            parts.append(_esc(el))
    while parts and not parts[-1]:
        parts.pop()
    return "+".join(parts) + "'"


def _element(where_element: str | None) -> tuple[str, ...] | None:
    """``QTY01-2`` -> ("1", "2"); ``UNB05`` -> ("5",); None stays None (S011)."""
    if not where_element or len(where_element) < 5:
        return None
    body = where_element[3:]
    pos, _, comp = body.partition("-")
    if not (pos.isascii() and pos.isdigit()):
        return None
    return (str(int(pos)), comp) if (comp.isascii() and comp.isdigit()) else (str(int(pos)),)


def _errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.ack and p.severity == "error"]


def _party(code: Code) -> tuple[str, ...]:
    return (code.value, code.qualifier)


def _message_segments(msg: Message, rejected_above: bool) -> list[str]:
    errors = _errors(msg.problems)
    head = [p for p in errors if p.where.segment in ("UNH", "UNT") or p.where.position is None]
    body = [p for p in errors if p not in head]
    action = "4" if (rejected_above or errors or not msg.accepted) else "7"
    s009 = (msg.type, *msg.version.split(":")) if msg.version else (msg.type,)
    first = head[0] if head else None
    out = [
        _seg(
            "UCM",
            msg.control,
            s009,
            action,
            first.ack if first else None,
            first.where.segment if first else None,
            _element(first.where.element) if first else None,
        )
    ]
    by_position: dict[int, list[Problem]] = {}
    for p in body:
        by_position.setdefault(p.where.position or 0, []).append(p)
    for position in sorted(by_position):
        found = by_position[position]
        whole = next((p for p in found if not p.where.element), None)
        out.append(_seg("UCS", str(position), whole.ack if whole else None))
        out.extend(_seg("UCD", p.ack, _element(p.where.element)) for p in found if p.where.element)
    return out


def write_contrl(interchange: Interchange, our_id: Code, control: str, when: datetime) -> str:
    """The CONTRL interchange answering ``interchange``: from ``our_id`` to its sender, with
    interchange control reference ``control``, prepared at ``when``. One segment a line."""
    errors = _errors(interchange.problems)
    in_group = [p for p in errors if p.where.group and p.where.segment in ("UNG", "UNE")]
    env = [p for p in errors if p not in in_group]
    rejected = bool(env)
    action = "4" if rejected else ("7" if interchange.messages else "8")
    # UCI names one error: one of the service segments if any, else the first
    first = next((p for p in env if p.where.segment in _SERVICE), env[0] if env else None)
    version = interchange.syntax.get("version") or "3"
    if version not in ("1", "2", "3", "4"):
        version = "3"
    ident = interchange.syntax.get("identifier") or "UNOC"
    if ident not in ("UNOA", "UNOB", "UNOC", "UNOD", "UNOE", "UNOF", "UNOW", "UNOY"):
        ident = "UNOC"
    stamp = (
        when.strftime("%Y%m%d") if version == "4" else when.strftime("%y%m%d"),
        when.strftime("%H%M"),
    )
    body = [
        _seg("UNH", "1", ("CONTRL", "D", "3", "UN")),
        _seg(
            "UCI",
            interchange.control,
            _party(interchange.sender),
            _party(interchange.receiver),
            action,
            first.ack if first else None,
            (first.where.segment if first.where.segment in _SERVICE else None) if first else None,
            _element(first.where.element) if first else None,
        ),
    ]
    groups = {ref for _, ref in interchange.groups}
    for ref in sorted(groups):
        # UCF names the group; its application sender and recipient are taken to be the
        # interchange's (what UNG02/UNG03 carry in the files the project receives).
        bad = next((p for p in in_group if p.where.group == ref), None)
        body.append(
            _seg(
                "UCF",
                ref,
                _party(interchange.sender),
                _party(interchange.receiver),
                "4" if rejected or bad else "7",
                bad.ack if bad else None,
                bad.where.segment if bad else None,
                _element(bad.where.element) if bad else None,
            )
        )
        for msg in interchange.messages:
            if _group_of(msg) == ref:
                body.extend(_message_segments(msg, rejected or bad is not None))
    for msg in interchange.messages:
        if _group_of(msg) not in groups:
            body.extend(_message_segments(msg, rejected))
    body.append(_seg("UNT", str(len(body) + 1), "1"))
    head = [
        "UNA" + _UNA,
        _seg(
            "UNB",
            (ident, version),
            _party(our_id),
            _party(interchange.sender),
            stamp,
            control,
            None,
            None,
            None,
            None,
            None,
            "1" if interchange.test else None,
        ),
    ]
    return "\n".join([*head, *body, _seg("UNZ", "1", control)]) + "\n"


def _group_of(msg: Message) -> str | None:
    return getattr(msg, "group", None)

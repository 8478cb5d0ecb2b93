"""EDIFACT interchanges: UNA/UNB ... UNZ, optional UNG ... UNE groups, UNH ... UNT messages;
the control references and counts checked, each message handed to its report reader.

Every problem is located (:class:`~channelxl.io.edi.model.Where`): envelope problems go to
``Interchange.problems``, a message's to ``Message.problems``. Nothing here raises on
content: a truncated file, a missing UNZ, wrong counts or a message type other than SLSRPT
and INVRPT become problems carrying the CONTRL syntax error code (``Problem.ack``) that the
acknowledgement reports.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from channelxl.io.edi.eancom_common import MessageContext, ReportReader
from channelxl.io.edi.eancom_invrpt import InventoryReportReader
from channelxl.io.edi.eancom_slsrpt import SalesReportReader
from channelxl.io.edi.edifact_syntax import CHARSETS, Delimiters, Segment, Tokenizer, to_text
from channelxl.io.edi.model import Code, Interchange, Message, Problem, Where

READERS: dict[str, type[ReportReader]] = {
    "SLSRPT": SalesReportReader,
    "INVRPT": InventoryReportReader,
}


def _date(text: str) -> date | None:
    """UNB04-1: YYMMDD (syntax 1 to 3) or CCYYMMDD (syntax 4)."""
    try:
        if len(text) == 6 and (text.isascii() and text.isdigit()):
            return date(2000 + int(text[:2]), int(text[2:4]), int(text[4:]))
        if len(text) == 8 and (text.isascii() and text.isdigit()):
            return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None
    return None


class _Reading:
    """The state of one pass over a file."""

    def __init__(self, tokenizer: Tokenizer):
        self.tok = tokenizer
        self.done: list[Interchange] = []
        self.ic: Interchange | None = None
        self.una: Segment | None = None
        self.message: Message | None = None
        self.reader: ReportReader | None = None
        self.ctx: MessageContext | None = None
        self.position = 0  # segments of the open message so far, UNH = 1
        self.group: str | None = None
        self.group_messages = 0
        self.messages = 0  # messages in the open interchange
        self.refs: set[str] = set()
        self.undecodable_at_open = 0
        self.last: Segment | None = None
        self.pending: list[Problem] = []

    # ------------------------------------------------------------ problems
    def trailer(self, seg, tag, opener, what, holder, count, reference) -> None:
        """A trailer's checks: its count (element 1, syntax error 29) and its reference
        (element 2, the opener's, syntax error 28)."""
        if seg.get(1) != str(count):
            self.envelope(
                f"{tag} says {seg.get(1) or '(nothing)'} {what}, {holder} has {count}",
                seg,
                f"{tag}01",
                ack="29",
            )
        if seg.get(2) != reference:
            self.envelope(
                f"{tag} reference {seg.get(2)!r} differs from {opener}'s {reference!r}",
                seg,
                f"{tag}02",
                ack="28",
            )

    def envelope(self, text: str, seg: Segment | None, element: str | None = None,
                 ack: str | None = None, severity: str = "error", tag: str = "") -> None:  # fmt: skip
        ic = self.ic or (self.done[-1] if self.done else None)
        where = Where(
            ic.control if ic else "",
            self.group,
            None,
            None,
            seg.tag if seg else tag,
            element,
            seg.ordinal if seg else None,
        )
        problem = Problem("EDI", text, where, severity, ack)  # type: ignore[arg-type]
        # before the first UNB: kept for the interchange that follows
        (ic.problems if ic else self.pending).append(problem)

    def placeholder(self, seg: Segment | None) -> Interchange:
        """An interchange for segments that came without UNB (so they are still read and
        reported)."""
        self.ic = Interchange(
            "EDIFACT", "", Code("", ""), Code("", ""), None, self.tok.delimiters.as_dict()
        )
        self.reset_counts()
        self.ic.problems.append(
            Problem(
                "EDI",
                "the file has no interchange header (UNB) before "
                + (f"segment {seg.tag}" if seg else "its end"),
                Where("", None, None, None, "UNB", None, seg.ordinal if seg else None),
                "error",
                "13",
            )
        )
        return self.ic

    def reset_counts(self) -> None:
        if self.pending and self.ic is not None:
            control = self.ic.control
            self.ic.problems[:0] = [
                replace(p, where=replace(p.where, interchange=control)) for p in self.pending
            ]
            self.pending = []
        self.messages = 0
        self.group = None
        self.group_messages = 0
        self.refs = set()
        self.undecodable_at_open = self.tok.undecodable

    # ------------------------------------------------------------ the walk
    def feed(self, seg: Segment) -> None:
        self.last = seg
        tag = seg.tag
        if self.message is not None and not seg.unterminated and not tag.startswith("UN"):
            # the common case first: a segment of an open message
            self.position += 1
            if self.reader is not None:
                self.reader.feed(seg, self.position)
            return
        if seg.unterminated and tag != "UNA":
            self.envelope(
                f"the file ends inside segment {tag or '(empty)'}, before its terminator "
                f"{self.tok.delimiters.segment!r}: the file was cut off",
                seg,
                ack="13",
            )
        if tag == "UNA":
            self.on_una(seg)
        elif tag == "UNB":
            self.on_unb(seg)
        elif self.ic is None and tag != "UNH" and self.done:
            self.envelope(
                f"segment {tag or '(empty)'} follows the interchange trailer (UNZ), outside "
                "any interchange; it was skipped",
                seg,
                ack="33",
            )
        elif tag == "UNZ":
            self.on_unz(seg)
        elif tag == "UNG":
            self.on_ung(seg)
        elif tag == "UNE":
            self.on_une(seg)
        elif tag == "UNH":
            self.on_unh(seg)
        elif tag == "UNT":
            self.on_unt(seg)
        elif self.message is not None:
            self.position += 1
            if self.reader is not None:
                self.reader.feed(seg, self.position)
        else:
            if self.ic is None:
                self.placeholder(seg)
            self.envelope(
                f"segment {tag or '(empty)'} stands outside any message (UNH ... UNT); "
                "it was skipped",
                seg,
                ack="33",
            )

    def on_una(self, seg: Segment) -> None:
        if self.ic is not None:
            self.close_interchange(None)
        if self.una is not None:
            self.envelope("a second UNA before the interchange header (UNB)", seg, ack="33")
        self.una = seg
        why = None if seg.unterminated else self.tok.delimiters.problem()
        if why:
            self.envelope(why, seg, "UNA", ack="20")

    def on_unb(self, seg: Segment) -> None:
        if self.ic is not None:
            self.close_interchange(None)
        ident, version = seg.get(1, 1), seg.get(1, 2)
        control = seg.get(5)
        syntax = self.tok.delimiters.as_dict()
        syntax.update(identifier=ident, version=version)
        self.ic = Interchange(
            "EDIFACT",
            control,
            Code(seg.get(2, 1), seg.get(2, 2)),
            Code(seg.get(3, 1), seg.get(3, 2)),
            _date(seg.get(4, 1)),
            syntax,
            test=seg.get(11) == "1",
        )
        self.reset_counts()
        una, self.una = self.una, None
        if una is not None and una.ordinal != seg.ordinal - 1:
            self.envelope("UNA does not immediately precede UNB", una, ack="15")
        if not control:
            self.envelope("UNB gives no interchange control reference", seg, "UNB05", ack="13")
        if not seg.get(2, 1):
            self.envelope("UNB names no interchange sender", seg, "UNB02-1", ack="13")
        codec = CHARSETS.get(ident)
        self.tok.codec = codec or "latin-1"
        if codec is None:
            self.envelope(
                f"syntax identifier {ident or '(none)'} is not one the project reads "
                f"({', '.join(CHARSETS)}); the text was read as ISO 8859-1",
                seg,
                "UNB01-1",
                severity="warning",
            )
        if version not in ("1", "2", "3", "4"):
            self.envelope(
                f"syntax version {version or '(none)'} is not 1 to 4", seg, "UNB01-2", ack="2"
            )
        if self.ic.prepared is None:
            self.envelope(
                f"preparation date {seg.get(4, 1)!r} is not YYMMDD or CCYYMMDD",
                seg,
                "UNB04-1",
                severity="warning",
            )

    def on_ung(self, seg: Segment) -> None:
        if self.ic is None:
            self.placeholder(seg)
        if self.message is not None:
            self.close_message(None)
        self.group = seg.get(5)
        self.group_messages = 0
        assert self.ic is not None
        self.ic.groups.append((seg.get(1, 1), self.group))

    def on_une(self, seg: Segment) -> None:
        if self.message is not None:
            self.close_message(None)
        if self.group is None:
            self.envelope("UNE without UNG", seg, ack="33")
            return
        assert self.ic is not None
        if seg.get(1).isascii() and seg.get(1).isdigit():
            self.ic.counts[self.group] = int(seg.get(1))
        self.trailer(seg, "UNE", "UNG", "messages", "the group", self.group_messages, self.group)
        self.group = None

    def on_unh(self, seg: Segment) -> None:
        if self.ic is None:
            self.placeholder(seg)
        if self.message is not None:
            self.close_message(None)
        assert self.ic is not None
        kind = seg.get(2, 1)
        ref = seg.get(1)
        version = ":".join(seg.elements[1][1:]) if len(seg.elements) > 1 else ""
        self.message = Message(kind, ref, version)
        self.message.group = self.group  # the UNG05 of its group; None outside groups
        self.ic.messages.append(self.message)
        self.messages += 1
        self.group_messages += 1
        self.position = 1
        self.ctx = MessageContext(self.message, self.ic.control, self.group)
        if not ref:
            self.ctx.problem("EDI", "UNH gives no message reference", seg, 1, "UNH01", ack="13")
        elif ref in self.refs:
            self.ctx.problem(
                "EDI",
                f"message reference {ref} is used twice in the interchange",
                seg,
                1,
                "UNH01",
                ack="26",
            )
        self.refs.add(ref)
        reader = READERS.get(kind)
        self.reader = reader(self.message, self.ctx) if reader else None
        if reader is None:
            self.ctx.problem(
                "EDI",
                f"message type {kind or '(none)'} is not a sales or inventory report; only "
                "SLSRPT and INVRPT are read, so this message was refused",
                seg,
                1,
                "UNH02-1",
                ack="14",
            )

    def on_unt(self, seg: Segment) -> None:
        if self.message is None:
            self.envelope("UNT without UNH", seg, ack="33")
            return
        self.position += 1
        self.close_message(seg)

    def close_message(self, unt: Segment | None) -> None:
        msg, ctx = self.message, self.ctx
        assert msg is not None and ctx is not None
        if unt is None:
            last = self.last
            text = "the message has no trailer (UNT): it ends at " + (
                f"segment {last.tag}" if last else "the end of the file"
            )
            where = Where(ctx.interchange, ctx.group, msg.control, None, "UNT", None, None)
            msg.problems.append(Problem("EDI", text, where, "error", "13"))
            msg.accepted = False
        else:
            count = unt.get(1)
            if count != str(self.position):
                ctx.problem(
                    "EDI",
                    f"UNT says {count or '(nothing)'} segments, the message has "
                    f"{self.position} (UNH and UNT included)",
                    unt,
                    self.position,
                    "UNT01",
                    ack="29",
                )
            if unt.get(2) != msg.control:
                ctx.problem(
                    "EDI",
                    f"UNT reference {unt.get(2)!r} differs from UNH's {msg.control!r}",
                    unt,
                    self.position,
                    "UNT02",
                    ack="28",
                )
        if self.reader is not None:
            self.reader.finish(unt, self.position if unt else None)
        self.message = self.reader = self.ctx = None

    def on_unz(self, seg: Segment) -> None:
        if self.ic is None:
            self.placeholder(seg)
        self.close_interchange(seg)

    def close_interchange(self, unz: Segment | None) -> None:
        ic = self.ic
        assert ic is not None
        if self.message is not None:
            self.close_message(None)
        if self.group is not None:
            self.envelope(f"group {self.group} has no trailer (UNE)", None, ack="13", tag="UNE")
            self.group = None
        if unz is None:
            self.envelope(
                "the interchange has no trailer (UNZ): the file was cut off or two "
                "interchanges run together",
                None,
                ack="13",
                tag="UNZ",
            )
        else:
            if unz.get(1).isascii() and unz.get(1).isdigit():
                ic.counts["UNZ01"] = int(unz.get(1))
            expected = len(ic.groups) if ic.groups else self.messages
            what = "groups" if ic.groups else "messages"
            self.trailer(unz, "UNZ", "UNB", what, "the interchange", expected, ic.control)
        if self.tok.undecodable > self.undecodable_at_open:
            self.envelope(
                f"{self.tok.undecodable - self.undecodable_at_open} segments hold characters "
                f"outside {ic.syntax.get('identifier') or 'the declared character set'}; they "
                "were read as UTF-8 where they could be, else ISO 8859-1",
                None,
                "UNB01-1",
                severity="warning",
                tag="UNB",
            )
        self.done.append(ic)
        self.ic = None


def read_edifact(data: bytes | str, file_name: str) -> list[Interchange]:
    """The interchanges in ``data`` (a whole file), each with its messages' report lines and
    every problem located. Never raises on content; ``file_name`` names the file in the
    one problem a file without any segment gets."""
    text, transcode = to_text(data)
    reading = _Reading(Tokenizer(text, transcode))
    for seg in reading.tok:
        reading.feed(seg)
    if reading.ic is not None:
        reading.close_interchange(None)
    if (reading.una is not None or reading.pending) and not reading.done:
        reading.placeholder(None)
        reading.close_interchange(None)
    if not reading.done:
        ic = Interchange("EDIFACT", "", Code("", ""), Code("", ""), None, Delimiters().as_dict())
        ic.problems.append(
            Problem(
                "EDI",
                f"{file_name} holds no EDIFACT segments",
                Where("", None, None, None, "UNB", None, None),
                "error",
                "13",
            )
        )
        reading.done.append(ic)
    return reading.done

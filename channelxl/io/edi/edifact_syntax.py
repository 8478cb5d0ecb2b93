"""EDIFACT syntax (ISO 9735): the service characters an interchange declares, the character
sets UNB names, and the split of text into segments, data elements and components.

Written here rather than taken from ``pydifact``: that library reads one character at a time
(about 37 µs a segment, three minutes for a million-line report), stops at the first
syntax error with an exception, keeps no segment positions, and refuses a second UNA in a
file (two interchanges with their own service strings). This tokenizer splits with
``str.find``/``str.split`` and only walks characters in the rare segments holding the
release character.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# UNA's six characters, in order: component separator, data element separator, decimal
# mark, release character, repetition separator (syntax 4; a reserved space before),
# segment terminator.
DEFAULT_UNA = ":+.? '"
# Syntax level B without UNA: information separators IS1, IS3 and IS4, no release.
LEVEL_B = "\x1f\x1d.  \x1c"
# Between segments a sender may put line breaks (and some put spaces): never data.
BETWEEN = "\r\n\t "

# UNB01-1 syntax identifier -> Python codec. UNOA/UNOB are subsets of ASCII; UNOC..UNOK the
# ISO 8859 parts; UNOW is UTF-8 and UNOY ISO 10646 without code extension, sent as UTF-8.
CHARSETS = {
    "UNOA": "ascii",
    "UNOB": "ascii",
    "UNOC": "latin-1",
    "UNOD": "iso8859-2",
    "UNOE": "iso8859-5",
    "UNOF": "iso8859-7",
    "UNOG": "iso8859-3",
    "UNOH": "iso8859-4",
    "UNOI": "iso8859-6",
    "UNOJ": "iso8859-8",
    "UNOK": "iso8859-9",
    "UNOW": "utf-8",
    "UNOY": "utf-8",
}

_TAG = re.compile(r"[A-Z][A-Z0-9]{2}")
_CHUNK = 1 << 20  # characters split at once: bounded memory whatever the file size


@dataclass(frozen=True)
class Delimiters:
    component: str = ":"
    element: str = "+"
    decimal: str = "."
    release: str = "?"
    repetition: str = " "
    segment: str = "'"

    @classmethod
    def from_una(cls, six: str) -> Delimiters:
        c, e, d, r, rep, s = six
        return cls(c, e, d, "" if r == " " else r, rep, s)

    def as_dict(self) -> dict[str, str]:
        return {
            "element": self.element,
            "component": self.component,
            "segment": self.segment,
            "repetition": self.repetition.strip(),
            "release": self.release,
            "decimal": self.decimal,
        }

    def problem(self) -> str | None:
        """Why these characters cannot delimit anything, or None."""
        used = [self.component, self.element, self.segment] + (
            [self.release] if self.release else []
        )
        if len(set(used)) < len(used):
            return "the service string advice (UNA) uses one character for two purposes"
        if any(ch.isalnum() for ch in used):
            return "the service string advice (UNA) declares a letter or digit as a delimiter"
        return None


@dataclass(slots=True)
class Segment:
    """One segment: its tag, its data elements as lists of components (release characters
    removed), its ordinal in the file (1-based, UNA counted) and whether it was cut off by
    the end of the file before its terminator."""

    tag: str
    elements: list[list[str]]
    ordinal: int
    unterminated: bool = False

    def get(self, element: int, component: int = 1) -> str:
        """Element ``element`` (1-based, as ``QTY01``), component ``component``; '' when absent."""
        try:
            return self.elements[element - 1][component - 1]
        except IndexError:
            return ""


# Released service characters are parked on Unicode noncharacters (never valid in an
# interchange) so that splitting stays a C-speed str.split.
_PARK = ("\ufdd0", "\ufdd1", "\ufdd2", "\ufdd3")


def split_segment(raw: str, d: Delimiters) -> tuple[str, list[list[str]]]:
    """A segment's text (without its terminator) as its tag and components, release
    characters removed: ``??`` is ``?``, ``?+`` ``+``, ``?:`` ``:``, ``?'`` ``'``."""
    rel, sep_e, sep_c = d.release, d.element, d.component
    if not rel or rel not in raw:
        parts = raw.split(sep_e)
        return parts[0], [p.split(sep_c) for p in parts[1:]]
    raw = (
        raw.replace(rel + rel, _PARK[0])
        .replace(rel + sep_e, _PARK[1])
        .replace(rel + sep_c, _PARK[2])
        .replace(rel + d.segment, _PARK[3])
        .replace(rel, "")  # a release before an ordinary character only drops itself
    )
    back = {_PARK[0]: rel, _PARK[1]: sep_e, _PARK[2]: sep_c, _PARK[3]: d.segment}
    parts = raw.split(sep_e)
    elements = []
    for p in parts[1:]:
        comps = p.split(sep_c)
        for i, c in enumerate(comps):
            if any(k in c for k in back):
                for k, v in back.items():
                    c = c.replace(k, v)
                comps[i] = c
        elements.append(comps)
    return parts[0], elements


def valid_tag(tag: str) -> bool:
    return bool(_TAG.fullmatch(tag))


class Tokenizer:
    """Yields the segments of a text, following each UNA's service characters; without
    UNA, the defaults of the syntax level UNB shows (level A ``:+.? '``, level B the
    information separators). ``codec``: set by the reader after each UNB, to decode the
    segments that follow when the text was read byte for byte (latin-1)."""

    def __init__(self, text: str, transcode: bool):
        self.text = text
        self.transcode = transcode
        self.codec = "latin-1"
        self.delimiters = Delimiters()
        self.declared = False  # UNA seen for the current interchange
        self.undecodable = 0  # segments whose bytes did not fit the declared character set

    def _defaults_for(self, pos: int) -> Delimiters:
        """Delimiters of a UNB without UNA: the character after 'UNB' separates elements."""
        sep = self.text[pos + 3 : pos + 4]
        if sep == "\x1d":
            return Delimiters.from_una(LEVEL_B)
        return Delimiters()

    def _opens_segment(self, at: int, term: str) -> bool:
        """Whether ``at`` starts a segment: the first thing in the text or after a
        terminator (line breaks between them allowed)."""
        k = at - 1
        text = self.text
        while k >= 0 and text[k] in BETWEEN:
            k -= 1
        return k < 0 or text[k] == term

    def _region_end(self, pos: int, term: str) -> int:
        """Where the current delimiters stop applying: the next UNA or UNB opening a
        segment (each interchange declares its own), else the end of the text."""
        text, n = self.text, len(self.text)
        best = n
        for tag in ("UNA", "UNB"):
            k = text.find(tag, pos)
            while 0 <= k < best:
                if self._opens_segment(k, term):
                    best = k
                    break
                k = text.find(tag, k + 3)
        return best

    def __iter__(self):
        text, n = self.text, len(self.text)
        pos = 0
        self.ordinal = 0
        while pos < n:
            while pos < n and text[pos] in BETWEEN:
                pos += 1
            if pos >= n:
                return
            if text.startswith("UNA", pos):
                six = text[pos + 3 : pos + 9]
                self.ordinal += 1
                if len(six) < 6:
                    yield Segment("UNA", [[six]], self.ordinal, unterminated=True)
                    return
                self.delimiters = Delimiters.from_una(six)
                self.declared = True
                yield Segment("UNA", [[six]], self.ordinal)
                pos += 9
                continue
            if text.startswith("UNB", pos):
                if not self.declared:
                    self.delimiters = self._defaults_for(pos)
                self.declared = False  # the next interchange declares its own, or not
            end = self._region_end(pos + 3, self.delimiters.segment)
            yield from self._region(pos, end)
            pos = end

    def _region(self, pos: int, end: int):
        """The segments of ``text[pos:end]``, all under the same delimiters: split a
        chunk at a time at the terminator (C speed), then joined again where a terminator
        was released (a piece ending in an odd number of release characters)."""
        text = self.text
        d = self.delimiters
        term, rel, sep_e, sep_c = d.segment, d.release, d.element, d.component
        carry = ""
        start = pos
        while start < end:
            stop = min(end, start + _CHUNK)
            if stop < end:
                k = text.rfind(term, start, stop)
                stop = k + 1 if k >= 0 else min(end, (text.find(term, stop) + 1) or end)
            pieces = text[start:stop].split(term)
            start = stop
            pieces[0] = carry + pieces[0]
            carry = pieces.pop()
            pending = None
            decode = self.transcode and self.codec != "latin-1"
            ordinal = self.ordinal
            for raw in pieces:
                if pending is not None:
                    raw = pending + term + raw
                    pending = None
                if rel and raw.endswith(rel):
                    count = len(raw) - len(raw.rstrip(rel))
                    if count % 2:
                        pending = raw
                        continue
                # inlined for speed (this loop runs once per segment): see _segment
                if raw and raw[0] in BETWEEN:
                    raw = raw.lstrip(BETWEEN)
                if decode and not raw.isascii():
                    raw = self._decode(raw)
                ordinal += 1
                self.ordinal = ordinal
                if rel and rel in raw:
                    tag, elements = split_segment(raw, d)
                else:
                    parts = raw.split(sep_e)
                    tag, elements = parts[0], [p.split(sep_c) for p in parts[1:]]
                yield Segment(tag, elements, ordinal)
                # the reader may have set a new character set (a UNB was just yielded)
                decode = self.transcode and self.codec != "latin-1"
            if pending is not None:
                carry = pending + term + carry
        carry = carry.strip(BETWEEN)
        if carry:
            yield self._segment(carry, d, sep_e, sep_c, rel, True)

    def _segment(self, raw, d, sep_e, sep_c, rel, unterminated):
        if raw and raw[0] in BETWEEN:
            raw = raw.lstrip(BETWEEN)
        if self.transcode and self.codec != "latin-1" and not raw.isascii():
            raw = self._decode(raw)
        self.ordinal += 1
        if not rel or rel not in raw:
            parts = raw.split(sep_e)
            return Segment(
                parts[0], [p.split(sep_c) for p in parts[1:]], self.ordinal, unterminated
            )
        tag, elements = split_segment(raw, d)
        return Segment(tag, elements, self.ordinal, unterminated)

    def _decode(self, raw: str) -> str:
        data = raw.encode("latin-1")
        try:
            return data.decode(self.codec)
        except UnicodeDecodeError:
            self.undecodable += 1
            # A sender declaring UNOA/UNOB but writing accented names: UTF-8 if it is, else
            # ISO 8859-1, and a warning either way.
            try:
                return data.decode("utf-8")
            except UnicodeDecodeError:
                return raw


def to_text(data: bytes | str) -> tuple[str, bool]:
    """The text to tokenize and whether it still needs decoding per interchange (bytes are
    read as latin-1, one character a byte, so the ASCII delimiters are found whatever the
    character set; each segment is then decoded with the set its UNB declares)."""
    if isinstance(data, str):
        return data.lstrip("\ufeff"), False
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), False
    return data.decode("latin-1"), True


_SKIP_BOM = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def is_edifact(head: bytes) -> bool:
    """True when ``head`` (the first bytes of a file) opens with UNA or UNB, after an
    optional byte order mark and white space."""
    for bom in _SKIP_BOM:
        if head.startswith(bom):
            head = head[len(bom) :]
            if bom != _SKIP_BOM[0]:
                head = head.decode("utf-16", errors="ignore").encode("latin-1", "ignore")
            break
    head = head.lstrip(b" \t\r\n")
    if head.startswith(b"UNA"):
        return len(head) < 9 or not head[3:9].isalnum()
    return head.startswith(b"UNB") and len(head) > 3 and not head[3:4].isalnum()

"""X12 syntax: recognising an interchange, its delimiters, where it ends, and its segments.

Delimiters come from each ISA, which is fixed width: the element separator is the 4th
character, the component separator is ISA16 and the segment terminator is the character
right after it (found by counting 16 element separators, so an ISA whose fields are not
padded to width still reads). CR/LF after a terminator are ignored; a terminator that is
itself a line break works too. Each interchange of a file may declare its own delimiters.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain

BOM_AND_SPACE = "\ufeff \t\r\n\x00"
CHUNK = 1 << 16  # characters: the body is split a piece at a time (see body_segments)


def is_x12(head: bytes) -> bool:
    """True when ``head`` (the first bytes of a file, 128 or more) starts with an ISA
    segment, after an optional byte-order mark and white space, whatever the file is
    called: ``ISA`` then an element separator that is not a letter, digit or space."""
    text = head.lstrip(b"\xef\xbb\xbf").lstrip(b" \t\r\n\x00")
    if not text.startswith(b"ISA") or len(text) < 4:
        return False
    sep = text[3:4]
    return not (sep.isalnum() or sep.isspace())


def decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    # X12 is ASCII with UTF-8 in names at most; a stray byte becomes U+FFFD, not an error
    return data.decode("utf-8", errors="replace")


def split_segments(text: str) -> list[list[str]]:
    """Every segment of every interchange in ``text``, split into elements (for tests and
    tools; the reader streams instead)."""
    out: list[list[str]] = []
    pos = len(text) - len(text.lstrip(BOM_AND_SPACE))
    while pos < len(text):
        head = isa_delimiters(text, pos)
        if head is None:
            break
        elem, _, term, body_start = head
        out.append(text[pos : body_start - len(term)].split(elem))
        end, next_pos = interchange_end(text, body_start, elem, term)
        for raw in text[body_start:end].split(term):
            seg = raw.strip("\r\n")
            if seg:
                out.append(seg.split(elem))
        pos = next_pos
        pos += len(text[pos : pos + 64]) - len(text[pos : pos + 64].lstrip(BOM_AND_SPACE))
    return out


def isa_delimiters(text: str, pos: int) -> tuple[str, str, str, int] | None:
    """(element separator, component separator, segment terminator, where the body starts)
    of the ISA at ``pos``; None when it is cut short."""
    if len(text) < pos + 4:
        return None
    elem = text[pos + 3]
    idx = pos + 3
    for _ in range(15):
        idx = text.find(elem, idx + 1)
        if idx < 0:
            return None
    if idx + 2 >= len(text):
        return None
    component, term = text[idx + 1], text[idx + 2]
    return elem, component, term, idx + 3


def interchange_end(text: str, start: int, elem: str, term: str) -> tuple[int, int]:
    """Where this interchange's body ends (after its IEA, or before the next ISA, or at the
    end of the text) and where to look for the next one: the first ``IEA`` + element
    separator or ``ISA`` that follows a terminator (white space between them allowed).

    Found with ``str.find`` (a fast scan in C, where a regular expression would step
    through the 100 MB of a large report character by character)."""
    at = start - len(term)
    iea = "IEA" + elem
    next_iea, next_isa = text.find(iea, at), text.find("ISA", at)
    while next_iea >= 0 or next_isa >= 0:
        if next_isa < 0 or 0 <= next_iea < next_isa:
            q, found = next_iea, "IEA"
            next_iea = text.find(iea, q + 1)
        else:
            q, found = next_isa, "ISA"
            next_isa = text.find("ISA", q + 1)
        if not _after_terminator(text, q, at, term):
            continue
        if found == "ISA":
            return q, q
        stop = text.find(term, q + len(iea))
        if stop < 0:
            return len(text), len(text)
        return stop + len(term), stop + len(term)
    return len(text), len(text)


def _after_terminator(text: str, q: int, at: int, term: str) -> bool:
    """Whether a terminator at ``at`` or later stands before ``q``, with only CR, LF, space
    or tab between (a terminator that is itself a line break may be among them)."""
    i = q - 1
    while i >= at and text[i] in "\r\n \t":
        if text[i] == term:
            return True
        i -= 1
    return i >= at and text[i] == term


def body_segments(text: str, start: int, end: int, term: str) -> Iterator[str]:
    """The segments of ``text[start:end]`` in order, split at the terminator ``term``, CR
    and LF dropped (they are not X12 characters; unless one is the terminator); none is
    empty (a repeated terminator is not a segment).

    The body is cut at a terminator about every 64 K characters and each piece is split in
    C, one piece at a time: as fast as one split of the whole body, without holding every segment
    of a large report at once (4.4 million strings for a million lines)."""
    return filter(None, chain.from_iterable(_pieces(text, start, end, term)))


def _pieces(text: str, start: int, end: int, term: str) -> Iterator[list[str]]:
    drop = [c for c in "\r\n" if c != term]
    while start < end:
        stop = text.find(term, min(start + CHUNK, end), end)
        if stop < 0:
            stop = end
        piece = text[start:stop]
        for c in drop:
            piece = piece.replace(c, "")
        yield piece.split(term)
        start = stop + 1

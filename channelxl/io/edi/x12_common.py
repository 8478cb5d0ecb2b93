"""What the X12 transaction-set readers share: where a segment is, how a problem is noted,
and how dates, quantities and prices are read from elements.

Acknowledgement notes (``Problem.ack``) name the 997 element they go into and its code:
``"AK304:2"`` a segment note (AK3 code 2, unexpected segment), ``"AK403:8"`` an element note
(AK4 code 8, invalid date), ``"AK502:4"`` a transaction-set note (AK5), ``"AK905:5"`` a
functional-group note (AK9), ``"TA105:001"`` an interchange note (TA1; no 997 carries it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal, InvalidOperation

from channelxl.io.edi.model import Code, Message, Problem, Severity, Where

ENVELOPE = frozenset({"ISA", "GS", "ST", "SE", "GE", "IEA"})


def read_segments(
    segment: Callable[[list[str], int, int], None],
    segments: Iterator[str],
    elem: str,
    line: int,
    base: int,
) -> tuple[list[str] | None, int]:
    """A set's segments from the envelope's iterator, each split and handed to
    ``segment(els, position, line)``, up to the first envelope segment: returned split,
    with the ordinal of the last segment taken (None at the end of the interchange).
    ``line``: the ordinal of the last segment taken so far; position = ordinal - ``base``.
    The 867 reader has a faster loop of its own (``Reader867.read``)."""
    for seg in segments:
        if not seg:
            continue
        line += 1
        els = seg.split(elem)
        if els[0] in ENVELOPE:
            return els, line
        segment(els, line - base, line)
    return None, line


class SetContext:
    """One transaction set being read: its message, where it is, and how to note problems.

    ``component``: the interchange's component separator (ISA16), for composite elements.
    """

    __slots__ = ("component", "group", "interchange", "message", "sender_ids")

    def __init__(
        self,
        message: Message,
        interchange: str,
        group: str | None,
        component: str,
        sender_ids: tuple = (),
    ) -> None:
        self.message = message
        self.interchange = interchange
        self.group = group
        self.component = component
        self.sender_ids = sender_ids

    def where(
        self,
        position: int | None,
        segment: str,
        element: str | None = None,
        line: int | None = None,
    ) -> Where:
        return make_where(
            self.interchange, self.group, self.message.control, position, segment, element, line
        )

    def problem(
        self,
        code: str,
        text: str,
        position: int | None,
        segment: str,
        element: str | None = None,
        line: int | None = None,
        *,
        severity: Severity = "error",
        ack: str | None = None,
    ) -> Problem:
        p = Problem(code, text, self.where(position, segment, element, line), severity, ack)
        self.message.problems.append(p)
        return p


def make_where(
    interchange: str,
    group: str | None,
    message: str | None,
    position: int | None,
    segment: str,
    element: str | None,
    line: int | None,
) -> Where:
    """A :class:`Where`, built without the frozen dataclass's per-field ``__setattr__``
    (a report of a million segments builds one per line; this is several times faster).
    The result is an ordinary, equal and hashable ``Where``."""
    w = object.__new__(Where)
    w.__dict__.update(
        interchange=interchange,
        group=group,
        message=message,
        position=position,
        segment=segment,
        element=element,
        line=line,
    )
    return w


_CODES: dict[tuple[str, ...], tuple[Code, ...]] = {}


def product_codes(els: list[str]) -> tuple[Code, ...]:
    """The (qualifier, id) pairs of a LIN from LIN02/LIN03 on, as codes; pairs with no id
    are skipped. Memoised by the segment's elements: a report names the same few hundred
    products over and over, and equal codes may be the same object (they are frozen)."""
    key = tuple(els[2:])
    try:
        return _CODES[key]
    except KeyError:
        pass
    codes = tuple(Code(els[i + 1], els[i]) for i in range(2, len(els) - 1, 2) if els[i + 1])
    if len(_CODES) < 200_000:
        _CODES[key] = codes
    return codes


_PARTIES: dict[tuple[str, str], Code] = {}


def party_code(value: str, qualifier: str) -> Code:
    """``Code(value, qualifier)``, memoised like product codes: a report names the same
    resellers over and over (equal codes may be the same object: they are frozen)."""
    key = (value, qualifier)
    code = _PARTIES.get(key)
    if code is None:
        code = Code(value, qualifier)
        if len(_PARTIES) < 200_000:
            _PARTIES[key] = code
    return code


def element(els: list[str], n: int) -> str:
    """Element ``n`` (1-based) of a split segment, "" when the segment stops before it."""
    return els[n] if n < len(els) else ""


_DECIMALS: dict[str, Decimal | None] = {}  # prices repeat: memoised like dates
_DATES: dict[str, date | None] = {}


def parse_date(text: str) -> date | None:
    """CCYYMMDD (8 digits, 4010 and later) or YYMMDD (6 digits: 00-49 are 2000-2049,
    50-99 are 1950-1999, the window X12 uses for ISA09); None when not a calendar date.
    Results are memoised: a report repeats the same few dates thousands of times."""
    try:
        return _DATES[text]
    except KeyError:
        pass
    value: date | None = None
    if len(text) in (6, 8) and text.isascii() and text.isdigit():
        if len(text) == 8:
            y, m, d = int(text[:4]), int(text[4:6]), int(text[6:])
        else:
            yy = int(text[:2])
            y, m, d = (2000 + yy if yy < 50 else 1900 + yy), int(text[2:4]), int(text[4:])
        try:
            value = date(y, m, d)
        except ValueError:
            value = None
    if len(_DATES) < 100_000:
        _DATES[text] = value
    return value


def parse_quantity(text: str) -> int | str:
    """A quantity element (type R) as a whole number with its sign, or the reason it is not
    one: ``"missing"``, ``"not a number"``, ``"fractional"``. ``10``, ``10.000``, ``-3`` and
    ``+3`` are read; ``2.5`` is fractional."""
    if not text:
        return "missing"
    if text.isascii():
        if text.isascii() and text.isdigit():
            return int(text)
        if text[0] in "-+" and (text[1:].isascii() and text[1:].isdigit()):
            return int(text)
    value = parse_decimal(text)
    if value is None:
        return "not a number"
    if value != value.to_integral_value():
        return "fractional"
    return int(value)


def parse_decimal(text: str) -> Decimal | None:
    """A decimal element (type R) as sent, exactly: digits with an optional sign and
    decimal point (no exponent, spaces or separators); None otherwise."""
    try:
        return _DECIMALS[text]
    except KeyError:
        pass
    value: Decimal | None = None
    if text.isascii() and text.replace(".", "", 1).lstrip("+-").isdigit():
        try:
            value = Decimal(text)
        except (InvalidOperation, ValueError):
            value = None
    if len(_DECIMALS) < 100_000:
        _DECIMALS[text] = value
    return value

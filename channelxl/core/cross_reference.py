"""Cross-references: turning the codes a distributor sends into the program's SKUs and
Reseller IDs. Pure: built from the program's rows, no files, no ledger.

EDI names things by its own codes (``io.edi.model.Code``: a value and its qualifier).
Each EDI qualifier says what kind of code it is (:data:`EDI_QUALIFIERS`), and so which of
the program's qualifiers (:data:`QUALIFIERS`) to look the code up as:

- ``sku`` — your own SKU (X12 LIN VP / VN, EANCOM PIA SA): the SKU on Products, else a
  Cross References row mapping an old or other SKU to the current one;
- ``gtin`` — X12 LIN UP / EN / UA / UK, EANCOM LIN SRV: the GTIN column of Products, else
  a Cross References row. Compared as GTIN-14, so a UPC-12 and its EAN-13 are one item;
- ``distributor part number`` — X12 LIN BP / IN, EANCOM PIA IN: Cross References rows of
  that distributor, then those for any distributor (Distributor ID blank);
- ``manufacturer part number`` — X12 LIN MG / MF, EANCOM PIA MF: Cross References rows,
  else your SKU (you make what you sell: your part number is usually the SKU);
- ``reseller id``, ``account number``, ``gln``, ``duns`` — the same for resellers (X12 N1
  qualifiers 1 DUNS, 9 DUNS+4, UL GLN, 91 / 92 assigned by seller / buyer; EANCOM NAD code
  list agency 9 GLN, 16 DUNS, 91 / 92 assigned by seller / buyer).

Codes assigned by "the seller" or "the buyer" (N1 / NAD 91 and 92) are read as the
distributor's account number first, then as your Reseller ID: a distributor is the seller
of the resale it reports and the buyer of what it bought from you, and distributors use
both codes both ways.

Within one kind of code, the reporting distributor's rows come before the rows for any
distributor, so one distributor's numbering can differ from the rest. A line whose codes
lead to two different SKUs (or resellers) is a problem, not a choice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from channelxl.core.gs1 import digits_of, normal_duns, normal_gln, normal_gtin

PRODUCT = "product"
RESELLER = "reseller"
KINDS = (PRODUCT, RESELLER)

SKU = "sku"
GTIN = "gtin"
DISTRIBUTOR_PART = "distributor part number"
MANUFACTURER_PART = "manufacturer part number"
RESELLER_ID = "reseller id"
ACCOUNT = "account number"
GLN = "gln"
DUNS = "duns"

# the program's qualifiers, per kind: what a code in the Cross References sheet is
QUALIFIERS: dict[str, tuple[str, ...]] = {
    PRODUCT: (SKU, GTIN, DISTRIBUTOR_PART, MANUFACTURER_PART),
    RESELLER: (RESELLER_ID, ACCOUNT, GLN, DUNS),
}
ALL_QUALIFIERS = QUALIFIERS[PRODUCT] + QUALIFIERS[RESELLER]
# the qualifiers a column of Products or Resellers holds, besides Cross References
OWN_COLUMN = {
    SKU: "SKU on Products",
    GTIN: "GTIN on Products",
    RESELLER_ID: "Reseller ID on Resellers",
    GLN: "GLN on Resellers",
    DUNS: "DUNS on Resellers",
}


@dataclass(frozen=True)
class EdiQualifier:
    """What one EDI qualifier means: the standard (``X12`` or ``EDIFACT``: EANCOM), the
    kind of thing named, the qualifier as sent, the segment that carries it, the
    standard's own words, and the program's qualifiers the code is looked up as, in order.
    ``prefix``: only the first so many characters identify (a DUNS+4 is DUNS and a
    location suffix)."""

    standard: str
    kind: str
    code: str
    segment: str
    meaning: str
    tries: tuple[str, ...]
    prefix: int | None = None


def _q(standard, kind, codes, segment, meaning, tries, prefix=None):
    return [EdiQualifier(standard, kind, c, segment, meaning, tries, prefix) for c in codes]


EDI_QUALIFIERS: tuple[EdiQualifier, ...] = (
    # X12 LIN product/service id qualifiers (data element 235)
    *_q("X12", PRODUCT, ("VP",), "LIN", "vendor's (seller's) part number", (SKU,)),
    *_q("X12", PRODUCT, ("VN",), "LIN", "vendor's (seller's) item number", (SKU,)),
    *_q("X12", PRODUCT, ("BP",), "LIN", "buyer's part number", (DISTRIBUTOR_PART,)),
    *_q("X12", PRODUCT, ("IN",), "LIN", "buyer's item number", (DISTRIBUTOR_PART,)),
    *_q("X12", PRODUCT, ("UP",), "LIN", "UPC consumer package code", (GTIN,)),
    *_q("X12", PRODUCT, ("EN",), "LIN", "EAN-13", (GTIN,)),
    *_q("X12", PRODUCT, ("UA",), "LIN", "UPC/EAN case code", (GTIN,)),
    *_q("X12", PRODUCT, ("UK",), "LIN", "GTIN-14", (GTIN,)),
    *_q("X12", PRODUCT, ("MG",), "LIN", "manufacturer's part number", (MANUFACTURER_PART, SKU)),
    *_q("X12", PRODUCT, ("MF",), "LIN", "manufacturer", (MANUFACTURER_PART, SKU)),
    # X12 N1 identification code qualifiers (data element 66)
    *_q("X12", RESELLER, ("1",), "N1", "DUNS", (DUNS,)),
    *_q("X12", RESELLER, ("9",), "N1", "DUNS+4", (DUNS,), prefix=9),
    *_q("X12", RESELLER, ("UL",), "N1", "GLN", (GLN,)),
    *_q("X12", RESELLER, ("91",), "N1", "assigned by seller", (ACCOUNT, RESELLER_ID)),
    *_q("X12", RESELLER, ("92",), "N1", "assigned by buyer", (ACCOUNT, RESELLER_ID)),
    # EANCOM LIN item type (7143) and PIA additional product ids
    *_q("EDIFACT", PRODUCT, ("SRV", "EN"), "LIN", "GTIN", (GTIN,)),
    *_q("EDIFACT", PRODUCT, ("SA",), "PIA", "supplier's article number", (SKU,)),
    *_q("EDIFACT", PRODUCT, ("IN",), "PIA", "buyer's item number", (DISTRIBUTOR_PART,)),
    *_q(
        "EDIFACT",
        PRODUCT,
        ("MF",),
        "PIA",
        "manufacturer's article number",
        (MANUFACTURER_PART, SKU),
    ),
    # EANCOM NAD party id code list agency (3055)
    *_q("EDIFACT", RESELLER, ("9",), "NAD", "GLN", (GLN,)),
    *_q("EDIFACT", RESELLER, ("16",), "NAD", "DUNS", (DUNS,)),
    *_q("EDIFACT", RESELLER, ("91",), "NAD", "assigned by seller", (ACCOUNT, RESELLER_ID)),
    *_q("EDIFACT", RESELLER, ("92",), "NAD", "assigned by buyer", (ACCOUNT, RESELLER_ID)),
)
_BY_CODE = {(q.standard, q.kind, q.code): q for q in EDI_QUALIFIERS}
STANDARDS = ("X12", "EDIFACT")


def edi_qualifiers_text(kind: str) -> str:
    """Which EDI qualifiers are read as which of the program's qualifiers, in words (for
    the Qualifier column's help and docs/WORKBOOK.md)."""

    def sent(ours: str, first: bool) -> str:
        groups: dict[str, list[str]] = {}
        for q in EDI_QUALIFIERS:
            if q.kind == kind and ours in q.tries and (q.tries[0] == ours) == first:
                name = "X12" if q.standard == "X12" else "EANCOM"
                groups.setdefault(f"{name} {q.segment}", []).append(q.code)
        return "; ".join(f"{where} {', '.join(codes)}" for where, codes in groups.items())

    parts = []
    for ours in QUALIFIERS[kind]:
        primary, fallback = sent(ours, True), sent(ours, False)
        said = [primary] if primary else []
        if fallback:
            said.append(f"second choice for {fallback}")
        parts.append(f"{ours} ({'; '.join(said)})" if said else ours)
    return "; ".join(parts)


def code_key(qualifier: str, value: str) -> str:
    """The form a code of ``qualifier`` is compared in: GTIN-14, 13-digit GLN, 9-digit
    DUNS; any other code trimmed and upper-case (part numbers are typed in either case).
    Raises ``ValueError`` for a GTIN, GLN or DUNS that is not one."""
    if qualifier == GTIN:
        return normal_gtin(value)
    if qualifier == GLN:
        return normal_gln(value)
    if qualifier == DUNS:
        return normal_duns(value)
    return str(value).strip().upper()


class CodeLike(Protocol):
    """An identifier as sent (``io.edi.model.Code``). An ``element`` attribute, when the
    reader sets one (``"LIN03"``), names where the code was; else its segment is named."""

    value: str
    qualifier: str


@dataclass(frozen=True)
class CrossReference:
    """One row of the Cross References sheet. ``distributor_id`` None: any distributor."""

    distributor_id: str | None
    kind: str
    qualifier: str
    code: str
    maps_to: str


Answer = tuple[str | None, str | None]  # (SKU or Reseller ID, or None; problem, or None)


class Resolver:
    """The program's codes: SKUs and GTINs of Products, Reseller IDs, GLNs and DUNS of
    Resellers, and the Cross References rows. Codes of a GTIN, GLN or DUNS qualifier that
    are not valid ones are left out (the program workbook refuses them anyway)."""

    def __init__(
        self,
        products: Iterable[tuple[str, str | None]],
        resellers: Iterable[tuple[str, str | None, str | None]],
        references: Iterable[CrossReference] = (),
    ):
        own: dict[str, dict[str, str]] = {q: {} for q in OWN_COLUMN}
        for sku, gtin in products:
            own[SKU][code_key(SKU, sku)] = sku
            _put(own[GTIN], GTIN, gtin, sku)
        for reseller_id, gln, duns in resellers:
            own[RESELLER_ID][code_key(RESELLER_ID, reseller_id)] = reseller_id
            _put(own[GLN], GLN, gln, reseller_id)
            _put(own[DUNS], DUNS, duns, reseller_id)
        self._own = own
        self._answers: dict[tuple, Answer] = {}
        self._rows: dict[tuple[str | None, str], dict[str, str]] = {}
        for r in references:
            _put(
                self._rows.setdefault((r.distributor_id, r.qualifier), {}),
                r.qualifier,
                r.code,
                r.maps_to,
            )

    # ------------------------------------------------------------ looking up
    def lookup(self, distributor: str | None, qualifier: str, value: str) -> str | None:
        """The SKU or Reseller ID a code of one of the program's qualifiers maps to: the
        column of Products or Resellers that holds such codes, then the distributor's
        Cross References rows, then those for any distributor. Raises ``ValueError`` for
        a GTIN, GLN or DUNS that is not one."""
        key = code_key(qualifier, value)
        for table in (
            self._own.get(qualifier, {}),
            self._rows.get((distributor, qualifier), {}) if distributor else {},
            self._rows.get((None, qualifier), {}),
        ):
            if key in table:
                return table[key]
        return None

    def product(
        self, distributor: str | None, codes: tuple[CodeLike, ...], *, standard: str = "X12"
    ) -> Answer:
        """The SKU a line's product codes name, or the problem saying why none."""
        return self._resolve(PRODUCT, distributor, codes, standard)

    def reseller(
        self, distributor: str | None, codes: tuple[CodeLike, ...], *, standard: str = "X12"
    ) -> Answer:
        """The Reseller ID a line's party codes name, or the problem saying why none."""
        return self._resolve(RESELLER, distributor, codes, standard)

    def _resolve(self, kind, distributor, codes, standard) -> Answer:
        # a report names the same few hundred products and resellers on a million lines:
        # each distinct set of codes is worked out once (the answer depends on nothing else)
        try:
            return self._answers[(kind, distributor, codes, standard)]
        except KeyError:
            answer = self._answers[(kind, distributor, codes, standard)] = self._work_out(
                kind, distributor, codes, standard
            )
            return answer
        except TypeError:  # codes that cannot be a key: worked out every time
            return self._work_out(kind, distributor, codes, standard)

    def _work_out(self, kind, distributor, codes, standard) -> Answer:
        if standard not in STANDARDS:
            raise ValueError(f"standard must be one of {STANDARDS}, not {standard!r}")
        if not codes:
            return None, f"the line names no {kind}"
        found: list[tuple[CodeLike, str]] = []
        problems: list[str] = []
        for code in codes:
            target, problem = self._one(kind, distributor, code, standard)
            if target is not None:
                found.append((code, target))
            else:
                problems.append(problem)
        targets = sorted({t for _, t in found})
        if len(targets) > 1:
            said = ", ".join(
                f"{_label(c, _BY_CODE.get((standard, kind, c.qualifier)))} {c.value} is {t}"
                for c, t in found
            )
            where = "Products" if kind == PRODUCT else "Resellers"
            return None, (
                f"the {kind} codes of one line name different {kind}s: {said}; correct the "
                f"{where} or Cross References row that is wrong"
            )
        if targets:
            return targets[0], None
        return None, "; ".join(problems)

    def _one(self, kind, distributor, code, standard) -> Answer:
        q = _BY_CODE.get((standard, kind, code.qualifier))
        value = str(code.value).strip()
        if q is None:
            known = ", ".join(
                f"{e.segment} {e.code}"
                for e in EDI_QUALIFIERS
                if e.standard == standard and e.kind == kind
            )
            return None, (
                f"{kind} code {value} has the qualifier {code.qualifier}, which channelxl does "
                f"not read ({_standard_name(standard)} qualifiers it reads: {known}): ask "
                f"{distributor or 'the distributor'} to send one of those"
            )
        if q.prefix:  # DUNS+4: the DUNS, then a location suffix
            value = digits_of(value)[: q.prefix]
        label = f"{_words(q, distributor)}, {_label(code, q)}"
        for ours in q.tries:
            try:
                target = self.lookup(distributor, ours, value)
            except ValueError as exc:
                return None, f"{kind} code {code.value} ({label}): {exc}"
            if target is not None:
                return target, None
        return None, (
            f"{kind} code {value} ({label}) is not in {_where(q, distributor)}: "
            f"{_fix(q, kind, distributor, value)}"
        )


def _put(table: dict[str, str], qualifier: str, code: str | None, target: str) -> None:
    if code is None or str(code).strip() == "":
        return
    try:
        table.setdefault(code_key(qualifier, code), target)
    except ValueError:
        return  # not a valid GTIN/GLN/DUNS: the workbook's check says so at its cell


def _standard_name(standard: str) -> str:
    return "X12" if standard == "X12" else "EANCOM"


def _label(code: CodeLike, q: EdiQualifier | None) -> str:
    """Where the code was and its qualifier as sent: ``LIN qualifier UP``."""
    element = getattr(code, "element", None) or (q.segment if q else "")
    return f"{element} qualifier {code.qualifier}".strip()


def _name(ours: str, distributor: str | None) -> str:
    whose = f"{distributor}'s" if distributor else "the distributor's"
    return {
        SKU: "your SKU",
        GTIN: "GTIN",
        DISTRIBUTOR_PART: f"{whose} part number",
        MANUFACTURER_PART: "manufacturer part number",
        RESELLER_ID: "your Reseller ID",
        ACCOUNT: f"{whose} account number",
        GLN: "GLN",
        DUNS: "DUNS",
    }[ours]


def _words(q: EdiQualifier, distributor: str | None) -> str:
    return " or ".join(_name(t, distributor) for t in q.tries)


def _where(q: EdiQualifier, distributor: str | None) -> str:
    places = [OWN_COLUMN[t] for t in q.tries if t in OWN_COLUMN]
    places.append(f"Cross References for {distributor}" if distributor else "Cross References")
    return ", ".join(places[:-1]) + (" or " if len(places) > 1 else "") + places[-1]


def _fix(q: EdiQualifier, kind: str, distributor: str | None, value: str) -> str:
    first = q.tries[0]
    target = "the SKU" if kind == PRODUCT else "the Reseller ID"
    row = (
        f"a Cross References row (Distributor ID {distributor or 'blank'}, Kind {kind}, "
        f"Qualifier {first}, Code {value}, Maps To {target})"
    )
    if first in (GTIN, GLN, DUNS):
        sheet = "Products" if kind == PRODUCT else "Resellers"
        return f"add it to the {first.upper()} column of {sheet}, or add {row}"
    return f"add {row}"


__all__ = [
    "ACCOUNT",
    "ALL_QUALIFIERS",
    "DISTRIBUTOR_PART",
    "DUNS",
    "EDI_QUALIFIERS",
    "GLN",
    "GTIN",
    "KINDS",
    "MANUFACTURER_PART",
    "PRODUCT",
    "QUALIFIERS",
    "RESELLER",
    "RESELLER_ID",
    "SKU",
    "STANDARDS",
    "CodeLike",
    "CrossReference",
    "EdiQualifier",
    "Resolver",
    "code_key",
    "edi_qualifiers_text",
]

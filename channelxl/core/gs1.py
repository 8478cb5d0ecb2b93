"""GS1 and D-U-N-S identifiers: GTINs of products, GLNs and DUNS numbers of companies.

- A **GTIN** has 8, 12 (UPC-A), 13 (EAN-13) or 14 digits, the last a check digit. The
  shorter forms are the 14-digit form with leading zeros dropped, so a UPC-12 and the
  EAN-13 and GTIN-14 written from it (``012345678905``, ``0012345678905``,
  ``00012345678905``) are one item: :func:`normal_gtin` gives every form as GTIN-14.
- A **GLN** (global location number) has 13 digits, the last a check digit.
- A **DUNS** number has 9 digits and no check digit anyone can rely on; a DUNS+4 (X12 N1
  qualifier 9) is the DUNS followed by four characters naming a location.

The GS1 check digit: weigh the digits before it 3, 1, 3, 1... starting from the one
nearest the check digit, add them up; the check digit takes the sum to the next multiple
of ten: ``check = (10 - sum mod 10) mod 10``. It catches every one-digit change.

People write these numbers with spaces or hyphens (``0 12345 67890 5``, ``15-048-3782``):
both are dropped before checking. Each function raises ``ValueError`` with a plain message
saying what is wrong and what was expected.
"""

from __future__ import annotations

import re

GTIN_LENGTHS = (8, 12, 13, 14)
GLN_LENGTH = 13
DUNS_LENGTH = 9
_SEPARATORS = re.compile(r"[\s\-]+")


def digits_of(text: str) -> str:
    """``text`` without the spaces and hyphens people group digits with."""
    return _SEPARATORS.sub("", str(text))


def check_digit(body: str) -> int:
    """The GS1 check digit of ``body`` (the digits before it): weights 3, 1, 3, 1... from
    the right, ``(10 - sum mod 10) mod 10``."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def with_check_digit(body: str) -> str:
    """``body`` followed by its GS1 check digit."""
    return body + str(check_digit(body))


def _checked(text: str, what: str, lengths: tuple[int, ...], shape: str) -> str:
    digits = digits_of(text)
    if not digits.isascii() or not digits.isdigit():
        raise ValueError(f"{text!r} is not a {what}: a {what} is {shape}, digits only")
    if len(digits) not in lengths:
        raise ValueError(
            f"{text!r} is not a {what}: it has {len(digits)} digits; a {what} is {shape}"
        )
    expected = check_digit(digits[:-1])
    if int(digits[-1]) != expected:
        raise ValueError(
            f"{text!r} is not a {what}: its last digit, the check digit, should be {expected} "
            f"for the digits before it; a digit is mistyped: copy it again from the "
            "barcode or the GS1 record"
        )
    return digits


def normal_gtin(text: str) -> str:
    """``text`` as a GTIN-14 (zero-padded), after checking its length and check digit.

    >>> normal_gtin("0 12345 67890 5")
    '00012345678905'
    """
    digits = _checked(text, "GTIN", GTIN_LENGTHS, "8, 12 (UPC), 13 (EAN) or 14 digits")
    return digits.zfill(14)


def normal_gln(text: str) -> str:
    """``text`` as a 13-digit GLN, after checking its length and check digit."""
    return _checked(text, "GLN", (GLN_LENGTH,), "13 digits")


def normal_duns(text: str) -> str:
    """``text`` as a 9-digit DUNS number (no check digit to verify)."""
    digits = digits_of(text)
    if not digits.isascii() or not digits.isdigit() or len(digits) != DUNS_LENGTH:
        raise ValueError(f"{text!r} is not a DUNS number: a DUNS number is 9 digits")
    return digits


__all__ = [
    "DUNS_LENGTH",
    "GLN_LENGTH",
    "GTIN_LENGTHS",
    "check_digit",
    "digits_of",
    "normal_duns",
    "normal_gln",
    "normal_gtin",
    "with_check_digit",
]

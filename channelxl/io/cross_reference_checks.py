"""Identifiers in the program workbook: GTINs on Products, GLN and DUNS on Resellers, and
the Cross References sheet. What their declarations cannot check.

The column types (``gtin``, ``gln``, ``duns``: ``core.gs1``) already refuse a value that
is not one, at its cell, and keep it in its normal form (GTIN-14). Here, each at its cell
with how to fix it:

- one GTIN (GLN, DUNS) on two rows: a code names one product (reseller), so the resolver
  could not tell which;
- one EDI ID on two distributors (Distributors sheet; compared as the ingest compares a
  sender: spaces around and letter case aside): a received interchange names its sender
  by it, so it must name one distributor;
- a Cross References row whose qualifier is not one of its kind's (``gln`` for a
  product), whose code is not a valid GTIN/GLN/DUNS, or whose Maps To is not a SKU
  (product) or Reseller ID (reseller) of the program;
- two rows with one code (compared as the resolver compares it: GTIN-14, part numbers in
  any letter case) for one distributor (or any distributor): refused, and named a conflict
  when they map to different targets;
- a row that can never apply because Products or Resellers already give its code another
  target (``core.cross_reference``: those columns are looked at first).
"""

from __future__ import annotations

import pandas as pd

from channelxl.core.cross_reference import (
    DUNS,
    GLN,
    GTIN,
    OWN_COLUMN,
    PRODUCT,
    QUALIFIERS,
    RESELLER,
    RESELLER_ID,
    SKU,
    code_key,
)
from channelxl.issues import Issue, a1
from channelxl.schema.columns import Table
from channelxl.schema.program_sheets import CROSS_REFERENCES, DISTRIBUTORS, PRODUCTS, RESELLERS


def _at(frame: pd.DataFrame, file: str, row: int, table: Table, column: str) -> dict:
    j = frame.attrs["positions"].get(table.column(column).field, 0)
    return {"file": file, "sheet": frame.attrs["sheet"], "cell": a1(row, j)}


def _unique_codes(
    frame, table: Table, column: str, id_column: str, what: str, file, issues
) -> dict[str, str]:
    """Refuse a code (GTIN, GLN, DUNS) on two rows; returns code -> id and row (first)."""
    field, id_field = table.column(column).field, table.column(id_column).field
    if field not in frame.attrs["positions"]:
        return {}  # a workbook from before the column: nothing to check
    seen: dict[str, tuple[str, int]] = {}
    for row, code, owner in frame[["sheet_row", field, id_field]].itertuples(index=False):
        if code is None:
            continue
        if code in seen and seen[code][0] != owner:
            first, at = seen[code]
            issues.append(
                Issue(
                    "DUPL",
                    f"{column} {code} is already {id_column} {first}'s (row {at + 1}); a "
                    f"{column} names one {what}: keep it on the row it belongs to",
                    **_at(frame, file, row, table, column),
                )
            )
        else:
            seen.setdefault(code, (owner, row))
    return {code: owner for code, (owner, _) in seen.items()}


def _unique_edi_ids(frame, file, issues) -> None:
    """Refuse an EDI ID that two distributors give."""
    if frame is None or "edi_ids" not in frame.attrs["positions"]:
        return
    seen: dict[str, tuple[str, int]] = {}
    for row, owner, ids in frame[["sheet_row", "distributor_id", "edi_ids"]].itertuples(
        index=False
    ):
        for value in ids or ():
            key = str(value).strip().casefold()
            first = seen.setdefault(key, (owner, row))
            if first[0] != owner:
                issues.append(
                    Issue(
                        "DUPL",
                        f"EDI ID {value} is already {first[0]}'s (row {first[1] + 1}); an "
                        "interchange names its sender by it, so it must name one "
                        "distributor: keep it on the row it belongs to",
                        **_at(frame, file, row, DISTRIBUTORS, "EDI IDs"),
                    )
                )


def check_cross_references(frames: dict[str, pd.DataFrame], file: str, issues: list[Issue]):
    """Every check above, each problem located at its cell."""
    _unique_edi_ids(frames.get("distributors"), file, issues)
    products, resellers = frames.get("products"), frames.get("resellers")
    own: dict[str, dict[str, str]] = {}
    if products is not None:
        own[GTIN] = _unique_codes(products, PRODUCTS, "GTIN", "SKU", "product", file, issues)
        own[SKU] = {code_key(SKU, s): s for s in products["sku"].dropna()}
    if resellers is not None:
        own[GLN] = _unique_codes(
            resellers, RESELLERS, "GLN", "Reseller ID", "reseller", file, issues
        )
        own[DUNS] = _unique_codes(
            resellers, RESELLERS, "DUNS", "Reseller ID", "reseller", file, issues
        )
        own[RESELLER_ID] = {code_key(RESELLER_ID, r): r for r in resellers["reseller_id"].dropna()}
    rows = frames.get("cross_references")
    if rows is None or rows.empty:
        return
    targets = {
        PRODUCT: (set(own.get(SKU, {}).values()), "SKU", "Products"),
        RESELLER: (set(own.get(RESELLER_ID, {}).values()), "Reseller ID", "Resellers"),
    }
    seen: dict[tuple, tuple[str, int, str]] = {}
    for rec in rows.itertuples(index=False):
        row, kind, qualifier, code, maps_to = (
            rec.sheet_row,
            rec.kind,
            rec.qualifier,
            rec.code,
            rec.maps_to,
        )
        if kind is None or qualifier is None or code is None or maps_to is None:
            continue  # a blank required cell: already said at that cell

        def at(column: str, row: int = row) -> dict:
            return _at(rows, file, row, CROSS_REFERENCES, column)

        if qualifier not in QUALIFIERS[kind]:
            issues.append(
                Issue(
                    "TYPE",
                    f"{qualifier} is not a qualifier of a {kind}'s code; a {kind}'s code is "
                    f"one of: {', '.join(QUALIFIERS[kind])}",
                    **at("Qualifier"),
                )
            )
            continue
        try:
            key = code_key(qualifier, code)
        except ValueError as exc:
            issues.append(Issue("TYPE", str(exc), **at("Code")))
            continue
        known, id_name, sheet = targets[kind]
        if maps_to not in known:
            issues.append(
                Issue(
                    "REF",
                    f"{maps_to} is not a {id_name} on the {sheet} sheet; a {kind} row maps its "
                    f"code to one: correct Maps To or add the {id_name} to {sheet}",
                    **at("Maps To"),
                )
            )
        taken = own.get(qualifier, {}).get(key)
        if taken is not None and taken != maps_to:
            issues.append(
                Issue(
                    "DUPL",
                    f"{code} is already {taken}'s {OWN_COLUMN[qualifier]}, which is looked up "
                    f"first, so this row mapping it to {maps_to} would never apply: correct "
                    f"the one that is wrong",
                    **at("Maps To"),
                )
            )
        group = (rec.distributor_id, kind, qualifier, key)
        if group not in seen:
            seen[group] = (maps_to, row, code)
            continue
        first, first_row, first_code = seen[group]
        whose = f"for {rec.distributor_id}" if rec.distributor_id else "for any distributor"
        if first != maps_to:
            issues.append(
                Issue(
                    "DUPL",
                    f"{kind} code {code} ({qualifier}) {whose} maps to {first} on row "
                    f"{first_row + 1} and to {maps_to} here; a code means one {id_name}: "
                    "delete the row that is wrong",
                    **at("Maps To"),
                )
            )
        elif rec.distributor_id is None or first_code != code:
            # the same key typed alike with a Distributor ID: the sheet's unique check says it
            issues.append(
                Issue(
                    "DUPL",
                    f"{kind} code {code} ({qualifier}) {whose} is already on row "
                    f"{first_row + 1}; delete one of the two rows",
                    **at("Code"),
                )
            )

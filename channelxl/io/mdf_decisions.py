"""The program workbook's MDF Decisions sheet: what can be checked in the sheet alone.

An approval grants an amount above zero; a rejection says why and grants nothing. Whether
each Claim ID names a received claim, and whether an approval stays within the amount
claimed, needs the claims in the ledger: ``ledger.mdf`` checks those.
"""

from __future__ import annotations

import pandas as pd

from channelxl.issues import Issue, a1
from channelxl.schema.program_sheets import MDF_DECISIONS


def _where(frame: pd.DataFrame, file: str, row: int, column_name: str) -> dict:
    j = frame.attrs.get("positions", {}).get(MDF_DECISIONS.column(column_name).field, 0)
    return {
        "file": file,
        "sheet": frame.attrs.get("sheet", MDF_DECISIONS.title),
        "cell": a1(row, j),
    }


def check_mdf_decisions(frames: dict[str, pd.DataFrame], file: str, issues: list[Issue]) -> None:
    """Each decision complete in itself: an approval with an amount above 0, a rejection
    with a reason and no amount."""
    frame = frames.get(MDF_DECISIONS.name)
    if frame is None or frame.empty:
        return
    for rec in frame.itertuples(index=False):
        claim, amount = rec.claim_id or "this claim", rec.approved_amount
        if rec.decision == "approved" and (amount is None or amount <= 0):
            issues.append(
                Issue(
                    "PRIC",
                    f"{claim} is approved but its Approved Amount is "
                    f"{'blank' if amount is None else amount}: type the amount granted (in the "
                    "claim's currency), or write rejected with a reason",
                    **_where(frame, file, rec.sheet_row, "Approved Amount"),
                )
            )
        if rec.decision == "rejected" and not rec.reason:
            issues.append(
                Issue(
                    "MDF",
                    f"{claim} is rejected without a Reason: say why, the distributor is told",
                    **_where(frame, file, rec.sheet_row, "Reason"),
                )
            )
        if rec.decision == "rejected" and amount:
            issues.append(
                Issue(
                    "MDF",
                    f"{claim} is rejected but has an Approved Amount of {amount}: clear it, or "
                    "write approved",
                    **_where(frame, file, rec.sheet_row, "Approved Amount"),
                )
            )

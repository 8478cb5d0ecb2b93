"""The MDF sheets of the rebate statement and their CSV files, from rows given.

``MDF`` (``schema.outputs.MDF_FUND``: one row per distributor's fund) and ``MDF Claims``
(``MDF_CLAIM_STATUS``: one row per claim); beside the workbook ``mdf_<quarter>.csv`` and
``mdf_claims_<quarter>.csv``. ``ledger.mdf`` makes the rows. When an approved quarter
awaits this one, also ``MDF Adjustments`` (``MDF_ADJUSTMENTS``: the changes to approved
quarters' MDF accrued, made by ``commands.approved``) and ``mdf_adjustments_<quarter>.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook

from channelxl.io.csvfile import write_csv
from channelxl.io.table_sheets import write_table_sheet
from channelxl.schema.outputs import MDF_ADJUSTMENTS, MDF_CLAIM_STATUS, MDF_FUND, Table


@dataclass
class MdfTables:
    """Rows keyed by column field: one per distributor's fund, one per claim, and one per
    prior-period MDF adjustment (None: no approved quarter awaits this one; a list, maybe
    empty: the check was made)."""

    funds: list[dict]
    claims: list[dict]
    adjustments: list[dict] | None = None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _csv(path: Path, table: Table, rows: list[dict]) -> Path:
    return write_csv(
        path,
        [c.name for c in table.columns],
        ([_text(row.get(c.field)) for c in table.columns] for row in rows),
    )


def write_mdf(wb: Workbook, tables: MdfTables | None, out_dir: Path, quarter: str) -> list[Path]:
    """Add the MDF and MDF Claims sheets to ``wb`` and write their CSV files into
    ``out_dir`` (and the MDF Adjustments sheet and CSV when ``tables.adjustments`` is a
    list); nothing when ``tables`` is None. Returns the CSV paths."""
    if tables is None:
        return []
    write_table_sheet(wb, MDF_FUND, tables.funds, validation=False)
    write_table_sheet(wb, MDF_CLAIM_STATUS, tables.claims, validation=False)
    paths = [
        _csv(Path(out_dir) / f"mdf_{quarter}.csv", MDF_FUND, tables.funds),
        _csv(Path(out_dir) / f"mdf_claims_{quarter}.csv", MDF_CLAIM_STATUS, tables.claims),
    ]
    if tables.adjustments is not None:
        write_table_sheet(wb, MDF_ADJUSTMENTS, tables.adjustments, validation=False)
        paths.append(
            _csv(
                Path(out_dir) / f"mdf_adjustments_{quarter}.csv",
                MDF_ADJUSTMENTS,
                tables.adjustments,
            )
        )
    return paths


def mdf_reading(tables: MdfTables | None) -> list[str]:
    """The "How to read" paragraphs about the MDF sheets the statement has (from the tables'
    own descriptions, so the sheet and the schema say the same)."""
    if tables is None:
        return []
    shown = [MDF_FUND, MDF_CLAIM_STATUS] + (
        [MDF_ADJUSTMENTS] if tables.adjustments is not None else []
    )
    lines = []
    for table in shown:
        lines += [f"## {table.title} (sheet {table.title})", table.help]
    lines.append(
        "Accrued (sheet MDF) = the quarter before's Accrued (as approved, when it is) + "
        "Prior-Period Adjustments (each the Difference of a line on MDF Adjustments) + "
        "Accrued This Quarter; Remaining = Accrued - Approved."
    )
    return lines

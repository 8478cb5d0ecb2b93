"""The MDF sheets of the rebate statement and their CSV files, from rows given.

``MDF`` (``schema.outputs.MDF_FUND``: one row per distributor's fund) and ``MDF Claims``
(``MDF_CLAIM_STATUS``: one row per claim); beside the workbook ``mdf_<quarter>.csv`` and
``mdf_claims_<quarter>.csv``. ``ledger.mdf`` makes the rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook

from channelxl.io.csvfile import write_csv
from channelxl.io.table_sheets import write_table_sheet
from channelxl.schema.outputs import MDF_CLAIM_STATUS, MDF_FUND, Table


@dataclass
class MdfTables:
    """Rows keyed by column field: one per distributor's fund, one per claim."""

    funds: list[dict]
    claims: list[dict]


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
    ``out_dir``; nothing when ``tables`` is None. Returns the CSV paths."""
    if tables is None:
        return []
    write_table_sheet(wb, MDF_FUND, tables.funds, validation=False)
    write_table_sheet(wb, MDF_CLAIM_STATUS, tables.claims, validation=False)
    return [
        _csv(Path(out_dir) / f"mdf_{quarter}.csv", MDF_FUND, tables.funds),
        _csv(Path(out_dir) / f"mdf_claims_{quarter}.csv", MDF_CLAIM_STATUS, tables.claims),
    ]

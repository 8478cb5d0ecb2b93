"""Territory checks of a quarter from the ledger, and their exception workbook."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from channelxl.core.periods import Quarter
from channelxl.core.territory import (
    IN,
    NOT_APPOINTED,
    OUT,
    exclusive_conflicts,
    free_riding,
    territory_status,
)
from channelxl.io.csvfile import write_frame_csv
from channelxl.ledger.store import Ledger
from channelxl.schema import Column, Table

C = Column


@dataclass
class TerritoryRun:
    quarter: str
    lines: pd.DataFrame  # every sell-through line of the quarter with its status
    conflicts: pd.DataFrame
    free_riders: pd.DataFrame
    xlsx: Path | None = None
    csv: Path | None = None

    @property
    def exceptions(self) -> pd.DataFrame:
        return self.lines[self.lines["status"] != IN]


def territory_quarter(
    ledger: Ledger, quarter: str, *, distributors: list[str] | None = None
) -> TerritoryRun:
    q = Quarter.parse(quarter)
    months = [str(m) for m in q.months]
    wanted = ledger.distributors(distributors)
    lines = (
        ledger.con.sql(
            """
        SELECT s.distributor_id, s.invoice_number, s.invoice_date, s.reseller_id, s.sku,
               s.quantity, s.period AS month, s.end_customer_name,
               coalesce(s.end_customer_country, s.reseller_country, r.country) AS country,
               coalesce(s.end_customer_segment, '') AS segment, p.family
        FROM sell_through s
        LEFT JOIN resellers r USING (reseller_id)
        LEFT JOIN products p USING (sku)
        WHERE s.period IN (SELECT unnest(?)) AND s.distributor_id IN (SELECT unnest(?))
        ORDER BY s.distributor_id, s.period, s.invoice_date, s.invoice_number
        """,
            params=[months, wanted],
        )
        .to_arrow_table()
        .to_pandas()
    )
    territories = (
        ledger.con.sql(
            "SELECT distributor_id, country, segment, exclusive, valid_from, valid_to FROM territories"
        )
        .to_arrow_table()
        .to_pandas()
    )
    lines["status"] = territory_status(lines.rename(columns={"invoice_date": "date"}), territories)
    riders = free_riding(lines.assign(quarter=str(q)).dropna(subset=["family"]))
    return TerritoryRun(str(q), lines, exclusive_conflicts(territories), riders)


SUMMARY = Table(
    "territory_summary",
    "Summary",
    "One row per distributor.",
    (
        C("Distributor ID", "id", "Distributor."),
        C("Lines", "int", "Sell-through lines in the quarter."),
        C("In Territory", "int", "Lines inside one of its territory rows."),
        C("Out Of Territory", "int", "Lines in a country or segment it is not appointed for."),
        C("Not Appointed", "int", "Lines on a date it held no territory at all."),
        C(
            "Out Share",
            "decimal",
            "Out of territory + not appointed, as a share of lines.",
            format="0.0%",
        ),
    ),
)
EXCEPTIONS = Table(
    "territory_lines",
    "Out of territory",
    "Lines not in territory.",
    (
        C("Status", "text", "OUT or NOT APPOINTED."),
        C("Distributor ID", "id", "Distributor."),
        C("Month", "month", "Reported month."),
        C("Invoice Date", "date", "Invoice date."),
        C("Invoice Number", "id", "Invoice."),
        C("Reseller ID", "id", "Reseller."),
        C("End Customer Name", "text", "End customer."),
        C("Country", "country", "End customer country (else the reseller's)."),
        C("Segment", "text", "End customer segment."),
        C("SKU", "id", "Product."),
        C("Quantity", "int", "Units."),
    ),
)
CONFLICTS = Table(
    "territory_conflicts",
    "Exclusive conflicts",
    "Exclusive rows of two distributors that overlap.",
    (
        C("Distributor A", "id", "One distributor."),
        C("Distributor B", "id", "The other."),
        C("Country", "country", "Country both hold exclusively."),
        C("Segment A", "text", "A's segment (* = all)."),
        C("Segment B", "text", "B's segment."),
        C("Overlap From", "date", "First day both hold it."),
        C("Overlap To", "date", "Last day (blank: open-ended)."),
    ),
)
RIDERS = Table(
    "territory_free_riding",
    "Free-riding",
    "Resellers buying one family from several distributors in one country.",
    (
        C("Reseller ID", "id", "Reseller."),
        C("Family", "text", "Product family."),
        C("Country", "country", "Country of the end customers."),
        C("Quarter", "quarter", "Quarter."),
        C("Distributors", "text", "The distributors it bought from."),
        C("Lines", "int", "Lines."),
        C("Units", "int", "Units."),
    ),
)


def write_territory(run: TerritoryRun, out_dir: str | os.PathLike) -> TerritoryRun:
    """territory_<quarter>.xlsx (summary, exceptions, conflicts, free-riding) and a CSV."""
    from openpyxl import Workbook

    from channelxl.io.workbook import highlight, save_atomically, write_table_sheet

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = []
    for d, g in run.lines.groupby("distributor_id", sort=True):
        counts = g["status"].value_counts()
        out = int(counts.get(OUT, 0) + counts.get(NOT_APPOINTED, 0))
        summary.append(
            {
                "distributor_id": d,
                "lines": len(g),
                "in_territory": int(counts.get(IN, 0)),
                "out_of_territory": int(counts.get(OUT, 0)),
                "not_appointed": int(counts.get(NOT_APPOINTED, 0)),
                "out_share": out / len(g) if len(g) else 0,
            }
        )
    exceptions = run.exceptions.to_dict("records")
    riders = (
        run.free_riders.assign(
            distributors=run.free_riders["distributors"].map(lambda x: ", ".join(x))
        ).to_dict("records")
        if not run.free_riders.empty
        else []
    )
    conflicts = run.conflicts.rename(
        columns={"distributor_a": "distributor_a", "distributor_b": "distributor_b"}
    ).to_dict("records")
    wb = Workbook()
    wb.remove(wb.active)
    write_table_sheet(wb, SUMMARY, summary, validation=False)
    n = write_table_sheet(wb, EXCEPTIONS, exceptions, validation=False)
    highlight(wb["Out of territory"], EXCEPTIONS, "Status", n, IN)
    write_table_sheet(wb, CONFLICTS, conflicts, validation=False)
    write_table_sheet(wb, RIDERS, riders, validation=False)
    xlsx = save_atomically(wb, out_dir / f"territory_{run.quarter}.xlsx")
    csv_path = out_dir / f"territory_{run.quarter}.csv"
    frame = pd.DataFrame(exceptions, columns=[c.field for c in EXCEPTIONS.columns])
    write_frame_csv(csv_path, frame.rename(columns={c.field: c.name for c in EXCEPTIONS.columns}))
    run.xlsx, run.csv = xlsx, csv_path
    return run

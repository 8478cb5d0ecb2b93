"""The benchmark ledger shared by the rebates, checks and qbr benchmarks.

A 625-distributor, 8-quarter synthetic channel of ~1,000,000 sell-through lines (with its
shipments, inventory, certifications and activities), ingested once into
bench/data/rebates.duckdb and reused by every later run. No quick version.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bench.common import DATA, csv_export
from channelxl.core.periods import Month, Quarter
from channelxl.io.program_workbook import write_program
from channelxl.ledger import Ledger
from channelxl.ledger.ingest_file import ingest_file
from channelxl.schema import ACTIVITIES, CERTIFICATIONS, INVENTORY, SELL_THROUGH, SHIPMENTS
from channelxl.synth import Sizes, generate

LEDGER_SIZES = Sizes(distributors=625, resellers=20_000, skus=200, months=24, lines=1_000_000)


def prepare_ledger() -> tuple[Path, list[Quarter]]:
    """The benchmark ledger (built on first use) and its quarters, oldest first."""
    DATA.mkdir(parents=True, exist_ok=True)
    db = DATA / "rebates.duckdb"
    if not db.exists():
        channel = generate(5, LEDGER_SIZES)
        program = DATA / "rebates_program.xlsx"
        write_program(program, channel.program, channel.settings)
        files = [
            csv_export(frame, table, DATA / f"rebates_{name}.csv")
            for name, frame, table in (
                ("shipments", channel.shipments, SHIPMENTS),
                ("sell_through", channel.sell_through.drop(columns=["invoice_line"]), SELL_THROUGH),
                ("inventory", channel.inventory, INVENTORY),
                ("certifications", channel.certifications, CERTIFICATIONS),
                ("activities", channel.activities, ACTIVITIES),
            )
        ]
        tmp = DATA / "rebates.tmp.duckdb"
        tmp.unlink(missing_ok=True)
        with Ledger.open(tmp, create=True) as led:
            led.sync_program(program)
            for path in files:
                r = ingest_file(led, path, today=date(2030, 1, 1))
                assert r.status == "accepted", r.summary()
            led.con.execute("CHECKPOINT")
        tmp.rename(db)
    with Ledger.open(db) as led:
        # a ledger opened by a newer schema version dropped its program copy: load it again
        led.sync_program(DATA / "rebates_program.xlsx")
        periods = [
            p
            for (p,) in led.con.execute(
                "SELECT DISTINCT period FROM sell_through ORDER BY 1"
            ).fetchall()
        ]
    quarters = sorted({Month.parse(p).quarter for p in periods})
    return db, quarters

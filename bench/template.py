"""Ingesting a returned template of 100,000 lines end to end.

**channelxl**: ``ingest_file`` on the template (both sheets, cell-by-cell parsing with the
distributor's locale, SQL checks, territory warnings, one transaction) into a fresh copy of
a ledger holding the program. **Baselines**: python-calamine's bare read of the SellThrough
sheet (goal <= 2.5x of it), and the naive way, openpyxl reading cell by cell and checking
each value against its column's declaration. Peak memory of each (goal < 1 GiB); every run
in its own child process. ``--quick`` uses a 10,000-line template.
"""

from __future__ import annotations

import statistics
from pathlib import Path

from openpyxl import Workbook
from openpyxl.packaging.custom import StringProperty

from bench.common import DATA, INGEST, PEAK, QUICK_SCALE, run_script
from channelxl.io.program_workbook import write_program
from channelxl.io.template_workbook import PREFIX, TEMPLATE_KIND, TEMPLATE_VERSION
from channelxl.ledger import Ledger
from channelxl.schema import INVENTORY_SHEET, SELL_THROUGH_SHEET
from channelxl.synth import Sizes, generate

TEMPLATE_LINES = 100_000

TEMPLATE_OURS = INGEST  # ingest_file on a fresh copy of the ledger, timed inside

TEMPLATE_CALAMINE = (
    PEAK
    + """
import sys, time
from python_calamine import CalamineWorkbook
t = time.perf_counter()
rows = CalamineWorkbook.from_path(sys.argv[2]).get_sheet_by_name("SellThrough").to_python()
dt = time.perf_counter() - t
print(dt, len(rows) - 1, peak_kib())
"""
)

# The naive way: openpyxl, cell by cell, each value checked against its column's declaration.
TEMPLATE_OPENPYXL = (
    PEAK
    + """
import sys, time
from openpyxl import load_workbook
from channelxl.io.cells import CellError, parse_cell
from channelxl.schema import SELL_THROUGH_SHEET
t = time.perf_counter()
ws = load_workbook(sys.argv[2], read_only=True)["SellThrough"]
columns = SELL_THROUGH_SHEET.columns
n = problems = 0
for row in ws.iter_rows(min_row=2, values_only=True):
    n += 1
    for column, value in zip(columns, row):
        try:
            parse_cell(value, column)
        except CellError:
            problems += 1
dt = time.perf_counter() - t
print(dt, n, peak_kib())
"""
)


def prepare_template(lines: int) -> tuple[Path, Path]:
    """A ledger for one distributor-month and its returned template of ``lines`` lines."""
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"template_{lines}.xlsx"
    base = DATA / "template_ledger.duckdb"
    channel = generate(9, Sizes(distributors=8, resellers=400, skus=200, months=3, lines=20_000))
    if not base.exists():
        program = DATA / "template_program.xlsx"
        write_program(program, channel.program, channel.settings)
        tmp = DATA / "template_ledger.tmp.duckdb"
        tmp.unlink(missing_ok=True)
        with Ledger.open(tmp, create=True) as led:
            led.sync_program(program)
            led.con.execute("CHECKPOINT")
        tmp.rename(base)
    if not path.exists():
        d, period = "D001", str(channel.months[-1])
        st = channel.sell_through[channel.sell_through.distributor_id == d]
        st = st.sample(n=lines, replace=True, random_state=1).assign(
            period=period, invoice_date=channel.months[-1].first_day
        )
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("SellThrough")
        fields = [c.field for c in SELL_THROUGH_SHEET.columns]
        ws.append([c.name for c in SELL_THROUGH_SHEET.columns])
        for row in st[fields].itertuples(index=False):
            ws.append([None if v == "" else (v.item() if hasattr(v, "item") else v) for v in row])
        inv = wb.create_sheet("Inventory")
        inv.append([c.name for c in INVENTORY_SHEET.columns])
        for k, v in {
            "distributor_id": d,
            "period": period,
            "template_version": TEMPLATE_VERSION,
            "kind": TEMPLATE_KIND,
        }.items():
            wb.custom_doc_props.append(StringProperty(name=PREFIX + k, value=v))
        wb.save(path)
    return path, base


def bench_template(repeat: int, lines: int = TEMPLATE_LINES) -> dict:
    path, base = prepare_template(lines)
    ours, cal, naive, rss = [], [], [], {}
    for i in range(repeat):
        db = DATA / f"template_run_{i}.duckdb"
        db.unlink(missing_ok=True)
        db.write_bytes(base.read_bytes())
        for name, script, bucket in (
            ("ours", TEMPLATE_OURS, ours),
            ("calamine", TEMPLATE_CALAMINE, cal),
            ("openpyxl", TEMPLATE_OPENPYXL, naive),
        ):
            dt, n, peak = run_script(script, str(db), str(path))
            assert n == lines, (name, n)
            bucket.append(dt)
            rss[name] = max(rss.get(name, 0), peak)
        db.unlink(missing_ok=True)
    mo, mc, mn = (statistics.median(x) for x in (ours, cal, naive))
    return {
        "lines": lines,
        "file_mib": round(path.stat().st_size / 2**20, 1),
        "channelxl_median_s": round(mo, 3),
        "calamine_read_median_s": round(mc, 3),
        "openpyxl_naive_median_s": round(mn, 3),
        "ratio_to_calamine": round(mo / mc, 2),
        "goal_ratio": 2.5,
        "ratio_to_openpyxl_naive": round(mo / mn, 2),
        "peak_rss_mib": {k: round(v / 1024) for k, v in rss.items()},
        "goal_peak_mib": 1024,
    }


def run(repeat: int, quick: bool = False) -> dict:
    return bench_template(repeat, TEMPLATE_LINES // (QUICK_SCALE if quick else 1))

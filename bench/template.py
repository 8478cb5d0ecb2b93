"""Ingesting a returned template of 100,000 lines end to end.

**channelxl**: ``ingest_file`` on the template (both sheets, cell-by-cell parsing with the
distributor's locale, SQL checks, territory warnings, one transaction) into a fresh copy of
a ledger holding the program. **Baselines**: python-calamine's bare read of the SellThrough
sheet (goal <= 2.5x of it), and the naive way, openpyxl reading cell by cell and checking
each value against its column's declaration. Two files of the same shape: the distributor's
lines sampled with replacement (nearly every line repeats one before it: a DUPL warning
each, located, stored and reported) and a clean one (each line its own invoice number).
Peak memory of each (goal < 1 GiB); every run in its own child process, alternating order.
``--quick`` uses 10,000-line templates.
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


def prepare_template(lines: int, clean: bool = False) -> tuple[Path, Path]:
    """A ledger for one distributor-month and its returned template of ``lines`` lines.

    The lines are the distributor's real ones sampled with replacement, so nearly every line
    repeats one before it (a DUPL warning each); ``clean``: the same lines, each with an
    invoice number of its own, so none repeats.
    """
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"template_{lines}{'_clean' if clean else ''}.xlsx"
    base = DATA / "template_ledger.duckdb"
    program = DATA / "template_program.xlsx"
    channel = generate(9, Sizes(distributors=8, resellers=400, skus=200, months=3, lines=20_000))
    if not base.exists():
        write_program(program, channel.program, channel.settings)
        tmp = DATA / "template_ledger.tmp.duckdb"
        tmp.unlink(missing_ok=True)
        with Ledger.open(tmp, create=True) as led:
            led.sync_program(program)
            led.con.execute("CHECKPOINT")
        tmp.rename(base)
    with Ledger.open(base) as led:
        # a ledger opened by a newer schema version dropped its program copy: load it again
        if led.sync_program(program) is not None:
            led.con.execute("CHECKPOINT")
    if not path.exists():
        d, period = "D001", str(channel.months[-1])
        st = channel.sell_through[channel.sell_through.distributor_id == d]
        st = st.sample(n=lines, replace=True, random_state=1).assign(
            period=period, invoice_date=channel.months[-1].first_day
        )
        if clean:
            st = st.assign(invoice_number=[f"BT{k:07d}" for k in range(1, lines + 1)])
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
    clean, _ = prepare_template(lines, clean=True)
    runs = {k: [] for k in ("ours", "calamine", "openpyxl", "ours_clean", "calamine_clean")}
    rss: dict[str, int] = {}
    steps = (
        ("ours", TEMPLATE_OURS, path),
        ("calamine", TEMPLATE_CALAMINE, path),
        ("ours_clean", TEMPLATE_OURS, clean),
        ("calamine_clean", TEMPLATE_CALAMINE, clean),
        ("openpyxl", TEMPLATE_OPENPYXL, path),
    )
    for i in range(repeat):
        for name, script, file in steps if i % 2 == 0 else steps[::-1]:
            db = DATA / f"template_run_{i}.duckdb"
            db.unlink(missing_ok=True)
            db.write_bytes(base.read_bytes())  # each ingest into a fresh copy of the ledger
            dt, n, peak = run_script(script, str(db), str(file))
            db.unlink(missing_ok=True)
            assert n == lines, (name, n)
            runs[name].append(dt)
            rss[name] = max(rss.get(name, 0), peak)
    m = {k: statistics.median(v) for k, v in runs.items()}
    return {
        "lines": lines,
        "file_mib": round(path.stat().st_size / 2**20, 1),
        "channelxl_median_s": round(m["ours"], 3),
        "calamine_read_median_s": round(m["calamine"], 3),
        "openpyxl_naive_median_s": round(m["openpyxl"], 3),
        "ratio_to_calamine": round(m["ours"] / m["calamine"], 2),
        "goal_ratio": 2.5,
        "ratio_to_openpyxl_naive": round(m["ours"] / m["openpyxl"], 2),
        # the same shape with no line repeating (no DUPL warnings)
        "clean_channelxl_median_s": round(m["ours_clean"], 3),
        "clean_calamine_read_median_s": round(m["calamine_clean"], 3),
        "clean_ratio_to_calamine": round(m["ours_clean"] / m["calamine_clean"], 2),
        "runs_s": {k: [round(x, 3) for x in v] for k, v in runs.items()},
        "peak_rss_mib": {k: round(v / 1024) for k, v in rss.items()},
        "goal_peak_mib": 1024,
    }


def run(repeat: int, quick: bool = False) -> dict:
    return bench_template(repeat, TEMPLATE_LINES // (QUICK_SCALE if quick else 1))

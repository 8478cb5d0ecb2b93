"""Reading a 1,000,000-line X12 867 sell-through report, against the same lines as a CSV.

**channelxl**: ``read_x12`` on the 867's bytes, to its ``Line`` objects (envelope, loops,
codes, dates, prices, every located problem). **Baseline**: the step that reads a received
sell-through CSV of the same lines into the ledger: ``ledger.load_csv.insert_csv`` (DuckDB's
``read_csv``, typed by the declaration, straight into the lines table), on a ledger made
beforehand, the file's parts recognised before the clock starts. Reported as a ratio
(goal <= 3x), with the peak memory of each; every run in its own child process,
alternating which runs first. ``--quick`` uses 100,000 lines.

The files are generated deterministically (``random.Random(867)``) under bench/data/: one
interchange, one PT group, one 867 of ``lines`` QTY loops in PTD loops of 1 to 6 lines
(an invoice each: PTD, DTM*003, N1*BY with N4, an N1*EN end customer on some; QTY, LIN with
VP and UP codes, UIT, a REF*SE serial number on some), about 4.4 segments a line; and the
sell-through CSV of the same lines (SKU and Reseller ID as the 867 names them).
"""

from __future__ import annotations

import random
import statistics
from datetime import date, timedelta
from pathlib import Path

from bench.common import DATA, PEAK, QUICK_SCALE, run_script

LINES = 1_000_000
GOAL = 3.0

# read_x12 to lines, timed inside a fresh process
READ_X12 = (
    PEAK
    + """
import sys, time
from channelxl.io.edi.x12 import read_x12
data = open(sys.argv[2], "rb").read()
t = time.perf_counter()
lines = [line for i in read_x12(data, "report.x12") for line in i.lines]
dt = time.perf_counter() - t
print(dt, len(lines), peak_kib())
"""
)

# the received CSV's typed read into the lines table (insert_csv), on a copy of an empty
# ledger; recognition (the header row) happens before the clock starts
READ_CSV = (
    PEAK
    + """
import sys, time
from datetime import date
from pathlib import Path
from channelxl.io.recognition import read_received
from channelxl.ledger import Ledger
from channelxl.ledger.load_csv import insert_csv
from channelxl.ledger.received_part import PartLoad
path = Path(sys.argv[2])
(part,) = read_received(path, distributor="D001", period="2026-09").parts
led = Ledger.open(sys.argv[1])
led.con.execute("SET enable_progress_bar = false")  # it would print to stdout
with led.transaction():
    load = PartLoad(led, path, part.layout, led.next_submission_id(), "D001", "2026-09",
                    date(2030, 1, 1))
    t = time.perf_counter()
    n, issues, rejected = insert_csv(load, part.dialect)
    dt = time.perf_counter() - t
assert not issues and not rejected, issues[:3]
print(dt, n, peak_kib())
"""
)

HEADER = (
    "Distributor ID,Period,Invoice Date,Invoice Number,Reseller ID,Reseller Name,"
    "Reseller Country,End Customer Name,End Customer Country,SKU,Quantity,Unit Price,Currency"
)
_COUNTRIES = ("US", "US", "US", "CA", "GB", "DE", "FR", "NL")


def generate(lines: int, x12_path: Path, csv_path: Path) -> None:
    """The 867 and the CSV of the same ``lines`` sell-through lines (see the docstring)."""
    rng = random.Random(867)
    skus = [
        (
            f"SKU-{k:04d}",
            f"0{rng.randrange(10**10, 10**11)}",
            f"{rng.randrange(500, 250000) / 100:.2f}",
        )
        for k in range(600)
    ]
    resellers = [
        (f"R-{k:05d}", f"RESELLER {k:05d} LLC", rng.choice(_COUNTRIES)) for k in range(20_000)
    ]
    customers = [(f"END CUSTOMER {k:04d}", rng.choice(_COUNTRIES)) for k in range(2_000)]
    first = date(2026, 9, 1)
    seg: list[str] = []
    rows: list[str] = [HEADER]
    add, row = seg.append, rows.append
    add("ST*867*0001")
    add("BPT*00*ACME-2026-09*20261005*DD")
    add("CUR*SE*USD")
    add("DTM*090*20260901")
    add("DTM*091*20260930")
    add("N1*DS*ACME DISTRIBUTION*1*123456789")
    n = invoice = 0
    while n < lines:
        invoice += 1
        kind = rng.random()
        code, sign = ("RU", -1) if kind < 0.05 else ("DS", 1) if kind < 0.15 else ("SS", 1)
        day = first + timedelta(days=rng.randrange(30))
        rid, rname, rcountry = rng.choice(resellers)
        number = f"INV-{invoice:07d}"
        add(f"PTD*{code}***IV*{number}")
        add(f"DTM*003*{day:%Y%m%d}")
        add(f"N1*BY*{rname}*91*{rid}")
        add(f"N4*CITY**00000*{rcountry}")
        cname = ccountry = ""
        if rng.random() < 0.2:
            cname, ccountry = rng.choice(customers)
            add(f"N1*EN*{cname}")
            add(f"N4*TOWN**00000*{ccountry}")
        for _ in range(min(rng.randint(1, 6), lines - n)):
            n += 1
            sku, upc, price = rng.choice(skus)
            quantity = rng.randint(1, 40)
            add(f"QTY*39*{quantity}*EA")
            add(f"LIN**VP*{sku}*UP*{upc}")
            add(f"UIT*EA*{price}")
            if rng.random() < 0.1:
                add(f"REF*SE*SN{n:09d}")
            row(
                f"D001,2026-09,{day:%Y-%m-%d},{number},{rid},{rname},{rcountry},{cname},"
                f"{ccountry},{sku},{sign * quantity},{price},USD"
            )
    add(f"CTT*{lines}")
    add(f"SE*{len(seg) + 1}*0001")
    isa = (
        "ISA*00*          *00*          *ZZ*ACMEDIST       *ZZ*VENDORCO       *261005*1200*U"
        "*00401*000000101*0*P*>~\n"
    )
    body = "~\n".join(["GS*PT*ACMEDIST*VENDORCO*20261005*1200*1001*X*004010", *seg])
    x12_path.write_text(isa + body + "~\nGE*1*1001~\nIEA*1*000000101~\n", encoding="ascii")
    csv_path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def prepare(lines: int) -> tuple[Path, Path, Path]:
    """The 867, the CSV and an empty ledger to copy for each CSV run (made once)."""
    from channelxl.ledger import Ledger

    DATA.mkdir(parents=True, exist_ok=True)
    x12_path = DATA / f"sell_through_867_{lines}.x12"
    csv_path = DATA / f"sell_through_867_{lines}.csv"
    if not (x12_path.exists() and csv_path.exists()):
        generate(lines, x12_path, csv_path)
    base = DATA / "x12_ledger.duckdb"
    if not base.exists():
        tmp = DATA / "x12_ledger.tmp.duckdb"
        tmp.unlink(missing_ok=True)
        with Ledger.open(tmp, create=True) as led:
            led.con.execute("CHECKPOINT")
        tmp.rename(base)
    return x12_path, csv_path, base


def bench_x12(lines: int, repeat: int) -> dict:
    x12_path, csv_path, base = prepare(lines)
    ours, theirs, rss_ours, rss_theirs = [], [], [], []
    for i in range(repeat):
        db = DATA / f"x12_run_{i}.duckdb"
        db.unlink(missing_ok=True)
        db.write_bytes(base.read_bytes())
        steps = [("x12", READ_X12, x12_path), ("csv", READ_CSV, csv_path)]
        for name, script, path in steps if i % 2 == 0 else steps[::-1]:
            dt, n, rss = run_script(script, str(db), str(path))
            assert n == lines, (name, n)
            (ours if name == "x12" else theirs).append(dt)
            (rss_ours if name == "x12" else rss_theirs).append(rss)
        db.unlink(missing_ok=True)
        db.with_suffix(".duckdb.wal").unlink(missing_ok=True)
    mo, mt = statistics.median(ours), statistics.median(theirs)
    return {
        "lines": lines,
        "x12_mib": round(x12_path.stat().st_size / 2**20, 1),
        "csv_mib": round(csv_path.stat().st_size / 2**20, 1),
        "read_x12_median_s": round(mo, 3),
        "csv_insert_median_s": round(mt, 3),
        "ratio": round(mo / mt, 2),
        "goal_ratio": GOAL,
        "read_x12_runs_s": [round(x, 3) for x in ours],
        "csv_insert_runs_s": [round(x, 3) for x in theirs],
        "peak_rss_mib_read_x12": round(max(rss_ours) / 1024),
        "peak_rss_mib_csv_insert": round(max(rss_theirs) / 1024),
    }


def run(repeat: int, quick: bool = False) -> dict:
    return bench_x12(LINES // (QUICK_SCALE if quick else 1), repeat)

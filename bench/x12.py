"""A 1,000,000-line X12 867 sell-through report against the same lines as a CSV.

Two comparisons, each run in its own child process, alternating which runs first:

- **Load** (the goal, <= 3x): ``channelxl ingest``'s library call (``ingest_file``:
  recognise, read, cross-references, every check, supersede, provenance, commit) on the 867,
  against the same call on a received sell-through CSV of the same lines, each into a copy of
  a ledger holding the program.
- **Read**: ``read_x12`` on the 867's bytes, to its ``Line`` objects (envelope, loops,
  codes, dates, prices, every located problem), against the step that reads the CSV into
  the ledger: ``ledger.load_csv.insert_csv`` (DuckDB's ``read_csv``, typed by the
  declaration, straight into the lines table), the file's parts recognised before the clock
  starts.

``--quick`` uses 100,000 lines. The files are generated deterministically
(``random.Random(867)``) under bench/data/ from a synthetic channel's program (600 SKUs
with their GTINs, the resellers appointed to D001, D001's EDI ID): one interchange, one PT
group, one 867 of ``lines`` QTY loops in PTD loops of 1 to 6 lines (an invoice each: PTD,
DTM*003, N1*BY with N4, an N1*EN end customer on some; QTY, LIN with VP and UP codes, UIT,
a REF*SE serial number on some), about 4.4 segments a line; and the sell-through CSV of
the same lines.
"""

from __future__ import annotations

import random
import statistics
from datetime import date, timedelta
from pathlib import Path

from bench.common import DATA, INGEST, PEAK, QUICK_SCALE, run_script

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
# the channel the files are drawn from: D001 sends X12 (the generator gives it an EDI ID)
CHANNEL = dict(
    distributors=6, resellers=20_000, skus=600, months=1, start="2026-09", lines=3_000, plant=False
)
DISTRIBUTOR = "D001"


def channel_program() -> tuple[dict, object]:
    """The synthetic channel's program rows and settings (see ``CHANNEL``)."""
    from channelxl.synth import Sizes
    from channelxl.synth import generate as generate_channel

    channel = generate_channel(3, Sizes(**CHANNEL))
    return channel.program, channel.settings


def generate(lines: int, program: dict, x12_path: Path, csv_path: Path) -> None:
    """The 867 and the CSV of the same ``lines`` sell-through lines (see the docstring),
    with the program's SKUs, GTINs and D001's resellers and EDI ID."""
    rng = random.Random(867)
    skus = [(str(p["sku"]), p["gtin"], p["list_price"]) for p in program["products"]]
    resellers = [
        (str(r["reseller_id"]), r["name"].upper(), str(r["country"]))
        for r in program["resellers"]
        if DISTRIBUTOR in r["authorized_distributors"]
    ]
    (sender,) = next(
        d["edi_ids"] for d in program["distributors"] if d["distributor_id"] == DISTRIBUTOR
    )
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
    add(f"N1*DS*ACME DISTRIBUTION*1*{sender}")
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
                f"{DISTRIBUTOR},2026-09,{day:%Y-%m-%d},{number},{rid},{rname},{rcountry},"
                f"{cname},{ccountry},{sku},{sign * quantity},{price},USD"
            )
    add(f"CTT*{lines}")
    add(f"SE*{len(seg) + 1}*0001")
    isa = (
        f"ISA*00*          *00*          *01*{sender:<15}*ZZ*VENDORCO       *261005*1200*U"
        "*00401*000000101*0*P*>~\n"
    )
    body = "~\n".join([f"GS*PT*{sender}*VENDORCO*20261005*1200*1001*X*004010", *seg])
    x12_path.write_text(isa + body + "~\nGE*1*1001~\nIEA*1*000000101~\n", encoding="ascii")
    csv_path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def prepare(lines: int) -> tuple[Path, Path, Path]:
    """The 867, the CSV and a ledger holding the program, to copy for each run (made once)."""
    from channelxl.io.program_workbook import write_program
    from channelxl.ledger import Ledger

    DATA.mkdir(parents=True, exist_ok=True)
    x12_path = DATA / f"x12_867_{lines}.x12"
    csv_path = DATA / f"x12_867_{lines}.csv"
    base = DATA / "x12_program_ledger.duckdb"
    if x12_path.exists() and csv_path.exists() and base.exists():
        return x12_path, csv_path, base
    program, settings = channel_program()
    generate(lines, program, x12_path, csv_path)
    workbook = DATA / "x12_program.xlsx"
    write_program(workbook, program, settings)
    tmp = DATA / "x12_program_ledger.tmp.duckdb"
    tmp.unlink(missing_ok=True)
    with Ledger.open(tmp, create=True) as led:
        led.sync_program(workbook)
        led.con.execute("CHECKPOINT")
    tmp.rename(base)
    return x12_path, csv_path, base


def _pair(steps, repeat: int, base: Path, lines: int) -> tuple[list, list, list, list]:
    """Run the two (name, script, file) steps ``repeat`` times on fresh copies of ``base``,
    alternating which goes first; times and peaks of each."""
    times: dict[str, list[float]] = {steps[0][0]: [], steps[1][0]: []}
    peaks: dict[str, list[int]] = {steps[0][0]: [], steps[1][0]: []}
    for i in range(repeat):
        for name, script, path in steps if i % 2 == 0 else steps[::-1]:
            db = DATA / f"x12_run_{name}.duckdb"
            db.unlink(missing_ok=True)
            db.write_bytes(base.read_bytes())
            dt, n, rss = run_script(script, str(db), str(path))
            assert n == lines, (name, n)
            times[name].append(dt)
            peaks[name].append(rss)
            db.unlink(missing_ok=True)
            db.with_suffix(".duckdb.wal").unlink(missing_ok=True)
    a, b = steps[0][0], steps[1][0]
    return times[a], times[b], peaks[a], peaks[b]


def bench_x12(lines: int, repeat: int) -> dict:
    x12_path, csv_path, base = prepare(lines)
    out: dict = {
        "lines": lines,
        "x12_mib": round(x12_path.stat().st_size / 2**20, 1),
        "csv_mib": round(csv_path.stat().st_size / 2**20, 1),
        "goal_ratio": GOAL,
    }
    for name, steps in (
        ("load", [("x12", INGEST, x12_path), ("csv", INGEST, csv_path)]),
        ("read", [("x12", READ_X12, x12_path), ("csv", READ_CSV, csv_path)]),
    ):
        ours, theirs, rss_ours, rss_theirs = _pair(steps, repeat, base, lines)
        mo, mt = statistics.median(ours), statistics.median(theirs)
        out[name] = {
            "x12_median_s": round(mo, 3),
            "csv_median_s": round(mt, 3),
            "ratio": round(mo / mt, 2),
            "x12_runs_s": [round(x, 3) for x in ours],
            "csv_runs_s": [round(x, 3) for x in theirs],
            "peak_rss_mib_x12": round(max(rss_ours) / 1024),
            "peak_rss_mib_csv": round(max(rss_theirs) / 1024),
        }
    return out


def run(repeat: int, quick: bool = False) -> dict:
    return bench_x12(LINES // (QUICK_SCALE if quick else 1), repeat)

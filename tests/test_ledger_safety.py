"""The ledger and the commands on a bad day: a ledger that is not there or not a ledger, a
disk that is full, folders and files that may not be written, money of any size a business
can have, and a large file with a few bad lines. Each is answered with its cause, what to do
and exit code 2; nothing is half written and the ledger stays as it was."""

from __future__ import annotations

import builtins
import contextlib
import copy
import csv
import errno
import json
import os
import resource
import signal
import sqlite3
import subprocess
from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal
from fractions import Fraction
from pathlib import Path

import openpyxl
import pytest
from helpers import ledger_snapshot, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from channelxl.commands.ingest import ingest
from channelxl.commands.statement import rebate_statement
from channelxl.core.periods import Quarter
from channelxl.core.rebates import Figures, ProgramRules, evaluate
from channelxl.core.tiers import TierTable
from channelxl.errors import CannotWrite, LedgerDamaged, LedgerMissing
from channelxl.io import atomic, feedback_workbook
from channelxl.io.csvfile import write_csv
from channelxl.io.feedback_workbook import write_feedback
from channelxl.io.table_sheets import save_atomically
from channelxl.issues import WARNING, Issue
from channelxl.ledger import Ledger
from channelxl.ledger.figures import quarter_figures
from channelxl.ledger.store import ledger_problem
from channelxl.reports.facts import quarter_report_facts
from channelxl.workspace import LEDGER, Workspace, init

ST_HEADER = (
    "Distributor ID,Period,Invoice Date,Invoice Number,Reseller ID,SKU,Quantity,Unit Price,Currency"
)


def leftovers(folder: Path) -> list[str]:
    """Temporary files the atomic writer would have left (it must leave none)."""
    return sorted(p.name for p in folder.rglob("*") if ".tmp" in p.name)


# ------------------------------------------------------------------ a ledger that is not there
def test_a_missing_ledger_is_refused_never_created(tmp_path):
    path = tmp_path / "typo.duckdb"
    with pytest.raises(LedgerMissing, match="no ledger at"):
        Ledger.open(path)
    assert not path.exists() and not list(tmp_path.iterdir())
    with Ledger.open(path, create=True) as led:  # only init and demo ask for this
        assert led.count("submissions") == 0
    assert path.exists()


def test_a_mistyped_ledger_cannot_overwrite_the_statement_with_zeros(empty_workspace, tmp_path):
    root = empty_workspace.root
    made = run_cli("rebates", "--quarter", "2025Q1", "--allow-empty", "--out", "st", cwd=root)
    assert made.returncode == 0, made.stderr
    statement = root / "st" / "rebates_2025Q1.csv"
    before = statement.read_bytes()
    typo = run_cli(
        "rebates",
        "--quarter",
        "2025Q1",
        "--allow-empty",
        "--out",
        "st",
        "--ledger",
        "chanel.duckdb",
        cwd=root,
    )
    assert typo.returncode == 2
    assert f"no ledger at {root / 'chanel.duckdb'}" in typo.stderr
    assert "--ledger" in typo.stderr and "Traceback" not in typo.stderr
    assert not (root / "chanel.duckdb").exists()
    assert statement.read_bytes() == before


def test_a_lost_ledger_is_refused_and_init_makes_a_new_one_keeping_the_program(empty_workspace):
    root = empty_workspace.root
    program = (root / "program.xlsx").read_bytes()
    (root / LEDGER).rename(root / "moved.duckdb")
    lost = run_cli("qbr", "--quarter", "2025Q1", cwd=root)
    assert lost.returncode == 2 and "no ledger at" in lost.stderr
    assert f"channelxl init {root}" in lost.stderr
    assert not (root / LEDGER).exists()
    again = run_cli("init", str(root))
    assert again.returncode == 0, again.stderr
    assert (root / "program.xlsx").read_bytes() == program
    with Workspace.find(root).open_ledger() as led:
        assert led.count("distributors") > 0 and led.count("submissions") == 1  # the program
    refused = run_cli("init", str(root))  # now it has a ledger: nothing is overwritten
    assert refused.returncode == 2 and "will not overwrite" in refused.stderr


# ------------------------------------------------------------------ a ledger that is not a ledger
def _garbage(path: Path, good: bytes) -> None:
    path.write_bytes(os.urandom(len(good)))


def _cut_short(path: Path, good: bytes) -> None:
    path.write_bytes(good[: len(good) // 3])


def _damaged_blocks(path: Path, good: bytes) -> None:
    damaged = bytearray(good)
    damaged[12288:] = os.urandom(len(damaged) - 12288)  # header intact, every block after it not
    path.write_bytes(bytes(damaged))


def _empty(path: Path, good: bytes) -> None:
    path.write_bytes(b"")


def _sqlite(path: Path, good: bytes) -> None:
    path.unlink()
    with contextlib.closing(sqlite3.connect(path)) as con:
        con.execute("CREATE TABLE t (x)")
        con.commit()


def _text(path: Path, good: bytes) -> None:
    path.write_text("Distributor ID,Period\nD001,2025-01\n" * 100)


def _folder(path: Path, good: bytes) -> None:
    path.unlink()
    path.mkdir()


DAMAGES = {
    "garbage bytes": (_garbage, "not a DuckDB ledger"),
    "cut short": (_cut_short, "damaged or cut short"),
    "damaged blocks": (_damaged_blocks, "damaged or cut short"),
    "empty file": (_empty, "the file is empty"),
    "an SQLite database": (_sqlite, "an SQLite database"),
    "a text file": (_text, "not a DuckDB ledger"),
    "a folder": (_folder, "a folder, not a ledger file"),
}


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_a_damaged_ledger_is_named_with_its_cause_and_left_as_it_is(empty_workspace, damage):
    make, cause = DAMAGES[damage]
    path = empty_workspace.ledger_path
    make(path, path.read_bytes())
    kept = path.read_bytes() if path.is_file() else None
    with pytest.raises(LedgerDamaged, match=cause):
        Ledger.open(path)
    r = run_cli("rebates", "--quarter", "2025Q1", cwd=empty_workspace.root)
    assert r.returncode == 2, r.stderr
    assert f"the ledger {path} cannot be read" in r.stderr and cause in r.stderr
    assert "Restore it from your backup" in r.stderr
    assert "internal error" not in r.stderr and "Traceback" not in r.stderr
    assert (path.read_bytes() if path.is_file() else None) == kept  # untouched
    assert not (empty_workspace.root / "reports" / "2025Q1").exists()


def test_duckdb_messages_about_the_machine_become_causes(tmp_path):
    """DuckDB's own words (it raises no OSError) for the cases a test cannot provoke as root."""
    ledger = tmp_path / LEDGER
    cases = {
        'IO Error: Cannot open file "x.duckdb": Permission denied': "permission denied",
        "TransactionContext Error: Failed to commit: Cannot open file "
        '"x.duckdb.wal": Permission denied': "permission denied",
        'IO Error: Could not write file "x.duckdb.wal": No space left on device': "disk is full",
        'IO Error: Cannot open file "x.duckdb": Read-only file system': "read-only",
        "Corrupt database file: computed checksum 1 does not match stored checksum 2": (
            "damaged or cut short"
        ),
    }
    for text, cause in cases.items():
        problem = ledger_problem(Exception(text), ledger)
        assert problem is not None and cause in str(problem), text
        assert str(ledger) in str(problem)
    assert ledger_problem(Exception("Binder Error: column x not found"), ledger) is None


# ------------------------------------------------------------------ a full disk
class _DiskFullAfterHalf:
    """A file whose first write stores half the data, then finds the disk full."""

    def __init__(self, path, mode="r", **kwargs):
        self.file = builtins.open(path, mode, **kwargs)  # noqa: SIM115 (closed on exit)

    def write(self, data):
        self.file.write(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name):
        return getattr(self.file, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.file.close()


@pytest.fixture
def full_disk(monkeypatch):
    monkeypatch.setattr(atomic, "open", _DiskFullAfterHalf, raising=False)


@pytest.mark.parametrize("writer", ["bytes", "workbook", "csv"])
def test_a_full_disk_leaves_the_earlier_file_and_no_temporary_one(tmp_path, full_disk, writer):
    out = tmp_path / "out"
    out.mkdir()
    target = out / ("statement.xlsx" if writer == "workbook" else "statement.csv")
    target.write_bytes(b"the earlier statement")
    with pytest.raises(CannotWrite) as refused:
        if writer == "bytes":
            atomic.write_atomically(target, b"x" * 10_000)
        elif writer == "workbook":
            wb = openpyxl.Workbook()
            wb.active["A1"] = "new"
            save_atomically(wb, target)
        else:
            write_csv(target, ["Amount"], [["1.00"]] * 1000)
    assert refused.value.reason == "full" and str(target) in str(refused.value)
    assert "the disk is full" in str(refused.value) and "free some space" in str(refused.value)
    assert target.read_bytes() == b"the earlier statement"
    assert sorted(p.name for p in out.iterdir()) == [target.name]


def run_cli_with_file_limit(*args, cwd: Path, max_bytes: int):
    """``channelxl`` in a process that may not make any file larger than ``max_bytes``: the
    kernel refuses the write (EFBIG) as a full disk refuses it (ENOSPC), with no root
    needed to fill a disk."""

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an error, not a killed process
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_bytes, max_bytes))

    return run_cli(*args, cwd=cwd, preexec_fn=limit)


def test_a_full_disk_under_rebates_is_named_and_the_statement_kept(empty_workspace):
    root = empty_workspace.root
    assert run_cli("rebates", "--quarter", "2025Q1", "--allow-empty", cwd=root).returncode == 0
    folder = root / "reports" / "2025Q1"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    r = run_cli_with_file_limit(
        "rebates", "--quarter", "2025Q1", "--allow-empty", cwd=root, max_bytes=4096
    )
    assert r.returncode == 2, r.stderr
    assert "error: cannot write" in r.stderr and "rebates_2025Q1" in r.stderr
    assert "free some space" in r.stderr
    # no traceback, not even one printed while a half-written zip is cleaned up
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_a_full_disk_under_ingest_leaves_the_ledger_as_it_was(empty_workspace, tmp_path):
    root = empty_workspace.root
    with empty_workspace.open_ledger() as led:
        before = ledger_snapshot(led)
    sent = tmp_path / "st.csv"
    lines = [ST_HEADER] + [
        f"D006,2025-01,2025-01-{1 + i % 28:02d},INV-{i},R00006,SWI-0001,3,2100.50,EUR"
        for i in range(20_000)
    ]
    sent.write_text("\n".join(lines) + "\n")
    size = empty_workspace.ledger_path.stat().st_size
    r = run_cli_with_file_limit("ingest", sent, cwd=root, max_bytes=size // 4)
    assert r.returncode == 2, r.stderr
    assert f"cannot write {empty_workspace.ledger_path}" in r.stderr
    assert "The ledger keeps only what was committed before" in r.stderr
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr
    with empty_workspace.open_ledger() as led:
        assert ledger_snapshot(led) == before
    done = run_cli("ingest", sent, cwd=root)  # with room again, the same file loads
    assert done.returncode == 0, done.stderr


# ------------------------------------------------------------------ folders that may not be written
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, PR_CAPBSET_DROP = 1, 2, 24


def _without_root_privilege():
    """In the child, before it runs channelxl: as root, give up the capabilities that let
    root write whatever the permissions say, so the permissions apply as to anyone."""
    if os.geteuid() != 0:
        return
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def run_cli_as_user(*args, cwd: Path):
    """``channelxl`` as a user the file permissions apply to (root included, see above)."""
    try:
        return run_cli(*args, cwd=cwd, preexec_fn=_without_root_privilege)
    except subprocess.SubprocessError as exc:  # no prctl here: permissions cannot be tried
        pytest.skip(f"cannot run without root's privilege: {exc}")


@pytest.fixture
def restore_modes(empty_workspace):
    """Whatever a test makes read-only is writable again afterwards (pytest cleans up)."""
    yield empty_workspace.root
    for path in [empty_workspace.root, *empty_workspace.root.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def _refused_for_permission(r, path: Path) -> None:
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert f"cannot write {path}" in r.stderr and "permission denied" in r.stderr
    assert "writable for you" in r.stderr
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr


def test_a_read_only_ledger_file(restore_modes):
    root = restore_modes
    ledger = root / LEDGER
    before = ledger.read_bytes()
    ledger.chmod(0o444)
    r = run_cli_as_user("rebates", "--quarter", "2025Q1", "--allow-empty", cwd=root)
    _refused_for_permission(r, ledger)
    assert ledger.read_bytes() == before


def test_a_read_only_working_folder(restore_modes, tmp_path):
    root = restore_modes
    sent = root / "inbox" / "st.csv"
    sent.write_text(f"{ST_HEADER}\nD006,2025-01,2025-01-05,INV-1,R00006,SWI-0001,3,2100.50,EUR\n")
    with Ledger.open(root / LEDGER) as led:
        before = ledger_snapshot(led)
    root.chmod(0o555)  # DuckDB cannot make its log file beside the ledger
    r = run_cli_as_user("ingest", "inbox/st.csv", cwd=root)
    root.chmod(0o755)
    _refused_for_permission(r, root / LEDGER)
    with Ledger.open(root / LEDGER) as led:
        assert ledger_snapshot(led) == before


def test_a_read_only_outbox(restore_modes):
    root = restore_modes
    outbox = root / "outbox"
    outbox.chmod(0o555)
    r = run_cli_as_user("template", "--period", "2025-03", cwd=root)
    outbox.chmod(0o755)
    _refused_for_permission(r, outbox / "sellthrough_D001_2025-03.xlsx")
    assert list(outbox.iterdir()) == []


# ------------------------------------------------------------------ money of any size
RATE = Decimal("0.0150")  # the whole revenue, retroactive: the amount is RATE x revenue
MDF = Decimal("0.0025")


@pytest.fixture
def plain_program(tmp_path, small_channel):
    """A working folder whose only program pays 1.5 % of the quarter's revenue, with no gate,
    hold, cap or scorecard: each amount can be worked out by hand."""
    rows = copy.deepcopy(small_channel.program)
    start = rows["rebate_programs"][0]["valid_from"]
    rows["rebate_programs"] = [
        {
            "program_id": "P-PLAIN",
            "name": "Plain revenue rebate",
            "applies_to": "*",
            "measure": "revenue",
            "method": "retroactive",
            "mdf_rate": str(MDF),
            "valid_from": start,
        }
    ]
    rows["rebate_tiers"] = [{"program_id": "P-PLAIN", "threshold": "0", "rate": str(RATE)}]
    rows["scorecard"], rows["scorecard_payouts"] = [], []
    return init(tmp_path / "plain", rows=rows, settings=small_channel.settings)


def half_up(x) -> Decimal:
    return Decimal(x).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP, context=WIDE)


WIDE = Context(prec=100)  # the tests' own arithmetic: wide enough to be exact here


def exact(x: Fraction) -> Decimal:
    """A fraction with a power-of-ten denominator as the Decimal it is, every digit kept."""
    return WIDE.divide(Decimal(x.numerator), Decimal(x.denominator))


# (quantity, unit price, currency, month): lines worth a million and far more
BIG_LINES = [
    (1, "999999.9999", "EUR", "2025-01"),
    (1_000, "999999.9999", "EUR", "2025-01"),  # ~10^9
    (1_000_000, "999999.9999", "EUR", "2025-02"),  # ~10^12
    (100_000_000, "987654.3211", "EUR", "2025-03"),  # ~10^14
    (-3, "999999.9999", "EUR", "2025-03"),  # a credit note
    (40_000_000_000, "12345.6789", "USD", "2025-02"),  # ~5 x 10^14, converted
]


def _big_report(path: Path, lines) -> Path:
    rows = [ST_HEADER] + [
        f"D006,{month},{month}-05,INV-{i},R00006,SWI-0001,{q},{p},{cur}"
        for i, (q, p, cur, month) in enumerate(lines)
    ]
    path.write_text("\n".join(rows) + "\n")
    return path


def _fx(small_channel) -> dict:
    return {
        (r["currency"], r["month"]): Decimal(r["rate"]) for r in small_channel.program["fx_rates"]
    }


def _revenue(lines, fx, months=None) -> Decimal:
    """By hand: quantity x price x the month's rate, as exact fractions."""
    total = Fraction(0)
    for q, p, cur, month in lines:
        if months is None or month in months:
            rate = Decimal(1) if cur == "EUR" else fx[(cur, month)]
            total += Fraction(q) * Fraction(Decimal(p)) * Fraction(rate)
    return exact(total)


def test_statement_and_review_facts_of_lines_worth_up_to_ten_to_the_fourteen(
    plain_program, small_channel, tmp_path
):
    fx = _fx(small_channel)
    expected = _revenue(BIG_LINES, fx)
    assert expected > 5 * 10**14
    sent = _big_report(tmp_path / "st.csv", BIG_LINES)
    with plain_program.open_ledger() as led:
        (result,) = ingest(led, [sent], today=date(2025, 4, 1)).results
        assert result.status == "accepted" and result.lines_loaded == len(BIG_LINES), result
        run = rebate_statement(led, small_channel.months[-1].quarter, tmp_path / "out")
        facts = quarter_report_facts(led, small_channel.months[-1].quarter)
    (r,) = [x for x in run.results if x.distributor_id == "D006"]
    assert r.measure == expected and r.base_amount == WIDE.multiply(RATE, expected)
    assert r.amount == half_up(WIDE.multiply(RATE, expected))
    assert r.mdf_accrued == half_up(WIDE.multiply(MDF, expected))
    # the CSV and the workbook say the same, to the cent
    with open(run.csv, encoding="utf-8") as fh:
        rows = [row for row in csv.DictReader(fh) if row["Distributor ID"] == "D006"]
    assert Decimal(rows[0]["Amount"]) == r.amount
    assert run.total == sum(x.amount for x in run.results)
    summary = openpyxl.load_workbook(run.xlsx)["Summary"]
    header = [c.value for c in summary[1]]
    d006 = next(row for row in summary.iter_rows(values_only=True) if row[0] == "D006")
    amount = next(i for i, h in enumerate(header) if h.startswith("Amount ("))  # (currency)
    assert Decimal(str(d006[amount])) == r.amount
    doc = facts.by_distributor["D006"]
    assert Decimal(doc["sell_through"]["revenue"]) == expected
    monthly = {m["month"]: Decimal(m["revenue"]) for m in doc["sell_through"]["monthly"]}
    for month in ("2025-01", "2025-02", "2025-03"):
        assert monthly[month] == _revenue(BIG_LINES, fx, {month})
    (top,) = doc["resellers"]["top"]
    assert Decimal(top["revenue"]) == expected and Decimal(top["share"]) == 1
    assert top["units"] == sum(q for q, *_ in BIG_LINES)
    (rebate,) = doc["rebates"]
    assert Decimal(rebate["amount"]) == r.amount


def test_lines_as_large_as_the_ledger_columns_hold(plain_program, small_channel, tmp_path):
    """A DECIMAL(18, 4) price at its largest, times a quantity of 10^11 (a line worth about
    10^25): the figures, the statement and the review facts stay exact."""
    sent = _big_report(tmp_path / "st.csv", [(1, "2000", "EUR", "2025-03")] * 2)
    price, quantity = Decimal("99999999999999.9999"), 100_000_000_000
    with plain_program.open_ledger() as led:
        assert ingest(led, [sent], today=date(2025, 4, 1)).results[0].lines_loaded == 2
        # what the lines table can hold, loaded as it is (ingest's own checks aside)
        led.con.execute(
            "UPDATE sell_through_lines SET quantity = ?, unit_price = ? "
            "WHERE invoice_number = 'INV-0'",
            [quantity, price],
        )
        quarter = small_channel.months[-1].quarter
        expected = WIDE.add(WIDE.multiply(quantity, price), 2000)
        assert quarter_figures(led, quarter)["D006"].revenue == expected
        run = rebate_statement(led, quarter, tmp_path / "out")
        doc = quarter_report_facts(led, quarter).by_distributor["D006"]
    (r,) = [x for x in run.results if x.distributor_id == "D006"]
    assert r.amount == half_up(WIDE.multiply(RATE, expected))
    assert Decimal(doc["sell_through"]["revenue"]) == expected
    assert Decimal(doc["resellers"]["top"][0]["revenue"]) == expected


def test_a_sum_beyond_any_decimal_is_refused_with_the_lines_behind_it(plain_program, tmp_path):
    sent = _big_report(tmp_path / "st.csv", [(1, "2000", "EUR", "2025-03")] * 20)
    with plain_program.open_ledger() as led:
        ingest(led, [sent], today=date(2025, 4, 1))
        led.con.execute(
            "UPDATE sell_through_lines SET quantity = 9223372036854775807, "
            "unit_price = 99999999999999.9999"
        )
    r = run_cli("rebates", "--quarter", "2025Q1", cwd=plain_program.root)
    assert r.returncode == 2 and "adds up to more than 10^34" in r.stderr
    assert "D006 2025-03 invoice INV-" in r.stderr and "Traceback" not in r.stderr


@settings(max_examples=150, deadline=None)
@given(
    revenue=st.decimals(min_value=0, max_value=10**18, places=12, allow_nan=False),
    rate=st.decimals(min_value=0, max_value=1, places=4, allow_nan=False),
    mdf=st.decimals(min_value=0, max_value=1, places=4, allow_nan=False),
)
def test_the_engine_pays_rate_times_revenue_rounded_once_whatever_the_size(revenue, rate, mdf):
    """Revenue of up to 10^18 with the 12 decimals FX conversion gives it: the amount is the
    exact product rounded half-up once, never a product rounded at 28 digits first."""
    rules = ProgramRules(
        "P", "p", "revenue", "retroactive", TierTable.of([(0, rate)]), mdf_rate=mdf
    )
    r = evaluate(rules, Figures("D1", Quarter(2025, 1), revenue, 1))
    product = Fraction(rate) * Fraction(revenue)
    assert r.base_amount == exact(product)
    assert r.amount == _half_up_fraction(product)
    assert r.mdf_accrued == (_half_up_fraction(Fraction(mdf) * Fraction(revenue)) if mdf else 0)


def _half_up_fraction(x: Fraction) -> Decimal:
    cents = x * 100
    whole = cents.numerator // cents.denominator
    if cents - whole >= Fraction(1, 2):
        whole += 1
    return Decimal(whole) / 100


# ------------------------------------------------------------------ feedback for a large file
def test_feedback_for_a_large_csv_holds_its_problem_lines(empty_workspace, tmp_path):
    sent = tmp_path / "big.csv"
    lines = [ST_HEADER] + [
        f"D006,2025-01,2025-01-05,INV-{i},R00006,SWI-0001,{'lots' if i in (7, 20_000) else 3},"
        "2100.50,EUR"
        for i in range(30_000)
    ]
    sent.write_text("\n".join(lines) + "\n")
    assert sent.stat().st_size > feedback_workbook.FULL_COPY_BYTES
    with empty_workspace.open_ledger() as led:
        run = ingest(led, [sent], today=date(2025, 4, 1), feedback_dir=tmp_path / "outbox")
    (result,) = run.results
    assert result.status == "accepted" and result.quarantined == 2
    wb = openpyxl.load_workbook(result.feedback)
    assert wb.sheetnames[:2] == ["Issues", "About this copy"]
    data = list(wb["Data"].iter_rows(values_only=True))
    # the header and the two bad lines, each with its line number in the sender's file
    assert [row[0] for row in data] == ["Line in your file", 9, 20_002]
    assert list(data[0][1:]) == ST_HEADER.split(",")
    assert data[1][1:5] == ("D006", "2025-01", "2025-01-05", "INV-7")
    quantity = wb["Data"].cell(row=2, column=1 + ST_HEADER.split(",").index("Quantity") + 1)
    assert quantity.value == "lots" and "QUAN" in quantity.comment.text
    about = " ".join(c.value for c in wb["About this copy"]["A"])
    assert "only the lines with problems" in about and "30,001 lines" in about
    report = json.loads(Path(result.feedback).with_suffix(".json").read_text())
    assert "only the lines with problems" in report["copy"]
    assert {i["line"] for i in report["issues"]} == {9, 20_002}


def test_feedback_lists_a_bounded_number_of_problems(tmp_path, monkeypatch):
    monkeypatch.setattr(feedback_workbook, "FULL_COPY_BYTES", 100)
    monkeypatch.setattr(feedback_workbook, "MAX_MARKED_LINES", 5)
    monkeypatch.setattr(feedback_workbook, "MAX_ISSUE_ROWS", 8)
    sent = tmp_path / "st.csv"
    sent.write_text("A,Quantity\n" + "".join(f"x,{i}\n" for i in range(50)))
    issues = [
        Issue("PRIC", f"below the floor {n}", WARNING, line=n, column="Quantity")
        for n in range(2, 52)
    ]
    issues.append(Issue("QUAN", "not a number", line=40, column="Quantity"))
    xlsx, js = write_feedback(sent, issues, {"status": "accepted"}, tmp_path / "out")
    wb = openpyxl.load_workbook(xlsx)
    data = list(wb["Data"].iter_rows(values_only=True))
    assert [row[0] for row in data] == ["Line in your file", 2, 3, 4, 5, 40]  # errors first
    listed = list(wb["Issues"].iter_rows(values_only=True))
    assert len(listed) == 1 + 8 + 1 and listed[1][1] == "QUAN"
    assert "and 43 more problems" in listed[-1][-1]
    assert "the first 5 of the 50 lines with problems" in " ".join(
        c.value for c in wb["About this copy"]["A"]
    )
    assert len(json.loads(js.read_text())["issues"]) == len(issues)  # the JSON has them all


def test_feedback_marks_the_line_a_person_sees_even_after_a_value_spanning_lines(tmp_path):
    sent = tmp_path / "st.csv"
    sent.write_text('Name,Quantity\n"two\nlines",1\nok,lots\n')
    issue = Issue("QUAN", "'lots' is not a whole number", line=4, column="Quantity")
    xlsx, _ = write_feedback(sent, [issue], {"status": "accepted"}, tmp_path / "out")
    ws = openpyxl.load_workbook(xlsx)["Data"]
    assert ws["B3"].value == "lots" and "QUAN" in ws["B3"].comment.text
    assert ws["B2"].comment is None


def test_feedback_for_a_large_workbook_holds_its_problem_rows(tmp_path, monkeypatch):
    monkeypatch.setattr(feedback_workbook, "FULL_COPY_WORKBOOK_BYTES", 1_000)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "SellThrough"
    ws.append(["Invoice Number", "Quantity"])
    for i in range(3_000):
        ws.append([f"INV-{i}", "lots" if i == 1_500 else 3])
    wb.create_sheet("Inventory").append(["SKU", "On Hand"])
    sent = tmp_path / "returned.xlsx"
    wb.save(sent)
    issue = Issue("QUAN", "'lots' is not a whole number", sheet="SellThrough", cell="B1502")
    xlsx, js = write_feedback(sent, [issue], {"status": "accepted"}, tmp_path / "out")
    copy_ = openpyxl.load_workbook(xlsx)
    assert copy_.sheetnames == ["Issues", "About this copy", "SellThrough"]  # no problem: left out
    rows = list(copy_["SellThrough"].iter_rows(values_only=True))
    assert rows == [("Row in your sheet", "Invoice Number", "Quantity"), (1502, "INV-1500", "lots")]
    assert "QUAN" in copy_["SellThrough"]["C2"].comment.text
    assert list(copy_["Issues"].iter_rows(values_only=True))[1][2:4] == ("SellThrough", "B1502")
    assert "3,002 rows" in json.loads(js.read_text())["copy"]

"""The template's "Your quarter so far" sheet: hand-computed figures stored in the file, the
same figures recomputed by LibreOffice (no channelxl add-in) after a line is typed, and a
returned template with the sheet loading exactly as one without it.

By hand, the small program: tiers 0 / 100,000 / 250,000 EUR at 0 / 2 / 3 %, 120,000 EUR
reported for the quarter's months before this one. Typed this month: 10 x 1,500.00 EUR and
20 x 2,000.00 USD at 0.9 EUR per USD = 15,000 + 36,000 = 51,000 EUR; so far 171,000 EUR:
Silver, 79,000 to Gold, retroactive 2 % x 171,000 = 3,420.00, incremental
2 % x 71,000 = 1,420.00. A line in JPY (no rate on the sheet) is counted as not counted.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from helpers import ledger_snapshot
from office import office_user

from channelxl.commands.template import write_templates
from channelxl.core.money import round_cents
from channelxl.core.periods import Month, Quarter
from channelxl.core.rebates import ProgramRules
from channelxl.core.tiers import TierTable
from channelxl.io.quarter_so_far import QUARTER_SHEET, QuarterSoFar
from channelxl.io.recognition import recognise
from channelxl.io.template_workbook import TemplateFor, template_file_name, write_template
from channelxl.ledger.figures import quarter_figures
from channelxl.ledger.ingest_file import ingest_file
from channelxl.workspace import Workspace, init

OFFICE_PYTHON = "/usr/bin/python3"  # the Python LibreOffice runs its scripts in (Debian)
TIERS = TierTable.of([(0, 0, "Base"), (100000, "0.02", "Silver"), (250000, "0.03", "Gold")])
AS_OF = date(2026, 11, 30)


def _rules(method="retroactive", measure="revenue", tiers=TIERS, **kw) -> ProgramRules:
    return ProgramRules("P-T", "Test rebate", measure, method, tiers, **kw)


def _so_far(*programs, **kw) -> QuarterSoFar:
    base = dict(
        quarter=Quarter(2026, 4),
        month=Month(2026, 11),
        as_of=AS_OF,
        currency="EUR",
        programs=programs,
        reported_revenue=Decimal("120000"),
        reported_units=600,
        rates=(("USD", Decimal("0.9"), "2026-10"), ("EUR", Decimal(1), "")),
    )
    return QuarterSoFar(**{**base, **kw})


def _template(tmp_path, so_far: QuarterSoFar, name="sellthrough_D001_2026-11.xlsx") -> Path:
    t = TemplateFor(
        "D001", "North Labs", "USD", str(so_far.month), date(2026, 12, 10),
        (("R1", "Reseller One"),), ("SKU-1",), quarter=so_far,
    )  # fmt: skip
    return write_template(tmp_path / name, t)


def _rows(path) -> dict[str, object]:
    """Label in column A -> the value in column B, as stored in the file."""
    ws = openpyxl.load_workbook(path, data_only=True)[QUARTER_SHEET]
    return {r[0].value: r[1].value for r in ws.iter_rows(max_col=2) if r[0].value}


def _labelled(path, label: str) -> str:
    """The cell in column B beside the first row whose label starts with ``label``."""
    ws = openpyxl.load_workbook(path)[QUARTER_SHEET]
    row = next(c.row for c in ws["A"] if str(c.value or "").startswith(label))
    return f"B{row}"


# ------------------------------------------------------------------ what the file holds


def test_the_stored_figures_are_the_hand_computed_ones(tmp_path):
    path = _template(tmp_path, _so_far(_rules()))
    rows = _rows(path)
    assert rows["Your quarter so far: 2026Q4 (October - December 2026)"] is None
    assert rows["Reported for October 2026, as of 30 November 2026"] == 120000
    assert rows["November 2026, as typed on the SellThrough sheet"] == 0
    assert rows["Quarter so far"] == 120000
    assert rows["Tier reached"] == "Silver"
    assert rows["Rate at that tier"] == 0.02
    assert rows["Still needed for the next tier"] == 130000  # 250,000 - 120,000
    assert rows["Rebate at this tier (retroactive)"] == 2400  # 2 % x 120,000
    formulas = openpyxl.load_workbook(path)[QUARTER_SHEET]
    rebate = formulas[_labelled(path, "Rebate at this tier")].value
    assert rebate.startswith("=IFERROR(CHX_REBATE(") and "ROUND(" in rebate
    assert formulas[_labelled(path, "Tier reached")].value.startswith("=IFERROR(CHX_REBATE_TIER(")
    gap = formulas[_labelled(path, "Still needed")].value
    assert gap.startswith("=IFERROR(CHX_NEXT_TIER_GAP(")


def test_an_incremental_units_program_and_its_bands(tmp_path):
    # by hand: tiers 0 / 500 / 2,000 units at 0 / 1.50 / 2.50 EUR a unit, 600 units reported:
    # tier 2, 1,400 units to tier 3, incremental 1.50 x (600 - 500) = 150.00 EUR
    tiers = TierTable.of([(0, 0), (500, "1.5"), (2000, "2.5")])
    path = _template(tmp_path, _so_far(_rules("incremental", "units", tiers)))
    rows = _rows(path)
    assert rows["Quarter so far"] == 600
    assert rows["Tier reached"] == "Tier 2"
    assert rows["Still needed for the next tier"] == 1400
    assert rows["Rebate at this tier (incremental)"] == 150
    ws = openpyxl.load_workbook(path, data_only=True)[QUARTER_SHEET]
    bands = [r[4].value for r in ws.iter_rows(min_col=1, max_col=5) if r[3].value in (
        "Tier 1", "Tier 2", "Tier 3")]  # fmt: skip
    assert bands == [0, 150, 0]
    assert "How November 2026 is counted" not in str(rows)  # units need no exchange rates


def test_the_quarter_follows_the_fiscal_calendar(tmp_path):
    # a fiscal year starting in April: November 2026 is in FY2027Q3 (October - December 2026)
    so_far = _so_far(_rules(), quarter=Month(2026, 11).quarter_in(4))
    rows = _rows(_template(tmp_path, so_far))
    assert "Your quarter so far: FY2027Q3 (October - December 2026)" in rows


def test_no_program_and_a_growth_program_say_so_without_figures(tmp_path):
    rows = _rows(_template(tmp_path, _so_far()))
    text = " ".join(map(str, rows))
    assert "No rebate program applies to North Labs in 2026Q4" in text
    assert not [v for v in rows.values() if v is not None]  # no zeros standing for nothing
    growth = _so_far(_rules(measure="growth"), prior_revenue=Decimal("300000"))
    rows = _rows(_template(tmp_path, growth, name="g.xlsx"))
    text = " ".join(map(str, rows))
    assert "Growth is known only when the quarter is complete" in text
    assert "2025Q4: 300,000.00 EUR reported" in text
    assert "Quarter so far" not in rows


def test_the_first_month_of_a_quarter_has_nothing_reported_before(tmp_path):
    path = _template(tmp_path, _so_far(_rules(), month=Month(2026, 10), reported_revenue=0))
    ws = openpyxl.load_workbook(path, data_only=True)[QUARTER_SHEET]
    row = next(r for r in ws.iter_rows(max_col=3) if r[0].value == "Reported earlier this quarter")
    assert row[1].value == 0 and row[2].value == "October 2026 is the quarter's first month"


def test_no_row_of_the_sheet_looks_like_a_report(tmp_path):
    both = _so_far(_rules(), _rules("incremental", "units", TierTable.of([(0, 0), (5, 1)])))
    ws = openpyxl.load_workbook(_template(tmp_path, both))[QUARTER_SHEET]
    for row in ws.iter_rows(values_only=True):
        assert recognise(list(row))[0] is None, row


def test_write_templates_reads_the_months_before_as_the_statement_does(loaded_channel, tmp_path):
    ws, _ = loaded_channel
    with ws.open_ledger() as led:
        month = Month.parse(led.con.execute("SELECT max(period) FROM sell_through").fetchone()[0])
        start = led.settings().fiscal_year_start_month
        quarter = month.quarter_in(start)
        (path,) = write_templates(led, month, tmp_path, distributors=["D001"], today=AS_OF).paths
        f = quarter_figures(led, quarter)["D001"]
    before = [i for i, m in enumerate(quarter.months) if m < month]
    assert before, "the channel's last month is not the first of its quarter"
    rows = _rows(path)
    reported = next(v for k, v in rows.items() if str(k).startswith("Reported for"))
    assert Decimal(str(reported)) == round_cents(sum(f.monthly_revenue[i] for i in before))
    assert f"Your quarter so far: {quarter} ({quarter.span.replace('–', '-')})" in rows


# ------------------------------------------------------------------ LibreOffice recomputing

DRIVER = r"""
import json, subprocess, sys, time
import uno
from com.sun.star.beans import PropertyValue

def prop(name, value):
    p = PropertyValue(); p.Name, p.Value = name, value; return p

def read(cell):
    kind = cell.getType().value
    if kind == "FORMULA":
        if cell.getError():
            return "Err:%d" % cell.getError()
        return cell.getString() if cell.FormulaResultType2 == 2 else cell.getValue()
    return cell.getString() if kind == "TEXT" else cell.getValue()

profile, spec_path, out_path = sys.argv[1:4]
spec = json.load(open(spec_path))
pipe = "chxq%d" % (abs(hash(profile)) % 100000)
office = subprocess.Popen(["soffice", "-env:UserInstallation=file://" + profile, "--headless",
    "--invisible", "--norestore", "--nologo", "--accept=pipe,name=%s;urp;" % pipe])
local = uno.getComponentContext()
resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
for _ in range(300):
    try:
        ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe); break
    except Exception:
        time.sleep(0.1)
else:
    raise SystemExit("soffice did not start")
desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
out = {}
try:
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(spec["xlsx"]), "_blank", 0,
                                       (prop("Hidden", True),))
    quarter = doc.Sheets.getByName(spec["sheet"])
    cells = {ref: quarter.getCellRangeByName(ref) for ref in spec["read"]}
    out["opened"] = {ref: read(c) for ref, c in cells.items()}
    typing = doc.Sheets.getByName("SellThrough")
    for ref, value in spec["type"]:
        cell = typing.getCellRangeByName(ref)
        cell.setString(value) if isinstance(value, str) else cell.setValue(value)
    out["typed"] = {ref: read(c) for ref, c in cells.items()}  # as the user sees it
    doc.calculateAll()
    out["recalculated"] = {ref: read(c) for ref, c in cells.items()}
    out["formulas"] = {ref: c.getFormula() for ref, c in cells.items()}
    doc.close(True)
finally:
    try:
        desktop.terminate()
    except Exception:
        pass
    office.wait(timeout=60)
json.dump(out, open(out_path, "w"))
"""


def _office_missing() -> str | None:
    if shutil.which("soffice") is None:
        return "soffice is not installed (Debian: libreoffice-calc-nogui)"
    probe = subprocess.run([OFFICE_PYTHON, "-c", "import uno"], capture_output=True)
    if probe.returncode != 0:
        return "LibreOffice's Python has no uno module (Debian: python3-uno)"
    return None


def _in_libreoffice(xlsx: Path, read: list[str], typed: list) -> dict:
    """Open ``xlsx`` in a headless LibreOffice with a fresh profile (no channelxl add-in),
    read ``read`` on the quarter sheet, type ``typed`` into SellThrough, read again (as
    recalculated on typing), recalculate everything and read again. As root LibreOffice
    runs as nobody, as the add-in tests do."""
    work = Path(tempfile.mkdtemp(prefix="chx-quarter-", dir="/tmp"))
    try:
        shutil.copy(xlsx, work / "t.xlsx")
        spec = {"xlsx": str(work / "t.xlsx"), "sheet": QUARTER_SHEET, "read": read, "type": typed}
        (work / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
        (work / "driver.py").write_text(DRIVER, encoding="utf-8")
        drop = office_user(work)

        done = subprocess.run(
            [OFFICE_PYTHON, str(work / "driver.py"), str(work / "p"), str(work / "spec.json"),
             str(work / "out.json")],
            env={**os.environ, "HOME": str(work)}, preexec_fn=drop, capture_output=True,
            text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]
        return json.loads((work / "out.json").read_text(encoding="utf-8"))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _line(row: int, qty, price, currency) -> list:
    """SellThrough cells of one line: Invoice Date, Invoice Number, Reseller ID, SKU,
    Quantity, Unit Price, Currency."""
    return [
        [f"A{row}", 46327.0],  # 2026-11-01 as a serial day
        [f"B{row}", f"INV-{row}"],
        [f"C{row}", "R1"],
        [f"I{row}", "SKU-1"],
        [f"J{row}", qty],
        [f"K{row}", price],
        [f"L{row}", currency],
    ]


@pytest.mark.parametrize(
    "method, rebate, rebate_after",
    [("retroactive", 2400.0, 3420.0), ("incremental", 400.0, 1420.0)],
)
def test_libreoffice_recomputes_the_sheet_after_typing_without_the_add_in(
    tmp_path, method, rebate, rebate_after
):
    missing = _office_missing()
    if missing:
        pytest.skip(missing)
    path = _template(tmp_path, _so_far(_rules(method)))
    labels = ["November 2026, as typed", "Quarter so far", "Tier reached", "Rate at that tier",
              "Still needed", "Rebate at this tier"]  # fmt: skip
    refs = [_labelled(path, label) for label in labels]
    ws = openpyxl.load_workbook(path)[QUARTER_SHEET]
    not_counted = next(f"F{c.row}" for c in ws["A"] if str(c.value).startswith("Lines not"))
    warning = refs[0].replace("B", "C")
    read = [*refs, not_counted, warning]
    typed = _line(2, 10, 1500.0, "EUR") + _line(3, 20, 2000.0, "usd") + _line(4, 5, 100.0, "JPY")
    out = _in_libreoffice(path, read, typed)
    # as made: the stored figures (120,000 reported, nothing typed)
    assert [out["opened"][r] for r in refs] == [0, 120000, "Silver", 0.02, 130000, rebate]
    # a currency is matched whatever its case; JPY has no rate here: not counted, and said
    expected = [51000, 171000, "Silver", 0.02, 79000, rebate_after]
    for when in ("typed", "recalculated"):
        assert [out[when][r] for r in refs] == pytest.approx(expected), when
        assert out[when][not_counted] == 1
        assert out[when][warning] == "1 line(s) not counted: see below"
    assert "CHX_REBATE" in out["formulas"][refs[-1]].upper()  # the live function is kept


# ------------------------------------------------------------------ returned templates


def _fill(path: Path, out: Path, reseller, sku) -> Path:
    wb = openpyxl.load_workbook(path)
    ws = wb["SellThrough"]
    lines = [
        [datetime(2025, 2, 5), "INV-1", reseller["reseller_id"], reseller["name"],
         reseller["country"], "Acme", reseller["country"], "smb", sku, 3, 1500.0, "USD", None],
        [datetime(2025, 2, 6), "INV-2", reseller["reseller_id"], reseller["name"],
         reseller["country"], "Acme", reseller["country"], "smb", sku, 2, 900.0, "USD", None],
    ]  # fmt: skip
    for i, row in enumerate(lines, start=2):
        for j, value in enumerate(row, start=1):
            ws.cell(row=i, column=j, value=value)
    wb["Inventory"]["A2"], wb["Inventory"]["B2"] = sku, 40
    wb.save(out)
    return out


def _loaded(ws: Workspace, path: Path) -> tuple:
    with ws.open_ledger() as led:
        r = ingest_file(led, path, today=date(2025, 3, 1))
        snap = ledger_snapshot(led)
    # what a load puts in the ledger, less where the file was and its bytes
    lines = {k: v for k, v in snap.items() if k.endswith("_lines")}
    return r.status, r.kind, r.lines_loaded, [i.code for i in r.issues], lines


def _converted(path: Path, fmt: str, out: Path) -> Path:
    out.mkdir(exist_ok=True)
    done = subprocess.run(
        ["soffice", "--headless", "--convert-to", fmt, "--outdir", str(out), str(path)],
        capture_output=True, text=True, timeout=300, env={**os.environ, "HOME": str(out)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return out


def test_a_returned_template_with_the_sheet_loads_as_one_without_it(
    template, tmp_path, small_channel
):
    path, reseller, sku = template
    with_sheet = _fill(path, tmp_path / template_file_name("D001", "2025-02"), reseller, sku)
    assert QUARTER_SHEET in openpyxl.load_workbook(with_sheet).sheetnames
    plain_dir = tmp_path / "plain"
    plain_dir.mkdir()
    wb = openpyxl.load_workbook(with_sheet)
    del wb[QUARTER_SHEET]
    wb.save(plain_dir / with_sheet.name)
    loads = []
    for i, file in enumerate([plain_dir / with_sheet.name, with_sheet]):
        root = tmp_path / f"ws{i}"
        init(root, rows=small_channel.program, settings=small_channel.settings)
        loads.append(_loaded(Workspace.find(root), file))
    assert loads[0] == loads[1]
    assert loads[1][:3] == ("accepted", "template", 3)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_saved_as_ods_or_xls_or_its_sheet_as_csv_it_is_never_taken_for_data(
    template, tmp_path, small_channel
):
    path, reseller, sku = template
    filled = _fill(path, tmp_path / template_file_name("D001", "2025-02"), reseller, sku)
    root = tmp_path / "ws"
    init(root, rows=small_channel.program, settings=small_channel.settings)
    ws = Workspace.find(root)
    for fmt in ("ods", "xls"):
        (converted,) = _converted(filled, fmt, tmp_path / fmt).glob(f"*.{fmt}")
        with ws.open_ledger() as led:
            r = ingest_file(led, converted, today=date(2025, 3, 1))
        assert r.status == "accepted" and r.lines_loaded == 3, (fmt, r.summary())
    # every sheet exported as CSV (LibreOffice names each file-Sheet.csv): the quarter
    # sheet's CSV is refused as no report, and the ledger is left as it was
    csv = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    exported = _converted(filled, csv, tmp_path / "csv")
    (quarter_csv,) = exported.glob(f"*{QUARTER_SHEET}*.csv")
    with ws.open_ledger() as led:
        before = ledger_snapshot(led)
        r = ingest_file(led, quarter_csv, today=date(2025, 3, 1))
        assert r.status == "refused", r.summary()
        assert ledger_snapshot(led) == before

"""The statement's Recompute sheet over the demo's statement: every line recomputed in a cell.

The channel is the one ``channelxl demo --distributors 6 --resellers 60 --skus 20 --months 6
--lines 800`` builds (the smallest demo that plants every anomaly, as tests/test_cli.py
runs it), made through the same library calls in the same order as ``channelxl.demo.
run_demo`` up to its statement: ``generate`` with the demo's seed, ``init``,
``write_channel`` without the last month, that month's templates sent and returned
(``simulate_returns``), ``ingest``, the quarter before approved, a distributor's late
correction ingested, and the last quarter's statement written again (so with its
prior-period adjustment). What the demo does after its statement (reconciliation,
territory, the reviews, about 35 s of its 45 s) changes no statement line and is left out.

For every line: CHX_PROGRAM fed that line's cells (``ledger.program_cells``) returns the
statement's Amount to the cent; the Recompute sheet holds a live ``=CHX_PROGRAM(...)`` per
line whose stored value reads back as the Amount (openpyxl, calamine), and LibreOffice
without the channelxl extension shows those numbers; the sheet is the same each time the
statement is written.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import zipfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from channelxl.commands.approve import approve_quarter
from channelxl.commands.ingest import ingest
from channelxl.commands.statement import rebate_statement
from channelxl.commands.template import write_templates
from channelxl.excel import chx_program
from channelxl.excel.workbook_calc import recalculate
from channelxl.io.approved_files import frozen_xlsx
from channelxl.ledger.program_cells import arguments, statement_cells
from channelxl.ledger.programs import evaluate_quarter
from channelxl.synth import DEFAULT_SEED, Sizes, generate, write_channel
from channelxl.synth.corrections import late_correction
from channelxl.synth.returns import simulate_returns
from channelxl.workspace import init

CENT = Decimal("0.01")
DEMO = Sizes(distributors=6, resellers=60, skus=20, months=6, lines=800)
SHEET = "Recompute"


def cents(value) -> Decimal:
    return Decimal(str(value)).quantize(CENT)


def demo_statement(root: Path):
    """The demo's statement of its last quarter, built as ``run_demo`` builds it."""
    channel = generate(DEFAULT_SEED, DEMO)
    ws = init(root, rows=channel.program, settings=channel.settings)
    last_month = channel.months[-1]
    write_channel(channel, root, program=False, skip={str(last_month)})
    with ws.open_ledger() as ledger:
        templates = write_templates(ledger, last_month, ws.outbox).paths
        fiscal_start = ledger.settings().fiscal_year_start_month
    simulate_returns(channel, templates, ws.inbox, seed=DEFAULT_SEED)
    last = last_month.quarter_in(fiscal_start)
    out = ws.quarter_folder(last)
    with ws.open_ledger() as ledger:
        ingest(
            ledger, inbox=ws.inbox, feedback_dir=ws.outbox, vendor_feedback_dir=ws.vendor_feedback
        )
        rebate_statement(ledger, last, out)
        approval = approve_quarter(
            ledger, last + -1, "demo analyst", out_dir=out.parent / str(last + -1)
        )
        paid = next(
            r for r in approval.results if r.status == "earned" and r.measure_name == "revenue"
        )
        month = (last + -1).months[1]
        late_correction(
            ws.inbox / "processed" / f"sellthrough_{paid.distributor_id}_{month}.csv", ws.inbox
        )
        ingest(ledger, inbox=ws.inbox, feedback_dir=ws.outbox)
        run = rebate_statement(ledger, last, out)
    return ws, last, run


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    ws, quarter, run = demo_statement(tmp_path_factory.mktemp("demo") / "demo")
    with open(run.csv, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return ws, quarter, run, rows


def test_every_line_of_the_demo_statement_equals_chx_program_to_the_cent(demo):
    ws, _, run, rows = demo
    assert run.tables.adjustments, "the demo's statement carries a prior-period adjustment"
    assert len(rows) >= 9
    assert {"earned", "held", "no payout"} <= {row["Status"] for row in rows}
    lines = [(row["Distributor ID"], row["Program ID"]) for row in rows]
    with ws.open_ledger() as ledger:
        _, figures = evaluate_quarter(ledger, run.results[0].quarter)  # the statement's own
        blocks = statement_cells(ledger, figures, lines)
    computed = {
        (line.distributor_id, program.program_id): chx_program(*arguments(program, line))
        for program, group in blocks
        for line in group
    }
    assert len(computed) == len(rows)
    unequal = [
        (key, row["Amount"], computed[key])
        for row in rows
        if not isinstance(computed[key := (row["Distributor ID"], row["Program ID"])], float)
        or cents(computed[key]) != cents(row["Amount"])
    ]
    assert not unequal, f"{len(unequal)} of {len(rows)} lines differ: {unequal[:5]}"
    # the cells are what a sheet holds: numbers as floats, blanks as None
    _, group = blocks[0]
    assert all(isinstance(v, float | str | type(None)) for v in group[0].figures[1])


def _formula_cells(xlsx: Path) -> dict[str, str]:
    ws = openpyxl.load_workbook(xlsx)[SHEET]
    return {
        c.coordinate: c.value
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=CHX_PROGRAM(")
    }


def test_the_recompute_sheet_has_a_live_formula_per_line_and_stores_its_value(demo):
    _, _, run, rows = demo
    formulas = _formula_cells(run.xlsx)
    assert len(formulas) == len(rows)
    stored = openpyxl.load_workbook(run.xlsx, data_only=True)[SHEET]
    calamine = CalamineWorkbook.from_path(str(run.xlsx)).get_sheet_by_name(SHEET).to_python()
    lines = []
    for ref in formulas:
        row = stored[ref].row
        distributor = stored.cell(row=row, column=1).value
        amount = stored.cell(row=row, column=2).value  # the statement's Amount beside it
        value = stored[ref].value
        assert isinstance(value, float | int), (ref, value)
        assert cents(value) == cents(amount), (ref, distributor)
        assert stored.cell(row=row, column=4).value == "yes", ref
        assert cents(calamine[row - 1][2]) == cents(amount), ref
        lines.append((distributor, cents(value)))
    expected = sorted((r["Distributor ID"], cents(r["Amount"])) for r in rows)
    assert sorted(lines) == expected
    # the formula names the cells of its line: its figures are the two rows it heads
    ref, formula = next(iter(formulas.items()))
    row = openpyxl.load_workbook(run.xlsx)[SHEET][ref].row
    assert f"F{row - 1}:N{row}" in formula


def test_channelxl_calc_recomputes_the_sheet_to_the_same_values(demo, tmp_path):
    """The formula engine of ``channelxl calc`` (blank cells, text, the Agree formulas
    around CHX_PROGRAM) computes every formula of the sheet to what channelxl stored."""
    _, _, run, rows = demo
    done = recalculate(run.xlsx, tmp_path / "again.xlsx")
    assert not done.uncomputed and done.chx >= len(rows)
    before = openpyxl.load_workbook(run.xlsx, data_only=True)[SHEET]
    after = openpyxl.load_workbook(done.out, data_only=True)[SHEET]
    refs = [
        c.coordinate
        for row in openpyxl.load_workbook(done.out)[SHEET].iter_rows()
        for c in row
        if c.data_type == "f"
    ]
    assert len(refs) == 2 * len(rows)  # CHX_PROGRAM and Agree on each line
    assert [after[r].value for r in refs] == [before[r].value for r in refs]


def test_the_sheet_is_the_same_each_time_the_statement_is_written(demo, tmp_path):
    ws, quarter, run, _ = demo
    with ws.open_ledger() as ledger:
        again = rebate_statement(ledger, quarter, tmp_path)
    when = datetime(2026, 1, 1)

    def sheet_parts(path: Path) -> dict[str, bytes]:
        z = zipfile.ZipFile(io.BytesIO(frozen_xlsx(path.read_bytes(), when)))
        return {n: z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/")}

    assert sheet_parts(again.xlsx) == sheet_parts(run.xlsx)


def _calc_missing() -> str | None:
    if shutil.which("soffice") is None:
        return "soffice is not installed (Debian: libreoffice-calc-nogui)"
    return None


def test_libreoffice_without_the_extension_shows_the_amounts(demo, tmp_path):
    """Converted by a LibreOffice with a fresh profile (no channelxl extension), the sheet
    shows every line's number, not #NAME?."""
    missing = _calc_missing()
    if missing:
        pytest.skip(missing)
    _, _, run, rows = demo
    sheet = openpyxl.load_workbook(run.xlsx, read_only=True).sheetnames.index(SHEET) + 1
    profile = tmp_path / "profile"  # a profile no extension was ever installed into
    done = subprocess.run(
        [
            shutil.which("soffice"),
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            f"csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,{sheet}",
            "--outdir",
            str(tmp_path),
            str(run.xlsx),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    written = sorted(tmp_path.glob("*.csv"))
    assert done.returncode == 0 and written, done.stderr[-2000:]
    with open(written[0], encoding="utf-8") as fh:
        shown = list(csv.reader(fh))
    assert not any("#NAME" in c for r in shown for c in r)
    lines = [r for r in shown if len(r) > 3 and r[3] in ("yes", "NO")]
    assert len(lines) == len(rows)
    for r in lines:
        # as shown: the statement's Amount and CHX_PROGRAM's number, both "2,716.17"
        assert r[1] == r[2] and r[3] == "yes", r
    expected = sorted(f"{cents(row['Amount']):,.2f}" for row in rows)
    assert sorted(r[2] for r in lines) == expected

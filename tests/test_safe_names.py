"""Names made from data: a distributor id or a received file's name becomes part of a file
or sheet name. The program workbook's check refuses ids no file system can hold, and every
writer stays inside its folder whatever the id holds, with one file or sheet per id."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from helpers import run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from channelxl.commands.statement import rebate_statement
from channelxl.commands.template import write_templates
from channelxl.core.periods import Month
from channelxl.errors import ChannelxlError
from channelxl.io.atomic import MAX_NAME_PART, name_problem, path_inside, safe_name
from channelxl.io.feedback_workbook import feedback_stem, write_feedback
from channelxl.io.program_workbook import check_program, write_program
from channelxl.io.table_sheets import sheet_title
from channelxl.issues import Issue
from channelxl.reports.facts import quarter_report_facts
from channelxl.reports.paths import report_paths

UNSAFE_IDS = {
    "../../x": "'/'",
    "D..4": "'..'",
    "D/004": "'/'",
    "D\\004": "'\\\\'",
    "D<4>": "'<' '>'",
    'D:"4"': "'\"' ':'",
    "D|4?*": "'*' '?' '|'",
    "D\x014": "U+0001",
    "D004\t": "U+0009",
    " D004": "starts or ends with a space or a dot",
    "D004.": "starts or ends with a space or a dot",
    ".D004": "starts or ends with a space or a dot",
    "CON": "'CON' is a name Windows reserves",
    "nul.txt": "'nul' is a name Windows reserves",
    "Com1": "'Com1' is a name Windows reserves",
    "LPT9": "'LPT9' is a name Windows reserves",
    "D" * 65: "65 characters long",
}


@pytest.mark.parametrize("text", list(UNSAFE_IDS))
def test_names_no_file_system_can_hold_are_told_apart(text):
    assert UNSAFE_IDS[text] in name_problem(text)


@pytest.mark.parametrize("text", ["D004", "ACME-DE", "d_004", "D.004", "Müller GmbH", "CONSUL"])
def test_ordinary_ids_are_names(text):
    assert name_problem(text) is None


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=0, max_size=120))
def test_safe_name_is_always_a_plain_file_name(text):
    name = safe_name(text)
    assert name_problem(name) is None and len(name) <= MAX_NAME_PART
    assert set(name) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
    assert safe_name(text) == name  # the same id always gets the same name
    assert path_inside(Path("/out"), f"{name}.html") == Path("/out") / f"{name}.html"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40), st.text(max_size=40))
def test_two_ids_never_share_a_name(a, b):
    if a != b:
        assert safe_name(a) != safe_name(b)


def test_safe_ids_keep_their_names():
    assert safe_name("D004") == "D004" and safe_name("ACME-DE_1") == "ACME-DE_1"
    assert safe_name("D/004") != safe_name("D_004") == "D_004"
    assert safe_name("../../x").startswith("______x-")


@pytest.mark.parametrize(
    "name", ["../x.xlsx", "..", ".", "", "a/b.xlsx", "a\\b.xlsx", "C:x", "/etc/x"]
)
def test_a_path_built_from_data_cannot_leave_its_folder(tmp_path, name):
    with pytest.raises(ChannelxlError, match="outside"):
        path_inside(tmp_path, name)


# ------------------------------------------------------------------ the check refuses them
@pytest.fixture
def program_path(tmp_path, small_channel):
    return write_program(tmp_path / "program.xlsx", small_channel.program, small_channel.settings)


def _set_ids(path: Path, ids: dict[str, str]) -> None:
    wb = openpyxl.load_workbook(path)
    for ref, value in ids.items():
        wb["Distributors"][ref] = value
    wb.save(path)


def test_check_refuses_ids_that_cannot_name_files_at_their_cells(program_path):
    _set_ids(program_path, {"A2": "../../x", "A3": "D:4", "A4": "CON", "A5": "D" * 70})
    program, issues = check_program(program_path)
    assert program is None
    named = {(i.code, i.cell): i.message for i in issues if i.severity == "error"}
    for cell in ("A2", "A3", "A4", "A5"):
        assert ("TYPE", cell) in named, cell
    assert "Distributor ID '../../x' cannot name its files" in named[("TYPE", "A2")]
    assert "Use letters, digits" in named[("TYPE", "A2")]


def test_check_refuses_ids_that_differ_only_in_case(program_path):
    _set_ids(program_path, {"A3": "d001"})  # A2 is D001
    _, issues = check_program(program_path)
    (dup,) = [i for i in issues if i.code == "DUPL" and i.cell == "A3"]
    assert "'d001' differs from 'D001' (row 2) only in upper and lower case" in dup.message


def test_cli_check_lists_them(empty_workspace):
    _set_ids(empty_workspace.program, {"A2": "a/b"})
    r = run_cli("check", cwd=empty_workspace.root)
    assert r.returncode == 2
    assert "sheet Distributors, cell A2" in r.stdout and "'/'" in r.stdout


# ------------------------------------------------------------------ writers stay inside
# ... and ids equal to the statement's own sheet names (its Recompute sheet stores values)
WEIRD = [
    "../../evil",
    "A/B",
    "A_B",
    "CON",
    "x" * 40 + "1",
    "x" * 40 + "2",
    "[Q]:*?",
    "Recompute",
    "summary",
]


@pytest.fixture
def weird_ledger(empty_workspace):
    """A ledger with distributor ids from before the check refused them (or from any other
    way into the ledger): copies of D006 under ids no file system or Excel would take."""
    with empty_workspace.open_ledger() as led:
        for d in WEIRD:
            led.con.execute(
                "INSERT INTO distributors SELECT * REPLACE (? AS distributor_id) "
                "FROM distributors WHERE distributor_id = 'D006'",
                [d],
            )
    return empty_workspace


def _files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


def test_templates_for_any_id_stay_in_their_folder(weird_ledger, tmp_path):
    everything = _files_under(tmp_path)
    out = tmp_path / "deep" / "out"
    with weird_ledger.open_ledger() as led:
        run = write_templates(led, Month(2025, 3), out)
        n = led.count("distributors")
    assert len(run.paths) == n == len(set(run.paths))
    assert all(p.parent == out for p in run.paths)
    assert _files_under(tmp_path) - everything == set(run.paths)
    assert out / f"sellthrough_{safe_name('../../evil')}_2025-03.xlsx" in run.paths


FIXED_SHEETS = (
    "Summary",
    "Accruals",
    "How to read",
    "MDF",
    "MDF Claims",
    "Prior-period adjustments",
    "Recompute (2)",  # a distributor took "Recompute"
    "Summary (2)",
)


def test_statement_sheets_for_any_id(weird_ledger, tmp_path, small_channel):
    with weird_ledger.open_ledger() as led:
        run = rebate_statement(
            led, small_channel.months[-1].quarter, tmp_path / "st", allow_empty=True
        )
        ids = {d for (d,) in led.con.execute("SELECT distributor_id FROM distributors").fetchall()}
    wb = openpyxl.load_workbook(run.xlsx)
    held = {}
    for ws in wb.worksheets:
        if ws.title in FIXED_SHEETS:  # the statement's own sheets, not a distributor's
            continue
        assert len(ws.title) <= 31 and not set(ws.title) & set("[]:*?/\\")
        values = {row[0] for row in ws.iter_rows(min_row=2, values_only=True) if row[0]}
        assert len(values) == 1, ws.title  # one distributor per sheet
        held[ws.title] = values.pop()
    assert sorted(held.values()) == sorted(ids)  # every distributor, each once
    assert len({t.casefold() for t in held}) == len(held)
    tables = [t for ws in wb.worksheets for t in ws.tables]
    assert len({t.casefold() for t in tables}) == len(tables)


def test_cli_rebates_and_template_with_such_ids(weird_ledger):
    root = weird_ledger.root
    for args in (
        ("rebates", "--quarter", "2025Q1", "--allow-empty"),
        ("template", "--period", "2025-03"),
    ):
        r = run_cli(*args, cwd=root)
        assert r.returncode == 0, r.stderr
    assert not (root.parent / "evil").exists() and not (root.parent.parent / "evil").exists()


def test_review_files_for_any_id_stay_in_their_folder(weird_ledger, tmp_path, small_channel):
    with weird_ledger.open_ledger() as led:
        facts = quarter_report_facts(led, small_channel.months[-1].quarter)
    paths = facts.write(tmp_path / "run" / "facts")
    assert len(set(paths.values())) == len(paths)
    for d, path in paths.items():
        assert path.parent == tmp_path / "run" / "facts"
        assert json.loads(path.read_text())["distributor"]["id"] == d
    for d in WEIRD:
        for path in report_paths(tmp_path / "run", d).values():
            assert tmp_path / "run" in path.parents


# ------------------------------------------------------------------ feedback names
def _answer(sent: Path, out: Path) -> Path:
    issue = Issue("QUAN", "not a whole number", line=2, column="Quantity")
    xlsx, js = write_feedback(sent, [issue], {"status": "accepted"}, out)
    assert js.with_suffix(".xlsx") == xlsx
    return xlsx


def test_feedback_for_files_of_one_stem_and_for_a_resubmission_are_all_kept(tmp_path):
    out = tmp_path / "outbox"
    csv_file = tmp_path / "st.csv"
    csv_file.write_text("Invoice Number,Quantity\nINV-1,lots\n")
    wb = openpyxl.Workbook()
    wb.active.append(["Invoice Number", "Quantity"])
    wb.active.append(["INV-1", "lots"])
    xlsx_file = tmp_path / "st.xlsx"
    wb.save(xlsx_file)
    first = _answer(csv_file, out)
    other = _answer(xlsx_file, out)
    assert first != other and first.name.startswith("feedback_st.csv_")
    assert other.name.startswith("feedback_st.xlsx_")
    csv_file.write_text("Invoice Number,Quantity\nINV-1,many\n")  # sent again, corrected
    again = _answer(csv_file, out)
    assert again not in (first, other)
    assert {p.name for p in out.iterdir()} == {
        f"{p.stem}{suffix}" for p in (first, other, again) for suffix in (".xlsx", ".json")
    }
    assert _answer(csv_file, out) == again  # the same file, the same answer's name


def test_feedback_name_from_a_sent_file_name_windows_refuses(tmp_path):
    sent = tmp_path / 'a:b?"c".csv'
    sent.write_text("Invoice Number,Quantity\nINV-1,lots\n")
    xlsx = _answer(sent, tmp_path / "outbox")
    assert xlsx.parent == tmp_path / "outbox"
    assert name_problem(xlsx.name, limit=255) is None
    assert feedback_stem(sent).startswith("feedback_a_b__c_.csv_")


def test_sheet_titles_excel_accepts(tmp_path):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for text in ("A/B", "A_B", "a_b", "'quoted'", "History", "x" * 40, "x" * 40, ""):
        wb.create_sheet(sheet_title(wb, text))
    titles = wb.sheetnames
    assert titles[:5] == ["A_B", "A_B (2)", "a_b (3)", "quoted", "History_"]
    assert titles[5] == "x" * 31 and titles[6] == "x" * 27 + " (2)" and titles[7] == "Sheet"
    wb.save(tmp_path / "t.xlsx")
    assert openpyxl.load_workbook(tmp_path / "t.xlsx").sheetnames == wb.sheetnames

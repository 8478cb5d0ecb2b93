"""Nothing in force is replaced silently: a report much smaller than the one in force, one
that empties a sheet, or one older than the report in force is held for the analyst, who
accepts or rejects it; a refusal quotes the first error."""

from __future__ import annotations

import itertools
import json
import os
import signal
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from helpers import ledger_snapshot, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channelxl.commands.held import accept_held, list_held, reject_held
from channelxl.commands.ingest import ingest
from channelxl.commands.template import write_templates
from channelxl.core.periods import Month
from channelxl.errors import ChannelxlError
from channelxl.ledger import Ledger
from channelxl.ledger.ingest_file import ingest_file

TODAY = date(2026, 11, 25)
HEADER = "Invoice Date,Invoice Number,Reseller ID,SKU,Quantity,Unit Price,Currency\n"
SCOPED = "Distributor ID,Period," + HEADER


@pytest.fixture
def d001(small_channel):
    """A reseller D001 may sell to and an active SKU: lines that load without an error."""
    reseller = next(
        r for r in small_channel.program["resellers"] if "D001" in r["authorized_distributors"]
    )
    sku = next(p["sku"] for p in small_channel.program["products"] if p["active"] == "Y")
    return reseller["reseller_id"], sku


def stamp(path, when: datetime):
    os.utime(path, (when.timestamp(), when.timestamp()))
    return path


def report(path, d001, lines: int, *, tag: str, month="2025-01", when=None, scoped=False):
    """A sell-through CSV of ``lines`` good lines (invoice numbers tagged so files differ)."""
    reseller, sku = d001
    prefix = f"D001,{month}," if scoped else ""
    body = "".join(
        f"{prefix}{month}-15,INV-{tag}-{k},{reseller},{sku},1,2500.00,USD\n" for k in range(lines)
    )
    header = SCOPED if scoped else HEADER
    if not lines:  # empty reports for two months would be the same bytes: a repeat
        header = header.replace("\n", f",Note {tag}\n")
    path.write_text(header + body)
    return stamp(path, when or datetime(2025, 2, 3))


def load(led, path, month="2025-01", **kw):
    return ingest_file(led, path, distributor="D001", period=month, today=TODAY, **kw)


def in_force(led, view="sell_through") -> list:
    return sorted(
        led.con.execute(f"SELECT * EXCLUDE (submission_id) FROM {view}").fetchall(), key=repr
    )


def periods(led) -> list:
    return sorted(led.con.execute("SELECT * FROM submission_periods").fetchall())


@pytest.mark.parametrize(
    ("before", "after", "held"),
    [(276, 1, True), (6, 2, True), (1, 0, True), (7, 3, True), (6, 3, False), (2, 1, False)],
)
def test_a_much_smaller_resubmission_is_held_and_nothing_in_force_changes(
    empty_workspace, tmp_path, d001, before, after, held
):
    first = report(tmp_path / "v1.csv", d001, before, tag="a", when=datetime(2025, 2, 3))
    second = report(tmp_path / "v2.csv", d001, after, tag="b", when=datetime(2025, 2, 4))
    with empty_workspace.open_ledger() as led:
        a = load(led, first)
        assert a.status == "accepted"
        was, was_periods = in_force(led), periods(led)
        b = load(led, second)
        if not held:  # half or more: replaces as before
            assert b.status == "accepted" and b.superseded == [a.submission_id]
            assert len(in_force(led)) == after
            return
        assert b.status == "held" and not b.ok and b.superseded == []
        assert in_force(led) == was and periods(led) == was_periods
        text = b.summary()
        assert "HELD" in text and f"{after} line(s) where submission {a.submission_id}" in text
        assert f"has {before:,} (fewer than half)" in text
        # the lines are kept, not in force; the submission says it is held
        assert led.con.execute(
            "SELECT status, lines_loaded FROM submissions WHERE submission_id = ?",
            [b.submission_id],
        ).fetchone() == ("held", after)
        kept = led.con.execute(
            "SELECT count(*) FROM sell_through_lines WHERE submission_id = ?", [b.submission_id]
        ).fetchone()[0]
        assert kept == after
        assert [f.submission_id for f in list_held(led).files] == [b.submission_id]


def test_a_first_report_for_a_month_is_never_held_even_empty(empty_workspace, tmp_path, d001):
    with empty_workspace.open_ledger() as led:
        r = load(led, report(tmp_path / "nothing.csv", d001, 0, tag="x"))
        assert r.status == "accepted" and r.lines_read == 0
        assert periods(led) == [(r.submission_id, "sell_through", "D001", "2025-01", None)]
        assert list_held(led).files == []


def test_an_older_report_loaded_after_its_correction_is_held(empty_workspace, tmp_path, d001):
    correction = report(tmp_path / "fixed.csv", d001, 5, tag="new", when=datetime(2025, 2, 6, 9))
    original = report(tmp_path / "orig.csv", d001, 5, tag="old", when=datetime(2025, 2, 3, 17))
    with empty_workspace.open_ledger() as led:
        new = load(led, correction)
        was = in_force(led)
        old = load(led, original)
        assert old.status == "held" and in_force(led) == was
        assert "received 2025-02-03 17:00, before submission" in old.summary()
        assert "(received 2025-02-06 09:00)" in old.summary()
        assert f"submission {new.submission_id} in force" in old.summary()
        # the sender is told in their words: no submission number, no command line
        message = old.outcome()["message"]
        assert "waiting for the vendor's analyst" in message and "2025-02-06 09:00" in message
        assert not any(w in message for w in ("submission", "channelxl", "--"))
        # the same time is not older: received_at given on the command line
        again = report(tmp_path / "same.csv", d001, 5, tag="same")
        same = load(led, again, received_at=datetime(2025, 2, 6, 9))
        assert same.status == "accepted" and same.superseded == [new.submission_id]


def test_the_same_second_is_not_older_whatever_precision_each_clue_has(
    empty_workspace, tmp_path, d001
):
    # the original's time is a file modification time (10:04:54.032); its correction was
    # saved in the same second and a workbook's saved stamp keeps whole seconds (10:04:54)
    original = report(
        tmp_path / "v1.csv", d001, 5, tag="a", when=datetime(2025, 2, 6, 10, 4, 54, 32000)
    )
    correction = report(tmp_path / "v2.csv", d001, 5, tag="b")
    with empty_workspace.open_ledger() as led:
        a = load(led, original)
        b = load(led, correction, received_at=datetime(2025, 2, 6, 10, 4, 54))
        assert b.status == "accepted" and b.superseded == [a.submission_id]
        # one second earlier is older
        late = report(tmp_path / "v0.csv", d001, 5, tag="c")
        c = load(led, late, received_at=datetime(2025, 2, 6, 10, 4, 53, 999999))
        assert c.status == "held"


def test_accepting_applies_the_supersede_as_a_normal_load_would(empty_workspace, tmp_path, d001):
    first = report(tmp_path / "v1.csv", d001, 6, tag="a", when=datetime(2025, 2, 3))
    second = report(tmp_path / "v2.csv", d001, 1, tag="b", when=datetime(2025, 2, 4))
    with empty_workspace.open_ledger() as led:
        a, b = load(led, first), load(led, second)
        assert b.status == "held"
        decided = accept_held(led, b.submission_id)
        assert decided.decision.superseded == [a.submission_id]
        text = decided.summary()
        assert "accepted" in text and f"supersedes submission {a.submission_id}" in text
        # as if it had loaded normally: its lines in force, the earlier report superseded
        assert [
            r[0] for r in led.con.execute("SELECT invoice_number FROM sell_through").fetchall()
        ] == ["INV-b-0"]
        assert led.con.execute(
            "SELECT submission_id, status, superseded_by FROM submissions WHERE kind = "
            "'sell_through' ORDER BY 1"
        ).fetchall() == [
            (a.submission_id, "accepted", b.submission_id),
            (b.submission_id, "accepted", None),
        ]
        assert periods(led) == [
            (a.submission_id, "sell_through", "D001", "2025-01", b.submission_id),
            (b.submission_id, "sell_through", "D001", "2025-01", None),
        ]
        assert list_held(led).files == []
        with pytest.raises(ChannelxlError, match="is not held: it was accepted on"):
            reject_held(led, b.submission_id)


def test_rejecting_keeps_the_report_in_force_and_the_provenance(empty_workspace, tmp_path, d001):
    first = report(tmp_path / "v1.csv", d001, 6, tag="a", when=datetime(2025, 2, 3))
    second = report(tmp_path / "v2.csv", d001, 0, tag="b", when=datetime(2025, 2, 4))
    with empty_workspace.open_ledger() as led:
        a, b = load(led, first), load(led, second)
        assert b.status == "held" and "0 line(s)" in b.summary()
        was, was_periods = in_force(led), periods(led)
        text = reject_held(led, b.submission_id).summary()
        assert f"submission {a.submission_id} stays in force" in text
        assert in_force(led) == was and periods(led) == was_periods
        row = led.con.execute(
            "SELECT file_name, sha256 IS NOT NULL, status FROM submissions WHERE submission_id = ?",
            [b.submission_id],
        ).fetchone()
        assert row == ("v2.csv", True, "rejected")
        decision = led.con.execute(
            "SELECT decision, decided_at IS NOT NULL FROM submission_holds WHERE submission_id = ?",
            [b.submission_id],
        ).fetchall()
        assert decision == [("rejected", True)]
        # the same bytes again: unchanged, and it says why
        again = load(led, second)
        assert again.status == "duplicate" and "rejected by the analyst" in again.message
        with pytest.raises(ChannelxlError, match="not held: it was rejected"):
            accept_held(led, b.submission_id)
        with pytest.raises(ChannelxlError, match="there is no submission 999"):
            accept_held(led, 999)


def test_a_repeat_of_a_held_file_says_it_is_waiting(empty_workspace, tmp_path, d001):
    first = report(tmp_path / "v1.csv", d001, 4, tag="a", when=datetime(2025, 2, 3))
    second = report(tmp_path / "v2.csv", d001, 1, tag="b", when=datetime(2025, 2, 4))
    with empty_workspace.open_ledger() as led:
        load(led, first)
        held = load(led, second)
        before = ledger_snapshot(led)
        again = load(led, second)
        assert again.status == "duplicate" and again.submission_id == held.submission_id
        assert "held, waiting for the analyst" in again.message
        assert ledger_snapshot(led) == before


def test_a_newer_report_arriving_while_one_is_held_is_shown_when_deciding(
    empty_workspace, tmp_path, d001
):
    with empty_workspace.open_ledger() as led:
        a = load(led, report(tmp_path / "a.csv", d001, 6, tag="a", when=datetime(2025, 2, 3)))
        b = load(led, report(tmp_path / "b.csv", d001, 1, tag="b", when=datetime(2025, 2, 4)))
        c = load(led, report(tmp_path / "c.csv", d001, 6, tag="c", when=datetime(2025, 2, 5)))
        assert (b.status, c.status) == ("held", "accepted") and c.superseded == [a.submission_id]
        (waiting,) = list_held(led).files
        assert (
            f"submission {c.submission_id} is in force now (submission {a.submission_id} was"
            in (waiting.summary())
        )


# ------------------------------------------------------------------ returned templates


@pytest.fixture
def template(empty_workspace, tmp_path, d001):
    with empty_workspace.open_ledger() as led:
        (path,) = write_templates(
            led, Month.parse("2025-02"), tmp_path / "sent", distributors=["D001"]
        ).paths
    return path


def fill(template, out, sell_through, inventory, when):
    wb = openpyxl.load_workbook(template)
    for sheet, rows in (("SellThrough", sell_through), ("Inventory", inventory)):
        for i, row in enumerate(rows, start=2):
            for j, value in enumerate(row, start=1):
                wb[sheet].cell(row=i, column=j, value=value)
    wb.save(out)
    return stamp(out, when)


def st_line(d001, invoice, qty=3):
    reseller, sku = d001
    return [datetime(2025, 2, 5), invoice, reseller, None, None, None, None, None, sku, qty, 2500.0]


@pytest.mark.parametrize("how", ["empty", "every line quarantined"])
def test_a_template_that_empties_one_sheet_is_held_and_its_sender_told(
    empty_workspace, template, tmp_path, d001, how
):
    sku = d001[1]
    full = fill(
        template,
        tmp_path / "v1.xlsx",
        [[*st_line(d001, f"INV-{k}"), "USD"] for k in range(4)],
        [(sku, 40, 5)],
        datetime(2025, 3, 5),
    )
    rows = [] if how == "empty" else [[*st_line(d001, "INV-9", qty="lots"), "USD"]]
    careless = fill(template, tmp_path / "v2.xlsx", rows, [(sku, 41, 0)], datetime(2025, 3, 6))
    outbox = tmp_path / "outbox"
    with empty_workspace.open_ledger() as led:
        assert ingest_file(led, full, today=TODAY).status == "accepted"
        st_was, inv_was, was_periods = in_force(led), in_force(led, "inventory"), periods(led)
        (r,) = ingest(led, [careless], today=TODAY, feedback_dir=outbox).results
        assert r.status == "held", r.summary()
        # the whole file waits: neither sheet replaced
        assert in_force(led) == st_was and in_force(led, "inventory") == inv_was
        assert periods(led) == was_periods
        assert "Sell-through report D001 2025-02: 0 line(s)" in r.summary()
    feedback = json.loads(Path(r.feedback).with_suffix(".json").read_text())
    assert feedback["status"] == "held"
    assert "waiting for the vendor's analyst" in feedback["message"]
    assert "Sell-through report D001 2025-02 is empty" in feedback["message"]
    assert not any(w in feedback["message"] for w in ("submission", "channelxl", "--"))
    rows = [[c.value for c in row] for row in openpyxl.load_workbook(r.feedback)["Issues"].rows]
    (note,) = [row for row in rows if "FILE" in row]
    assert "SellThrough" in note and "warning" in note
    assert any("waiting for the vendor's analyst" in str(v) for v in note)


MONTHS = itertools.count()  # each example its own month, in one ledger


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    before=st.integers(0, 9),
    after=st.integers(0, 9),
    older=st.booleans(),
    accept=st.booleans(),
)
def test_the_hold_rule_and_the_decision_as_a_property(
    empty_workspace, tmp_path, d001, before, after, older, accept
):
    """Held exactly when 2 x new < lines in force, or received earlier; what is in force is
    then the earlier report until accepted, the new one after."""
    month = str(Month.parse("2019-01") + next(MONTHS))
    first = report(
        tmp_path / "first.csv",
        d001,
        before,
        tag=f"a{month}",
        month=month,
        when=datetime(2025, 2, 3),
    )
    second = report(
        tmp_path / "second.csv",
        d001,
        after,
        tag=f"b{month}",
        month=month,
        when=datetime(2025, 2, 2 if older else 4),
    )
    mine = f"SELECT invoice_number FROM sell_through WHERE period = '{month}' ORDER BY 1"
    with empty_workspace.open_ledger() as led:
        a = load(led, first, month)
        assert a.status == "accepted"  # a first report, even empty
        old = led.con.execute(mine).fetchall()
        b = load(led, second, month)
        assert (b.status == "held") == (2 * after < before or older)
        new = led.con.execute(
            "SELECT invoice_number FROM sell_through_lines WHERE submission_id = ? ORDER BY 1",
            [b.submission_id],
        ).fetchall()
        if b.status == "held":
            assert led.con.execute(mine).fetchall() == old
            (accept_held if accept else reject_held)(led, b.submission_id)
            assert led.con.execute(mine).fetchall() == (new if accept else old)
        else:
            assert led.con.execute(mine).fetchall() == new


# ------------------------------------------------------------------ one transaction


@pytest.mark.parametrize("point", ["after-insert", "before-commit"])
def test_a_held_load_killed_leaves_the_ledger_and_the_inbox_as_they_were(
    empty_workspace, d001, point
):
    root = empty_workspace.root
    report(root / "inbox" / "v1.csv", d001, 6, tag="a", scoped=True, when=datetime(2025, 2, 3))
    assert run_cli("ingest", cwd=root).returncode == 0
    smaller = report(
        root / "inbox" / "v2.csv", d001, 1, tag="b", scoped=True, when=datetime(2025, 2, 4)
    )
    with Ledger.open(empty_workspace.ledger_path) as led:
        before = ledger_snapshot(led)
    killed = run_cli("ingest", cwd=root, env={"CHANNELXL_KILL_AT": point})
    assert killed.returncode == -signal.SIGKILL
    with Ledger.open(empty_workspace.ledger_path) as led:
        assert ledger_snapshot(led) == before
    assert smaller.exists()  # not moved: it will be answered next time


# ------------------------------------------------------------------ the command line


def test_held_files_on_the_command_line(empty_workspace, d001):
    root, inbox = empty_workspace.root, empty_workspace.inbox
    report(inbox / "st.csv", d001, 6, tag="a", scoped=True, when=datetime(2025, 2, 3))
    first = run_cli("ingest", cwd=root)
    assert first.returncode == 0, first.stderr
    report(inbox / "st.csv", d001, 2, tag="b", scoped=True, when=datetime(2025, 2, 4))
    r = run_cli("ingest", "--quiet", cwd=root)
    # loud: on stderr, with what to do, and exit code 3
    assert r.returncode == 3, r.stdout + r.stderr
    assert "st.csv: HELD for the analyst" in r.stderr and "fewer than half" in r.stderr
    assert "channelxl held accept 3" in r.stderr and "1 held for the analyst" in r.stdout
    assert (inbox / "held" / "st.csv").exists() and not (inbox / "st.csv").exists()
    # still waiting: said again on every run, and the exit code stays 3
    again = run_cli("ingest", cwd=root)
    assert again.returncode == 3 and "Nothing new" in again.stdout
    assert "1 report(s) held, waiting for your decision" in again.stderr
    listed = run_cli("held", cwd=root)
    assert listed.returncode == 0 and "submission 3: st.csv" in listed.stdout
    assert "2 line(s) where submission 2 in force has 6" in listed.stdout
    wrong = run_cli("held", "reject", "2", cwd=root)
    assert wrong.returncode == 2 and "submission 2 (st.csv) is not held" in wrong.stderr
    assert "Traceback" not in wrong.stderr
    assert run_cli("held", "accept", cwd=root).returncode == 2  # which one?
    ok = run_cli("held", "accept", "3", cwd=root)
    assert ok.returncode == 0, ok.stderr
    assert "accepted" in ok.stdout and "supersedes submission 2" in ok.stdout
    assert (inbox / "processed" / "st (2).csv").exists()  # never over the first st.csv
    assert not (inbox / "held" / "st.csv").exists()
    done = run_cli("ingest", cwd=root)
    assert done.returncode == 0 and "held" not in done.stderr
    assert run_cli("held", cwd=root).stdout.startswith("No report is held")
    help_text = run_cli("held", "--help")
    assert help_text.returncode == 0 and "Example" in help_text.stdout
    assert "held" in run_cli("--help").stdout


# ------------------------------------------------------------------ refusals


def test_a_refusal_quotes_the_first_error_not_a_warning(empty_workspace, tmp_path):
    # the extra column is a warning found before any line is read; every line is bad
    path = tmp_path / "ship.csv"
    path.write_text(
        "Order Number,Order Line,Ship Date,Distributor ID,SKU,Quantity,Unit Price,Currency,Note\n"
        "SO1,1,2026-01-05,D001,SWI-0001,ten,100.50,USD,hello\n"
    )
    with empty_workspace.open_ledger() as led:
        before = ledger_snapshot(led)
        r = ingest_file(led, path, today=TODAY)
        assert ledger_snapshot(led) == before
    assert r.status == "refused"
    assert r.issues[1].severity == "warning"  # what used to be quoted
    assert "the first problem: line 2, column 'Quantity': 'ten' is not a whole number" in (
        r.message
    )
    assert "Note" not in r.message

"""The inbox's life cycle: each file is answered once, then moves on to processed/, refused/
or held/ with its bytes as they were; files that are not reports are answered too."""

from __future__ import annotations

import hashlib
import os
import zipfile
from datetime import date, datetime

import pytest
from helpers import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channelxl.commands.held import accept_held, reject_held
from channelxl.commands.ingest import inbox_files, ingest, move_on
from channelxl.ledger.ingest_file import ingest_file

TODAY = date(2026, 11, 25)
SHIP = "Order Number,Order Line,Ship Date,Distributor ID,SKU,Quantity,Unit Price,Currency\n"
ST = (
    "Distributor ID,Period,Invoice Date,Invoice Number,Reseller ID,SKU,Quantity,Unit Price,"
    "Currency\n"
)


def drop(folder, name, data: bytes | str, when: datetime = datetime(2025, 2, 3)):
    path = folder / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    os.utime(path, (when.timestamp(), when.timestamp()))
    return path


def shipments(order: str) -> str:
    return SHIP + f"{order},1,2026-01-05,D001,SWI-0001,10,100.50,USD\n"


def sell_through(lines: int, tag: str) -> str:
    return ST + "".join(
        f"D001,2025-01,2025-01-15,INV-{tag}-{k},R00001,SWI-0001,1,2500.00,USD\n"
        for k in range(lines)
    )


def fingerprint(path) -> tuple[str, float]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime


def zip_bytes(tmp_path, member: str) -> bytes:
    z = tmp_path / "made.zip"
    with zipfile.ZipFile(z, "w") as f:
        f.writestr(member, shipments("SO9"))
    return z.read_bytes()


def test_each_inbox_file_is_answered_once_and_moves_on(empty_workspace, tmp_path):
    inbox = empty_workspace.inbox
    good = drop(inbox, "ship.csv", shipments("SO1"))
    bad = drop(inbox, "notes.csv", "Hello,World\n1,2\n")
    pdf = drop(inbox, "report.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    docx = drop(inbox, "Report.DOCX", zip_bytes(tmp_path, "word/document.xml"))
    archive = drop(inbox, "reports.zip", zip_bytes(tmp_path, "st.csv"))
    untyped = drop(inbox, "README", "what is this\n")
    before = {p.name: fingerprint(p) for p in (good, bad, pdf, docx, archive, untyped)}
    # not sent by anyone: left alone
    left = [
        drop(inbox, ".DS_Store", b"\0\0"),
        drop(inbox, "~$ship.xlsx", b"lock"),
        drop(inbox, "st.csv.crdownload", "half a download"),
    ]
    with empty_workspace.open_ledger() as led:
        run = ingest(led, inbox=inbox, today=TODAY, feedback_dir=empty_workspace.outbox)
        by_name = {os.path.basename(r.path): r for r in run.results}
        assert set(by_name) == set(before)
        assert by_name["ship.csv"].status == "accepted"
        assert all(by_name[n].status == "refused" for n in set(before) - {"ship.csv"})
        for name, what in (
            ("report.pdf", "report.pdf is a PDF document"),
            ("Report.DOCX", "Report.DOCX is a Word document"),
            ("reports.zip", "reports.zip is an archive; unpack it"),
            ("README", "README is a file without a type"),
        ):
            assert by_name[name].message.startswith("not a report channelxl reads: " + what)
        # the sender of the PDF is answered like any other refused file
        assert by_name["report.pdf"].feedback is not None
        # where each went, with its bytes and time as they were
        assert {p.name: fingerprint(p) for p in (inbox / "processed").iterdir()} == {
            "ship.csv": before["ship.csv"]
        }
        refused = {p.name: fingerprint(p) for p in (inbox / "refused").iterdir()}
        assert refused == {n: f for n, f in before.items() if n != "ship.csv"}
        assert by_name["notes.csv"].moved_to == str(inbox / "refused" / "notes.csv")
        assert all(p.exists() for p in left) and inbox_files(inbox) == []
        # the ledger knows where the loaded file is now
        path = led.con.execute(
            "SELECT file_path FROM submissions WHERE submission_id = ?",
            [by_name["ship.csv"].submission_id],
        ).fetchone()[0]
        assert path == str((inbox / "processed" / "ship.csv").resolve())
        # answered once: the next run has nothing to do
        assert ingest(led, inbox=inbox, today=TODAY).results == []


def test_a_refused_file_dropped_again_is_checked_again_and_names_the_first(empty_workspace):
    inbox = empty_workspace.inbox
    drop(inbox, "notes.csv", "Hello,World\n1,2\n")
    with empty_workspace.open_ledger() as led:
        (first,) = ingest(led, inbox=inbox, today=TODAY).results
        assert first.status == "refused" and "refused before" not in first.message
        drop(inbox, "notes.csv", "Hello,World\n1,2\n")
        (again,) = ingest(led, inbox=inbox, today=TODAY).results
        assert again.status == "refused"
        assert "the same file was refused before, as notes.csv" in again.message
        assert again.moved_to == str(inbox / "refused" / "notes (2).csv")
        # fixed and sent again under the same name: a new file, loaded
        drop(inbox, "notes.csv", shipments("SO1"))
        (fixed,) = ingest(led, inbox=inbox, today=TODAY).results
        assert fixed.status == "accepted" and fixed.moved_to.endswith("processed/notes.csv")
    assert sorted(p.name for p in (inbox / "refused").iterdir()) == ["notes (2).csv", "notes.csv"]


def test_a_repeat_in_the_inbox_is_answered_unchanged_and_moves_to_processed(empty_workspace):
    inbox = empty_workspace.inbox
    drop(inbox, "ship.csv", shipments("SO1"))
    with empty_workspace.open_ledger() as led:
        (first,) = ingest(led, inbox=inbox, today=TODAY).results
        drop(inbox, "ship-copy.csv", shipments("SO1"))
        (repeat,) = ingest(led, inbox=inbox, today=TODAY).results
        assert repeat.status == "duplicate" and repeat.submission_id == first.submission_id
        assert repeat.moved_to == str(inbox / "processed" / "ship-copy.csv")
        # the first file's recorded place is not taken over by its copy
        assert led.con.execute(
            "SELECT file_path FROM submissions WHERE submission_id = ?", [first.submission_id]
        ).fetchone()[0] == str((inbox / "processed" / "ship.csv").resolve())


def test_a_file_loaded_but_not_moved_moves_on_next_time(empty_workspace):
    """A run stopped between the load and the move: next time the file is a repeat, moves
    on, and the ledger records where it went."""
    inbox = empty_workspace.inbox
    path = drop(inbox, "ship.csv", shipments("SO1"))
    with empty_workspace.open_ledger() as led:
        loaded = ingest_file(led, path, today=TODAY)  # loaded, still in the inbox
        (again,) = ingest(led, inbox=inbox, today=TODAY).results
        assert again.status == "duplicate" and again.moved_to == str(inbox / "processed/ship.csv")
        assert led.con.execute(
            "SELECT file_path FROM submissions WHERE submission_id = ?", [loaded.submission_id]
        ).fetchone()[0] == str((inbox / "processed" / "ship.csv").resolve())


def test_files_named_from_elsewhere_stay_where_they_are(empty_workspace, tmp_path):
    outside = drop(tmp_path, "ship.csv", shipments("SO1"))
    pdf = drop(tmp_path, "scan.pdf", b"%PDF-1.7\n")
    inside = drop(empty_workspace.inbox, "more.csv", shipments("SO2"))
    with empty_workspace.open_ledger() as led:
        run = ingest(led, [outside, pdf, inside], inbox=empty_workspace.inbox, today=TODAY)
    assert [r.status for r in run.results] == ["accepted", "refused", "accepted"]
    assert outside.exists() and pdf.exists() and run.results[0].moved_to is None
    assert "not a report channelxl reads" in run.results[1].message
    # a file of the inbox named on the command line is answered, so it moves on too
    assert not inside.exists() and (empty_workspace.inbox / "processed" / "more.csv").exists()


@pytest.mark.parametrize("accept", [True, False])
def test_a_held_file_waits_in_held_and_moves_on_when_decided(empty_workspace, accept):
    inbox = empty_workspace.inbox
    drop(inbox, "st.csv", sell_through(6, "a"), datetime(2025, 2, 3))
    with empty_workspace.open_ledger() as led:
        ingest(led, inbox=inbox, today=TODAY)
        drop(inbox, "st.csv", sell_through(1, "b"), datetime(2025, 2, 4))
        (held,) = ingest(led, inbox=inbox, today=TODAY).results
        assert held.status == "held" and held.moved_to == str(inbox / "held" / "st.csv")
        bytes_were = fingerprint(inbox / "held" / "st.csv")
        decided = (accept_held if accept else reject_held)(led, held.submission_id, inbox=inbox)
        where = inbox / ("processed/st (2).csv" if accept else "rejected/st.csv")
        assert decided.moved_to == where and fingerprint(where) == bytes_were
        assert str(where) in decided.summary()
        assert not (inbox / "held" / "st.csv").exists()
        assert led.con.execute(
            "SELECT file_path FROM submissions WHERE submission_id = ?", [held.submission_id]
        ).fetchone()[0] == str(where.resolve())


def test_a_held_file_named_from_elsewhere_is_not_moved_when_decided(empty_workspace, tmp_path):
    first = drop(tmp_path, "v1.csv", sell_through(6, "a"), datetime(2025, 2, 3))
    second = drop(tmp_path, "v2.csv", sell_through(1, "b"), datetime(2025, 2, 4))
    with empty_workspace.open_ledger() as led:
        ingest_file(led, first, today=TODAY)
        held = ingest_file(led, second, today=TODAY)
        decided = accept_held(led, held.submission_id, inbox=empty_workspace.inbox)
    assert decided.moved_to is None and second.exists()


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.sampled_from(["st.csv", "st (2).csv", "report", ".csv", "a.b.xlsx", "r é.csv"]),
    already=st.lists(st.binary(min_size=1, max_size=8), max_size=4),
    contents=st.lists(st.binary(min_size=1, max_size=8), min_size=1, max_size=4),
)
def test_moving_on_never_overwrites_and_keeps_every_byte(tmp_path_factory, name, already, contents):
    """Files of one name moved into a folder that may hold that name already: every file
    there afterwards, each under its own name, none changed."""
    root = tmp_path_factory.mktemp("move")
    folder = root / "processed"
    folder.mkdir()
    for k, data in enumerate(already):
        (folder / (name if k == 0 else f"{k}-{name}")).write_bytes(data)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    moved = {}
    for data in contents:
        (root / name).write_bytes(data)
        target = move_on(root / name, folder)
        assert target.parent == folder and target.name not in before and target.name not in moved
        moved[target.name] = data
        assert not (root / name).exists()
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == {**before, **moved}


def test_the_inbox_as_a_user_runs_it(empty_workspace, tmp_path):
    root, inbox = empty_workspace.root, empty_workspace.inbox
    drop(inbox, "ship.csv", shipments("SO1"))
    drop(inbox, "statement.pdf", b"%PDF-1.7\n")
    r = run_cli("ingest", cwd=root)
    assert r.returncode == 2, r.stdout + r.stderr  # one file refused
    assert "statement.pdf: REFUSED — not a report channelxl reads" in r.stderr
    assert f"moved to {inbox / 'refused' / 'statement.pdf'}" in r.stderr
    assert "1 accepted" in r.stdout and "Traceback" not in r.stderr
    again = run_cli("ingest", cwd=root)
    assert again.returncode == 0 and "Nothing new" in again.stdout


def test_feedback_on_the_vendors_own_export_is_not_put_in_the_outbox(empty_workspace):
    """An ERP export names many distributors: its feedback goes to reports/feedback/, while a
    distributor's own report's feedback waits in outbox/ to be sent back."""
    root = empty_workspace.root
    inbox = root / "inbox"
    drop(
        inbox,
        "erp.csv",
        SHIP + "SO-1,1,2026-01-05,D001,SWI-0001,10,100.50,USD\n"
        "SO-1,2,2026-01-05,D002,SWI-0001,1.5,100.50,USD\n",
    )
    drop(
        inbox,
        "st.csv",
        ST + "D001,2025-01,2025-01-10,I-1,R00001,SWI-0001,2.5,10.00,USD\n"
        "D001,2025-01,2025-01-10,I-2,R00001,SWI-0001,2,10.00,USD\n",
    )
    r = run_cli("ingest", cwd=root)
    assert r.returncode == 0, r.stderr
    outbox = sorted(p.name for p in (root / "outbox").glob("feedback_*"))
    vendor = sorted(p.name for p in (root / "reports" / "feedback").glob("feedback_*"))
    assert [n for n in outbox if n.startswith("feedback_st.csv_")] and not [
        n for n in outbox if n.startswith("feedback_erp.csv_")
    ]
    assert [n for n in vendor if n.startswith("feedback_erp.csv_")]
    assert not [n for n in vendor if n.startswith("feedback_st.csv_")]

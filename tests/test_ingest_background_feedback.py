"""Feedback written in a background process (``io.feedback_writer``) while the next files
load: the analyst and the senders see the same as when each is written at once: the same
answers in the same order, the same feedback workbooks, the same words when one could not
be written, and every file moved on only once its feedback exists."""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from channelxl.commands.ingest import ingest
from channelxl.io.feedback_workbook import feedback_stem
from channelxl.workspace import Workspace, init

HEADER = "Distributor ID,Period,Invoice Date,Invoice Number,Reseller ID,SKU,Quantity,Unit Price,Currency\n"
TEMPORARY = re.compile(r"\.feedback_[^ )]*\.tmp\.xlsx")
SHIP = "Order Number,Order Line,Ship Date,Distributor ID,SKU,Quantity,Unit Price,Currency\n"


def _inbox(root: Path, small_channel) -> Workspace:
    """Nine files in the order they came in: reports with quarantined lines (feedback), clean
    ones (none), a PDF refused twice under two names (the second answer names the first),
    and one whose feedback cannot be written (a folder stands where it goes)."""
    init(root, rows=small_channel.program, settings=small_channel.settings)
    ws = Workspace.find(root)
    files = {
        "a_st.csv": HEADER + "D001,2025-01,2025-01-15,I-1,R00001,SWI-0001,1.5,2500.00,USD\n"
        "D001,2025-01,2025-01-15,I-2,R00001,SWI-0001,2,2500.00,USD\n",
        "b_ship.csv": SHIP + "SO1,1,2026-01-05,D001,SWI-0001,10,100.50,USD\n",
        "c_brochure.pdf": "%PDF-1.4 not a report\n",
        "d_st.csv": HEADER + "D001,2025-02,2025-02-15,I-3,R00001,SWI-0001,ten,2500.00,USD\n"
        "D001,2025-02,2025-02-15,I-4,R00001,NOPE-1,2,2500.00,USD\n"
        "D001,2025-02,2025-02-16,I-5,R00001,SWI-0001,4,2500.00,USD\n",
        "e_brochure copy.pdf": "%PDF-1.4 not a report\n",
        "f_ship.csv": SHIP + "SO2,1,2026-01-06,D001,SWI-0001,3,100.50,USD\n",
        "g_st.csv": HEADER + "D001,2025-03,2025-03-15,I-6,R00001,SWI-0001,2.5,2500.00,USD\n"
        "D001,2025-03,2025-03-15,I-7,R00001,SWI-0001,2,2500.00,USD\n",
        "h_ship.csv": SHIP + "SO3,1,2026-01-07,D001,SWI-0001,x,100.50,USD\n",
        "i_ship.csv": SHIP + "SO4,1,2026-01-08,D001,SWI-0001,5,100.50,USD\n",
    }
    for n, (name, text) in enumerate(files.items()):
        path = ws.inbox / name
        path.write_text(text)
        when = datetime(2025, 4, 1, 9, n).timestamp()
        os.utime(path, (when, when))
    (ws.outbox / f"{feedback_stem(ws.inbox / 'g_st.csv')}.xlsx").mkdir(parents=True)
    return ws


def _run(ws: Workspace, workers: int) -> tuple[list, list[str]]:
    said: list[str] = []
    with ws.open_ledger() as led:
        run = ingest(
            led,
            inbox=ws.inbox,
            feedback_dir=ws.outbox,
            feedback_workers=workers,
            # a file is said once its feedback is written and it has moved on
            progress=lambda r: said.append(
                f"{Path(r.path).name} {r.status} feedback={bool(r.feedback)} "
                f"there={bool(r.feedback) and Path(r.feedback).is_file()} "
                f"moved={r.moved_to is not None and Path(r.moved_to).is_file()}"
            ),
        )
    root = str(ws.root)
    answers = [
        (
            Path(r.path).name,
            r.status,
            r.message.replace(root, "ROOT"),
            r.feedback and Path(r.feedback).name,
            # the temporary file's name holds its process's number
            r.feedback_error and TEMPORARY.sub("TEMP", r.feedback_error.replace(root, "ROOT")),
            r.moved_to and str(Path(r.moved_to).relative_to(ws.root)),
        )
        for r in run.results
    ]
    return answers, said


def _values(path: Path) -> dict:
    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


@pytest.mark.parametrize("workers", [1, 2])
def test_background_feedback_is_the_same_as_feedback_written_one_by_one(
    tmp_path, small_channel, workers
):
    at_once, background = (_inbox(tmp_path / n, small_channel) for n in ("once", "bg"))
    answers, said = _run(at_once, workers=0)
    answers_bg, said_bg = _run(background, workers=workers)
    assert answers_bg == answers
    assert said_bg == said
    by_name = {a[0]: a for a in answers}
    # what each file got, as an analyst reads it
    assert [a[0] for a in answers] == sorted(by_name)  # in the order they came in
    assert by_name["a_st.csv"][3].startswith("feedback_a_st.csv_")
    assert by_name["b_ship.csv"][3] is None  # nothing to say to its sender
    assert by_name["c_brochure.pdf"][1] == "refused"
    assert (
        "the same file was refused before, as c_brochure.pdf" in by_name["e_brochure copy.pdf"][2]
    )
    assert by_name["g_st.csv"][4].startswith(
        "the feedback for its sender could not be written: Is a directory"
    )
    assert by_name["g_st.csv"][5] == "inbox/processed/g_st.csv"  # answered all the same
    assert by_name["h_ship.csv"][3] is not None and by_name["i_ship.csv"][3] is None
    # each file moved on only once its feedback was there
    assert all("moved=True" in s for s in said)
    assert all("there=True" in s for s in said if "feedback=True" in s)
    # and the sender's workbooks hold the same
    for name, *_, feedback, _, _ in answers:
        if feedback:
            assert _values(background.outbox / feedback) == _values(at_once.outbox / feedback)
            json_name = feedback.removesuffix(".xlsx") + ".json"
            assert (background.outbox / json_name).read_text() == (
                at_once.outbox / json_name
            ).read_text(), name

"""When the vendor received a report: recorded with its source (an override, a saved
e-mail, the workbook's own save time, the file's modification time), shown, corrected by
the analyst with a reason and a name (the original kept), and used for lateness."""

from __future__ import annotations

import os
import re
import zipfile
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage

import openpyxl
import pytest
from helpers import run_cli
from hypothesis import given
from hypothesis import strategies as st

from channelxl.commands.ingest import ingest
from channelxl.commands.received_at import correct_received, show_received
from channelxl.commands.template import write_templates
from channelxl.core.periods import Month, Quarter
from channelxl.core.received_dates import (
    MAIL_DATE,
    MAIL_SERVER,
    MODIFIED,
    OVERRIDE,
    SAVED,
    received_date,
)
from channelxl.errors import ChannelxlError
from channelxl.io import mail as mail_module
from channelxl.ledger.figures import quarters_figures

Q1 = Quarter(2025, 1)
HEADER = "Distributor ID,Period,Invoice Date,Invoice Number,Reseller ID,SKU,Quantity,Unit Price,Currency\n"


def utc(*args) -> datetime:
    """A UTC wall time as the naive local time channelxl records."""
    return datetime(*args, tzinfo=UTC).astimezone().replace(tzinfo=None)


def stamp(path, when: datetime):
    os.utime(path, (when.timestamp(), when.timestamp()))
    return path


@pytest.fixture
def d001(small_channel):
    reseller = next(
        r for r in small_channel.program["resellers"] if "D001" in r["authorized_distributors"]
    )
    sku = next(p["sku"] for p in small_channel.program["products"] if p["active"] == "Y")
    return reseller["reseller_id"], sku


def csv_report(d001, month="2025-02", tag="a", lines=2) -> bytes:
    reseller, sku = d001
    body = "".join(
        f"D001,{month},{month}-15,INV-{tag}-{k},{reseller},{sku},1,2500.00,USD\n"
        for k in range(lines)
    )
    return (HEADER + body).encode()


def timeliness(led, month="2025-02"):
    f = quarters_figures(led, [Q1])[(str(Q1), "D001")]
    return month in f.late_months, f.received_notes.get(month, "")


# ------------------------------------------------------------------ the rule
MODIFIED_AT = datetime(2025, 3, 14, 9, 0)
MONTH_START = date(2025, 2, 1)


@pytest.mark.parametrize(
    "saved, created, expected",
    [
        (datetime(2025, 3, 8, 10), datetime(2025, 2, 1, 8), (datetime(2025, 3, 8, 10), SAVED)),
        # saved after it was dropped into the inbox: the save is not evidence
        (datetime(2025, 3, 15), datetime(2025, 2, 1, 8), (MODIFIED_AT, MODIFIED)),
        # never saved by the distributor: the template keeps the vendor's own stamps
        (datetime(2025, 2, 1, 8), datetime(2025, 2, 1, 8), (MODIFIED_AT, MODIFIED)),
        # saved before the report's month began: a stale copy, not this report
        (datetime(2025, 1, 20), datetime(2025, 1, 2), (MODIFIED_AT, MODIFIED)),
        (None, None, (MODIFIED_AT, MODIFIED)),
    ],
)
def test_the_rule(saved, created, expected):
    got = received_date(MODIFIED_AT, saved=saved, created=created, month_start=MONTH_START)
    assert got == expected
    given_at = datetime(2025, 3, 9)
    assert received_date(MODIFIED_AT, given=given_at, saved=saved) == (given_at, OVERRIDE)


moments = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2027, 1, 1))


@given(modified=moments, saved=st.none() | moments, created=st.none() | moments)
def test_property_never_later_than_the_inbox_nor_earlier_than_the_save(modified, saved, created):
    at, source = received_date(modified, saved=saved, created=created, month_start=MONTH_START)
    assert at <= modified  # the vendor had it by the time it was in the inbox
    assert source in (SAVED, MODIFIED)
    if source == SAVED:
        assert at == saved and (created is None or saved > created)


# ------------------------------------------------------------------ a workbook's own save time
def with_core_stamps(path, created: str, modified: str):
    """Rewrite the workbook's docProps/core.xml stamps, as Excel writes them on a save."""
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    core = parts["docProps/core.xml"].decode()
    core = re.sub(r"(<dcterms:created[^>]*>)[^<]*", rf"\g<1>{created}", core)
    core = re.sub(r"(<dcterms:modified[^>]*>)[^<]*", rf"\g<1>{modified}", core)
    parts["docProps/core.xml"] = core.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def returned_template(empty_workspace, tmp_path, d001, name):
    with empty_workspace.open_ledger() as led:
        (sent,) = write_templates(
            led, Month.parse("2025-02"), tmp_path / "sent", distributors=["D001"]
        ).paths
    reseller, sku = d001
    wb = openpyxl.load_workbook(sent)
    line = [
        datetime(2025, 2, 5),
        f"INV-{name}",
        reseller,
        None,
        None,
        None,
        None,
        None,
        sku,
        3,
        2500.0,
        "USD",
    ]
    for j, value in enumerate(line, start=1):
        wb["SellThrough"].cell(row=2, column=j, value=value)
    out = tmp_path / f"{name}.xlsx"
    wb.save(out)
    return out


def test_a_template_saved_on_time_but_dropped_in_late_is_on_time(empty_workspace, tmp_path, d001):
    # due 2025-03-10 (end of day); saved by the distributor on the 8th, in the inbox on the 14th
    path = returned_template(empty_workspace, tmp_path, d001, "saved")
    with_core_stamps(path, "2025-02-01T08:00:00Z", "2025-03-08T10:00:00Z")
    stamp(path, MODIFIED_AT)
    with empty_workspace.open_ledger() as led:
        (result,) = ingest(led, [path]).results
        assert result.status == "accepted"
        assert (result.received_at, result.received_source) == (utc(2025, 3, 8, 10), SAVED)
        assert "received 2025-03-08" in result.summary()
        late, note = timeliness(led)
        assert not late
        assert note.startswith(f"received {utc(2025, 3, 8, 10):%Y-%m-%d %H:%M}, {SAVED}")


def test_a_template_the_distributor_never_saved_is_judged_by_the_file_time(
    empty_workspace, tmp_path, d001
):
    path = returned_template(empty_workspace, tmp_path, d001, "unsaved")
    with_core_stamps(path, "2025-02-01T08:00:00Z", "2025-02-01T08:00:00Z")
    stamp(path, MODIFIED_AT)
    with empty_workspace.open_ledger() as led:
        (result,) = ingest(led, [path]).results
        assert (result.received_at, result.received_source) == (MODIFIED_AT, MODIFIED)
        late, note = timeliness(led)
        assert late and note == f"received 2025-03-14 09:00, {MODIFIED}; due 2025-03-10"


# ------------------------------------------------------------------ e-mail
def mail(attachments=(), *, date="Sat, 08 Mar 2025 10:00:00 +0000", received=None, extra=None):
    msg = EmailMessage()
    msg["From"] = "reports@distributor.example"
    msg["To"] = "channel@vendor.example"
    msg["Subject"] = "February report"
    if date is not None:
        msg["Date"] = date
    if received is not None:
        msg["Received"] = received
    msg.set_content("Please find our report attached.")
    for name, data in attachments:
        msg.add_attachment(data, maintype="text", subtype="csv", filename=name)
    if extra:
        extra(msg)
    return msg.as_bytes()


def drop(inbox, name, data, when=MODIFIED_AT):
    path = inbox / name
    path.write_bytes(data)
    return stamp(path, when)


def test_an_eml_is_answered_attachment_by_attachment_at_the_mail_server_time(empty_workspace, d001):
    inbox = empty_workspace.inbox
    received = "from mx.distributor.example by mx.vendor.example; Sun, 09 Mar 2025 11:30:00 +0100"
    drop(
        inbox,
        "Feb report.eml",
        mail(
            [("st_D001_2025-02.csv", csv_report(d001)), ("notes.pdf", b"%PDF-1.4 not a report")],
            received=received,
            extra=lambda m: m.add_attachment(
                b"\x89PNG logo", maintype="image", subtype="png", disposition="inline"
            ),
        ),
    )
    with empty_workspace.open_ledger() as led:
        run = ingest(led, inbox=inbox)
        statuses = {os.path.basename(r.path): r.status for r in run.results}
        # every attached file answered; the signature image shown inline is not an attachment
        assert statuses == {"st_D001_2025-02.csv": "accepted", "notes.pdf": "refused"}
        (loaded,) = [r for r in run.results if r.status == "accepted"]
        # 11:30 at +01:00 is 10:30 UTC
        assert loaded.received_at == utc(2025, 3, 9, 10, 30)
        assert loaded.received_source == f"{MAIL_SERVER} of Feb report.eml"
        row = led.con.execute(
            "SELECT received_at, received_source FROM submissions WHERE submission_id = ?",
            [loaded.submission_id],
        ).fetchone()
        assert row == (utc(2025, 3, 9, 10, 30), f"{MAIL_SERVER} of Feb report.eml")
        assert not timeliness(led)[0]  # due 2025-03-10
    assert (inbox / "processed" / "Feb report.eml").is_file()
    assert (inbox / "processed" / "st_D001_2025-02.csv").is_file()
    assert (inbox / "refused" / "notes.pdf").is_file()
    assert [p.name for p in inbox.iterdir() if p.is_file() or p.name.startswith(".")] == []


def test_an_eml_without_received_header_uses_its_date(empty_workspace, d001):
    inbox = empty_workspace.inbox
    drop(inbox, "feb.eml", mail([("st.csv", csv_report(d001))]))
    with empty_workspace.open_ledger() as led:
        (result,) = ingest(led, inbox=inbox).results
    assert (result.received_at, result.received_source) == (
        utc(2025, 3, 8, 10),
        f"{MAIL_DATE} of feb.eml",
    )


def forward(msg):
    inner = EmailMessage()
    inner["Subject"] = "the original"
    inner.set_content("x")
    msg.add_attachment(inner)


@pytest.mark.parametrize(
    "data, said",
    [
        (mail(), "has no attached file"),
        (mail([("st.csv", b"x")], date="next Tuesday"), "no readable Date or Received header"),
        (mail([("st.csv", b"x")], date=None), "no readable Date or Received header"),
        (mail([("st.csv", b"x")], date="Mon, 01 Jan 2099 10:00:00 +0000"), "dated 2099-01-01"),
        (mail([("st.csv", b"x")], extra=forward), "carries another e-mail"),
        (b"\x00\x01 just some bytes \xff", "not an e-mail message"),
    ],
)
def test_a_hostile_or_useless_eml_is_refused_cleanly(empty_workspace, data, said):
    inbox = empty_workspace.inbox
    drop(inbox, "bad.eml", data)
    with empty_workspace.open_ledger() as led:
        (result,) = ingest(led, inbox=inbox, feedback_dir=empty_workspace.outbox).results
        assert led.con.execute(
            "SELECT count(*) FROM submissions WHERE kind <> 'program'"
        ).fetchone() == (0,)
    assert result.status == "refused" and said in result.message, result.message
    assert (inbox / "refused" / "bad.eml").is_file()
    assert not [p for p in inbox.iterdir() if p.name.startswith(".mail-")]


def test_a_huge_eml_is_refused_before_it_is_parsed(empty_workspace, monkeypatch):
    monkeypatch.setattr(mail_module, "MAX_MAIL_BYTES", 1000)
    drop(empty_workspace.inbox, "huge.eml", mail([("st.csv", b"x" * 5000)]))
    with empty_workspace.open_ledger() as led:
        (result,) = ingest(led, inbox=empty_workspace.inbox).results
    assert result.status == "refused" and "limit for a mail" in result.message
    assert "--received-at" in result.message  # what to do instead


def test_a_deeply_nested_eml_is_refused(empty_workspace):
    def nest(msg):
        part = msg
        for _ in range(12):
            inner = EmailMessage()
            inner.set_content("x")
            inner.make_mixed()
            part.attach(inner)
            part = inner

    drop(empty_workspace.inbox, "deep.eml", mail([("st.csv", b"x")], extra=nest))
    with empty_workspace.open_ledger() as led:
        (result,) = ingest(led, inbox=empty_workspace.inbox).results
    assert result.status == "refused" and "levels deep" in result.message


# ------------------------------------------------------------------ correcting it
@pytest.fixture
def late_feb(empty_workspace, tmp_path, d001):
    """D001's February report loaded as received on 2025-03-14 09:00 (due the 10th)."""
    path = tmp_path / "feb.csv"
    path.write_bytes(csv_report(d001))
    with empty_workspace.open_ledger() as led:
        (result,) = ingest(led, [path], received_at=MODIFIED_AT).results
    return empty_workspace, result.submission_id


def test_cli_correction_makes_the_month_on_time_and_keeps_the_original(late_feb):
    ws, sid = late_feb
    with ws.open_ledger() as led:
        assert timeliness(led)[0]
    out = run_cli(
        "received",
        sid,
        "--on",
        "2025-03-09",
        "--reason",
        "mail arrived on the 9th",
        "--by",
        "A. Jones",
        "--dir",
        ws.root,
    )
    assert out.returncode == 0, out.stderr
    assert "2025-03-14 09:00 (override) -> 2025-03-09 00:00" in out.stdout
    assert "D001 2025-02 sell-through, due 2025-03-10: on time (was late)" in out.stdout
    with ws.open_ledger() as led:
        late, note = timeliness(led)
        assert not late
        assert "corrected by A. Jones" in note and "mail arrived on the 9th" in note
        assert led.con.execute(
            "SELECT received_at, was_received_at, was_source, reason, corrected_by "
            "FROM received_corrections"
        ).fetchall() == [
            (datetime(2025, 3, 9), MODIFIED_AT, OVERRIDE, "mail arrived on the 9th", "A. Jones")
        ]
    shown = run_cli("received", sid, "--dir", ws.root)
    assert shown.returncode == 0
    assert "received 2025-03-09 00:00 (corrected by A. Jones on" in shown.stdout
    assert "A. Jones: 2025-03-14 09:00 (override) -> 2025-03-09 00:00: mail arrived" in shown.stdout


@pytest.mark.parametrize(
    "args, said",
    [
        (["--on", "2099-01-01", "--reason", "x"], "in the future"),
        (["--on", "2025-01-20", "--reason", "x"], "before that month began"),
        (["--on", "2025-03-09"], "say why with --reason"),
        (["--reason", "x"], "go with --on"),
        (["--on", "03/09/2025", "--reason", "x"], "03/09/2025"),
    ],
)
def test_cli_refuses_a_correction_it_cannot_take(late_feb, args, said):
    ws, sid = late_feb
    out = run_cli("received", sid, *args, "--dir", ws.root)
    assert out.returncode == 2 and said in out.stderr, out.stderr
    assert "Traceback" not in out.stderr and "internal error" not in out.stderr
    with ws.open_ledger() as led:
        assert led.con.execute("SELECT count(*) FROM received_corrections").fetchone() == (0,)


def test_cli_unknown_submission(late_feb):
    ws, _ = late_feb
    out = run_cli("received", 999, "--dir", ws.root)
    assert out.returncode == 2 and "there is no submission 999" in out.stderr


def test_a_correction_never_changes_which_report_is_in_force(late_feb, tmp_path, d001):
    ws, first = late_feb
    again = tmp_path / "feb-v2.csv"
    again.write_bytes(csv_report(d001, tag="b"))
    with ws.open_ledger() as led:
        (second,) = ingest(led, [again], received_at=MODIFIED_AT + timedelta(days=1)).results
        in_force = led.con.execute(
            "SELECT submission_id, superseded_by FROM submission_periods ORDER BY ALL"
        ).fetchall()
        assert in_force == [(first, second.submission_id), (second.submission_id, None)]
        # the first now reads as received after the one that replaced it
        done = correct_received(
            led,
            first,
            datetime(2025, 3, 20),
            reason="wrong date",
            by="B. Smith",
            now=datetime(2025, 3, 21),
        )
        assert (
            led.con.execute(
                "SELECT submission_id, superseded_by FROM submission_periods ORDER BY ALL"
            ).fetchall()
            == in_force
        )
        assert any(
            f"submission {second.submission_id} is in force" in n and f"submission {first}" in n
            for n in done.notes
        )
        assert "report in force is unchanged" in done.summary()
        # the month's lateness is its first report's: the second's, received on the 15th
        assert "2025-03-15 09:00" in timeliness(led)[1]
        (record,) = show_received(led, [first]).records
        assert [c.was_received_at for c in record.corrections] == [MODIFIED_AT]


def test_library_refuses_a_blank_reason_or_name(late_feb):
    ws, sid = late_feb
    with ws.open_ledger() as led:
        with pytest.raises(ChannelxlError, match="say why"):
            correct_received(led, sid, datetime(2025, 3, 9), reason="  ")
        with pytest.raises(ChannelxlError, match="say who"):
            correct_received(led, sid, datetime(2025, 3, 9), reason="ok", by=" ")


def test_a_correction_cannot_date_a_report_before_the_lines_it_holds(
    empty_workspace, tmp_path, d001
):
    """A file of October to December 2024 holds invoices of 2024-12-15: it was not received
    on 2024-11-08 (which would make October and November on time)."""
    path = tmp_path / "quarter.csv"
    path.write_bytes(
        HEADER.encode()
        + b"".join(
            csv_report(d001, month, tag=month).split(b"\n", 1)[1]
            for month in ("2024-10", "2024-11", "2024-12")
        )
    )
    with empty_workspace.open_ledger() as led:
        (result,) = ingest(led, [path], received_at=datetime(2025, 1, 20, 9, 0)).results
    sid = result.submission_id
    out = run_cli(
        "received",
        sid,
        "--on",
        "2024-11-08",
        "--reason",
        "x",
        "--by",
        "y",
        "--dir",
        empty_workspace.root,
    )
    assert out.returncode == 2, out.stdout + out.stderr
    assert (
        f"submission {sid} holds lines dated up to 2024-12-15 (Invoice Date, month 2024-12)"
        in out.stderr
    )
    assert "cannot have come in on 2024-11-08" in out.stderr and "Traceback" not in out.stderr
    with empty_workspace.open_ledger() as led:
        assert led.con.execute("SELECT count(*) FROM received_corrections").fetchone() == (0,)
        with pytest.raises(ChannelxlError, match="up to 2024-12-15"):
            correct_received(led, sid, datetime(2024, 12, 14, 23, 0), reason="x", by="y")
        # the day of its last invoice is possible: December is then on time (due 2025-01-10)
        done = correct_received(led, sid, datetime(2024, 12, 15, 18, 0), reason="x", by="y")
    verdicts = {new.month: new.verdict for _, new in done.lateness}
    assert verdicts == {"2024-10": "late", "2024-11": "late", "2024-12": "on time"}

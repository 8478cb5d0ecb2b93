"""A hostile review of the finance features (issue 12): what a careless analyst, a careless
distributor or a hostile sender does, through the CLI as a user types it."""

from __future__ import annotations

import csv
import io
import shutil
from datetime import date, datetime
from email.message import EmailMessage

import openpyxl
import pytest
from helpers import run_cli

from channelxl.commands.approve import approve_quarter
from channelxl.core.periods import Quarter
from channelxl.errors import ChannelxlError
from channelxl.workspace import Workspace

APPROVED_AT = datetime(2026, 1, 15, 9, 30)
Q4 = Quarter(2024, 4)


def _rows(path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def approved_q4(tmp_path, loaded_channel):
    """A copy of the loaded channel with 2024Q4 approved."""
    root = tmp_path / "ws"
    shutil.copytree(loaded_channel[0].root, root)
    ws = Workspace.find(root)
    with ws.open_ledger() as led:
        approve_quarter(led, Q4, "Ana Ruiz", out_dir=ws.quarter_folder(Q4), now=APPROVED_AT)
    return ws


def test_a_changed_tier_rate_is_named_as_what_changed(approved_q4):
    """The analyst raises every paying P-ST tier rate by half a point after approving: each
    adjustment line must say the rate changed, not 'the amount only (rounding ...)'."""
    ws = approved_q4
    wb = openpyxl.load_workbook(ws.root / "program.xlsx")
    sheet = wb["Rebate Tiers"]
    raised = 0
    for row in sheet.iter_rows(min_row=2):
        program, rate = row[0].value, row[2].value
        if program == "P-ST" and rate:
            row[2].value = float(rate) + 0.005
            raised += 1
    assert raised
    wb.save(ws.root / "program.xlsx")
    result = run_cli("rebates", "--quarter", "2025Q1", cwd=ws.root)
    assert result.returncode == 0, result.stderr
    lines = [
        r
        for r in _rows(ws.quarter_folder(Quarter(2025, 1)) / "adjustments_2025Q1.csv")
        if r["Program ID"] == "P-ST"
    ]
    assert lines, "a higher rate on a paying tier must change some approved amount"
    for line in lines:
        assert "rate:" in line["What Changed"], line["What Changed"]
        assert "rounding" not in line["What Changed"]


@pytest.fixture
def channel_copy(tmp_path, loaded_channel):
    root = tmp_path / "ws"
    shutil.copytree(loaded_channel[0].root, root)
    return root


@pytest.mark.parametrize("out", ["outbox/all.csv", "outbox/../outbox/all.xlsx", "sent/all.csv"])
def test_an_export_of_every_distributor_is_refused_in_the_outbox(channel_copy, out):
    """outbox/ is what goes to distributors: an export naming several of them must not land
    there, whichever way the path is written (a symlink to it included)."""
    root = channel_copy
    (root / "sent").symlink_to(root / "outbox")
    before = sorted(p.name for p in (root / "outbox").iterdir())
    result = run_cli("export", "sell_through", "--out", out, cwd=root)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "outbox" in result.stderr and "reports" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in (root / "outbox").iterdir()) == before


def test_one_distributors_export_may_go_to_the_outbox(channel_copy):
    result = run_cli(
        "export",
        "sell_through",
        "--distributor",
        "D001",
        "--out",
        "outbox/d001.csv",
        cwd=channel_copy,
    )
    assert result.returncode == 0, result.stderr
    ids = {r["distributor_id"] for r in _rows(channel_copy / "outbox" / "d001.csv")}
    assert ids == {"D001"}


def test_approving_a_quarter_with_an_undecided_held_report_says_so(channel_copy):
    """A distributor re-sends 2024-11 with one line instead of ten: held for the
    analyst. Approving 2024Q4 then freezes a statement without deciding it; the analyst must
    be told which report waits and what deciding it later does."""
    root = channel_copy
    lines = _rows(root / "inbox" / "processed" / "sellthrough_D008_2024-11.csv")
    assert len(lines) >= 8
    with open(root / "inbox" / "sellthrough_D008_2024-11_v2.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(lines[0]))
        writer.writeheader()
        writer.writerows(lines[:1])
    loaded = run_cli("ingest", cwd=root)
    assert loaded.returncode == 3, loaded.stderr  # 3: a report waits for the analyst
    assert "1 held for the analyst" in loaded.stdout, loaded.stdout
    result = run_cli("approve", "--quarter", "2024Q4", "--by", "Ana Ruiz", cwd=root)
    assert result.returncode == 0, result.stderr
    said = result.stdout
    assert "held" in said and "sellthrough_D008_2024-11_v2.csv" in said, said
    assert "channelxl held" in said and "prior-period adjustment" in said


def _next_month_report(root, distributor="D008") -> tuple[str, bytes]:
    """``distributor``'s latest sell-through report moved one month on (new invoice numbers):
    (its file name, its bytes)."""
    latest = sorted((root / "inbox" / "processed").glob(f"sellthrough_{distributor}_*.csv"))[-1]
    lines = _rows(latest)
    year, month = map(int, lines[0]["Period"].split("-"))
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    period = f"{year}-{month:02d}"
    for line in lines:
        line["Period"] = period
        line["Invoice Date"] = period + line["Invoice Date"][7:]
        line["Invoice Number"] += "-N"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(lines[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(lines)
    return f"sellthrough_{distributor}_{period}.csv", out.getvalue().encode()


def test_a_backdated_mail_date_does_not_make_a_report_received_before_its_month(channel_copy):
    """A distributor's mail client (or the distributor) writes Date: 2015: the report of a
    month years later cannot have come in then, so that date must not count (it would make
    any late report on time)."""
    root = channel_copy
    name, data = _next_month_report(root)
    mail = EmailMessage()
    mail["From"] = "reports@distributor.example"
    mail["Date"] = "Mon, 05 Jan 2015 10:00:00 +0000"
    mail.set_content("the report")
    mail.add_attachment(data, maintype="text", subtype="csv", filename=name)
    (root / "inbox" / "backdated.eml").write_bytes(bytes(mail))
    loaded = run_cli("ingest", cwd=root)
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    assert "1 accepted" in loaded.stdout
    run_cli("export", "submissions", "--out", "reports/subs.csv", cwd=root)
    (row,) = [r for r in _rows(root / "reports" / "subs.csv") if r["file_name"] == name]
    received = datetime.fromisoformat(row["received_at"][:19])
    assert received.year > 2015, row
    assert received.date() >= date.fromisoformat(row["period"] + "-01"), row
    # the analyst sees why the mail's date was not used
    assert "e-mail Date header" in row["received_source"], row
    assert "before the report's month began" in row["received_source"], row


def test_a_quarter_is_not_approved_before_its_last_reports_are_due(tmp_path, loaded_channel):
    """Approving 2024Q4 on 2025-01-03, before its December reports are due (day 10 of
    January by default): every distributor whose report is not in yet would be frozen as
    'missing', its money withheld although it is not late."""
    root = tmp_path / "ws"
    shutil.copytree(loaded_channel[0].root, root)
    ws = Workspace.find(root)
    with ws.open_ledger() as led:
        due_day = led.settings().report_due_day
        due = date(2025, 1, due_day)
        with pytest.raises(ChannelxlError) as refused:
            approve_quarter(led, Q4, "Ana Ruiz", now=datetime(2025, 1, due_day, 23, 0))
        said = str(refused.value)
        assert f"{due:%Y-%m-%d}" in said and "2024-12" in said, said
        assert led.count("approvals") == 0
        # the day after the due day it may be approved
        approve_quarter(led, Q4, "Ana Ruiz", now=datetime(2025, 1, due_day + 1, 0, 30))
        assert led.count("approvals") == 1


def test_a_mail_attached_as_a_plain_file_is_refused_as_a_forward(channel_copy):
    """A forward attached as application/octet-stream named ``inner.eml`` is a mail inside
    the mail as much as a message/rfc822 part: the mail is refused whole, saying what to do,
    not answered as if .eml were a format channelxl cannot read."""
    root = channel_copy
    name, data = _next_month_report(root)
    inner = EmailMessage()
    inner["From"] = "reports@distributor.example"
    inner["Date"] = "Mon, 02 Nov 2026 10:00:00 +0000"
    inner.set_content("the report")
    inner.add_attachment(data, maintype="text", subtype="csv", filename=name)
    outer = EmailMessage()
    outer["From"] = "colleague@vendor.example"
    outer["Date"] = "Mon, 02 Nov 2026 11:00:00 +0000"
    outer.set_content("fwd")
    outer.add_attachment(
        bytes(inner), maintype="application", subtype="octet-stream", filename="inner.eml"
    )
    (root / "inbox" / "forward.eml").write_bytes(bytes(outer))
    result = run_cli("ingest", cwd=root)
    said = result.stdout + result.stderr
    assert "carries another e-mail" in said, said
    assert "is a .eml file" not in said
    assert (root / "inbox" / "refused" / "forward.eml").is_file()
    assert not (root / "inbox" / "refused" / "inner.eml").exists()


@pytest.mark.parametrize(
    "args",
    [
        ("rebates", "--out", "outbox"),
        ("reconcile", "--out", "outbox/q"),
        ("territory", "--out", "sent"),
        ("qbr", "--out", "outbox", "--distributor", "D001", "--distributor", "D002"),
    ],
)
def test_a_quarterly_output_of_every_distributor_is_refused_in_the_outbox(channel_copy, args):
    """The statement, the exception workbooks and a batch of reviews hold several
    distributors' figures: never written where files wait to be sent to one of them."""
    root = channel_copy
    (root / "sent").symlink_to(root / "outbox")
    before = sorted(p.name for p in (root / "outbox").rglob("*"))
    command, *rest = args
    result = run_cli(command, "--quarter", "2026Q3", *rest, cwd=root)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "not written into the outbox" in result.stderr and "--distributor" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in (root / "outbox").rglob("*")) == before

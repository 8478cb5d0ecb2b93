"""EDI reports through ``channelxl ingest``: X12 867 / 852 and EANCOM SLSRPT loaded with the
same validation, quarantine, supersede and provenance as every other file; codes resolved
through the program's cross-references; problems located by interchange, message and
segment; an acknowledgement for each interchange.

The files are written here segment by segment, following the published layouts (the
readers' own tests cover the segments one by one: tests/test_edi_x12.py,
tests/test_edi_edifact.py).
"""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal

import pytest
from helpers import ledger_snapshot, run_cli

from channelxl.commands.ingest import ingest
from channelxl.io.edi.edifact import read_edifact
from channelxl.io.edi.x12 import read_x12
from channelxl.ledger.ingest_file import ingest_file
from channelxl.workspace import Workspace, init

TODAY = date(2026, 11, 25)
X12_SENDER = "NORTHLABS"  # D001's EDI ID
EANCOM_SENDER = "4012345000009"  # D007's (a GLN)


@pytest.fixture
def edi_workspace(tmp_path, small_channel):
    """The small channel's program with EDI IDs for D001 (X12) and D007 (EANCOM)."""
    program = {k: [dict(r) for r in rows] for k, rows in small_channel.program.items()}
    for row in program["distributors"]:
        if row["distributor_id"] == "D001":
            row["edi_ids"] = (X12_SENDER,)
        if row["distributor_id"] == "D007":
            row["edi_ids"] = (EANCOM_SENDER, "D007-ALT")
    root = tmp_path / "ws"
    init(root, rows=program, settings=small_channel.settings)
    return Workspace.find(root)


def _reseller(channel, distributor):
    return next(
        r for r in channel.program["resellers"] if distributor in r["authorized_distributors"]
    )


def _product(channel, n=0):
    return [p for p in channel.program["products"] if p["active"] == "Y"][n]


def isa(sender: str, control: str) -> str:
    return (
        f"ISA*00*          *00*          *ZZ*{sender:<15}*ZZ*{'VENDORCO':<15}*250305*1200*U*"
        f"00401*{control}*0*P*>~"
    )


def x12_867(groups, *, sender=X12_SENDER, control="000000101", month="202502", se_count=None):
    """An 867 interchange: ``groups`` are (PTD code, invoice, day, reseller id, items),
    items (quantity, LIN product part, unit price)."""
    body = [
        "ST*867*0001",
        "BPT*00*R-1*20250305*DD",
        "CUR*SE*USD",
        f"DTM*090*{month}01",
        f"DTM*091*{month}28",
        "N1*DS*NORTH LABS*1*123456789",
    ]
    items_n, total = 0, 0
    for ptd, invoice, day, reseller, items in groups:
        body += [f"PTD*{ptd}***IV*{invoice}", f"DTM*003*{month}{day}", f"N1*BY*R*92*{reseller}"]
        for qty, lin, price in items:
            body += [f"QTY*39*{qty}*EA", f"LIN**{lin}", f"UIT*EA*{price}"]
            items_n, total = items_n + 1, total + qty
    body.append(f"CTT*{items_n}*{total}")
    body.append(f"SE*{se_count or len(body) + 1}*0001")
    segments = [f"GS*PT*{sender}*VENDORCO*20250305*1200*1001*X*004010", *body, "GE*1*1001"]
    return isa(sender, control) + "~\n".join(segments) + f"~\nIEA*1*{control}~\n"


def test_an_867_loads_like_any_report_and_is_acknowledged(edi_workspace, small_channel):
    ws, reseller = edi_workspace, _reseller(small_channel, "D001")["reseller_id"]
    a, b = _product(small_channel, 0), _product(small_channel, 1)
    text = x12_867(
        [
            ("SS", "INV-1", "05", reseller, [(3, f"VP*{a['sku']}", "1500.00")]),
            ("SS", "INV-2", "09", reseller, [(2, f"UP*{b['gtin']}", "2000.50")]),
            ("BN", "CR-1", "20", reseller, [(1, f"VP*{a['sku']}", "1500.00")]),  # a return
        ]
    )
    path = ws.inbox / "NORTH LABS 867 feb.dat"  # any name: EDI is known by its content
    path.write_text(text)
    with ws.open_ledger() as led:
        run = ingest(led, inbox=ws.inbox, feedback_dir=ws.outbox, today=TODAY)
        (r,) = run.results
        assert r.status == "accepted" and r.kind == "edi" and r.lines_loaded == 3, r.summary()
        rows = led.con.execute(
            "SELECT distributor_id, period, invoice_number, invoice_date, reseller_id, sku, "
            "quantity, unit_price, currency FROM sell_through ORDER BY invoice_number"
        ).fetchall()
    assert rows == [
        (
            "D001",
            "2025-02",
            "CR-1",
            date(2025, 2, 20),
            reseller,
            a["sku"],
            -1,
            Decimal("1500"),
            "USD",
        ),
        (
            "D001",
            "2025-02",
            "INV-1",
            date(2025, 2, 5),
            reseller,
            a["sku"],
            3,
            Decimal("1500"),
            "USD",
        ),
        (
            "D001",
            "2025-02",
            "INV-2",
            date(2025, 2, 9),
            reseller,
            b["sku"],
            2,
            Decimal("2000.5"),
            "USD",
        ),
    ]  # the GTIN named b's SKU; the return (PTD BN) is negative
    (ack,) = ws.outbox.glob("997_000000101_*.x12")
    (answer,) = read_x12(ack.read_text(), ack.name)
    assert not answer.problems and answer.receiver.value == X12_SENDER
    assert "AK5*A" in ack.read_text() and "AK9*A*1*1*1" in ack.read_text()


def test_unknown_codes_are_quarantined_and_located_in_edi_terms(edi_workspace, small_channel):
    ws, reseller = edi_workspace, _reseller(small_channel, "D001")["reseller_id"]
    a = _product(small_channel, 0)
    text = x12_867(
        [
            ("SS", "INV-1", "05", reseller, [(3, f"VP*{a['sku']}", "1500.00")]),
            ("SS", "INV-2", "06", reseller, [(2, "UP*614141999996", "10.00")]),  # no such GTIN
            ("SS", "INV-3", "07", "NOBODY-9", [(1, f"VP*{a['sku']}", "1500.00")]),
        ]
    )
    path = ws.root / "feb.x12"
    path.write_text(text)
    with ws.open_ledger() as led:
        r = ingest_file(led, path, today=TODAY)
    assert r.status == "accepted" and r.lines_loaded == 1 and r.quarantined == 2
    by_code = {i.code: i for i in r.issues if i.severity == "error"}
    product, reseller_issue = by_code["PROD"], by_code["PART"]
    assert "614141999996" in product.message and "UP" in product.message
    # the QTY of the second item: ST=1 BPT CUR DTM DTM N1 | PTD DTM N1 QTY LIN UIT | PTD DTM N1 QTY
    # located at the line (its QTY segment); the message names the LIN code and qualifier
    assert product.where == "feb.x12, interchange 000000101, transaction set 0001, segment 16 (QTY)"
    assert "NOBODY-9" in reseller_issue.message and "92" in reseller_issue.message


def test_a_value_the_layout_refuses_quarantines_each_line_that_carries_it(
    edi_workspace, small_channel
):
    # the same unreadable country on two invoices: each of their lines is quarantined with
    # its own location (values are parsed once per distinct value, problems told per line)
    ws, reseller = edi_workspace, _reseller(small_channel, "D001")["reseller_id"]
    a = _product(small_channel, 0)
    groups = [
        ("SS", "INV-1", "05", reseller, [(3, f"VP*{a['sku']}", "1500.00")]),
        ("SS", "INV-2", "06", reseller, [(2, f"VP*{a['sku']}", "1500.00")]),
        ("SS", "INV-3", "07", reseller, [(1, f"VP*{a['sku']}", "1500.00")]),
    ]
    segments = int(x12_867(groups).split("~\nSE*")[1].split("*")[0])
    text = x12_867(groups, se_count=segments + 2)  # two N4 segments added below
    text = text.replace(
        f"N1*BY*R*92*{reseller}~\nQTY*39*2", f"N1*BY*R*92*{reseller}~\nN4*X**0*XX~\nQTY*39*2"
    ).replace(f"N1*BY*R*92*{reseller}~\nQTY*39*1", f"N1*BY*R*92*{reseller}~\nN4*X**0*XX~\nQTY*39*1")
    path = ws.root / "feb.x12"
    path.write_text(text)
    assert not read_x12(text, "feb.x12")[0].messages[0].problems
    with ws.open_ledger() as led:
        r = ingest_file(led, path, today=TODAY)
        loaded = led.con.execute("SELECT invoice_number FROM sell_through").fetchall()
    assert r.status == "accepted" and r.lines_loaded == 1 and r.quarantined == 2, r.summary()
    assert loaded == [("INV-1",)]
    bad = [i for i in r.issues if i.severity == "error"]
    assert len(bad) == 2 and all("XX" in i.message for i in bad), bad
    # ST BPT CUR DTM DTM N1 | PTD DTM N1 QTY LIN UIT | PTD DTM N1 N4 QTY (17) LIN UIT |
    # PTD DTM N1 N4 QTY (24)
    assert [i.where for i in bad] == [
        "feb.x12, interchange 000000101, transaction set 0001, segment 17 (QTY), Reseller Country",
        "feb.x12, interchange 000000101, transaction set 0001, segment 24 (QTY), Reseller Country",
    ]


def test_a_transaction_set_with_a_wrong_count_is_rejected_whole(edi_workspace, small_channel):
    ws, reseller = edi_workspace, _reseller(small_channel, "D001")["reseller_id"]
    a = _product(small_channel, 0)
    path = ws.root / "bad.edi"
    path.write_text(
        x12_867([("SS", "INV-1", "05", reseller, [(3, f"VP*{a['sku']}", "1500")])], se_count=99)
    )
    with ws.open_ledger() as led:
        before = ledger_snapshot(led)
        r = ingest_file(led, path, today=TODAY)
        assert r.status == "refused" and ledger_snapshot(led) == before
    said = [i.message for i in r.issues]
    assert any("SE01" in m or "segment count" in m.lower() for m in said), said
    assert any("was not loaded" in m for m in said)
    ((name, text),) = r.acks  # rejected: the 997 says so
    assert name.startswith("997_000000101") and "AK5*R" in text


def test_a_sender_no_distributor_has_is_refused_saying_where_to_add_it(
    edi_workspace, small_channel
):
    ws, reseller = edi_workspace, _reseller(small_channel, "D001")["reseller_id"]
    a = _product(small_channel, 0)
    path = ws.root / "who.x12"
    path.write_text(
        x12_867([("SS", "I", "05", reseller, [(1, f"VP*{a['sku']}", "1500")])], sender="STRANGER")
    )
    with ws.open_ledger() as led:
        before = ledger_snapshot(led)
        r = ingest_file(led, path, today=TODAY)
        assert ledger_snapshot(led) == before
    assert r.status == "refused"
    assert "STRANGER (qualifier ZZ)" in r.message and "EDI IDs on the Distributors" in r.message
    with ws.open_ledger() as led:  # the command line says whose it is: it loads
        assert ingest_file(led, path, distributor="D001", today=TODAY).status == "accepted"
        r = ingest_file(led, ws.root / "who.x12", distributor="D002", today=TODAY)
    assert r.status == "duplicate"


def test_a_later_report_for_the_month_supersedes_the_earlier(edi_workspace, small_channel):
    ws, reseller = edi_workspace, _reseller(small_channel, "D001")["reseller_id"]
    a = _product(small_channel, 0)
    first, second = ws.root / "v1.x12", ws.root / "v2.x12"
    first.write_text(
        x12_867(
            [
                (
                    "SS",
                    "I-1",
                    "05",
                    reseller,
                    [(3, f"VP*{a['sku']}", "1500"), (4, f"VP*{a['sku']}", "1500")],
                )
            ]
        )
    )
    second.write_text(
        x12_867(
            [
                (
                    "SS",
                    "I-1",
                    "05",
                    reseller,
                    [(5, f"VP*{a['sku']}", "1500"), (4, f"VP*{a['sku']}", "1500")],
                )
            ],
            control="000000102",
        )
    )
    with ws.open_ledger() as led:
        v1 = ingest_file(led, first, today=TODAY)
        v2 = ingest_file(led, second, today=TODAY)
        assert v2.superseded == [v1.submission_id]
        assert led.con.execute(
            "SELECT sum(quantity) FROM sell_through WHERE distributor_id = 'D001'"
        ).fetchone() == (9,)


def test_a_cancelling_867_withdraws_the_month_and_is_held_for_the_analyst(
    edi_workspace, small_channel
):
    # BPT01 01: the distributor withdraws its February report. Its repeated lines are not a
    # report: the month would have no sell-through, so the file is held, never applied
    ws, reseller = edi_workspace, _reseller(small_channel, "D001")["reseller_id"]
    a = _product(small_channel, 0)
    groups = [("SS", "I-1", "05", reseller, [(3, f"VP*{a['sku']}", "1500")])]
    first, cancel = ws.root / "feb.x12", ws.root / "feb-cancel.x12"
    first.write_text(x12_867(groups))
    text = x12_867(groups, control="000000102").replace("BPT*00*", "BPT*01*")
    cancel.write_text(text)
    assert read_x12(text, cancel.name)[0].messages[0].cancels
    with ws.open_ledger() as led:
        v1 = ingest_file(led, first, today=TODAY)
        before = ledger_snapshot(led)
        v2 = ingest_file(led, cancel, today=TODAY)
        assert v2.status == "held" and v2.superseded == [] and ledger_snapshot(led) != before
        assert led.con.execute(
            "SELECT sum(quantity) FROM sell_through WHERE distributor_id = 'D001'"
        ).fetchone() == (3,)  # the held file changed nothing in force
    note = next(i for i in v2.issues if "cancels" in i.message)
    assert note.severity == "warning" and "2025-02" in note.message
    assert "1 line(s) it repeats were not loaded" in note.message
    assert note.where == (
        "feb-cancel.x12, interchange 000000102, transaction set 0001, segment 2 (BPT), "
        "element BPT01"
    )
    assert v1.submission_id != v2.submission_id


def test_an_852_gives_one_stock_row_per_sku_its_locations_summed(edi_workspace, small_channel):
    ws = edi_workspace
    a, b = _product(small_channel, 0), _product(small_channel, 1)
    body = [
        "ST*852*0001",
        "XQ*H*20250201*20250228",
        "N1*DS*NORTH LABS*91*G-1",
        f"LIN**VP*{a['sku']}",
        "ZA*QA",
        "SDQ*EA*92*DAL*40*ATL*15",
        "ZA*QI",
        "SDQ*EA*92*DAL*5",
        "ZA*QS*25*EA",  # sold: not stock
        f"LIN**UP*{b['gtin']}",
        "ZA*QA*12*EA",
        "CTT*2",
    ]
    body.append(f"SE*{len(body) + 1}*0001")
    text = (
        isa(X12_SENDER, "000000301")
        + "~".join([f"GS*PD*{X12_SENDER}*VENDORCO*20250305*1200*3001*X*004010", *body, "GE*1*3001"])
        + "~IEA*1*000000301~"
    )
    path = ws.root / "stock.x12"
    path.write_text(text)
    with ws.open_ledger() as led:
        r = ingest_file(led, path, today=TODAY)
        assert r.status == "accepted", r.summary()
        rows = led.con.execute(
            "SELECT period, sku, on_hand, in_transit FROM inventory ORDER BY sku"
        ).fetchall()
    assert sorted(rows) == sorted([("2025-02", a["sku"], 55, 5), ("2025-02", b["sku"], 12, None)])
    assert any("other activities" in i.message for i in r.issues)


def slsrpt(lines, *, control="EU1", sender=EANCOM_SENDER) -> str:
    """An EANCOM SLSRPT: ``lines`` are (GTIN, invoice, day, price, quantity, reseller GLN)."""
    body = [
        "UNH+1+SLSRPT:D:96A:UN:EAN004",
        "BGM+73E+S-1+9",
        "DTM+137:20250305:102",
        "DTM+356:2025020120250228:718",
        f"NAD+SU+{sender}::9",
        "CUX+2:EUR:4",
        "LOC+162+WH1::91",
    ]
    for k, (gtin, invoice, day, price, qty, gln) in enumerate(lines, start=1):
        body += [
            f"LIN+{k}++{gtin}:SRV",
            f"RFF+IV:{invoice}",
            f"DTM+3:202502{day}:102",
            f"PRI+AAA:{price}",
            f"QTY+153:{qty}",
            f"NAD+BY+{gln}::9++O?'Brien Systems",
        ]
    body.append(f"UNT+{len(body) + 1}+1")
    return (
        "UNA:+.? '"
        f"UNB+UNOC:3+{sender}:14+VENDOR1:ZZZ+250305:1200+{control}'"
        + "'".join(body)
        + f"'UNZ+1+{control}'"
    )


def test_an_eancom_slsrpt_loads_with_gtins_and_glns(edi_workspace, small_channel):
    ws = edi_workspace
    reseller = _reseller(small_channel, "D007")
    a = _product(small_channel, 2)
    path = ws.root / "slsrpt_feb.txt"
    path.write_text(
        slsrpt(
            [
                (a["gtin"], "S-100", "10", "1500.00", 3, reseller["gln"]),
                (a["gtin"], "S-101", "11", "1500.00", -1, reseller["gln"]),
            ]
        )
    )
    with ws.open_ledger() as led:
        r = ingest_file(led, path, today=TODAY)
        assert r.status == "accepted" and r.lines_loaded == 2, [str(i) for i in r.issues]
        rows = led.con.execute(
            "SELECT distributor_id, period, reseller_id, sku, quantity, currency "
            "FROM sell_through ORDER BY invoice_number"
        ).fetchall()
    assert rows == [
        ("D007", "2025-02", reseller["reseller_id"], a["sku"], 3, "EUR"),
        ("D007", "2025-02", reseller["reseller_id"], a["sku"], -1, "EUR"),
    ]
    ((name, text),) = r.acks
    assert name.startswith("CONTRL_EU1")
    (answer,) = read_edifact(text, name)
    assert not answer.problems and "UCI+" in text


def test_the_cli_inbox_answers_an_edi_file_with_feedback_and_an_acknowledgement(
    edi_workspace, small_channel
):
    ws, reseller = edi_workspace, _reseller(small_channel, "D001")["reseller_id"]
    a = _product(small_channel, 0)
    (ws.inbox / "867").write_text(  # no file type at all
        x12_867(
            [
                ("SS", "INV-1", "05", reseller, [(3, f"VP*{a['sku']}", "1500.00")]),
                ("SS", "INV-2", "06", reseller, [(2, "UP*614141999996", "10.00")]),
            ]
        )
    )
    r = run_cli("ingest", cwd=ws.root)
    assert r.returncode == 0, r.stderr
    assert "accepted" in r.stdout and "Traceback" not in r.stdout + r.stderr
    assert list(ws.outbox.glob("997_*.x12")) and list(ws.outbox.glob("feedback_867_*.xlsx"))
    shutil.rmtree(ws.outbox)


def test_a_test_interchange_is_never_loaded(edi_workspace, small_channel):
    ws, reseller = edi_workspace, _reseller(small_channel, "D001")["reseller_id"]
    a = _product(small_channel, 0)
    text = x12_867([("SS", "I", "05", reseller, [(1, f"VP*{a['sku']}", "1500")])])
    path = ws.root / "test.x12"
    path.write_text(text.replace("*0*P*>~", "*0*T*>~", 1))  # ISA15: T for test
    with ws.open_ledger() as led:
        before = ledger_snapshot(led)
        r = ingest_file(led, path, today=TODAY)
        assert r.status == "refused" and ledger_snapshot(led) == before
    assert any("marked as a test (ISA15 is T)" in i.message for i in r.issues)


def test_an_edi_file_saved_as_utf16_loads_and_a_broken_one_says_what_edi_must_be(
    edi_workspace, small_channel
):
    ws, reseller = edi_workspace, _reseller(small_channel, "D001")["reseller_id"]
    a = _product(small_channel, 0)
    text = x12_867([("SS", "INV-1", "05", reseller, [(3, f"VP*{a['sku']}", "1500.00")])])
    (ws.inbox / "unicode.edi").write_bytes(text.encode("utf-16"))  # Windows "Unicode"
    (ws.inbox / "garbled.edi").write_bytes(b"\x00\x01 not an interchange \xff" * 20)
    with ws.open_ledger() as led:
        run = ingest(led, inbox=ws.inbox, today=TODAY)
    by_name = {r.path.rsplit("/", 1)[-1]: r for r in run.results}
    assert by_name["unicode.edi"].status == "accepted" and by_name["unicode.edi"].lines_loaded == 1
    garbled = by_name["garbled.edi"]
    assert garbled.status == "refused" and "must start with its interchange" in garbled.message

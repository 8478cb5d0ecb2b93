"""A small report takes the quick paths; what the sender and the analyst see is the same.

A small CSV is split in Python and typed there when its values are plain
(``ledger.plain_csv``), its lines are checked over rows read once (``line_checks``: each
rule's Python screen picks the rows SQL is asked about; duplicates and territory decided
over the rows). The tests load generated files, hostile values included, three ways (the
reader and the checks in SQL as for a large file; split in Python and typed by the SQL
expressions; split and typed in Python) and compare every issue, every line and every
ledger row; and they check each rule's screen against its SQL condition row by row.
"""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channelxl.io.recognition import Layout
from channelxl.ledger import Ledger, plain_csv
from channelxl.ledger import ingest_file as ingest_module
from channelxl.ledger.ddl import lines_table
from channelxl.ledger.ingest_file import ingest_file
from channelxl.ledger.line_rules import TODAY, rules
from channelxl.ledger.received_part import PartLoad
from channelxl.schema import EXPORT_TABLES

TODAY_DATE = date(2025, 7, 1)
EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
HEADER = (
    "Distributor ID,Period,Invoice Date,Invoice Number,Reseller ID,Reseller Name,"
    "Reseller Country,End Customer Name,End Customer Country,End Customer Segment,SKU,"
    "Quantity,Unit Price,Currency,Deal Registration ID"
)
HOSTILE_TEXT = [
    "",
    " ",
    "  x ",
    "\u00a0D001",
    "D001\u00a0",
    "\tx",
    "é",
    "straße",
    "ß",
    "ＡＢ",
    "n/a",
]
HOSTILE_TEXT += ["a\u00a0b", "zz", "XX", "  ", "0", "'", '"q"', "a;b", "D 1"]


def _program_values(small_channel):
    p = small_channel.program
    return {
        "distributor": [d["distributor_id"] for d in p["distributors"]][:3],
        "reseller": [r["reseller_id"] for r in p["resellers"]][:6],
        "sku": [s["sku"] for s in p["products"]][:5],
    }


def _value(kind: str, known: dict) -> st.SearchStrategy[str]:
    hostile = st.sampled_from(HOSTILE_TEXT)
    if kind == "distributor":
        good = st.sampled_from(known["distributor"] + ["d001", " D001 ", "D999"])
    elif kind in ("reseller", "sku"):
        good = st.sampled_from(known[kind] + [known[kind][0].lower(), f" {known[kind][0]}"])
    elif kind == "period":
        good = st.sampled_from(["2025-05", "2025-06", "2025-13", "2025-6", " 2025-05", ""])
    elif kind == "date":
        good = st.sampled_from(
            [
                *("2025-05-03", "2025-06-30", "2025-07-02", "2031-01-01", "2025-02-30"),
                *("2025-5-3", "", " 2025-05-03", "0001-01-01", "9999-12-31"),
            ]
        )
    elif kind == "int":
        good = st.sampled_from(
            ["1", "0", "-3", "1.5", "12.00", " 7 ", "", "x", "99999999999999999999", "007"]
        )
    elif kind == "decimal":
        good = st.sampled_from(
            [
                *("100.5", "-1", "0", "1.23456", "1e3", "", " 5", "12345678901234.5"),
                *("0.0001", "123456789012345", "3.", ".5", "-0", "250"),
            ]
        )
    elif kind == "currency":
        good = st.sampled_from(["USD", "EUR", "usd", " GBP ", "JPY", "XXX", "", "eür"])
    elif kind == "country":
        good = st.sampled_from(["US", "DE", "de", "ZZ", "", "FR", " US"])
    elif kind == "segment":
        good = st.sampled_from(["smb", "SMB", " Public ", "enterprise", "other", ""])
    else:
        good = st.sampled_from(["INV-1", "INV-2", "Acme Ltd", "Acme, Ltd", ""])
    return st.one_of(good, good, good, hostile)


KINDS = [
    "distributor",
    "period",
    "date",
    "invoice",
    "reseller",
    "name",
    "country",
    "name",
    "country",
    "segment",
    "sku",
    "int",
    "decimal",
    "currency",
    "name",
]


@st.composite
def report(draw, known: dict) -> str:
    """A sell-through report: mostly good lines, hostile values, repeated and blank lines,
    Windows line ends now and then."""
    lines = []
    for _ in range(draw(st.integers(1, 10))):
        what = draw(st.sampled_from(["line", "line", "line", "again", "blank"]))
        if what == "blank" or (what == "again" and not lines):
            lines.append("," * 14 if what == "blank" else ",".join([""] * 15))
        elif what == "again":
            lines.append(lines[-1])
        else:
            lines.append(",".join(draw(_value(k, known)) for k in KINDS))
    end = draw(st.sampled_from(["\n", "\n", "\r\n"]))
    return end.join([HEADER, *lines]) + draw(st.sampled_from([end, ""]))


@pytest.fixture
def ledgers(empty_workspace, tmp_path):
    """Three copies of a ledger holding the small channel's program."""
    with empty_workspace.open_ledger():
        pass
    paths = []
    for name in ("sql", "split", "typed"):
        paths.append(tmp_path / f"{name}.duckdb")
        shutil.copy(empty_workspace.ledger_path, paths[-1])
    opened = [Ledger.open(p) for p in paths]
    yield dict(zip(("sql", "split", "typed"), opened, strict=True))
    for led in opened:
        led.close()


def _outcome(led: Ledger, result) -> dict:
    q = lambda sql: led.con.execute(sql).fetchall()  # noqa: E731
    return {
        "result": (
            result.status,
            result.lines_read,
            result.lines_loaded,
            result.quarantined,
            result.superseded,
            result.message,
            [(i.code, i.message, i.severity, i.line, i.column) for i in result.issues],
        ),
        "lines": q("SELECT * FROM sell_through_lines ORDER BY submission_id, rowid"),
        "submissions": q(
            "SELECT * EXCLUDE (loaded_at, file_path) FROM submissions ORDER BY submission_id"
        ),
        "periods": q("SELECT * FROM submission_periods ORDER BY ALL"),
        "issues": q("SELECT * FROM submission_issues ORDER BY ALL"),
        "holds": q("SELECT * EXCLUDE (held_at) FROM submission_holds ORDER BY ALL"),
    }


@EXAMPLES
@given(data=st.data())
def test_a_report_reads_the_same_by_every_path(data, ledgers, small_channel, tmp_path):
    known = _program_values(small_channel)
    text = data.draw(report(known))
    path = tmp_path / "in" / f"sellthrough_{abs(hash(text))}.csv"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    seen = {}
    for mode, led in ledgers.items():
        with pytest.MonkeyPatch.context() as mp:
            if mode == "sql":  # as a large file: DuckDB's reader, every check in SQL
                mp.setattr(plain_csv, "PLAIN_BYTES", -1)
                mp.setattr(ingest_module, "PYTHON_ROWS", -1)
            if mode == "split":
                mp.setattr(plain_csv, "TYPED", False)
            result = ingest_file(led, path, today=TODAY_DATE, distributor=known["distributor"][0])
        seen[mode] = _outcome(led, result)
    assert seen["split"] == seen["sql"]
    assert seen["typed"] == seen["sql"]


@EXAMPLES
@given(data=st.data())
def test_a_sheet_put_in_normal_form_in_python_loads_as_the_sql_statement_makes_it(
    data, ledgers, small_channel, tmp_path
):
    """A sheet's codes and enumerations are put in their case before they are inserted
    (``load_sheet._normal_case``, for ASCII text); the ledger then holds what the SQL
    normal form would make of them, with the same issues, non-ASCII values included."""
    from openpyxl import Workbook

    from channelxl.ledger import load_sheet

    known = _program_values(small_channel)
    rows = data.draw(
        st.lists(st.tuples(*(_value(k, known) for k in KINDS)), min_size=1, max_size=8)
    )
    path = tmp_path / "in" / f"sellthrough_{abs(hash(tuple(rows)))}.xlsx"
    path.parent.mkdir(exist_ok=True)
    wb = Workbook()
    wb.active.title = "Sell-through"
    wb.active.append(HEADER.split(","))
    for row in rows:
        wb.active.append([v or None for v in row])
    wb.save(path)
    seen = {}
    for mode in ("sql", "typed"):
        with pytest.MonkeyPatch.context() as mp:
            if mode == "sql":  # the statement decides every value's form
                mp.setattr(load_sheet, "_normal_case", lambda table, columns: False)
            result = ingest_file(
                ledgers[mode], path, today=TODAY_DATE, distributor=known["distributor"][0]
            )
        seen[mode] = _outcome(ledgers[mode], result)
    assert seen["typed"] == seen["sql"]


def test_a_plain_report_takes_the_typed_path_and_loads_exactly(ledgers, small_channel, tmp_path):
    """The quick path is taken for an everyday report, and its lines are typed and in their
    normal form: codes upper-case, text trimmed, the file's distributor for a blank one."""
    known = _program_values(small_channel)
    d, r, s = known["distributor"][0], known["reseller"][0], known["sku"][0]
    path = tmp_path / "st.csv"
    path.write_text(
        f"{HEADER}\n{d},2025-06,2025-06-03,INV-7, {r} ,Acme Ltd,de,,,SMB,{s},007,1234.5,usd,\n"
        f",2025-06,2025-06-04,INV-8,{r},,,,,,{s},2,0.0001,USD,DR-1\n"
    )
    kinds = {12: "DECIMAL(18,4)", 2: "DATE"}
    assert plain_csv.plain_columns(path, _dialect(path), kinds) is not None
    led = ledgers["typed"]
    result = ingest_file(led, path, today=TODAY_DATE, distributor=d)
    assert result.status == "accepted", result.summary()
    rows = led.con.execute(
        "SELECT distributor_id, reseller_id, reseller_country, end_customer_segment, "
        "quantity, unit_price, currency, deal_registration_id FROM sell_through_lines "
        "ORDER BY rowid"
    ).fetchall()
    assert rows == [
        (d, r, "DE", "smb", 7, Decimal("1234.5000"), "USD", None),
        (d, r, None, None, 2, Decimal("0.0001"), "USD", "DR-1"),
    ]


def _dialect(path):
    from channelxl.io.csv_dialect import sniff_csv

    return sniff_csv(path)


# ---------------------------------------------------------------- screens against SQL
TEXTS = st.one_of(st.none(), st.sampled_from([*HOSTILE_TEXT, "USD", "EUR", "US", "smb"]))


@st.composite
def typed_line(draw, known: dict, fields: list[str], table) -> dict:
    row = {}
    for c in table.columns:
        if c.type == "date":
            row[c.field] = draw(
                st.one_of(st.none(), st.dates(date(1, 1, 1), date(9999, 12, 31)))
                | st.sampled_from([date(2025, 6, 3), date(2025, 7, 2), date(2025, 5, 31)])
            )
        elif c.type == "decimal":
            row[c.field] = draw(
                st.one_of(
                    st.none(),
                    st.decimals(-(10**13), 10**13, places=4, allow_nan=False),
                    st.sampled_from([Decimal("0"), Decimal("-0.0001"), Decimal("5")]),
                )
            )
        elif c.type == "int":
            row[c.field] = draw(st.one_of(st.none(), st.integers(-(2**62), 2**62)))
        elif c.field == "distributor_id":
            row[c.field] = draw(st.one_of(st.sampled_from(known["distributor"]), TEXTS))
        elif c.field == "reseller_id":
            row[c.field] = draw(st.one_of(st.sampled_from(known["reseller"]), TEXTS))
        elif c.field == "sku":
            row[c.field] = draw(st.one_of(st.sampled_from(known["sku"]), TEXTS))
        elif c.field == "period":
            row[c.field] = draw(
                st.one_of(st.sampled_from(["2025-06", "2025-6", "2025-13", "0999-01"]), TEXTS)
            )
        else:
            row[c.field] = draw(TEXTS)
    return row


@pytest.mark.parametrize("name", ["sell_through", "inventory"])
def test_each_screen_flags_every_row_its_sql_condition_does(name, ledgers, small_channel, tmp_path):
    """A screen may flag more rows than SQL (SQL decides), never fewer."""
    table = next(t for t in EXPORT_TABLES if t.name == name)
    led, known = ledgers["sql"], _program_values(small_channel)
    fields = [c.field for c in table.columns]
    lt = lines_table(table)

    @EXAMPLES
    @given(lines=st.lists(typed_line(known, fields, table), min_size=1, max_size=8))
    def check(lines):
        sid = 10**6
        led.con.execute("BEGIN")
        try:
            led.con.executemany(
                f"INSERT INTO {lt} (submission_id, {', '.join(fields)}) VALUES "
                f"(?, {', '.join('?' for _ in fields)})",
                [[sid, *(line[f] for f in fields)] for line in lines],
            )
            layout = Layout(table=table, mapping={}, extra=[])
            for distributor, period in ((None, None), (known["distributor"][0], "2025-06")):
                load = PartLoad(
                    ledger=led,
                    path=tmp_path / "x.csv",
                    layout=layout,
                    sid=sid,
                    distributor=distributor,
                    period=period,
                    today=TODAY_DATE,
                )
                load.line_rows()
                for rule in rules(load):
                    assert rule.screen is not None, rule.code
                    cond = rule.condition.replace(TODAY, f"DATE '{TODAY_DATE}'")
                    in_sql = {
                        r[0]
                        for r in led.con.execute(
                            f"SELECT rowid FROM {lt} WHERE submission_id = {sid} AND ({cond})"
                        ).fetchall()
                    }
                    screened = {row["rowid"] for row in load.rows if rule.screen(row, TODAY_DATE)}
                    assert in_sql <= screened, (rule.code, rule.field, rule.condition)
        finally:
            led.con.execute("ROLLBACK")

    check()

"""A received EDI file (X12 867 / 852, EANCOM SLSRPT / INVRPT) as report parts the ingest
loads like any other file: the same validation, quarantine, supersede, provenance and one
transaction (``ledger.ingest_file``).

From the interchanges ``io.edi`` reads:

- **whose report**: the distributor whose *EDI IDs* (Distributors sheet) hold the
  interchange's sender (ISA06 / UNB sender) or a sender the messages name (GS02, the
  reporting party's N1 / NAD id); else the ``--distributor`` given. A file naming two
  distributors, or one the command line contradicts, is refused;
- **which month**: each message's report period (DTM start and end): the month it ends
  in, when it starts in that month too; a report spanning months is left out (send one a
  month); a message without dates takes ``--period``, else the one month of its invoices.
  A report covering part of a month (a week, the month to date) replaces the month's
  earlier report when loaded, as every report does: send each one to date;
- **what is left out**: a test interchange (ISA15 ``T``, UNB11 ``1``); every message of an
  interchange whose envelope is in error, and every message the standard rejects
  (``Message.accepted``), with their problems; a return to the vendor (X12 PTD ``RV``:
  stock sent back, not sold) with a warning; inventory activities other than stock on
  hand and in transit (sold, received, on order);
- **codes**: product and reseller codes through the program's cross-references
  (``ledger.cross_references``); a code that names nothing is a PROD or PART problem at
  its line, which is quarantined;
- **inventory**: one row per SKU and month, the locations of a multi-location report
  (852 SDQ, INVRPT LOC) summed.

Values go through the same cell parsers as a workbook's (``io.cells``), so a country, a
currency or a date is checked the same way; every problem is located in EDI's terms
(``issues.EDI_PLACE``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd

from channelxl.core.periods import Month
from channelxl.errors import FileRefused
from channelxl.io.cells import CellError, column_parser, parse_column
from channelxl.io.edi import EdiFile
from channelxl.io.edi.model import Interchange, Line, Message, Problem, Where
from channelxl.io.recognition import Layout, Part
from channelxl.issues import ERROR, WARNING, Issue
from channelxl.ledger.cross_references import resolver
from channelxl.ledger.ddl import lines_table
from channelxl.ledger.received_part import PartLoad
from channelxl.ledger.store import Ledger, frame_for_insert, insert_sql
from channelxl.schema import Column
from channelxl.schema.received import INVENTORY, SELL_THROUGH

SELL_THROUGH_TYPES = ("867", "SLSRPT")
INVENTORY_TYPES = ("852", "INVRPT")
NOT_SOLD = ("return_to_vendor",)  # X12 PTD RV: stock sent back to the vendor


SOLD_FIELDS = (
    "distributor_id",
    "period",
    "invoice_date",
    "invoice_number",
    "reseller_id",
    "reseller_name",
    "reseller_country",
    "end_customer_name",
    "end_customer_country",
    "end_customer_segment",
    "sku",
    "quantity",
    "unit_price",
    "currency",
    "deal_registration_id",
)
STOCK_FIELDS = ("distributor_id", "period", "sku", "on_hand", "in_transit")


@dataclass
class EdiRows:
    """One report part from EDI: its rows (a tuple of values as read, in the order of
    ``fields``: a million rows as dicts would hold a dict each), where each came from, and
    how many report lines were read for it (some may have been left out)."""

    standard: str
    fields: tuple[str, ...]
    rows: list[tuple] = field(default_factory=list)
    places: list[Where] = field(default_factory=list)
    left_out: int = 0  # lines quarantined before loading (a code naming nothing)
    months: set[str] = field(default_factory=set)  # the months its messages report

    def columns(self) -> dict[str, list]:
        """The values of each field, a column at a time."""
        if not self.rows:
            return {name: [] for name in self.fields}
        return dict(zip(self.fields, map(list, zip(*self.rows, strict=True)), strict=True))

    @property
    def read(self) -> int:
        """Report lines read: the rows to load and the lines left out (an inventory row
        sums a SKU's locations: it is one line)."""
        return len(self.rows) + self.left_out


def place(where: Where, standard: str) -> dict:
    """An EDI location in the issue records' fields (``issues.EDI_PLACE``)."""
    container = f"interchange {where.interchange}"
    if where.message:
        container += f", {_kind(standard)} {where.message}"
    if where.position is not None:
        segment = f"segment {where.position} ({where.segment})"
    else:
        segment = f"segment {where.segment}"
    return {"sheet": container, "cell": segment, "line": where.line}


def problem_issue(path: Path, problem: Problem, standard: str) -> Issue:
    return Issue(
        problem.code,
        problem.message,
        ERROR if problem.severity == "error" else WARNING,
        path.name,
        column=problem.where.element,
        **place(problem.where, standard),
    )


def edi_parts(
    ledger: Ledger, path: Path, edi: EdiFile, distributor: str | None, period: str | None
) -> tuple[list[Part], str, str | None, list[Issue]]:
    """The file's report parts (sell-through, inventory), its distributor, the month it
    reports when it is one, and the issues found reading it. Raises ``FileRefused`` when
    nothing in it can be loaded."""
    standard = edi.standard
    issues: list[Issue] = []
    for interchange in edi.interchanges:
        issues += [problem_issue(path, p, standard) for p in interchange.problems]
        for message in interchange.messages:
            issues += [problem_issue(path, p, standard) for p in message.problems]
    who = _distributor(ledger, path, edi, distributor)
    codes = resolver(ledger)
    sold, stock = EdiRows(standard, SOLD_FIELDS), EdiRows(standard, STOCK_FIELDS)
    stock_lines: list[tuple[str, str, Line]] = []
    for interchange in edi.interchanges:
        broken = any(p.severity == "error" for p in interchange.problems)
        if interchange.test and interchange.messages:  # ISA15 T / UNB11 1: never real figures
            issues.append(_test_interchange(path, interchange, standard))
            continue
        for message in interchange.messages:
            if message.type not in SELL_THROUGH_TYPES + INVENTORY_TYPES:
                continue  # the reader said what it is and that it is not read
            if broken or not message.accepted:
                issues.append(_left_out(path, interchange, message, standard, broken))
                continue
            month = _month(path, message, period, standard, issues)
            if month is None:
                continue
            if message.cancels:  # the month's report withdrawn: a report of nothing
                issues.append(_cancellation(path, interchange, message, month, standard))
                (sold if message.type in SELL_THROUGH_TYPES else stock).months.add(month)
                continue
            if message.type in SELL_THROUGH_TYPES:
                sold.months.add(month)
                for line in message.lines:
                    _sold_line(path, codes, who, month, message, line, sold, issues)
            else:
                stock.months.add(month)
                stock_lines += [(month, message.currency, line) for line in message.lines]
    _stock_rows(path, codes, who, stock_lines, stock, issues)
    parts = [
        Part(_layout(table), edi=rows)
        for table, rows in ((SELL_THROUGH, sold), (INVENTORY, stock))
        if rows.months  # a month with nothing sold is a report too
    ]
    if not parts:
        why = "nothing in it can be loaded: " + (
            next((i.message for i in issues if i.severity == ERROR), None)
            or "it holds no sell-through or inventory report"
        )
        raise FileRefused(str(path), [Issue("FILE", why, file=path.name), *issues])
    months = sold.months | stock.months
    return parts, who, (next(iter(months)) if len(months) == 1 else None), issues


def _layout(table) -> Layout:
    """Every column of the layout, in its declared order (an EDI file has no header)."""
    return Layout(table, dict(enumerate(table.columns)), [])


def _distributor(ledger: Ledger, path: Path, edi: EdiFile, given: str | None) -> str:
    senders = []  # (id as sent, where it was read)
    for ic in edi.interchanges:
        senders.append((ic.sender.value, "the interchange's sender"))
        for m in ic.messages:
            senders += [(c.value, "a sender the message names") for c in m.sender]
    owners: dict[str, list[str]] = defaultdict(list)
    for d, ids in ledger.con.execute(
        "SELECT distributor_id, edi_ids FROM distributors WHERE edi_ids IS NOT NULL"
    ).fetchall():
        for i in ids:
            owners[i.strip().casefold()].append(d)
    found = {d: value for value, _ in senders for d in owners.get(value.strip().casefold(), [])}
    refuse = lambda why: FileRefused(str(path), [Issue("FILE", why, file=path.name)])  # noqa: E731
    if len(found) > 1:
        named = ", ".join(f"{d} (EDI ID {v})" for d, v in sorted(found.items()))
        raise refuse(f"the file is sent by more than one distributor: {named}; one a file")
    if found:
        (who,) = found
        if given and given != who:
            raise refuse(
                f"this file is from {who} (EDI ID {found[who]}), not {given}: check the "
                "distributor given, or the EDI IDs on the Distributors sheet"
            )
        return who
    if given:
        return given
    sender = edi.interchanges[0].sender if edi.interchanges else None
    said = f"{sender.value} (qualifier {sender.qualifier})" if sender else "nobody"
    raise refuse(
        f"no distributor has the EDI ID this file is sent from, {said}: add it to the "
        "distributor's EDI IDs on the Distributors sheet of the program workbook (then run "
        "channelxl check), or give --distributor"
    )


def _left_out(path, ic: Interchange, m: Message, standard: str, broken: bool) -> Issue:
    noun = _kind(standard)
    why = (
        "its interchange's envelope is in error"
        if broken
        else f"the {noun} has syntax errors (listed) and is rejected"
    )
    where = Where(ic.control, m.group, m.control, None, m.type)
    return Issue(
        "EDI",
        f"{noun} {m.control} ({m.type}) was not loaded: {why}; send it again corrected",
        ERROR,
        path.name,
        **place(where, standard),
    )


def _cancellation(path, ic: Interchange, m: Message, month: str, standard: str) -> Issue:
    flag = "BPT01 is 01" if standard == "X12" else "BGM03 is 1"
    what = "sell-through" if m.type in SELL_THROUGH_TYPES else "inventory"
    lines = f"; the {len(m.lines):,} line(s) it repeats were not loaded" if m.lines else ""
    return Issue(
        "EDI",
        f"{_kind(standard)} {m.control} cancels the {what} report for {month} ({flag}){lines}: "
        f"{month} now has no {what} from this distributor (a month that had lines is held "
        "until you accept or reject this file); send a new report to replace it",
        WARNING,
        path.name,
        column=flag[:5],
        # the heading segment that says so: second in the set or message, after ST / UNH
        **place(Where(ic.control, m.group, m.control, 2, flag[:3]), standard),
    )


def _kind(standard: str) -> str:
    return "transaction set" if standard == "X12" else "message"


def _test_interchange(path, ic: Interchange, standard: str) -> Issue:
    flag = "ISA15 is T" if standard == "X12" else "UNB11 is 1"
    return Issue(
        "EDI",
        f"interchange {ic.control} is marked as a test ({flag}): its reports were not loaded; "
        "send the production interchange",
        ERROR,
        path.name,
        **place(
            Where(ic.control, None, None, None, "ISA" if standard == "X12" else "UNB"), standard
        ),
    )


def _month(path, m: Message, period: str | None, standard, issues) -> str | None:
    """The month a message reports (module docstring), or None with the problem said."""
    start, end = m.period
    where = Where("?", m.group, m.control, None, "DTM")
    if end or start:
        last = Month.of(end or start)
        if start and end and Month.of(start) != last and m.type in SELL_THROUGH_TYPES:
            issues.append(
                Issue(
                    "DATE",
                    f"the report covers {start} to {end}, more than one month: it was not "
                    "loaded; send one report for each month",
                    ERROR,
                    path.name,
                    **place(where, standard),
                )
            )
            return None
        return str(last)
    if period:
        return period
    months = {Month.of(line.fields["invoice_date"]) for line in m.lines if _is_date(line)}
    if len(months) == 1:
        return str(months.pop())
    issues.append(
        Issue(
            "DATE",
            "the report gives no period (DTM report start and end) and its invoices are not "
            "all in one month: it was not loaded; add the report's dates",
            ERROR,
            path.name,
            **place(where, standard),
        )
    )
    return None


def _is_date(line: Line) -> bool:
    return isinstance(line.fields.get("invoice_date"), date)


def _sold_line(path, codes, who, month, m: Message, line: Line, out: EdiRows, issues) -> None:
    f = line.fields
    if f.get("transfer_type") in NOT_SOLD:
        out.left_out += 1
        issues.append(
            Issue(
                "QUAN",
                f"a return to the vendor ({f.get('transfer_code', 'RV')}) is stock sent back, "
                "not a sale to a reseller: left out of the sell-through",
                WARNING,
                path.name,
                column=line.where.element,
                **place(line.where, out.standard),
            )
        )
        return
    sku, product_problem = codes.product(who, line.product, standard=out.standard)
    reseller, reseller_problem = codes.reseller(who, line.reseller, standard=out.standard)
    bad = [("PROD", product_problem)] if sku is None else []
    bad += [("PART", reseller_problem)] if reseller is None else []
    for code, why in bad:
        issues.append(Issue(code, why, ERROR, path.name, **place(line.where, out.standard)))
    if bad:
        out.left_out += 1
        return
    out.rows.append(
        (
            who,
            month,
            f.get("invoice_date"),
            f.get("invoice_number"),
            reseller,
            f.get("reseller_name"),
            f.get("reseller_country"),
            f.get("end_customer_name"),
            f.get("end_customer_country"),
            f.get("end_customer_segment"),
            sku,
            f.get("quantity"),
            f.get("unit_price"),
            f.get("currency") or m.currency,
            f.get("deal_registration_id"),
        )
    )  # in the order of SOLD_FIELDS
    out.places.append(line.where)


def _stock_rows(path, codes, who, lines, out: EdiRows, issues) -> None:
    """One inventory row per month and SKU: on hand and in transit summed over locations."""
    sums: dict[tuple[str, str], dict] = {}
    first: dict[tuple[str, str], Where] = {}
    activities = 0
    for month, _, line in lines:
        f = line.fields
        if "on_hand" not in f and "in_transit" not in f:
            activities += 1
            continue
        sku, problem = codes.product(who, line.product, standard=out.standard)
        if sku is None:
            out.left_out += 1
            issues.append(
                Issue("PROD", problem, ERROR, path.name, **place(line.where, out.standard))
            )
            continue
        key = (month, sku)
        row = sums.setdefault(
            key,
            {
                "distributor_id": who,
                "period": month,
                "sku": sku,
                "on_hand": None,
                "in_transit": None,
            },
        )
        first.setdefault(key, line.where)
        for name in ("on_hand", "in_transit"):
            if f.get(name) is not None:
                row[name] = (row[name] or 0) + f[name]
    if activities:
        issues.append(
            Issue(
                "QUAN",
                f"{activities} inventory line(s) of other activities (sold, received, on "
                "order) are not part of the month-end stock and were not loaded",
                WARNING,
                path.name,
            )
        )
    for key, row in sums.items():
        out.rows.append(tuple(row[name] for name in STOCK_FIELDS))
        out.places.append(first[key])


def insert_edi(load: PartLoad, part: EdiRows) -> tuple[int, list[Issue], list[int]]:
    """Check each value with the layout's cell parsers and insert the good rows; returns
    the report lines read, the values that could not be read (located), and the index in
    the part's rows of each row inserted.

    A column at a time (``io.cells.parse_column``: each distinct value parsed once; a
    million lines carry a few thousand distinct prices, dates and names)."""
    table = load.table
    count = len(part.rows)
    given = part.columns()
    found: list[tuple[int, int, Issue]] = []  # (row, column): issues in the file's order
    bad: set[int] = set()
    columns: dict[str, list] = {}
    for ci, column in enumerate(table.columns):
        parse = column_parser(
            Column(column.name, column.type, column.help, required=False, allowed=column.allowed)
        )
        if column.type == "int":  # a quantity read as Decimal: the whole-number parser's float

            def parse(value, whole=parse):
                return whole(float(value) if isinstance(value, Decimal) else value)

        raw = given.pop(column.field, None) or [None] * count
        try:
            columns[column.field] = parse_column(parse, column, raw)
            continue
        except CellError:  # then cell by cell, each value that cannot be read located
            pass
        values = []
        for k, value in enumerate(raw):
            try:
                values.append(parse(value))
            except CellError as exc:
                bad.add(k)
                values.append(None)
                found.append((k, ci, _value_issue(load, part, k, column, exc)))
        columns[column.field] = values
    keep = [k for k in range(count) if k not in bad]
    frame = pd.DataFrame(columns, dtype=object)
    if bad:
        frame = frame.iloc[keep].reset_index(drop=True)
    frame = frame_for_insert(frame, table)
    con = load.ledger.con
    con.register("incoming", frame)
    con.execute(insert_sql(lines_table(table), "incoming", table, load.sid))
    con.unregister("incoming")
    found.sort(key=lambda f: f[:2])
    return part.read, [issue for _, _, issue in found], keep


def _value_issue(load: PartLoad, part: EdiRows, k: int, column, exc: CellError) -> Issue:
    return Issue(
        column.issue_code,
        str(exc),
        ERROR,
        load.path.name,
        column=column.name,
        **place(part.places[k], part.standard),
    )


def acknowledgements(edi: EdiFile, path: Path, digest) -> list[tuple[str, str]]:
    """The acknowledgements of an EDI file, as (file name, text): a 997 for each X12
    interchange, a CONTRL for each EDIFACT one, sent from the id the file was addressed to
    back to its sender. They answer the standard's syntax only (accepted, accepted with
    errors, rejected): what the program makes of the lines is in the feedback. Their
    control numbers come from the file's SHA-256 and the interchange's position, so the
    same file answered twice gets the same acknowledgement."""
    from channelxl.io.atomic import safe_name
    from channelxl.io.edi.edifact import write_contrl
    from channelxl.io.edi.x12 import write_997
    from channelxl.ledger.store import file_sha256

    if digest is None:
        digest = file_sha256(path)
    elif not isinstance(digest, str):
        digest = digest.result()  # hashed in the background
    when = datetime.now().replace(microsecond=0)
    out = []
    for k, ic in enumerate(edi.interchanges):
        control = str((int(digest[:12], 16) + k) % 10**9).zfill(9)
        if edi.standard == "X12":
            text, name = write_997(ic, ic.receiver, control, when), "997"
            suffix = ".x12"
        else:
            text, name = write_contrl(ic, ic.receiver, control, when), "CONTRL"
            suffix = ".edi"
        if text:
            out.append((safe_name(f"{name}_{ic.control}_{path.stem}") + suffix, text))
    return out

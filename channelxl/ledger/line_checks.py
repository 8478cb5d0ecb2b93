"""Checking received lines in the ledger: the rules of ``ledger.line_rules`` (SQL, one
per column check and across columns) and the row checks here.

- :data:`ROW_CHECKS`: ``check(load)`` gives :class:`Finding` rows found another way:
  duplicate keys, the same invoice line twice, lines out of territory (the rule of
  ``core.territory``: its engine for a small part, ``STATUS_SQL`` for a large one).

:func:`validate` runs the rules in one cheap scan (most files have no problem), asks the
flagged rows which rules they fail, adds the row checks, and turns every finding into a
located :class:`Issue`. An error quarantines its line; a warning loads it.

**A small part is screened in Python.** Each statement costs a small file more than its
rows do (a rule with a subquery: 1.5-4 ms), so a part of at most :data:`PYTHON_ROWS` lines
is read once (``PartLoad.line_rows``) and each rule's ``screen`` (a Python predicate, true
for every row the SQL condition is true for, and perhaps a few more) picks the rows and the
rules to ask SQL about: a clean file asks nothing, a file with problems asks only about its
flagged rows and the rules that flagged them. SQL stays the one definition of a rule and of
its message; a rule without a screen makes the part take the SQL scan. The row checks
(duplicates, territory) are decided over the same rows: equality of values, the same
definitions.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from operator import itemgetter
from typing import NamedTuple

from channelxl.core.reconcile import DUPLICATE_LINE_KEY
from channelxl.core.territory import IN, OUT, statuses
from channelxl.io.formulas import uncached_formulas
from channelxl.issues import ERROR, WARNING, Issue, column_letter
from channelxl.ledger.ddl import lines_table
from channelxl.ledger.line_rules import TODAY, Row, Rule, rules
from channelxl.ledger.received_part import PartLoad
from channelxl.ledger.territory_lines import PLACE_SQL, STATUS_SQL

# A part of at most this many lines is checked over its rows read into Python (see above).
PYTHON_ROWS = 5_000


class Finding(NamedTuple):
    """A problem on one line, before it is located (a tuple: a file may have 100,000)."""

    rowid: int
    severity: str
    code: str
    field: str
    message: str


def _findings(rowids, severity: str, code: str, field: str, message: str) -> list[Finding]:
    """One finding per row of ``rowids``, made as tuples are (a NamedTuple's own
    constructor runs in Python: a third of the cost of 96,250 duplicate warnings)."""
    make = tuple.__new__
    return [make(Finding, (rowid, severity, code, field, message)) for rowid in rowids]


# ---------------------------------------------------------------- rows found another way
def duplicate_keys(load: PartLoad) -> list[Finding]:
    """The same key (``Table.unique``) twice in one file: the later rows are errors."""
    table, sid = load.table, load.sid
    if not table.unique:
        return []
    lt = lines_table(table)
    fields = [table.column(n).field for n in table.unique]
    key = ", ".join(fields)
    label = " / ".join(table.unique)
    field = fields[-1]
    message = f"the same {label} appears earlier in this file"
    if load.rows is not None:
        return [Finding(r, ERROR, "DUPL", field, message) for r in _repeats(load.rows, fields)]
    rows = load.ledger.con.execute(
        f"SELECT rowid FROM "
        # group on a hash first (cheap), then number only the rows whose hash repeats
        f"(SELECT rowid, row_number() OVER (PARTITION BY {key} ORDER BY rowid) AS n FROM {lt} "
        f"WHERE submission_id = {sid} AND hash({key}) IN (SELECT h FROM (SELECT hash({key}) "
        f"AS h FROM {lt} WHERE submission_id = {sid}) GROUP BY h HAVING count(*) > 1)) "
        "WHERE n > 1"
    ).fetchall()
    return [Finding(rowid, ERROR, "DUPL", field, message) for (rowid,) in rows]


def duplicate_invoice_lines(load: PartLoad) -> list[Finding]:
    """The same invoice line twice in a sell-through report (``DUPLICATE_LINE_KEY``, the
    definition reconciliation uses too): a warning, the line is loaded."""
    if load.table.name != "sell_through":
        return []
    message = "the same invoice line appears earlier in this report"
    if load.rows is not None:
        repeats = _repeats(load.rows, DUPLICATE_LINE_KEY)
        return _findings(repeats, WARNING, "DUPL", "invoice_number", message)
    lt = lines_table(load.table)
    (rowids,) = load.ledger.con.execute(
        "SELECT coalesce(list(rowid ORDER BY rowid), []) FROM (SELECT rowid, row_number() "
        f"OVER (PARTITION BY {', '.join(DUPLICATE_LINE_KEY)} ORDER BY rowid) "
        f"AS n FROM {lt} WHERE submission_id = {load.sid}) WHERE n > 1"
    ).fetchone()
    return _findings(rowids, WARNING, "DUPL", "invoice_number", message)


def _repeats(rows: list[Row], fields) -> list[int]:
    """The rowids of the rows whose values of ``fields`` an earlier row has (a window
    ``PARTITION BY fields ORDER BY rowid`` numbering them above 1: equal values, NULL equal
    to NULL)."""
    seen, out = set(), []
    for row in rows:
        key = tuple(row[f] for f in fields)
        if key in seen:
            out.append(row["rowid"])
        else:
            seen.add(key)
    return out


def out_of_territory(load: PartLoad) -> list[Finding]:
    """TERR warnings: the territory rule of ``core.territory``. A small part's rows go
    through the engine itself; a larger part is decided in SQL by ``STATUS_SQL`` as the
    quarter's territory check decides it (a property test keeps the two equal), returning
    only the lines not in territory: 0.03 s for 100,000 lines against 0.2 s for reading
    them into a frame for the engine."""
    if load.table.name != "sell_through":
        return []
    if load.rows is not None:
        territories = load.ledger.program_fact(
            "territories",
            lambda: load.ledger.con.execute(
                "SELECT distributor_id, country, segment, valid_from, valid_to FROM territories"
            ).fetchall(),
        )
        lines = _territory_lines(load)
        found = [
            (rowid, d, country, st)
            for (rowid, d, country, *_), st in zip(
                lines, statuses([line[1:] for line in lines], territories), strict=True
            )
            if st != IN
        ]
    else:
        found = load.ledger.con.execute(
            f"SELECT rowid, distributor_id, country, status FROM (SELECT l.*, {STATUS_SQL} "
            f"AS status FROM (SELECT s.rowid, s.distributor_id, {PLACE_SQL}, s.invoice_date "
            f"FROM {lines_table(load.table)} s LEFT JOIN resellers r USING (reseller_id) "
            f"WHERE s.submission_id = {load.sid} AND s.invoice_date IS NOT NULL) l) "
            "WHERE status <> 'IN' ORDER BY rowid"
        ).fetchall()
    out = []
    for rowid, d, country, st in found:
        what = f"is not appointed for {country}" if st == OUT else "has no territory on that date"
        message = f"out of territory: {d} {what}"
        out.append(Finding(int(rowid), WARNING, "TERR", "end_customer_country", message))
    return out


def _territory_lines(load: PartLoad) -> list[tuple]:
    """The territory engine's input from the part's rows, as ``PLACE_SQL`` places them (the
    reseller's country from the program when the line names none; a reseller listed
    twice joins twice)."""
    ledger = load.ledger
    countries = ledger.program_fact(
        "reseller countries",
        lambda: _grouped(ledger.con.execute("SELECT reseller_id, country FROM resellers")),
    )
    out = []
    for row in load.rows:
        if row["invoice_date"] is None:
            continue
        r = row["reseller_id"]
        for country in (r is not None and countries.get(r)) or [None]:
            out.append(
                (
                    row["rowid"],
                    row["distributor_id"],
                    _first_not_null(row["end_customer_country"], row["reseller_country"], country),
                    row["end_customer_segment"] if row["end_customer_segment"] is not None else "",
                    row["invoice_date"],
                )
            )
    return out


def _grouped(cursor) -> dict:
    out: dict = {}
    for key, value in cursor.fetchall():
        out.setdefault(key, []).append(value)
    return out


def _first_not_null(*values):
    return next((v for v in values if v is not None), None)


ROW_CHECKS: tuple[Callable[[PartLoad], list[Finding]], ...] = (
    duplicate_keys,
    duplicate_invoice_lines,
    out_of_territory,
)


# ---------------------------------------------------------------- running them
def normalize(load: PartLoad) -> None:
    """Text into its normal form (``Column.normal_sql``: trimmed, blank as NULL, codes
    upper-case, enumerations lower-case, defaults filled): one UPDATE that touches only the
    rows that need it (most files need none)."""
    if load.normalized:
        return
    sets, needs = [], []
    for c in load.table.columns:
        if not c.kind.text:
            continue
        f = c.field
        expr = c.normal_sql(f)
        if c.default is not None:
            needs.append(f"{f} IS NULL")
        sets.append(f"{f} = {expr}")
        needs.append(f"{f} <> {expr}")
    if sets:
        load.ledger.con.execute(
            f"UPDATE {lines_table(load.table)} SET {', '.join(sets)} WHERE submission_id = ? "
            f"AND ({' OR '.join(needs)})",
            [load.sid],
        )
        load.first = None  # asked again after an UPDATE rather than assumed unchanged


def _rule_findings(load: PartLoad, found_rules: list[Rule]) -> list[Finding]:
    if not found_rules:
        return []
    con, sid, lt = load.ledger.con, load.sid, lines_table(load.table)
    today = f"DATE '{load.today.isoformat()}'"
    conditions = [r.condition.replace(TODAY, today) for r in found_rules]
    screened = _screened(load, found_rules)
    if screened is not None:
        # the rows and rules the screens flagged (a superset of SQL's): SQL decides
        flagged_ids, asked = screened
        if not flagged_ids:
            return []
        flagged = [(rowid,) for rowid in flagged_ids]
    else:
        # First one cheap scan for the rows with any problem (most files have none), then,
        # for those rows only, which rules they break and the message of each.
        asked = range(len(found_rules))
        any_hit = " OR ".join(f"({cond})" for cond in conditions)
        flagged = con.execute(
            f"SELECT rowid FROM {lt} WHERE submission_id = {sid} AND ({any_hit})"
        ).fetchall()
        if not flagged:
            return []
    hits = ", ".join(
        f"CASE WHEN {conditions[i]} THEN {{'i': {i}, 'm': {found_rules[i].message}}} END"
        for i in asked
    )
    rows = con.execute(
        f"SELECT rowid, unnest(list_filter([{hits}], lambda x: x IS NOT NULL)) FROM {lt} "
        f"WHERE submission_id = {sid} AND rowid IN (SELECT unnest(?))",
        [[r[0] for r in flagged]],
    ).fetchall()
    out = []
    for rowid, hit in rows:
        rule = found_rules[hit["i"]]
        # a message built from a value that is missing is NULL: the problem is still said
        message = hit["m"] or f"{rule.field.replace('_', ' ')} fails the {rule.code} check"
        out.append(Finding(rowid, rule.severity, rule.code, rule.field, message))
    return out


def _screened(load: PartLoad, found_rules: list[Rule]) -> tuple[list[int], list[int]] | None:
    """The rowids some rule's screen flags, and those rules' indices (in rule order); None
    when the part is not screened (a large part, or a rule without a screen)."""
    if load.rows is None or any(r.screen is None for r in found_rules):
        return None
    rows, today, flagged, asked = load.rows, load.today, set(), []
    for i, rule in enumerate(found_rules):
        screen = rule.screen
        try:
            hit = {row["rowid"] for row in rows if screen(row, today)}
        except (TypeError, ValueError, ArithmeticError):
            hit = {row["rowid"] for row in rows if _screen(rule, row, today)}
        if hit:
            flagged |= hit
            asked.append(i)
    return sorted(flagged), asked


def _screen(rule: Rule, row: Row, today: date) -> bool:
    try:
        return bool(rule.screen(row, today))
    except (TypeError, ValueError, ArithmeticError):  # a value the screen cannot weigh
        return True  # SQL decides


def validate(load: PartLoad) -> set[int]:
    """Run every check; add the issues to ``load.issues``; return the rowids of the lines
    with errors (to quarantine)."""
    con, sid = load.ledger.con, load.sid
    first = load.first
    if first is None and load.rows is not None:
        first = load.rows[0]["rowid"] if load.rows else None
    if first is None:
        first = con.execute(
            f"SELECT min(rowid) FROM {lines_table(load.table)} WHERE submission_id = ?", [sid]
        ).fetchall()[0][0]
    found = _rule_findings(load, rules(load))
    for check in ROW_CHECKS:
        found += check(load)
    bad = set()
    names = {c.field: c.name for c in load.table.columns}
    file, issues = load.path.name, load.issues
    # row by row, as a person reads; within a row by column (two stable sorts on one key
    # each: no key tuple per finding)
    found.sort(key=itemgetter(3))
    found.sort(key=itemgetter(0))
    if load.sheet_rows is not None:  # a sheet: its cell named here (a warning on every line)
        sheet, rows = load.sheet_rows
        letters = {f: column_letter(load.layout.position(f) or 0) for f in names}
        make = tuple.__new__  # an Issue made as a tuple is: no Python constructor per line
        for rowid, severity, code, field, message in found:
            if severity == ERROR:
                bad.add(rowid)
            cell = f"{letters[field]}{rows[rowid - first] + 1}"  # issues.a1: rows are 0-based
            issues.append(
                make(Issue, (code, message, severity, file, sheet, cell, None, names[field]))
            )
    else:  # a line of a CSV file, or a place in an EDI file
        for rowid, severity, code, field, message in found:
            if severity == ERROR:
                bad.add(rowid)
            where = load.locate(rowid - first)
            location = where["edi"] if "edi" in where else {"line": where["line"]}
            issues.append(Issue(code, message, severity, file, column=names[field], **location))
    _explain_uncached_formulas(load)
    return bad


def _explain_uncached_formulas(load: PartLoad) -> None:
    """A required cell that reads empty because its formula's result was not saved says so."""
    required = {f"{c.name} is required": c.name for c in load.table.columns}  # its words
    empty = [
        (k, i)
        for k, i in enumerate(load.issues)
        if i.message in required and required[i.message] == i.column and i.sheet and i.cell
    ]
    if not empty or load.path.suffix.lower() not in (".xlsx", ".xlsm"):
        return
    formulas = {s: uncached_formulas(load.path, s) for s in {i.sheet for _, i in empty}}
    for k, issue in empty:
        formula = formulas[issue.sheet].get(issue.cell)
        if formula is not None:
            load.issues[k] = issue.replace(
                message=f"{issue.column} holds the formula ={formula} but not its result (the "
                "file was saved by a program, not by Excel); open it in Excel, save it and send "
                "it again, or type the value",
            )

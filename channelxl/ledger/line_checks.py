"""Checking received lines in the ledger: a registry of named checks, run in SQL.

Each check is a function named after what it checks, in the manner of beancount's
validations; the registries list them in the order their findings are reported:

- :data:`COLUMN_CHECKS`: ``check(column, load)`` gives a :class:`Rule` (a SQL condition
  true for a bad row, and the SQL of its message) or None, for each declared column: a
  required value, bounds, allowed values, ISO codes, a month's form, a date not in the
  future, a reference to the program workbook.
- :data:`TABLE_CHECKS`: ``check(load)`` gives rules across columns: a sell-through line
  dated in its period, by an authorized reseller, with an FX rate, above the floor price;
  a line for the distributor and period the file is for.
- :data:`ROW_CHECKS`: ``check(load)`` gives :class:`Finding` rows found another way:
  duplicate keys, the same invoice line twice, lines out of territory (the territory
  engine, ``core.territory``, the one definition of it).

:func:`validate` runs the rules in one cheap scan (most files have no problem), asks the
flagged rows which rules they fail, adds the row checks, and turns every finding into a
located :class:`Issue`. An error quarantines its line; a warning loads it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from channelxl.core.reconcile import DUPLICATE_LINE_KEY
from channelxl.core.territory import IN, OUT, statuses
from channelxl.io.formulas import uncached_formulas
from channelxl.issues import ERROR, WARNING, Issue, a1
from channelxl.ledger.ddl import lines_table
from channelxl.ledger.received_part import PartLoad
from channelxl.schema import REFERENCE_SEVERITY, Column
from channelxl.schema.columns import field_name, sql_text

TODAY = "$today"  # stands for the load's today in a rule's condition


@dataclass(frozen=True)
class Rule:
    """A check as SQL: ``condition`` is true for a bad row; ``message`` is the SQL of what
    to tell the sender about it."""

    severity: str
    code: str
    field: str  # the column the issue is reported on
    condition: str
    message: str


@dataclass(frozen=True)
class Finding:
    rowid: int
    severity: str
    code: str
    field: str
    message: str


# ---------------------------------------------------------------- one column at a time
def required(c: Column, load: PartLoad) -> Rule | None:
    period_report = load.table.supersede == "period" and c.field in ("distributor_id", "period")
    if c.required or period_report:
        return Rule(ERROR, c.issue_code, c.field, f"{c.field} IS NULL", f"'{c.name} is required'")
    return None


def minimum(c: Column, load: PartLoad) -> Rule | None:
    if c.minimum is None:
        return None
    f = c.field
    return Rule(
        ERROR,
        c.issue_code,
        f,
        f"{f} < {c.minimum}",
        f"'{c.name} ' || {f} || ' is below {c.minimum:g}'",
    )


def maximum(c: Column, load: PartLoad) -> Rule | None:
    if c.maximum is None:
        return None
    f = c.field
    return Rule(
        ERROR,
        c.issue_code,
        f,
        f"{f} > {c.maximum}",
        f"'{c.name} ' || {f} || ' is above {c.maximum:g}'",
    )


def allowed(c: Column, load: PartLoad) -> Rule | None:
    if not c.allowed:
        return None
    f = c.field
    values = ", ".join(sql_text(a) for a in c.allowed)
    return Rule(
        ERROR,
        c.issue_code,
        f,
        f"{f} NOT IN ({values})",
        f"'{c.name} ' || {f} || ' is not one of: {', '.join(c.allowed)}'",
    )


def iso_country(c: Column, load: PartLoad) -> Rule | None:
    if c.type != "country":
        return None
    f = c.field
    return Rule(
        ERROR,
        c.issue_code,
        f,
        f"{f} NOT IN (SELECT code FROM iso_countries)",
        f"{f} || ' is not an ISO 3166-1 alpha-2 country code'",
    )


def iso_currency(c: Column, load: PartLoad) -> Rule | None:
    if c.type != "currency":
        return None
    f = c.field
    return Rule(
        ERROR,
        c.issue_code,
        f,
        f"{f} NOT IN (SELECT code FROM iso_currencies)",
        f"{f} || ' is not an ISO 4217 currency code'",
    )


def month_form(c: Column, load: PartLoad) -> Rule | None:
    if c.type != "month":
        return None
    f = c.field
    return Rule(
        ERROR,
        c.issue_code,
        f,
        f"NOT regexp_full_match({f}, '\\d{{4}}-(0[1-9]|1[0-2])')",
        f"{f} || ' is not a month; write YYYY-MM'",
    )


def not_in_future(c: Column, load: PartLoad) -> Rule | None:
    if c.type != "date" or not c.past:
        return None
    f = c.field
    return Rule(
        ERROR, c.issue_code, f, f"{f} > {TODAY}", f"'{c.name} ' || {f} || ' is in the future'"
    )


def reference(c: Column, load: PartLoad) -> Rule | None:
    """A value the program workbook must know; unknown distributors and programs are errors
    (the line cannot be attributed), unknown SKUs and resellers warnings (the workbook has
    not caught up yet, and reconciliation flags them)."""
    if not c.references:
        return None
    target, column = c.references.split(".")
    f = c.field
    return Rule(
        REFERENCE_SEVERITY.get(target, ERROR),
        c.issue_code,
        f,
        f"{f} NOT IN (SELECT {field_name(column)} FROM {target})",
        f"{f} || ' is not in the program workbook ({target})'",
    )


COLUMN_CHECKS: tuple[Callable[[Column, PartLoad], Rule | None], ...] = (
    required,
    minimum,
    maximum,
    allowed,
    iso_country,
    iso_currency,
    month_form,
    not_in_future,
    reference,
)


# ---------------------------------------------------------------- across columns
def sell_through_rules(load: PartLoad) -> list[Rule]:
    """A sell-through line: dated in its period; and, as warnings (the line is real and is
    loaded; reconciliation shows them too), an authorized reseller, an FX rate for its
    currency and month, a price not below the floor."""
    if load.table.name != "sell_through":
        return []
    lt = lines_table(load.table)
    ledger = load.ledger
    reporting = sql_text(ledger.program_fact("settings", ledger.settings).reporting_currency)
    return [
        Rule(
            ERROR,
            "DATE",
            "invoice_date",
            "strftime(invoice_date, '%Y-%m') <> period",
            "'Invoice Date ' || invoice_date || ' is outside the reported period ' || period",
        ),
        Rule(
            WARNING,
            "PART",
            "reseller_id",
            f"NOT list_contains(coalesce((SELECT r.authorized_distributors FROM resellers r WHERE "
            f"r.reseller_id = {lt}.reseller_id), [{lt}.distributor_id]), {lt}.distributor_id)",
            "'reseller ' || reseller_id || ' is not authorized to buy from ' || distributor_id",
        ),
        Rule(
            WARNING,
            "FX",
            "currency",
            # a line without its period has that said (required): no month to look up
            f"{lt}.currency <> {reporting} AND {lt}.period IS NOT NULL AND NOT EXISTS "
            f"(SELECT 1 FROM fx_rates f WHERE f.currency = {lt}.currency AND f.month = "
            f"{lt}.period)",
            "'no FX rate for ' || currency || ' in ' || period || ' in the program workbook: "
            "the line is loaded, but reports cannot convert it'",
        ),
        Rule(
            WARNING,
            "PRIC",
            "unit_price",
            # widened first: DECIMAL(18,4) x DECIMAL(18,8) stays 18 digits and overflows
            f"CAST(unit_price AS DECIMAL(38, 4)) * (CASE WHEN {lt}.currency = {reporting} "
            "THEN 1 ELSE (SELECT f.rate FROM "
            f"fx_rates f WHERE f.currency = {lt}.currency AND f.month = {lt}.period) END) < "
            f"(SELECT p.floor_price FROM products p WHERE p.sku = {lt}.sku)",
            "'unit price ' || unit_price || ' ' || currency || ' is below the floor price of ' "
            "|| sku",
        ),
    ]


def scope(load: PartLoad) -> list[Rule]:
    """A file said (by the template or the command line) to be for one distributor and
    period holds no line for another."""
    fields = set(load.table.fields)
    out = []
    for name, flag in (("distributor_id", load.distributor), ("period", load.period)):
        if flag and name in fields:
            v = sql_text(flag)
            out.append(
                Rule(
                    ERROR,
                    "SCOPE",
                    name,
                    f"{name} <> {v}",
                    f"'this line is for ' || {name} || ' but the file is for ' || {v}",
                )
            )
    return out


PLACEHOLDER_PROOFS = ("-", "--", ".", "?", "0", "n/a", "na", "none", "tbd", "tba", "x", "proof")


def mdf_claim_rules(load: PartLoad) -> list[Rule]:
    """An MDF claim: against an activity of the same distributor (another's: error; one the
    activities export has not listed yet: warning), a completed one (planned or cancelled:
    error), for an amount above 0, with a real proof reference, under a Claim ID no other
    distributor uses. Claims on one activity adding up to more than its cost: a warning,
    not an error: the claim was made and is kept as sent, the cost in the campaign export
    may lag behind, and the money moves only when an analyst approves (the MDF sheet flags
    the claim and any approval above the cost)."""
    if load.table.name != "mdf_claims":
        return []
    lt, sid = lines_table(load.table), load.sid
    activity = f"(SELECT a.{{}} FROM activities a WHERE a.activity_id = {lt}.activity_id)"
    owner, status = activity.format("distributor_id"), activity.format("status")
    placeholders = ", ".join(sql_text(p) for p in PLACEHOLDER_PROOFS)
    # the claims on the activity once this file is in force: this file's, and the others'
    # whose Claim ID this file does not send again; each converted when currencies differ
    in_force = (
        f"(SELECT c.amount * CASE WHEN c.currency = a.currency THEN 1 ELSE "
        f"(SELECT f.rate FROM fx_rates f WHERE f.currency = c.currency AND f.month = "
        f"strftime(c.claim_date, '%Y-%m')) / (SELECT f.rate FROM fx_rates f WHERE f.currency "
        f"= a.currency AND f.month = strftime(c.claim_date, '%Y-%m')) END AS amount "
        f"FROM mdf_claims c JOIN activities a USING (activity_id) "
        f"WHERE c.activity_id = {lt}.activity_id AND (c.submission_id = {sid} OR c.claim_id "
        f"NOT IN (SELECT claim_id FROM {lt} WHERE submission_id = {sid})))"
    )
    cost = activity.format("cost")
    return [
        Rule(
            ERROR,
            "REF",
            "activity_id",
            f"{owner} <> {lt}.distributor_id",
            f"'claim ' || claim_id || ': activity ' || activity_id || ' is ' || {owner} || "
            "'''s, not ' || distributor_id || '''s: a distributor claims MDF only for its own "
            "activities; correct the Activity ID'",
        ),
        Rule(
            WARNING,
            "REF",
            "activity_id",
            f"{owner} IS NULL",
            "'claim ' || claim_id || ': activity ' || activity_id || ' is not in the activities "
            "export yet: the claim is loaded; load the campaign export that lists it before "
            "deciding the claim'",
        ),
        Rule(
            ERROR,
            "MDF",
            "activity_id",
            f"{owner} = {lt}.distributor_id AND {status} <> 'completed'",
            f"'claim ' || claim_id || ': activity ' || activity_id || ' is ' || {status} || "
            "', not completed: MDF is claimed only for an activity done. ' || CASE WHEN "
            f"{status} = 'cancelled' THEN 'Withdraw this claim.' ELSE 'Send the claim again "
            "once the campaign export shows the activity completed.' END",
        ),
        Rule(
            ERROR,
            "PRIC",
            "amount",
            "amount <= 0",
            "'Amount ' || printf('%.2f', amount) || ' must be above 0: a claim is for money spent'",
        ),
        Rule(
            ERROR,
            "MDF",
            "proof_reference",
            f"lower(proof_reference) IN ({placeholders})",
            "'Proof Reference ''' || proof_reference || ''' proves nothing: give the invoice "
            "number, file name or URL of the spend'",
        ),
        Rule(
            ERROR,
            "DUPL",
            "claim_id",
            f"EXISTS (SELECT 1 FROM mdf_claims c WHERE c.claim_id = {lt}.claim_id AND "
            f"c.distributor_id <> {lt}.distributor_id AND c.submission_id <> {sid})",
            "'Claim ID ' || claim_id || ' is already a claim of ' || (SELECT min(c.distributor_id) "
            f"FROM mdf_claims c WHERE c.claim_id = {lt}.claim_id AND c.distributor_id <> "
            f"{lt}.distributor_id AND c.submission_id <> {sid}) || ': give this claim an id of "
            "its own'",
        ),
        Rule(
            WARNING,
            "MDF",
            "amount",
            f"amount > 0 AND {owner} = {lt}.distributor_id AND (SELECT sum(amount) FROM "
            f"{in_force}) > {cost}",
            f"'the claims on activity ' || activity_id || ' add up to ' || (SELECT printf('%,.2f', "
            f"sum(amount)) FROM {in_force}) || ', above its cost of ' || printf('%,.2f', {cost}) "
            f"|| ' ' || {activity.format('currency')} || ': approve at most the cost'",
        ),
    ]


TABLE_CHECKS: tuple[Callable[[PartLoad], list[Rule]], ...] = (
    sell_through_rules,
    mdf_claim_rules,
    scope,
)


# ---------------------------------------------------------------- rows found another way
def duplicate_keys(load: PartLoad) -> list[Finding]:
    """The same key (``Table.unique``) twice in one file: the later rows are errors."""
    table, sid = load.table, load.sid
    if not table.unique:
        return []
    lt = lines_table(table)
    key = ", ".join(table.column(n).field for n in table.unique)
    label = " / ".join(table.unique)
    rows = load.ledger.con.execute(
        f"SELECT rowid FROM "
        # group on a hash first (cheap), then number only the rows whose hash repeats
        f"(SELECT rowid, row_number() OVER (PARTITION BY {key} ORDER BY rowid) AS n FROM {lt} "
        f"WHERE submission_id = {sid} AND hash({key}) IN (SELECT h FROM (SELECT hash({key}) "
        f"AS h FROM {lt} WHERE submission_id = {sid}) GROUP BY h HAVING count(*) > 1)) "
        "WHERE n > 1"
    ).fetchall()
    field = table.column(table.unique[-1]).field
    message = f"the same {label} appears earlier in this file"
    return [Finding(rowid, ERROR, "DUPL", field, message) for (rowid,) in rows]


def duplicate_invoice_lines(load: PartLoad) -> list[Finding]:
    """The same invoice line twice in a sell-through report (``DUPLICATE_LINE_KEY``, the
    definition reconciliation uses too): a warning, the line is loaded."""
    if load.table.name != "sell_through":
        return []
    lt = lines_table(load.table)
    rows = load.ledger.con.execute(
        "SELECT rowid FROM (SELECT rowid, row_number() OVER (PARTITION BY "
        f"{', '.join(DUPLICATE_LINE_KEY)} ORDER BY rowid) "
        f"AS n FROM {lt} WHERE submission_id = {load.sid}) WHERE n > 1"
    ).fetchall()
    message = "the same invoice line appears earlier in this report"
    return [Finding(rowid, WARNING, "DUPL", "invoice_number", message) for (rowid,) in rows]


def out_of_territory(load: PartLoad) -> list[Finding]:
    """TERR warnings from the territory engine (``core.territory``), the one definition."""
    if load.table.name != "sell_through":
        return []
    lt = lines_table(load.table)
    con = load.ledger.con
    lines = con.execute(
        f"SELECT l.rowid, l.distributor_id, coalesce(l.end_customer_country, "
        f"l.reseller_country, r.country), coalesce(l.end_customer_segment, ''), l.invoice_date "
        f"FROM {lt} l LEFT JOIN resellers r USING (reseller_id) "
        f"WHERE l.submission_id = {load.sid} AND l.invoice_date IS NOT NULL"
    ).fetchall()
    if not lines:
        return []
    territories = load.ledger.program_fact(
        "territories",
        lambda: con.execute(
            "SELECT distributor_id, country, segment, valid_from, valid_to FROM territories"
        ).fetchall(),
    )
    out = []
    for (rowid, d, country, *_), st in zip(
        lines, statuses([line[1:] for line in lines], territories), strict=True
    ):
        if st != IN:
            what = (
                f"is not appointed for {country}" if st == OUT else "has no territory on that date"
            )
            message = f"out of territory: {d} {what}"
            out.append(Finding(int(rowid), WARNING, "TERR", "end_customer_country", message))
    return out


ROW_CHECKS: tuple[Callable[[PartLoad], list[Finding]], ...] = (
    duplicate_keys,
    duplicate_invoice_lines,
    out_of_territory,
)


# ---------------------------------------------------------------- running them
def rules(load: PartLoad) -> list[Rule]:
    """Every rule for the part's table, column by column, then across columns."""
    out = [
        rule
        for c in load.table.columns
        for check in COLUMN_CHECKS
        if (rule := check(c, load)) is not None
    ]
    for check in TABLE_CHECKS:
        out += check(load)
    return out


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
    # First one cheap scan for the rows with any problem (most files have none), then,
    # for those rows only, which rules they break and the message of each.
    any_hit = " OR ".join(f"({cond})" for cond in conditions)
    flagged = con.execute(
        f"SELECT rowid FROM {lt} WHERE submission_id = {sid} AND ({any_hit})"
    ).fetchall()
    if not flagged:
        return []
    hits = ", ".join(
        f"CASE WHEN {cond} THEN {{'i': {i}, 'm': {rule.message}}} END"
        for i, (rule, cond) in enumerate(zip(found_rules, conditions, strict=True))
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


def validate(load: PartLoad) -> set[int]:
    """Run every check; add the issues to ``load.issues``; return the rowids of the lines
    with errors (to quarantine)."""
    con, sid = load.ledger.con, load.sid
    first = load.first
    if first is None:
        first = con.execute(
            f"SELECT min(rowid) FROM {lines_table(load.table)} WHERE submission_id = ?", [sid]
        ).fetchall()[0][0]
    found = _rule_findings(load, rules(load))
    for check in ROW_CHECKS:
        found += check(load)
    bad = set()
    by_field = {c.field: c for c in load.table.columns}
    # row by row, as a person reads; within a row by column
    for f in sorted(found, key=lambda f: (f.rowid, f.field)):
        if f.severity == ERROR:
            bad.add(f.rowid)
        where = load.locate(f.rowid - first)
        if "edi" in where:  # interchange, message, segment (issues.EDI_PLACE)
            location = where["edi"]
        elif "sheet" in where:
            j = load.layout.position(f.field)
            location = {
                "sheet": where["sheet"],
                "cell": a1(where["row"], j if j is not None else 0),
            }
        else:
            location = {"line": where["line"]}
        load.issues.append(
            Issue(
                f.code,
                f.message,
                f.severity,
                load.path.name,
                column=by_field[f.field].name,
                **location,
            )
        )
    _explain_uncached_formulas(load)
    return bad


def _explain_uncached_formulas(load: PartLoad) -> None:
    """A required cell that reads empty because its formula's result was not saved says so."""
    empty = [
        (k, i)
        for k, i in enumerate(load.issues)
        if i.sheet and i.cell and i.message == f"{i.column} is required"  # the required check
    ]
    if not empty or load.path.suffix.lower() not in (".xlsx", ".xlsm"):
        return
    formulas = {s: uncached_formulas(load.path, s) for s in {i.sheet for _, i in empty}}
    for k, issue in empty:
        formula = formulas[issue.sheet].get(issue.cell)
        if formula is not None:
            load.issues[k] = replace(
                issue,
                message=f"{issue.column} holds the formula ={formula} but not its result (the "
                "file was saved by a program, not by Excel); open it in Excel, save it and send "
                "it again, or type the value",
            )

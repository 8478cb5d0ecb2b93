"""The rules a received line is checked against, as SQL (``ledger.line_checks`` runs them).

Each check is a function named after what it checks, in the manner of beancount's
validations; the registries list them in the order their findings are reported:

- :data:`COLUMN_CHECKS`: ``check(column, load)`` gives a :class:`Rule` (a SQL condition
  true for a bad row, and the SQL of its message) or None, for each declared column: a
  required value, bounds, allowed values, ISO codes, a month's form, a date not in the
  future, a reference to the program workbook.
- :data:`TABLE_CHECKS`: ``check(load)`` gives rules across columns: a sell-through line
  dated in its period, by an authorized reseller, with an FX rate, above the floor price;
  a line for the distributor and period the file is for.

A rule may carry a ``screen``: a Python predicate true for every row its SQL condition is
true for (and perhaps a few more), with which ``line_checks`` checks a small part without
asking SQL about rows no rule can flag.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, localcontext

from channelxl.issues import ERROR, WARNING
from channelxl.ledger.ddl import lines_table
from channelxl.ledger.received_part import PartLoad
from channelxl.schema import PROGRAM_TABLES, REFERENCE_SEVERITY, Column
from channelxl.schema.columns import field_name, sql_text

TODAY = "$today"  # stands for the load's today in a rule's condition

Row = dict  # a loaded line: "rowid" and each declared field, typed as DuckDB returns it


@dataclass(frozen=True)
class Rule:
    """A check as SQL: ``condition`` is true for a bad row; ``message`` is the SQL of what
    to tell the sender about it."""

    severity: str
    code: str
    field: str  # the column the issue is reported on
    condition: str
    message: str
    # true for every row ``condition`` is true for (it may say more: SQL decides): see the
    # module's docstring; None: the part is checked by the SQL scan
    screen: Callable[[Row, date], bool] | None = field(default=None, compare=False)


# ---------------------------------------------------------------- one column at a time
def required(c: Column, load: PartLoad) -> Rule | None:
    period_report = load.table.supersede == "period" and c.field in ("distributor_id", "period")
    if c.required or period_report:
        f = c.field
        return Rule(
            ERROR,
            c.issue_code,
            f,
            f"{f} IS NULL",
            f"'{c.name} is required'",
            lambda row, today: row[f] is None,
        )
    return None


def minimum(c: Column, load: PartLoad) -> Rule | None:
    if c.minimum is None:
        return None
    f, bound = c.field, Decimal(f"{c.minimum}")  # the literal the SQL compares with
    return Rule(
        ERROR,
        c.issue_code,
        f,
        f"{f} < {c.minimum}",
        f"'{c.name} ' || {f} || ' is below {c.minimum:g}'",
        lambda row, today: row[f] is not None and row[f] < bound,
    )


def maximum(c: Column, load: PartLoad) -> Rule | None:
    if c.maximum is None:
        return None
    f, bound = c.field, Decimal(f"{c.maximum}")
    return Rule(
        ERROR,
        c.issue_code,
        f,
        f"{f} > {c.maximum}",
        f"'{c.name} ' || {f} || ' is above {c.maximum:g}'",
        lambda row, today: row[f] is not None and row[f] > bound,
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
        lambda row, today, _allowed=frozenset(c.allowed): _outside(row[f], _allowed),
    )


def _iso_code(c: Column, load: PartLoad, table: str, what: str) -> Rule:
    """A code listed in the ledger's ISO ``table`` (``what`` it must be, said to the sender)."""
    f, codes = c.field, _values(load, table, "code")
    return Rule(
        ERROR,
        c.issue_code,
        f,
        f"{f} NOT IN (SELECT code FROM {table})",
        f"{f} || ' is not {what}'",
        lambda row, today: _outside(row[f], codes),
    )


def iso_country(c: Column, load: PartLoad) -> Rule | None:
    if c.type != "country":
        return None
    return _iso_code(c, load, "iso_countries", "an ISO 3166-1 alpha-2 country code")


def iso_currency(c: Column, load: PartLoad) -> Rule | None:
    if c.type != "currency":
        return None
    return _iso_code(c, load, "iso_currencies", "an ISO 4217 currency code")


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
        lambda row, today: row[f] is not None and _MONTH.fullmatch(row[f]) is None,
    )


def not_in_future(c: Column, load: PartLoad) -> Rule | None:
    if c.type != "date" or not c.past:
        return None
    f = c.field
    return Rule(
        ERROR,
        c.issue_code,
        f,
        f"{f} > {TODAY}",
        f"'{c.name} ' || {f} || ' is in the future'",
        lambda row, today: row[f] is not None and row[f] > today,
    )


def reference(c: Column, load: PartLoad) -> Rule | None:
    """A value the program workbook must know; unknown distributors and programs are errors
    (the line cannot be attributed), unknown SKUs and resellers warnings (the workbook has
    not caught up yet, and reconciliation flags them)."""
    if not c.references:
        return None
    target, column = c.references.split(".")
    f, known = c.field, _values(load, target, field_name(column))
    return Rule(
        REFERENCE_SEVERITY.get(target, ERROR),
        c.issue_code,
        f,
        f"{f} NOT IN (SELECT {field_name(column)} FROM {target})",
        f"{f} || ' is not in the program workbook ({target})'",
        lambda row, today: _outside(row[f], known),
    )


_MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")  # RE2's \\d is [0-9]
_SCREENED_TABLES = {t.name for t in PROGRAM_TABLES} | {"iso_countries", "iso_currencies"}


def _outside(value, known: frozenset | None) -> bool:
    """``value NOT IN (known)`` as a screen: a value not known (NULL is no problem)."""
    return value is not None and (known is None or value not in known)


def _values(load: PartLoad, table: str, column: str) -> frozenset | None:
    """The values of ``table.column``, read once while the ledger is open (the program's
    tables and the ISO codes change only with ``load_program``); None for any other table
    (every value is then screened as a problem: SQL decides)."""
    if table not in _SCREENED_TABLES:
        return None
    ledger = load.ledger
    return ledger.program_fact(
        f"values of {table}.{column}",
        lambda: frozenset(
            v for (v,) in ledger.con.execute(f"SELECT DISTINCT {column} FROM {table}").fetchall()
        ),
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
    currency = ledger.program_fact("settings", ledger.settings).reporting_currency
    reporting = sql_text(currency)
    facts = _sell_through_facts(ledger)
    return [
        Rule(
            ERROR,
            "DATE",
            "invoice_date",
            "strftime(invoice_date, '%Y-%m') <> period",
            "'Invoice Date ' || invoice_date || ' is outside the reported period ' || period",
            _outside_period,
        ),
        Rule(
            WARNING,
            "PART",
            "reseller_id",
            f"NOT list_contains(coalesce((SELECT r.authorized_distributors FROM resellers r WHERE "
            f"r.reseller_id = {lt}.reseller_id), [{lt}.distributor_id]), {lt}.distributor_id)",
            "'reseller ' || reseller_id || ' is not authorized to buy from ' || distributor_id",
            lambda row, today: _unauthorized(row, facts.authorized),
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
            lambda row, today: (
                row["currency"] is not None
                and row["currency"] != currency
                and row["period"] is not None
                and (row["currency"], row["period"]) not in facts.rates
            ),
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
            lambda row, today: _below_floor(row, currency, facts),
        ),
    ]


@dataclass(frozen=True)
class _SellThroughFacts:
    """The program's facts the sell-through rules look up, each key with every value the
    program holds for it (a key held twice is screened as a problem: SQL decides)."""

    authorized: dict[str, list]  # reseller -> its authorized_distributors, per row
    rates: dict[tuple[str, str], list[Decimal]]  # (currency, month) -> rates
    floors: dict[str, list[Decimal]]  # sku -> floor prices


def _sell_through_facts(ledger) -> _SellThroughFacts:
    def read() -> _SellThroughFacts:
        con = ledger.con
        authorized: dict = {}
        for r, a in con.execute(
            "SELECT reseller_id, authorized_distributors FROM resellers"
        ).fetchall():
            authorized.setdefault(r, []).append(a)
        rates: dict = {}
        for c, m, rate in con.execute("SELECT currency, month, rate FROM fx_rates").fetchall():
            rates.setdefault((c, m), []).append(rate)
        floors: dict = {}
        for sku, floor in con.execute("SELECT sku, floor_price FROM products").fetchall():
            floors.setdefault(sku, []).append(floor)
        return _SellThroughFacts(authorized, rates, floors)

    return ledger.program_fact("sell-through rule facts", read)


def _outside_period(row: Row, today: date) -> bool:
    """``strftime(invoice_date, '%Y-%m') <> period``; a year of other than four digits is
    left to SQL."""
    d, p = row["invoice_date"], row["period"]
    if d is None or p is None:
        return False
    return not 1000 <= d.year <= 9999 or f"{d.year:04d}-{d.month:02d}" != p


def _unauthorized(row: Row, authorized: dict[str, list]) -> bool:
    """The PART condition: the reseller's authorized distributors (none listed, or not in
    the program: any) do not hold the line's distributor."""
    d = row["distributor_id"]
    if d is None:
        return True  # NULL in a list: left to SQL
    lists = authorized.get(row["reseller_id"]) if row["reseller_id"] is not None else None
    if not lists:
        return False
    if len(lists) > 1:
        return True
    return lists[0] is not None and d not in lists[0]


def _below_floor(row: Row, reporting: str, facts: _SellThroughFacts) -> bool:
    """The PRIC condition, exactly: the price times the month's rate (1 in the reporting
    currency) below the SKU's floor price; a value missing is no problem (NULL)."""
    price, cur = row["unit_price"], row["currency"]
    floors = facts.floors.get(row["sku"]) if row["sku"] is not None else None
    if price is None or cur is None or not floors:
        return False
    if cur == reporting:
        rates = [Decimal(1)]
    elif row["period"] is None:
        return False
    else:
        rates = facts.rates.get((cur, row["period"]))
        if not rates:
            return False
    if len(rates) > 1 or len(floors) > 1:
        return True
    if rates[0] is None or floors[0] is None:
        return False
    with localcontext() as ctx:
        ctx.prec = 100  # exact: DuckDB's product of two decimals is exact too
        return Decimal(price) * rates[0] < floors[0]


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
                    lambda row, today, _n=name, _v=flag: row[_n] is not None and row[_n] != _v,
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


# ---------------------------------------------------------------- running them
def rules(load: PartLoad) -> list[Rule]:
    """Every rule for the part's table, column by column, then across columns: made once
    per table, distributor and period the file is for while the ledger is open (they
    depend on the program's facts, read as long, and on nothing else but an MDF claim's
    submission)."""
    if load.table.name == "mdf_claims":
        return _rules(load)
    key = f"rules of {load.table.name} for {load.distributor!r} {load.period!r}"
    return load.ledger.program_fact(key, lambda: _rules(load))


def _rules(load: PartLoad) -> list[Rule]:
    out = [
        rule
        for c in load.table.columns
        for check in COLUMN_CHECKS
        if (rule := check(c, load)) is not None
    ]
    for check in TABLE_CHECKS:
        out += check(load)
    return out

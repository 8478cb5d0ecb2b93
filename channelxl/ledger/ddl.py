"""The ledger's tables and views, derived from :mod:`channelxl.schema` and defined here only.

- Program dimensions (``distributors``, ``products``...) are replaced whole each time a
  changed program workbook is loaded.
- Every file loaded is a row of ``submissions`` (provenance: file name, SHA-256, kind,
  distributor, period, received at, status, superseded by).
- Each export kind keeps every line ever accepted in ``<kind>_lines``; the view
  ``<kind>`` shows the lines in force:
  * key kinds (shipments, certifications, activities): a later file that repeats a line's
    key replaces that line (``superseded_by`` on the old line);
  * period kinds (sell-through, inventory): a later report for the same distributor and
    period replaces the whole earlier report (``submission_periods.superseded_by``).
- A report that would replace a much larger one, or a newer one, is *held* (status
  ``held``, its pairs in ``submission_holds``, none in ``submission_periods``) until the
  analyst accepts or rejects it: see :mod:`channelxl.ledger.supersede`.
- ``submission_issues`` keeps what validation said about each accepted file: the
  quarantined lines and the warnings.
- Shared definitions every query uses instead of writing them again (see
  :data:`SHARED_DDL`): ``sell_in`` (shipments less returns), ``closing_stock`` (on hand +
  in transit), ``reseller_months`` (who bought from whom in which month) and the macro
  ``certified_on(completed_on, expires_on, day)`` (a certification current on a day).
"""

from __future__ import annotations

from channelxl.schema import EXPORT_TABLES, PROGRAM_TABLES, SETTINGS_TABLE, Table

SCHEMA_VERSION = 3  # 2: scorecard sheets and Attainment Cap; 3: GTIN, GLN, DUNS, Cross References


def _columns(table: Table) -> list[str]:
    return [f"{c.field} {c.duck_type}" for c in table.columns]


def lines_table(table: Table) -> str:
    return f"{table.name}_lines"


def dimension_ddl(table: Table) -> str:
    if table is SETTINGS_TABLE:
        return "CREATE TABLE IF NOT EXISTS settings (setting VARCHAR PRIMARY KEY, value VARCHAR)"
    return f"CREATE TABLE IF NOT EXISTS {table.name} ({', '.join(_columns(table))})"


def lines_ddl(table: Table) -> str:
    cols = ["submission_id BIGINT NOT NULL", *_columns(table)]
    if table.supersede == "key":
        cols.append("superseded_by BIGINT")
    return f"CREATE TABLE IF NOT EXISTS {lines_table(table)} ({', '.join(cols)})"


def view_ddl(table: Table) -> str:
    fields = ", ".join(f"l.{c.field}" for c in table.columns)
    if table.supersede == "key":
        return (
            f"CREATE OR REPLACE VIEW {table.name} AS SELECT l.submission_id, {fields} "
            f"FROM {lines_table(table)} l WHERE l.superseded_by IS NULL"
        )
    return (
        f"CREATE OR REPLACE VIEW {table.name} AS SELECT l.submission_id, {fields} "
        f"FROM {lines_table(table)} l JOIN submission_periods p "
        "ON p.submission_id = l.submission_id AND p.distributor_id = l.distributor_id "
        # one file may carry several kinds (a returned template: sell-through and inventory)
        f"AND p.period = l.period AND p.kind = '{table.name}' WHERE p.superseded_by IS NULL"
    )


PROVENANCE_DDL = (
    "CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
    "CREATE SEQUENCE IF NOT EXISTS submission_ids START 1",
    """CREATE TABLE IF NOT EXISTS submissions (
        submission_id BIGINT PRIMARY KEY,
        kind VARCHAR NOT NULL,
        file_name VARCHAR NOT NULL,
        file_path VARCHAR,
        sha256 VARCHAR NOT NULL UNIQUE,
        size_bytes BIGINT,
        distributor_id VARCHAR,
        period VARCHAR,
        received_at TIMESTAMP,
        loaded_at TIMESTAMP NOT NULL,
        status VARCHAR NOT NULL,
        lines_read BIGINT,
        lines_loaded BIGINT,
        lines_quarantined BIGINT,
        warnings BIGINT,
        superseded_by BIGINT
    )""",
    # how received_at is known (core.received_dates); added after the table, so older ledgers get it too
    "ALTER TABLE submissions ADD COLUMN IF NOT EXISTS received_source VARCHAR",
    # the analyst's corrections of a received date (ledger.received_corrections): the original stays here
    """CREATE TABLE IF NOT EXISTS received_corrections (
        submission_id BIGINT NOT NULL,
        received_at TIMESTAMP NOT NULL,
        was_received_at TIMESTAMP,
        was_source VARCHAR,
        reason VARCHAR NOT NULL,
        corrected_by VARCHAR NOT NULL,
        corrected_at TIMESTAMP NOT NULL
    )""",
    # ISO code lists, so validation joins a table instead of parsing long literals per file
    "CREATE TABLE IF NOT EXISTS iso_countries (code VARCHAR PRIMARY KEY)",
    "CREATE TABLE IF NOT EXISTS iso_currencies (code VARCHAR PRIMARY KEY)",
    """CREATE TABLE IF NOT EXISTS submission_periods (
        submission_id BIGINT NOT NULL,
        kind VARCHAR NOT NULL,
        distributor_id VARCHAR NOT NULL,
        period VARCHAR NOT NULL,
        superseded_by BIGINT
    )""",
    # reports held for the analyst (ledger.supersede): what each would replace, and why it waits
    """CREATE TABLE IF NOT EXISTS submission_holds (
        submission_id BIGINT NOT NULL,
        kind VARCHAR NOT NULL,
        distributor_id VARCHAR NOT NULL,
        period VARCHAR NOT NULL,
        reason VARCHAR,
        in_force_id BIGINT,
        held_at TIMESTAMP NOT NULL,
        decision VARCHAR,
        decided_at TIMESTAMP
    )""",
    """CREATE TABLE IF NOT EXISTS submission_issues (
        submission_id BIGINT NOT NULL,
        severity VARCHAR NOT NULL,
        code VARCHAR NOT NULL,
        line BIGINT,
        sheet VARCHAR,
        cell VARCHAR,
        column_name VARCHAR,
        value VARCHAR,
        message VARCHAR NOT NULL
    )""",
)


# Definitions used by several queries, written once (after the views of what is in force).
SHARED_DDL = (
    # sell-in: units shipped to a distributor, a return counting negative
    """CREATE OR REPLACE VIEW sell_in AS
        SELECT distributor_id, sku, ship_date, strftime(ship_date, '%Y-%m') AS month,
               CASE WHEN type = 'return' THEN -quantity ELSE quantity END AS units
        FROM shipments""",
    # closing stock of a month: what the distributor holds, on hand + in transit
    """CREATE OR REPLACE VIEW closing_stock AS
        SELECT distributor_id, sku, period, on_hand + coalesce(in_transit, 0) AS units
        FROM inventory""",
    # who bought from whom in which month: the reseller network's one source
    """CREATE OR REPLACE VIEW reseller_months AS
        SELECT DISTINCT distributor_id, reseller_id, period FROM sell_through""",
    # a certification current on ``day``: completed by then and not yet expired
    """CREATE OR REPLACE MACRO certified_on(completed_on, expires_on, day) AS
        completed_on <= day AND (expires_on IS NULL OR expires_on > day)""",
)


def all_ddl() -> list[str]:
    statements = list(PROVENANCE_DDL)
    statements += [dimension_ddl(t) for t in PROGRAM_TABLES]
    statements += [lines_ddl(t) for t in EXPORT_TABLES]
    statements += [view_ddl(t) for t in EXPORT_TABLES]
    statements += SHARED_DDL
    statements += APPROVAL_DDL  # never rebuilt: not derived from program.xlsx
    return statements


# For docs/LEDGER.md: what each provenance table and column means.
PROVENANCE_DOCS = {
    "submissions": "One row per file loaded (accepted or held): kind, file name and path (where "
    "the file is now: an inbox file moves on to inbox/processed/ or held/), SHA-256 of its bytes, "
    "size, distributor and period (reports), received_at (when the vendor received it: "
    "channelxl.core.received_dates), received_source (how that is known: override, e-mail received "
    "by the mail server, e-mail Date header, file saved (workbook property), file modification "
    "time, or corrected by NAME on DATE: reason), loaded_at, status (accepted; held: waiting "
    "for the analyst, not in force; rejected "
    "by the analyst: history only), line counts (read, loaded, quarantined), warnings, and "
    "superseded_by (the later submission that replaced it).",
    "received_corrections": "The analyst's corrections of a submission's received date "
    "(channelxl received N --on DATE --reason ... --by NAME), oldest first: the date set "
    "(received_at), the date and source it replaced (was_received_at, was_source), reason, "
    "corrected_by and corrected_at. submissions.received_at holds the latest.",
    "submission_holds": "Reports held for the analyst: one row per distributor x period a held "
    "report covers, with why it waits (reason: fewer than half the lines of the report in force, "
    "or received before it; empty when that pair alone would not hold it), the submission in "
    "force when it was held (in_force_id), held_at, and the analyst's decision (accepted or "
    "rejected) and decided_at.",
    "submission_periods": "Reports only: the distributor x period pairs a submission covers and "
    "the later submission that superseded each.",
    "submission_issues": "What validation found in each accepted file: quarantined lines "
    "(severity error) and warnings, with line or sheet/cell, column, value and message.",
    "meta": "Schema version and the SHA-256 of the program workbook last loaded.",
}

# For docs/LEDGER.md: the shared definitions (SHARED_DDL), to query with.
SHARED_DOCS = {
    "sell_in": "View: shipments less returns (a return counts negative), with its month.",
    "closing_stock": "View: each inventory report's closing stock, on hand + in transit.",
    "reseller_months": "View: who bought from whom in which month (distinct).",
    "certified_on(completed_on, expires_on, day)": "Macro: a certification current on day "
    "(completed by then, not expired).",
}


# Approved statements (ledger.approvals): written once by ``channelxl approve``, never
# updated or deleted, and kept through a schema rebuild (only PROGRAM_TABLES are rebuilt).
# Money is stored as text: the Decimal exactly as it was on the statement.
APPROVAL_DDL = (
    "CREATE SEQUENCE IF NOT EXISTS approval_ids START 1",
    """CREATE TABLE IF NOT EXISTS approvals (
        approval_id BIGINT PRIMARY KEY,
        quarter VARCHAR NOT NULL UNIQUE,
        months VARCHAR[] NOT NULL,
        approved_by VARCHAR NOT NULL,
        approved_at TIMESTAMP NOT NULL,
        note VARCHAR,
        channelxl_version VARCHAR NOT NULL,
        program_sha256 VARCHAR,
        currency VARCHAR,
        total VARCHAR NOT NULL,
        adjustments VARCHAR NOT NULL,
        total_payable VARCHAR NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS approved_results (
        approval_id BIGINT NOT NULL,
        quarter VARCHAR NOT NULL,
        distributor_id VARCHAR NOT NULL,
        program_id VARCHAR NOT NULL,
        amount VARCHAR NOT NULL,
        status VARCHAR,
        steps VARCHAR
    )""",
    """CREATE TABLE IF NOT EXISTS approved_rows (
        approval_id BIGINT NOT NULL,
        sheet VARCHAR NOT NULL,
        row_number INTEGER NOT NULL,
        row_json VARCHAR NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS approved_inputs (
        approval_id BIGINT NOT NULL,
        quarter VARCHAR NOT NULL,
        distributor_id VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        submission_id BIGINT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS approved_adjustments (
        approval_id BIGINT NOT NULL,
        adjusted_quarter VARCHAR NOT NULL,
        distributor_id VARCHAR NOT NULL,
        program_id VARCHAR NOT NULL,
        recomputed_amount VARCHAR NOT NULL,
        difference VARCHAR NOT NULL,
        steps VARCHAR
    )""",
    """CREATE TABLE IF NOT EXISTS approved_files (
        approval_id BIGINT NOT NULL,
        file_name VARCHAR NOT NULL,
        sha256 VARCHAR NOT NULL,
        content BLOB NOT NULL
    )""",
)

PROVENANCE_DOCS |= {
    "approvals": "One row per approved quarter (channelxl approve): the quarter and its months, "
    "approved_by, approved_at (UTC), note, the channelxl version and the SHA-256 of the program "
    "workbook as loaded, the currency, and the statement's total, prior-period adjustments and "
    "total payable (decimal text). Never updated or deleted.",
    "approved_results": "Each distributor-program of an approved quarter: the amount paid "
    "(decimal text), status and its steps (tier, payout, gates, hold) as approved.",
    "approved_rows": "Every row of every table of the approved statement (sheet: statement, "
    "summary, accruals, adjustments, mdf...), as JSON with each Decimal as its exact text.",
    "approved_inputs": "The submissions in force for each distributor's inputs of a quarter "
    "when it was approved, or when a later approval froze an adjustment of it (kind: "
    "sell_through, inventory, shipments, activities, certifications, program; distributor "
    "'*' for inputs shared by all).",
    "approved_adjustments": "Prior-period adjustments frozen with an approval: the quarter "
    "adjusted, distributor, program, the recomputed amount and the difference paid.",
    "approved_files": "The approved statement's files (xlsx, csv) byte for byte, with their "
    "SHA-256: re-running the quarter writes these.",
}

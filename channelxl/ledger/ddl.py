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

SCHEMA_VERSION = 2  # 2: scorecard sheets and Attainment Cap


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
    return statements


# For docs/LEDGER.md: what each provenance table and column means.
PROVENANCE_DOCS = {
    "submissions": "One row per file loaded (accepted or held): kind, file name and path (where "
    "the file is now: an inbox file moves on to inbox/processed/ or held/), SHA-256 of its bytes, "
    "size, distributor and period (reports), received_at (the file's modification time unless "
    "given), loaded_at, status (accepted; held: waiting for the analyst, not in force; rejected "
    "by the analyst: history only), line counts (read, loaded, quarantined), warnings, and "
    "superseded_by (the later submission that replaced it).",
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

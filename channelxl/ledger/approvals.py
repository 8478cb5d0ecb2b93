"""Approved statements in the ledger: what was approved, and what has been settled since.

An approval (``channelxl approve``) freezes a quarter's statement: its files byte for byte,
every row of every table (each Decimal as its exact text), each distributor-program's
amount and steps, and the submissions in force for each distributor's inputs. Nothing here
updates or deletes an approval: a later change to an approved quarter is settled by a
prior-period adjustment frozen with the next approval (``approved_adjustments``).

What a distributor-program of an approved quarter P has been **settled** at: the approved
amount + every adjustment of it frozen in a later approval. The inputs it was settled on:
those recorded by the latest approval that recorded any for (P, distributor): P's own, or
the one that froze an adjustment of it.

Tables: ``ledger.ddl.APPROVAL_DDL``.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from channelxl.core.periods import Quarter
from channelxl.ledger.store import Ledger

ZERO = Decimal(0)
SHARED = "*"  # distributor id of inputs every distributor's figures read (certifications, program)


@dataclass(frozen=True)
class Approval:
    """One approved quarter, as ``approvals`` holds it (money as Decimal, read from text)."""

    approval_id: int
    quarter: str
    months: tuple[str, ...]
    approved_by: str
    approved_at: datetime  # UTC
    note: str
    version: str
    program_sha256: str
    currency: str
    total: Decimal
    adjustments: Decimal
    total_payable: Decimal

    @property
    def when(self) -> str:
        return f"{self.approved_at:%Y-%m-%d %H:%M} UTC"

    def said(self) -> str:
        """``approved on 2026-11-29 22:10 UTC by Ana Ruiz``"""
        return f"approved on {self.when} by {self.approved_by}"


@dataclass
class Settled:
    """A distributor-program of an approved quarter: its approved amount, the adjustments of
    it frozen since, and its steps as last settled (JSON text of step -> value)."""

    approved_amount: Decimal = ZERO
    earlier_adjustments: Decimal = ZERO
    steps: dict[str, str] = field(default_factory=dict)
    in_approval: bool = True  # False: no such row was approved (it appeared later)

    @property
    def amount(self) -> Decimal:
        return self.approved_amount + self.earlier_adjustments


@dataclass
class ApprovalRecord:
    """Everything an approval writes, in one transaction (:func:`record_approval`)."""

    quarter: Quarter
    approved_by: str
    approved_at: datetime
    note: str
    version: str
    program_sha256: str
    currency: str
    total: Decimal
    adjustments: Decimal
    total_payable: Decimal
    results: list[
        tuple[str, str, Decimal, str, dict]
    ]  # distributor, program, amount, status, steps
    rows: dict[str, list[dict]]  # sheet -> rows keyed by field
    inputs: dict[str, dict[str, set[tuple[str, int]]]]  # quarter -> distributor -> (kind, id)
    adjustments_made: list[
        tuple[str, str, str, Decimal, Decimal, dict]
    ]  # P, d, p, recomputed, diff, steps
    files: dict[str, bytes]  # file name -> bytes


_COLUMNS = (
    "approval_id, quarter, months, approved_by, approved_at, note, channelxl_version, "
    "program_sha256, currency, total, adjustments, total_payable"
)


def _approval(row) -> Approval:
    aid, q, months, by, at, note, version, sha, currency, total, adj, payable = row
    return Approval(
        aid,
        q,
        tuple(months),
        by,
        at,
        note or "",
        version,
        sha or "",
        currency or "",
        Decimal(total),
        Decimal(adj),
        Decimal(payable),
    )


def approvals(ledger: Ledger) -> list[Approval]:
    """Every approved quarter, oldest quarter first."""
    rows = ledger.con.execute(
        f"SELECT {_COLUMNS} FROM approvals ORDER BY months[1], approval_id"
    ).fetchall()
    return [_approval(r) for r in rows]


def approval_of(ledger: Ledger, quarter: str) -> Approval | None:
    """The approval of ``quarter`` (its text, ``str(Quarter)``), or None."""
    row = ledger.con.execute(
        f"SELECT {_COLUMNS} FROM approvals WHERE quarter = ?", [quarter]
    ).fetchone()
    return None if row is None else _approval(row)


def inputs_in_force(ledger: Ledger, quarter: Quarter) -> dict[str, set[tuple[str, int]]]:
    """The submissions in force for what ``ledger.figures`` reads of ``quarter``, by
    distributor (``SHARED`` for inputs every distributor's figures read):

    - sell_through: every report month up to the quarter's last (its months, the year-ago
      growth basis, and the history that says whether a reseller is new);
    - inventory: the quarter's months (closing stock, and each month's close for accruals);
    - shipments and activities: lines dated in the quarter;
    - certifications (``SHARED``): lines completed by the quarter's last day;
    - program (``SHARED``): the program workbook loaded (tiers, targets, waivers, FX rates).
    """
    months = [str(m) for m in quarter.months]
    first, last = quarter.first_day, quarter.last_day
    rows = ledger.con.execute(
        """
        SELECT distributor_id, kind, submission_id FROM submission_periods
        WHERE superseded_by IS NULL AND (
            (kind = 'sell_through' AND period <= ?) OR
            (kind = 'inventory' AND period IN (SELECT unnest(?))))
        UNION SELECT distributor_id, 'shipments', submission_id FROM shipments
            WHERE ship_date BETWEEN ? AND ?
        UNION SELECT distributor_id, 'activities', submission_id FROM activities
            WHERE completed_date BETWEEN ? AND ?
        UNION SELECT ?, 'certifications', submission_id FROM certifications
            WHERE completed_on <= ?
        UNION SELECT ?, 'program', max(submission_id) FROM submissions WHERE kind = 'program'
            AND sha256 = (SELECT value FROM meta WHERE key = 'program_sha256')
        """,
        [months[-1], months, first, last, first, last, SHARED, last, SHARED],
    ).fetchall()
    out: dict[str, set[tuple[str, int]]] = defaultdict(set)
    for d, kind, sid in rows:
        if sid is not None:
            out[d].add((kind, int(sid)))
    return dict(out)


def settled(ledger: Ledger, quarter: str) -> dict[tuple[str, str], Settled]:
    """(distributor, program) -> how it stands settled for approved ``quarter``."""
    out: dict[tuple[str, str], Settled] = {}
    for d, p, amount, steps in ledger.con.execute(
        "SELECT r.distributor_id, r.program_id, r.amount, r.steps FROM approved_results r "
        "JOIN approvals a USING (approval_id) WHERE a.quarter = ?",
        [quarter],
    ).fetchall():
        out[(d, p)] = Settled(Decimal(amount), ZERO, json.loads(steps or "{}"))
    for d, p, diff, steps in ledger.con.execute(
        "SELECT distributor_id, program_id, difference, steps FROM approved_adjustments "
        "WHERE adjusted_quarter = ? ORDER BY approval_id",
        [quarter],
    ).fetchall():
        s = out.setdefault((d, p), Settled(in_approval=False))
        s.earlier_adjustments += Decimal(diff)
        s.steps = json.loads(steps or "{}")
    return out


def approved_rows(ledger: Ledger, quarter: str, sheet: str) -> list[dict]:
    """The rows of table ``sheet`` (statement, summary, accruals, adjustments, mdf.funds,
    mdf.claims, mdf.adjustments) of approved ``quarter``'s statement, in order, each value
    as approved (a Decimal from its exact text; a date as its ISO text). [] when the quarter
    is not approved, or its approval holds no such table."""
    return [
        {k: _from_json(v) for k, v in json.loads(text).items()}
        for (text,) in ledger.con.execute(
            "SELECT r.row_json FROM approved_rows r JOIN approvals a USING (approval_id) "
            "WHERE a.quarter = ? AND r.sheet = ? ORDER BY r.row_number",
            [quarter, sheet],
        ).fetchall()
    ]


def _from_json(v):
    """A value of :func:`row_json` back: {"decimal": text} -> Decimal, {"date": ISO} -> text."""
    if isinstance(v, dict) and set(v) == {"decimal"}:
        return Decimal(v["decimal"])
    if isinstance(v, dict) and set(v) == {"date"}:
        return v["date"]
    return v


@dataclass
class SettledMdf:
    """The MDF accrued of a distributor-program of an approved quarter: as approved, the MDF
    adjustments of it frozen since, and the sell-through revenue it was last settled on."""

    approved: Decimal = ZERO
    earlier_adjustments: Decimal = ZERO
    revenue: Decimal | None = None  # None: not known (not on the approved statement)
    in_approval: bool = True

    @property
    def amount(self) -> Decimal:
        return self.approved + self.earlier_adjustments


def settled_mdf(ledger: Ledger, quarter: str) -> dict[tuple[str, str], SettledMdf]:
    """(distributor, program) -> how its MDF accrued stands settled for approved ``quarter``:
    the approved statement's MDF Accrued (and the distributor's Sell-Through Revenue on its
    Summary), plus the MDF adjustments of it frozen with later approvals (rows of their
    ``mdf.adjustments``, each holding the revenue it was recomputed on)."""
    revenue = {
        r["distributor_id"]: r.get("sell_through_revenue")
        for r in approved_rows(ledger, quarter, "summary")
    }
    out: dict[tuple[str, str], SettledMdf] = {}
    for r in approved_rows(ledger, quarter, "statement"):
        d = r["distributor_id"]
        out[(d, r["program_id"])] = SettledMdf(
            Decimal(r.get("mdf_accrued") or ZERO), ZERO, revenue.get(d)
        )
    for (text,) in ledger.con.execute(
        "SELECT row_json FROM approved_rows WHERE sheet = 'mdf.adjustments' "
        "ORDER BY approval_id, row_number"
    ).fetchall():
        r = {k: _from_json(v) for k, v in json.loads(text).items()}
        if r.get("quarter_adjusted") != quarter:
            continue
        s = out.setdefault((r["distributor_id"], r["program_id"]), SettledMdf(in_approval=False))
        s.earlier_adjustments += Decimal(r["difference"])
        s.revenue = r.get("revenue", s.revenue)
    return out


def settled_inputs(ledger: Ledger, quarter: str) -> dict[str, set[tuple[str, int]]]:
    """Distributor -> the inputs ``quarter`` was last settled on (see the module's words)."""
    out: dict[str, set[tuple[str, int]]] = defaultdict(set)
    for d, kind, sid in ledger.con.execute(
        """
        WITH latest AS (
            SELECT distributor_id, max(approval_id) AS approval_id FROM approved_inputs
            WHERE quarter = ? GROUP BY ALL)
        SELECT i.distributor_id, i.kind, i.submission_id FROM approved_inputs i
        JOIN latest USING (distributor_id, approval_id) WHERE i.quarter = ?
        """,
        [quarter, quarter],
    ).fetchall():
        out[d].add((kind, sid))
    return dict(out)


def describe_submissions(ledger: Ledger, ids: list[int]) -> dict[int, str]:
    """Submission id -> ``#57 sell_through 2026-05 sellthrough_D004_2026-05.csv, received
    2026-11-29`` (who, what, which file, when received)."""
    if not ids:
        return {}
    out = {}
    for sid, kind, name, period, received in ledger.con.execute(
        "SELECT submission_id, kind, file_name, period, received_at FROM submissions "
        "WHERE submission_id IN (SELECT unnest(?))",
        [sorted(set(ids))],
    ).fetchall():
        when = f", received {received:%Y-%m-%d}" if received else ""
        out[sid] = f"#{sid} {kind} {period + ' ' if period else ''}{name}{when}"
    return out


def approved_files(ledger: Ledger, approval_id: int) -> list[tuple[str, bytes, str]]:
    """The approved statement's files: (name, bytes, SHA-256), in name order."""
    return [
        (name, bytes(content), sha)
        for name, content, sha in ledger.con.execute(
            "SELECT file_name, content, sha256 FROM approved_files WHERE approval_id = ? "
            "ORDER BY file_name",
            [approval_id],
        ).fetchall()
    ]


def row_json(row: dict) -> str:
    """A statement row as JSON, exactly: each Decimal as {"decimal": its text}, a date as
    {"date": ISO}, anything else JSON cannot hold as its text (a Quarter: ``2026Q3``)."""

    def value(v):
        if isinstance(v, Decimal):
            return {"decimal": format(v, "f")}
        if isinstance(v, datetime | date):
            return {"date": v.isoformat()}
        if v is None or isinstance(v, bool | int | str):
            return v
        if isinstance(v, float):  # never money: a float in a row is a measure or a count
            return v
        return str(v)

    return json.dumps({k: value(v) for k, v in row.items()}, sort_keys=True)


def record_approval(ledger: Ledger, rec: ApprovalRecord) -> int:
    """Write an approval whole (or nothing), and return its id."""
    with ledger.transaction() as con:
        aid = con.execute("SELECT nextval('approval_ids')").fetchone()[0]
        con.execute(
            f"INSERT INTO approvals ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                aid,
                str(rec.quarter),
                [str(m) for m in rec.quarter.months],
                rec.approved_by,
                rec.approved_at,
                rec.note,
                rec.version,
                rec.program_sha256,
                rec.currency,
                format(rec.total, "f"),
                format(rec.adjustments, "f"),
                format(rec.total_payable, "f"),
            ],
        )
        q = str(rec.quarter)
        results = [
            [aid, q, d, p, format(amount, "f"), status, json.dumps(steps, sort_keys=True)]
            for d, p, amount, status, steps in rec.results
        ]
        if results:
            con.executemany("INSERT INTO approved_results VALUES (?, ?, ?, ?, ?, ?, ?)", results)
        rows = [
            [aid, sheet, i, row_json(row)]
            for sheet, sheet_rows in rec.rows.items()
            for i, row in enumerate(sheet_rows, start=1)
        ]
        if rows:
            con.executemany("INSERT INTO approved_rows VALUES (?, ?, ?, ?)", rows)
        inputs = [
            [aid, quarter, d, kind, sid]
            for quarter, by_distributor in rec.inputs.items()
            for d, pairs in by_distributor.items()
            for kind, sid in sorted(pairs)
        ]
        if inputs:
            con.executemany("INSERT INTO approved_inputs VALUES (?, ?, ?, ?, ?)", inputs)
        if rec.adjustments_made:
            con.executemany(
                "INSERT INTO approved_adjustments VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    [aid, pq, d, p, format(new, "f"), format(diff, "f"), json.dumps(steps)]
                    for pq, d, p, new, diff, steps in rec.adjustments_made
                ],
            )
        for name, content in sorted(rec.files.items()):
            con.execute(
                "INSERT INTO approved_files VALUES (?, ?, ?, ?)",
                [aid, name, hashlib.sha256(content).hexdigest(), content],
            )
    return aid


def held_reports(ledger: Ledger, quarter: Quarter) -> list[str]:
    """The reports held for the analyst, undecided, that cover a month of ``quarter``:
    ``submission 116 (sellthrough_D008_2024-11_v2.csv: sell_through D008 2024-11)``."""
    months = [str(m) for m in quarter.months]
    return [
        f"submission {sid} ({name}: {covers})"
        for sid, name, covers in ledger.con.execute(
            "SELECT s.submission_id, s.file_name, string_agg(DISTINCT h.kind || ' ' || "
            "h.distributor_id || ' ' || h.period, ', ' ORDER BY h.kind || ' ' || "
            "h.distributor_id || ' ' || h.period) "
            "FROM submissions s JOIN submission_holds h USING (submission_id) "
            "WHERE s.status = 'held' AND h.decision IS NULL AND list_contains(?, h.period) "
            "GROUP BY ALL ORDER BY 1",
            [months],
        ).fetchall()
    ]

"""Supersede: what a newly loaded file replaces in the ledger.

- **key** kinds (shipments, certifications, activities): a later file that repeats a line's
  key replaces that line (``superseded_by`` on the old line);
- **period** kinds (sell-through, inventory reports): a later report for the same
  distributor and period replaces the whole earlier one (``submission_periods``).

A submission all of whose lines or periods are replaced is itself superseded.
"""

from __future__ import annotations

from dataclasses import dataclass

from channelxl.ledger.ddl import lines_table
from channelxl.ledger.received_part import PartLoad


@dataclass
class Supersession:
    """Submissions a part wholly replaces, and (reports) the distributor x period pairs it
    covers."""

    submissions: list[int]
    pairs: list[tuple[str, str]]


def supersede(load: PartLoad) -> Supersession:
    """Mark what this part replaces; say which submissions it now wholly supersedes and,
    for a report, which distributor x period pairs it covers."""
    con, table, sid = load.ledger.con, load.table, load.sid
    lt = lines_table(table)
    if table.supersede == "key":
        key = ", ".join(table.column(n).field for n in table.unique)
        con.execute(
            f"UPDATE {lt} SET superseded_by = ? WHERE superseded_by IS NULL AND submission_id <> ? "
            f"AND ({key}) IN (SELECT ({key}) FROM {lt} WHERE submission_id = ?)",
            [sid, sid, sid],
        )
        gone = [
            r[0]
            for r in con.execute(
                f"SELECT s.submission_id FROM submissions s WHERE s.kind = ? AND s.superseded_by IS "
                f"NULL AND NOT EXISTS (SELECT 1 FROM {lt} l WHERE l.submission_id = s.submission_id "
                f"AND l.superseded_by IS NULL) AND EXISTS (SELECT 1 FROM {lt} l WHERE l.submission_id "
                "= s.submission_id)",
                [table.name],
            ).fetchall()
        ]
        return Supersession(gone, [])
    pairs = con.execute(
        f"SELECT DISTINCT distributor_id, period FROM {lt} WHERE submission_id = ?", [sid]
    ).fetchall()
    if load.distributor and load.period:
        pairs = sorted(set(pairs) | {(load.distributor, load.period)})
    if pairs:
        con.execute(
            "INSERT INTO submission_periods SELECT ?, ?, unnest(?), unnest(?), NULL",
            [sid, table.name, [d for d, _ in pairs], [p for _, p in pairs]],
        )
    # RETURNING tells which earlier submissions lost a period; only those are checked
    touched = {
        r[0]
        for r in con.execute(
            "UPDATE submission_periods SET superseded_by = ? WHERE kind = ? AND submission_id <> ? "
            "AND superseded_by IS NULL AND (distributor_id, period) IN (SELECT (distributor_id, "
            "period) FROM submission_periods WHERE submission_id = ?) RETURNING submission_id",
            [sid, table.name, sid, sid],
        ).fetchall()
    }
    if not touched:
        return Supersession([], pairs)
    gone = [
        r[0]
        for r in con.execute(
            "SELECT submission_id FROM submission_periods WHERE list_contains(?, submission_id) "
            "GROUP BY submission_id HAVING bool_and(superseded_by IS NOT NULL)",
            [sorted(touched)],
        ).fetchall()
    ]
    return Supersession(gone, pairs)

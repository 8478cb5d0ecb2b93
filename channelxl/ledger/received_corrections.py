"""Received dates in the ledger: what each submission's is and how it is known, and the
analyst's corrections of it.

A correction sets ``submissions.received_at`` (everything judged by it reads it there:
lateness in ``ledger.figures``, the "older" rule of ``ledger.supersede`` for reports loaded
later) and keeps a row in ``received_corrections`` with the date and source it replaced,
who, when and why: the original stays visible. A correction never changes which report is
in force: that was decided when the reports were loaded (or by the analyst's decision on a
held one); :func:`order_notes` says when the corrected dates no longer agree with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from channelxl.core.periods import Month
from channelxl.core.received_dates import CORRECTED, UNRECORDED, when_text
from channelxl.errors import ChannelxlError
from channelxl.ledger.ddl import lines_table
from channelxl.ledger.store import Ledger
from channelxl.schema.received import EXPORT_TABLES


@dataclass(frozen=True)
class Correction:
    received_at: datetime
    was_received_at: datetime | None
    was_source: str | None
    reason: str
    corrected_by: str
    corrected_at: datetime

    def text(self) -> str:
        was = "nothing" if self.was_received_at is None else when_text(self.was_received_at)
        return (
            f"{self.corrected_at:%Y-%m-%d %H:%M} {self.corrected_by}: {was} "
            f"({self.was_source or UNRECORDED}) -> {when_text(self.received_at)}: {self.reason}"
        )


@dataclass
class ReceivedRecord:
    """A submission's received date, how it is known, and its corrections, oldest first."""

    submission_id: int
    kind: str
    file_name: str
    distributor_id: str | None
    period: str | None
    status: str
    received_at: datetime | None
    source: str | None
    months: list[str] = field(default_factory=list)  # the months it reports on
    corrections: list[Correction] = field(default_factory=list)

    def summary(self) -> str:
        whose = " ".join(x for x in (self.distributor_id, self.period) if x)
        when = "unknown" if self.received_at is None else when_text(self.received_at)
        lines = [
            f"submission {self.submission_id}: {self.file_name} ({self.kind}"
            f"{', ' + whose if whose else ''}, {self.status}): received {when} "
            f"({self.source or UNRECORDED})"
        ]
        lines += [f"    corrected {c.text()}" for c in self.corrections]
        return "\n".join(lines)


def received_record(ledger: Ledger, submission_id: int) -> ReceivedRecord:
    """The received date of ``submission_id``; refuses a number that is no received file."""
    con = ledger.con
    rows = con.execute(
        "SELECT submission_id, kind, file_name, distributor_id, period, status, received_at, "
        "received_source FROM submissions WHERE submission_id = ?",
        [submission_id],
    ).fetchall()
    if not rows:
        raise ChannelxlError(
            f"there is no submission {submission_id}; 'channelxl export submissions --out "
            "submissions.csv' lists them with their received dates"
        )
    record = ReceivedRecord(*rows[0])
    if record.kind == "program":
        raise ChannelxlError(
            f"submission {submission_id} is a load of the program workbook, not a received file"
        )
    record.months = [
        p
        for (p,) in con.execute(
            "SELECT DISTINCT period FROM (SELECT period FROM submission_periods WHERE "
            "submission_id = $1 UNION ALL SELECT period FROM submission_holds WHERE "
            "submission_id = $1) ORDER BY 1",
            [submission_id],
        ).fetchall()
    ] or ([record.period] if record.period else [])
    record.corrections = [
        Correction(*r)
        for r in con.execute(
            "SELECT received_at, was_received_at, was_source, reason, corrected_by, corrected_at "
            "FROM received_corrections WHERE submission_id = ? ORDER BY corrected_at, rowid",
            [submission_id],
        ).fetchall()
    ]
    return record


@dataclass(frozen=True)
class Timeliness:
    """A month's sell-through timeliness for one distributor: its first report's received
    date against its due date (``Month.report_due``, end of that day)."""

    distributor_id: str
    month: str
    due: datetime
    first_received: datetime | None
    first_submission: int | None

    @property
    def verdict(self) -> str:
        if self.first_received is None:
            return "missing"
        return "late" if self.first_received > self.due else "on time"


def timeliness(ledger: Ledger, submission_id: int) -> list[Timeliness]:
    """For each distributor x month the submission's sell-through covers (in force or
    superseded: lateness counts the first report), how timely the month is now."""
    due_day = ledger.settings().report_due_day
    out = []
    for d, p, first, sid in ledger.con.execute(
        """
        WITH mine AS (SELECT DISTINCT distributor_id, period FROM submission_periods
                      WHERE submission_id = ? AND kind = 'sell_through')
        SELECT m.distributor_id, m.period, min(s.received_at),
               arg_min(s.submission_id, s.received_at)
        FROM mine m JOIN submission_periods sp ON sp.kind = 'sell_through'
            AND sp.distributor_id = m.distributor_id AND sp.period = m.period
        JOIN submissions s ON s.submission_id = sp.submission_id
        GROUP BY ALL ORDER BY ALL
        """,
        [submission_id],
    ).fetchall():
        due = datetime.combine(Month.parse(p).report_due(due_day), time.max)
        out.append(Timeliness(d, p, due, first, sid))
    return out


def order_notes(ledger: Ledger, submission_id: int) -> list[str]:
    """Where the received dates, as they are now, disagree with which report is in force
    for a distributor x month this submission covers; and held reports judged against it."""
    notes = []
    for kind, d, p, in_force, in_force_at, later, later_at in ledger.con.execute(
        """
        WITH mine AS (SELECT kind, distributor_id, period FROM submission_periods
                      WHERE submission_id = ?),
        pairs AS (SELECT sp.kind, sp.distributor_id, sp.period, sp.submission_id,
                         sp.superseded_by, s.received_at
                  FROM submission_periods sp JOIN mine USING (kind, distributor_id, period)
                  JOIN submissions s USING (submission_id))
        SELECT f.kind, f.distributor_id, f.period, f.submission_id, f.received_at,
               o.submission_id, o.received_at
        FROM pairs f JOIN pairs o USING (kind, distributor_id, period)
        WHERE f.superseded_by IS NULL AND o.superseded_by IS NOT NULL
          AND date_trunc('second', o.received_at) > date_trunc('second', f.received_at)
        ORDER BY ALL
        """,
        [submission_id],
    ).fetchall():
        notes.append(
            f"{kind} {d} {p}: submission {in_force} is in force (received "
            f"{when_text(in_force_at)}), though submission {later}, which it replaced, now "
            f"reads as received later ({when_text(later_at)}). A correction does not change "
            "which report is in force; if the later one should be, ask the distributor to "
            "send it again"
        )
    for held, kind, d, p in ledger.con.execute(
        "SELECT DISTINCT h.submission_id, h.kind, h.distributor_id, h.period "
        "FROM submission_holds h JOIN submission_periods sp ON sp.kind = h.kind "
        "AND sp.distributor_id = h.distributor_id AND sp.period = h.period "
        "WHERE sp.submission_id = $1 AND h.decision IS NULL AND h.submission_id <> $1 "
        "UNION SELECT DISTINCT submission_id, kind, distributor_id, period "
        "FROM submission_holds WHERE submission_id = $1 AND decision IS NULL ORDER BY ALL",
        [submission_id],
    ).fetchall():
        notes.append(
            f"{kind} {d} {p}: submission {held} is held, and why was judged with the dates "
            f"as they were then; decide it knowing this one (channelxl held)"
        )
    return notes


def latest_line_date(ledger: Ledger, submission_id: int) -> tuple[date, str, str] | None:
    """The latest date of an event the submission's lines record (invoice, ship, completion,
    claim: the date columns that are never in the future), with its column's name and the
    line's month; None when its lines carry no such date."""
    parts = []
    for table in EXPORT_TABLES:
        month = "period" if "period" in table.fields else "NULL"
        for c in table.columns:
            if c.type == "date" and c.past:
                parts.append(
                    f"SELECT {c.field} AS day, '{c.name}' AS col, {month} AS month "
                    f"FROM {lines_table(table)} WHERE submission_id = $1 AND {c.field} IS NOT NULL"
                )
    row = ledger.con.execute(
        f"SELECT day, col, month FROM ({' UNION ALL '.join(parts)}) ORDER BY day DESC LIMIT 1",
        [submission_id],
    ).fetchone()
    return None if row is None else (row[0], row[1], row[2] or "")


def record_correction(
    ledger: Ledger,
    submission_id: int,
    on: datetime,
    *,
    reason: str,
    by: str,
    now: datetime,
) -> ReceivedRecord:
    """Set the received date of ``submission_id`` to ``on``, keeping the one it replaces, who,
    when and why; one transaction. Refuses a date in the future, before a month the
    submission reports on began (no report of a month exists before the month), or before
    the latest date on its lines (an invoice, shipment or completion it records had
    happened when it was sent)."""
    record = received_record(ledger, submission_id)
    if on > now:
        raise ChannelxlError(f"{when_text(on)} is in the future: a report is received by now")
    if record.months and on.date() < Month.parse(record.months[0]).first_day:
        raise ChannelxlError(
            f"submission {submission_id} reports on {record.months[0]}, so it cannot have "
            f"come in on {on:%Y-%m-%d}, before that month began; check the date"
        )
    latest = latest_line_date(ledger, submission_id)
    if latest is not None and on.date() < latest[0]:
        day, column, month = latest
        raise ChannelxlError(
            f"submission {submission_id} holds lines dated up to {day:%Y-%m-%d} ({column}"
            f"{f', month {month}' if month else ''}), so it cannot have come in on "
            f"{on:%Y-%m-%d}, before them; check the date (it reports on "
            f"{', '.join(record.months) or 'no month'})"
        )
    if record.months and on.date() < Month.parse(record.months[-1]).first_day:
        raise ChannelxlError(
            f"submission {submission_id} reports on {', '.join(record.months)}, so it cannot "
            f"have come in on {on:%Y-%m-%d}, before its last month, {record.months[-1]}, "
            "began; check the date"
        )
    source = f"{CORRECTED} by {by} on {now:%Y-%m-%d}: {reason}"
    with ledger.transaction() as con:
        con.execute(
            "INSERT INTO received_corrections VALUES (?, ?, ?, ?, ?, ?, ?)",
            [submission_id, on, record.received_at, record.source, reason, by, now],
        )
        con.execute(
            "UPDATE submissions SET received_at = ?, received_source = ? WHERE submission_id = ?",
            [on, source, submission_id],
        )
    return received_record(ledger, submission_id)

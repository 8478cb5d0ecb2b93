"""Supersede: what a newly loaded file replaces in the ledger, and when it must wait.

- **key** kinds (shipments, certifications, activities): a later file that repeats a line's
  key replaces that line (``superseded_by`` on the old line);
- **period** kinds (sell-through, inventory reports): a later report for the same
  distributor and period replaces the whole earlier one (``submission_periods``).

A submission all of whose lines or periods are replaced is itself superseded.

**Nothing in force is replaced silently.** A report is *held* for the analyst when, for any
distributor x period it covers (each sheet of a returned template on its own), compared with
the report in force for the same kind, distributor and period:

- **smaller**: it has fewer than half as many lines (2 x its lines < the lines in force).
  That includes none at all (an empty sheet, or every line quarantined) when the report in
  force has lines. Exactly half, or more, replaces as usual;
- **older**: it was received (``submissions.received_at``: ``--received-at`` or the file's
  modification time) strictly before the report in force, to the second
  (``core.received_dates.to_the_second``), so loading it would let an older report replace
  its own correction. Received in the same second, the later load replaces.

A held report's lines are kept in ``<kind>_lines`` and its distributor x period pairs in
``submission_holds``, but it covers nothing in ``submission_periods``: the report in force
stays in force and every view and figure is as before. A first report for a month (nothing
in force) is never held, even empty: a distributor may have sold nothing. Key kinds are
never held (a smaller export replaces only the lines it repeats).

The analyst decides (:func:`decide`): **accept** applies the supersede exactly as a normal
load would (whatever is in force then is replaced); **reject** leaves the report in force,
and the rejected file keeps its provenance (``submissions.status = 'rejected'``) and its
lines as history, never in force.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from channelxl.core.received_dates import to_the_second
from channelxl.errors import ChannelxlError
from channelxl.ledger.ddl import lines_table
from channelxl.ledger.received_part import PartLoad
from channelxl.ledger.store import Ledger
from channelxl.schema import EXPORT_TABLES

SMALLER = "smaller"
OLDER = "older"
# the rule, as the output states it
SMALLER_RULE = "has fewer than half the lines of the report in force (an empty one included)"
OLDER_RULE = "was received before the report in force"
SENDER_WAIT = (
    "This report is waiting for the vendor's analyst to confirm it; until then the report "
    "already on file stays in force."
)

_TITLES = {t.name: t.title for t in EXPORT_TABLES}


def _when(t: datetime) -> str:
    return f"{t:%Y-%m-%d %H:%M}"


def report_label(kind: str, distributor: str, period: str) -> str:
    """``Sell-through report D001 2026-09``."""
    return f"{_TITLES.get(kind, kind)} {distributor} {period}"


@dataclass
class Supersession:
    """Submissions a part wholly replaces, and (reports) the distributor x period pairs it
    covers."""

    submissions: list[int]
    pairs: list[tuple[str, str]]


@dataclass(frozen=True)
class Hold:
    """Why one distributor x period of a report waits for the analyst."""

    kind: str
    distributor: str
    period: str
    rule: str  # SMALLER | OLDER
    lines: int  # this report's lines for the pair
    in_force: int  # the submission in force for the pair
    in_force_lines: int
    received_at: datetime
    in_force_received_at: datetime

    @property
    def label(self) -> str:
        return report_label(self.kind, self.distributor, self.period)

    def reason(self) -> str:
        """For the analyst (stored in ``submission_holds.reason``)."""
        if self.rule == SMALLER:
            return (
                f"{self.label}: {self.lines:,} line(s) where submission {self.in_force} in force "
                f"has {self.in_force_lines:,} (fewer than half)"
            )
        return (
            f"{self.label}: received {_when(self.received_at)}, before submission "
            f"{self.in_force} in force (received {_when(self.in_force_received_at)})"
        )

    def for_sender(self) -> str:
        """For the distributor's feedback: no submission numbers, no command line."""
        return f"{SENDER_WAIT} {self.detail_for_sender()}"

    def detail_for_sender(self) -> str:
        if self.rule == SMALLER:
            has = "is empty" if self.lines == 0 else f"has {self.lines:,} line(s)"
            return (
                f"Its {self.label} {has}, where the report already on file has "
                f"{self.in_force_lines:,}. If lines are missing, send the complete report again."
            )
        return (
            f"Its {self.label} is from {_when(self.received_at)}, older than the report "
            f"already on file ({_when(self.in_force_received_at)}), so it would replace a "
            "newer report. If it is the latest, there is nothing to do."
        )


def sender_message(why: list[Hold]) -> str:
    """A held report's answer to its sender: waiting for the analyst, and why."""
    return " ".join([SENDER_WAIT, *dict.fromkeys(h.detail_for_sender() for h in why)])


def covered_lines(load: PartLoad) -> dict[tuple[str, str], int]:
    """The distributor x period pairs a report part covers, with its lines for each: those
    of its lines and the one the file says it is for (an empty report still covers its
    month, with 0 lines)."""
    if load.rows is not None:  # a small part's rows, read already
        lines = dict(Counter((r["distributor_id"], r["period"]) for r in load.rows))
    else:
        lines = dict(
            ((d, p), n)
            for d, p, n in load.ledger.con.execute(
                f"SELECT distributor_id, period, count(*) FROM {lines_table(load.table)} "
                "WHERE submission_id = ? GROUP BY ALL",
                [load.sid],
            ).fetchall()
        )
    if load.distributor and load.period:
        lines.setdefault((load.distributor, load.period), 0)
    return dict(sorted(lines.items()))


def in_force(load: PartLoad, lines: dict[tuple[str, str], int]) -> list[tuple]:
    """The reports in force for the pairs this report part covers (``lines``:
    :func:`covered_lines`), but itself: (distributor, period, submission, received_at)."""
    if not lines:
        return []
    con = load.ledger.con
    # the periods first, without a join (a first report for its month, the usual case,
    # stops here); each distributor and period listed, the pairs matched here
    periods = [
        (d, p, sid)
        for d, p, sid in con.execute(
            "SELECT distributor_id, period, submission_id FROM submission_periods WHERE kind = ? "
            "AND superseded_by IS NULL AND submission_id <> ? AND list_contains(?, "
            "distributor_id) AND list_contains(?, period)",
            [
                load.table.name,
                load.sid,
                sorted({d for d, _ in lines}),
                sorted({p for _, p in lines}),
            ],
        ).fetchall()
        if (d, p) in lines
    ]
    if not periods:
        return []
    received = dict(
        con.execute(
            "SELECT submission_id, received_at FROM submissions WHERE list_contains(?, "
            "submission_id)",
            [sorted({sid for _, _, sid in periods})],
        ).fetchall()
    )
    return sorted((d, p, sid, received[sid]) for d, p, sid in periods if sid in received)


def holds(
    load: PartLoad,
    lines: dict[tuple[str, str], int],
    received_at: datetime,
    current: list[tuple] | None = None,
) -> list[Hold]:
    """Why this report part (``lines``: :func:`covered_lines`) must wait for the analyst
    (the rules above); [] to apply it. ``current``: :func:`in_force`, when already read."""
    con, table = load.ledger.con, load.table
    in_force_now = in_force(load, lines) if current is None else current
    if not in_force_now:  # a first report for its months: the usual case, and no line counted
        return []
    theirs = {
        (sid, d, p): n
        for sid, d, p, n in con.execute(
            f"SELECT submission_id, distributor_id, period, count(*) FROM {lines_table(table)} "
            "WHERE list_contains(?, submission_id) GROUP BY ALL",
            [sorted({sid for _, _, sid, _ in in_force_now})],
        ).fetchall()
    }
    out = []
    for d, p, sid, their_time in in_force_now:
        facts = dict(
            kind=table.name,
            distributor=d,
            period=p,
            lines=lines[(d, p)],
            in_force=sid,
            in_force_lines=theirs.get((sid, d, p), 0),
            received_at=received_at,
            in_force_received_at=their_time,
        )
        if 2 * facts["lines"] < facts["in_force_lines"]:
            out.append(Hold(rule=SMALLER, **facts))
        if their_time is not None and to_the_second(received_at) < to_the_second(their_time):
            out.append(Hold(rule=OLDER, **facts))
    return out


def record_hold(
    con, sid: int, parts: list[tuple[str, list[tuple[str, str]]]], why: list[Hold], at: datetime
) -> None:
    """Keep what a held report would replace (each kind's pairs), why it waits, and what was
    in force for each pair when it was held."""
    rows = [
        (
            kind,
            d,
            p,
            "; ".join(h.reason() for h in why if (h.kind, h.distributor, h.period) == (kind, d, p))
            or None,
        )
        for kind, pairs in parts
        for d, p in pairs
    ]
    con.execute(
        """
        INSERT INTO submission_holds
        SELECT ?, m.kind, m.distributor_id, m.period, m.reason, f.submission_id, ?, NULL, NULL
        FROM (SELECT unnest(?) AS kind, unnest(?) AS distributor_id, unnest(?) AS period,
                     unnest(?) AS reason) m
        LEFT JOIN submission_periods f ON f.kind = m.kind AND f.distributor_id = m.distributor_id
            AND f.period = m.period AND f.superseded_by IS NULL
        """,
        [sid, at, *([r[k] for r in rows] for k in range(4))],
    )


def supersede(
    load: PartLoad, pairs: list[tuple[str, str]] | None = None, *, replaces: bool = True
) -> Supersession:
    """Mark what this part replaces; say which submissions it now wholly supersedes and,
    for a report, which distributor x period pairs it covers (``pairs``: already known;
    ``replaces=False``: :func:`in_force` found no other report in force for them, in this
    transaction, so nothing is marked replaced)."""
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
    pairs = list(covered_lines(load)) if pairs is None else pairs
    return Supersession(replace_periods(con, table.name, sid, pairs, replaces=replaces), pairs)


def replace_periods(
    con, kind: str, sid: int, pairs: list[tuple[str, str]], *, replaces: bool = True
) -> list[int]:
    """Submission ``sid`` now covers ``pairs`` of ``kind``; the earlier reports for them are
    superseded (``replaces=False``: there are none, known already). Returns the submissions
    that lost their last period."""
    if pairs:
        con.execute(
            "INSERT INTO submission_periods SELECT ?, ?, unnest(?), unnest(?), NULL",
            [sid, kind, [d for d, _ in pairs], [p for _, p in pairs]],
        )
    if not replaces:
        return []
    # RETURNING tells which earlier submissions lost a period; only those are checked
    touched = {
        r[0]
        for r in con.execute(
            "UPDATE submission_periods SET superseded_by = ? WHERE kind = ? AND submission_id <> ? "
            "AND superseded_by IS NULL AND (distributor_id, period) IN (SELECT (distributor_id, "
            "period) FROM submission_periods WHERE submission_id = ? AND kind = ?) "
            "RETURNING submission_id",
            [sid, kind, sid, sid, kind],
        ).fetchall()
    }
    if not touched:
        return []
    return [
        r[0]
        for r in con.execute(
            "SELECT submission_id FROM submission_periods WHERE list_contains(?, submission_id) "
            "GROUP BY submission_id HAVING bool_and(superseded_by IS NOT NULL) ORDER BY 1",
            [sorted(touched)],
        ).fetchall()
    ]


# ------------------------------------------------------------------ the analyst's decision


@dataclass
class HeldFile:
    """A report waiting for the analyst: its provenance, why it waits, and what changed in
    force since it was held."""

    submission_id: int
    kind: str
    file_name: str
    file_path: str | None
    received_at: datetime
    held_at: datetime
    lines_loaded: int
    reasons: list[str]
    changed: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (
            f"submission {self.submission_id}: {self.file_name} ({self.kind}, {self.lines_loaded:,} "
            f"line(s), received {_when(self.received_at)}, held {_when(self.held_at)})"
        )
        return "\n".join([text, *(f"    {r}" for r in self.reasons + self.changed)])


def held_files(ledger: Ledger) -> list[HeldFile]:
    """Every report waiting for the analyst, oldest first."""
    con = ledger.con
    files = [
        HeldFile(sid, kind, name, path, received, held, int(lines or 0), list(reasons or []))
        for sid, kind, name, path, received, held, lines, reasons in con.execute(
            """
            SELECT s.submission_id, s.kind, s.file_name, s.file_path, s.received_at,
                   min(h.held_at), s.lines_loaded,
                   list(h.reason ORDER BY h.kind, h.distributor_id, h.period)
                       FILTER (WHERE h.reason IS NOT NULL)
            FROM submissions s JOIN submission_holds h USING (submission_id)
            WHERE s.status = 'held' GROUP BY ALL ORDER BY s.submission_id
            """
        ).fetchall()
    ]
    by_id = {f.submission_id: f for f in files}
    # a report in force that is not the one the file was held against: decide knowing it
    for sid, kind, d, p, was, now in con.execute(
        """
        SELECT h.submission_id, h.kind, h.distributor_id, h.period, h.in_force_id,
               p.submission_id
        FROM submission_holds h JOIN submissions s USING (submission_id)
        LEFT JOIN submission_periods p ON p.kind = h.kind AND p.distributor_id = h.distributor_id
            AND p.period = h.period AND p.superseded_by IS NULL
        WHERE s.status = 'held' AND p.submission_id IS DISTINCT FROM h.in_force_id
        ORDER BY 1, 2, 3, 4
        """
    ).fetchall():
        now_text = f"submission {now} is in force now" if now else "nothing is in force now"
        was_text = f"submission {was}" if was else "nothing"
        by_id[sid].changed.append(
            f"{report_label(kind, d, p)}: {now_text} ({was_text} was when this file was held)"
        )
    return files


@dataclass
class Decision:
    """What the analyst's decision on a held report did."""

    submission_id: int
    file_name: str
    file_path: str | None
    accepted: bool
    superseded: list[int]  # accepted: the submissions it wholly replaced
    in_force: list[tuple[str, int | None]]  # each report it covers, and what is in force now


def decide(ledger: Ledger, submission_id: int, *, accept: bool) -> Decision:
    """Accept or reject the held report ``submission_id``, in one transaction; refuse
    (``ChannelxlError``) a submission that is not held."""
    decision = "accepted" if accept else "rejected"
    with ledger.transaction() as con:
        rows = con.execute(
            "SELECT status, file_name, file_path, loaded_at FROM submissions "
            "WHERE submission_id = ?",
            [submission_id],
        ).fetchall()
        if not rows:
            raise ChannelxlError(f"there is no submission {submission_id}")
        status, name, path, loaded_at = rows[0]
        if status != "held":
            decided = con.execute(
                "SELECT max(decided_at) FROM submission_holds WHERE submission_id = ?",
                [submission_id],
            ).fetchall()[0][0]
            when = f" on {_when(decided)}" if decided else f" when loaded, {_when(loaded_at)}"
            raise ChannelxlError(
                f"submission {submission_id} ({name}) is not held: it was {status}{when}"
            )
        pairs = con.execute(
            "SELECT kind, distributor_id, period FROM submission_holds WHERE submission_id = ? "
            "ORDER BY 1, 2, 3",
            [submission_id],
        ).fetchall()
        gone: list[int] = []
        if accept:
            for kind in dict.fromkeys(k for k, _, _ in pairs):
                mine = [(d, p) for k, d, p in pairs if k == kind]
                gone += [
                    s for s in replace_periods(con, kind, submission_id, mine) if s not in gone
                ]
            if gone:
                con.execute(
                    "UPDATE submissions SET superseded_by = ? WHERE list_contains(?, submission_id)",
                    [submission_id, gone],
                )
        con.execute(
            "UPDATE submissions SET status = ? WHERE submission_id = ?", [decision, submission_id]
        )
        con.execute(
            "UPDATE submission_holds SET decision = ?, decided_at = ? WHERE submission_id = ?",
            [decision, datetime.now(), submission_id],
        )
        in_force = []
        for kind, d, p in pairs:
            now = con.execute(
                "SELECT max(submission_id) FROM submission_periods WHERE kind = ? AND "
                "distributor_id = ? AND period = ? AND superseded_by IS NULL",
                [kind, d, p],
            ).fetchall()[0][0]
            in_force.append((report_label(kind, d, p), now))
    return Decision(submission_id, name, path, accept, gone, in_force)

"""``channelxl received``: when the vendor received a file, how that is known, and the
analyst's correction of it.

- :func:`show_received`: each submission's received date, its source (``core.received_dates``)
  and every correction, the original included;
- :func:`correct_received`: set it (``--on``), with a reason and a name, in one
  transaction (``ledger.received_corrections``). Everything judged by the date uses the corrected
  one from then on: the lateness of the distributor's months (the rebate gate "reports on
  time", the reviews) and the "older" rule for reports loaded later. Which report is in
  force does not change: the result says when the dates now disagree with it, and what
  the correction did to the months it reports on (late / on time, before and after).
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field
from datetime import datetime

from channelxl.core.received_dates import UNRECORDED, when_text
from channelxl.errors import ChannelxlError
from channelxl.ledger.received_corrections import (
    ReceivedRecord,
    Timeliness,
    order_notes,
    received_record,
    record_correction,
    timeliness,
)
from channelxl.ledger.store import Ledger


@dataclass
class ReceivedList:
    """The received dates of the submissions asked for."""

    records: list[ReceivedRecord]

    def summary(self) -> str:
        return "\n".join(r.summary() for r in self.records)


@dataclass
class ReceivedCorrection:
    """One correction: the record before and after, what it did to lateness, and notes."""

    before: ReceivedRecord
    after: ReceivedRecord | None  # None: the date was already that, nothing changed
    lateness: list[tuple[Timeliness, Timeliness]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        b = self.before
        if self.after is None:
            when = "unknown" if b.received_at is None else when_text(b.received_at)
            return (
                f"submission {b.submission_id} ({b.file_name}) is already received {when}; "
                "nothing changed."
            )
        was = "unknown" if b.received_at is None else when_text(b.received_at)
        lines = [
            f"submission {b.submission_id} ({b.file_name}): received {was} "
            f"({b.source or UNRECORDED}) "
            f"-> {when_text(self.after.received_at)} ({self.after.source})"
        ]
        for old, new in self.lateness:
            change = (
                f"{new.verdict} (was {old.verdict})"
                if old.verdict != new.verdict
                else f"{new.verdict}, unchanged"
            )
            lines.append(
                f"  {new.distributor_id} {new.month} sell-through, due {new.due:%Y-%m-%d}: {change}"
            )
        lines += [f"  note: {n}" for n in self.notes]
        lines.append(
            "  Lateness is judged by the corrected date from now on (rebates, reviews); the "
            "report in force is unchanged."
        )
        return "\n".join(lines)


def show_received(ledger: Ledger, submission_ids: list[int]) -> ReceivedList:
    """Each submission's received date, source and corrections."""
    return ReceivedList([received_record(ledger, sid) for sid in dict.fromkeys(submission_ids)])


def correct_received(
    ledger: Ledger,
    submission_id: int,
    on: datetime,
    *,
    reason: str,
    by: str | None = None,
    now: datetime | None = None,
) -> ReceivedCorrection:
    """Set when ``submission_id`` was received to ``on``; ``reason`` is required, ``by``
    defaults to the user running it. Refuses (``ChannelxlError``) an unknown submission,
    a blank reason or name, a date in the future or before the report's month."""
    reason = (reason or "").strip()
    if not reason:
        raise ChannelxlError(
            'say why the date is corrected: --reason "the mail came in on the 9th"'
        )
    by = (by or _user()).strip()
    if not by:
        raise ChannelxlError("say who corrects it: --by NAME")
    now = now or datetime.now()
    before = received_record(ledger, submission_id)
    if before.received_at == on:
        return ReceivedCorrection(before, None)
    old = timeliness(ledger, submission_id)
    after = record_correction(ledger, submission_id, on, reason=reason, by=by, now=now)
    new = timeliness(ledger, submission_id)
    return ReceivedCorrection(
        before, after, list(zip(old, new, strict=True)), order_notes(ledger, submission_id)
    )


def _user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in this environment: --by is needed
        return ""

"""When the vendor received a report, and how that is known.

Lateness (``ledger.figures``) and the order of a report and its correction
(``ledger.supersede``) are judged by the received date. A file carries several clues; the
rule, :func:`received_date`, takes the best one there is:

1. **override**: the analyst said when (``channelxl ingest --received-at``);
2. **e-mail**: the report came as an attachment of a saved e-mail (``.eml``): the time the
   vendor's own mail server received it (its top ``Received:`` header), else the mail's
   ``Date:`` header (``io.mail``); not when it is before the first day of the report's
   month (a wrong clock or a backdated header: the rules below decide, the attachment's
   modification time being the mail file's, and the source says the mail date was not used);
3. **file saved (workbook property)**: an .xlsx says when it was last saved (core property
   ``modified``, written by Excel and LibreOffice). The vendor cannot have had the file
   before it was saved, nor after it was dropped into the inbox (its modification time):
   received lies between the two. A file is usually sent minutes after it is saved and
   dropped into the inbox whenever someone gets to it, so the save time is the better
   estimate, and a distributor is not made late by the vendor's own delay. It is used only
   when it is plausible: later than the workbook was created (a template the distributor
   never saved keeps the vendor's own stamps), no earlier than the first day of the
   report's month, and no later than the file's modification time;
4. **file modification time**: the fallback.

The analyst sees each date and its source (``channelxl received N``, the submissions
export, the statement's lateness gate) and corrects it (``channelxl received N --on``).
"""

from __future__ import annotations

from datetime import date, datetime

OVERRIDE = "override"
MAIL_SERVER = "e-mail received by the mail server"
MAIL_DATE = "e-mail Date header"
SAVED = "file saved (workbook property)"
MODIFIED = "file modification time"
CORRECTED = "corrected"  # ``corrected by NAME on DATE: reason`` (ledger.received_corrections)
UNRECORDED = "source not recorded"  # loaded before channelxl kept the source


def received_date(
    modified: datetime,
    *,
    given: datetime | None = None,
    given_source: str = OVERRIDE,
    saved: datetime | None = None,
    created: datetime | None = None,
    month_start: date | None = None,
) -> tuple[datetime, str]:
    """(received at, its source) by the rule above.

    ``modified``: the file's modification time; ``given``: a time the caller knows
    (``given_source`` says from where: an override, an e-mail header); ``saved`` and
    ``created``: the workbook's core properties; ``month_start``: the first day of the
    report's month, when the report is for one month. Naive local times throughout.
    """
    # a mail's date is the sender's word: before the report's month began it cannot be when
    # the report came in (it would make any late report on time), so the file's clues decide
    ignored = ""
    from_mail = given_source.startswith((MAIL_SERVER, MAIL_DATE))
    if given is not None and from_mail and month_start and given.date() < month_start:
        ignored = f" ({given_source}, {when_text(given)}, is before the report's month began)"
        given = None
    if given is not None:
        return given, given_source
    plausible = (
        saved is not None
        and saved <= modified
        and (created is None or saved > created)
        and (month_start is None or saved.date() >= month_start)
    )
    if plausible:
        return saved, SAVED + ignored
    return modified, MODIFIED + ignored


def to_the_second(at: datetime) -> datetime:
    """``at`` without its fraction of a second: received dates are compared at this
    precision. A workbook's saved stamp keeps whole seconds and a modification time keeps
    more, so compared finer, a correction saved in the same second as its original was
    written (the stamp 10:04:54, the original's file time 10:04:54.03) would read as older
    than the report it corrects."""
    return at.replace(microsecond=0)


def when_text(at: datetime) -> str:
    """``2026-10-09 14:05`` (no seconds: the clues are not that precise)."""
    if at.tzinfo is None and at.year >= 1000:  # the same text, written a few times faster
        return at.isoformat(" ", "minutes")
    return f"{at:%Y-%m-%d %H:%M}"

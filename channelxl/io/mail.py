"""A report that came by e-mail, saved as an ``.eml`` file: its attachments, each received
when the mail was.

When the vendor received the mail: the time in its top ``Received:`` header (added by the
last mail server, the vendor's own, as the mail arrived), else its ``Date:`` header (when
the sender's program sent it). Each attached file is then answered as a file of its own
(``commands.ingest``). Refused whole, with what to do instead, when the file is not an
e-mail, is larger than :data:`MAX_MAIL_BYTES`, nests deeper than :data:`MAX_DEPTH` or has
more than :data:`MAX_PARTS` parts, carries another e-mail (a forward as attachment), has
no attached file, or has no readable, plausible date. Signature images shown inside the
text (inline, no file name) are not attachments.

Outlook's own ``.msg`` format is not read: save the message as .eml, or save its
attachment into the inbox.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path

from channelxl.core.received_dates import MAIL_DATE, MAIL_SERVER
from channelxl.errors import FileRefused
from channelxl.io.atomic import safe_name
from channelxl.issues import Issue

MAIL_SUFFIXES = {".eml"}
MAX_MAIL_BYTES = 100 << 20  # a mail with a report of a few tens of MiB, base64-encoded
MAX_PARTS = 200
MAX_DEPTH = 8
EARLIEST = datetime(2000, 1, 1)  # before it, a date header is broken, not old
INSTEAD = "save the attached report into the inbox and load it with --received-at"


@dataclass
class Attachment:
    name: str  # a safe file name, its suffix kept
    data: bytes


@dataclass
class Mail:
    path: Path
    received_at: datetime  # naive local time
    source: str  # MAIL_SERVER or MAIL_DATE, with the mail's file name
    attachments: list[Attachment]


def _refuse(path: Path, why: str) -> FileRefused:
    return FileRefused(str(path), [Issue("FILE", why, file=path.name)])


def _when(text: str | None) -> datetime | None:
    """An RFC 5322 date as a naive local time; None if unreadable. A date without a zone
    (``-0000``) is taken as UTC."""
    if not text:
        return None
    try:
        at = parsedate_to_datetime(str(text).strip())
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        return at.astimezone().replace(tzinfo=None)
    except (TypeError, ValueError, IndexError, OverflowError, OSError):
        return None


def _attachment_name(raw: str, taken: set[str]) -> str:
    stem, dot, suffix = Path(raw.replace("\\", "/")).name.rpartition(".")
    if not dot:
        stem, suffix = suffix, ""
    suffix = re.sub(r"[^0-9A-Za-z]", "", suffix)[:8]
    name = safe_name(stem or "attachment") + (f".{suffix}" if suffix else "")
    base, n = name, 2
    while name.casefold() in taken:
        name = f"{Path(base).stem} ({n}){Path(base).suffix}"
        n += 1
    taken.add(name.casefold())
    return name


FORWARD = (
    "the e-mail carries another e-mail (forwarded as an attachment): save that e-mail itself "
    "as .eml into the inbox, or " + INSTEAD
)


def _parts(msg: EmailMessage, path: Path):
    """Every leaf part, depth first; refuses nesting, a mail inside the mail, too many."""
    count = 0
    stack = [(msg, 0)]
    while stack:
        part, depth = stack.pop()
        count += 1
        if depth > MAX_DEPTH or count > MAX_PARTS:
            raise _refuse(
                path,
                f"the e-mail nests more than {MAX_DEPTH} levels deep or has more than "
                f"{MAX_PARTS} parts, which no report mail needs: refused as unsafe; {INSTEAD}",
            )
        if part.get_content_maintype() == "message":
            raise _refuse(path, FORWARD)
        if part.is_multipart():
            stack.extend((p, depth + 1) for p in reversed(list(part.iter_parts())))
        else:
            yield part


def read_mail(path: str | os.PathLike, *, now: datetime | None = None) -> Mail:
    """The mail at ``path``: when it was received and its attached files; raises
    :class:`FileRefused` saying why not and what to do instead."""
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_MAIL_BYTES:
        raise _refuse(
            path,
            f"the e-mail is {size / 2**20:,.0f} MiB, over the {MAX_MAIL_BYTES >> 20} MiB "
            f"limit for a mail; {INSTEAD}",
        )
    try:
        with open(path, "rb") as fh:
            msg = BytesParser(policy=policy.default).parse(fh)
        if not any(msg.get(h) for h in ("From", "Date", "Received", "Message-ID")):
            raise _refuse(path, f"not an e-mail message (it has no mail headers); {INSTEAD}")
        leaves = list(_parts(msg, path))
        received = msg.get_all("Received") or []
        server = _when(str(received[0]).rpartition(";")[2]) if received else None
        sent = _when(msg.get("Date"))
        found = []
        taken: set[str] = set()
        for part in leaves:
            filename = part.get_filename()
            inline = part.get_content_disposition() == "inline"
            if not filename or (inline and part.get_content_maintype() == "image"):
                continue
            # a forward attached as a plain file (application/octet-stream) is one too
            if Path(str(filename)).suffix.lower() in MAIL_SUFFIXES:
                raise _refuse(path, FORWARD)
            data = part.get_payload(decode=True) or b""
            found.append(Attachment(_attachment_name(str(filename), taken), data))
    except FileRefused:
        raise
    except Exception as exc:  # the email package raises many kinds on a damaged message
        raise _refuse(path, f"cannot be read as an e-mail ({exc}); {INSTEAD}") from None
    now = now or datetime.now()
    at, source = (server, MAIL_SERVER) if server is not None else (sent, MAIL_DATE)
    if at is None:
        raise _refuse(
            path, f"the e-mail has no readable Date or Received header to date it by; {INSTEAD}"
        )
    if not EARLIEST <= at <= now + timedelta(days=1):
        raise _refuse(
            path,
            f"the e-mail is dated {at:%Y-%m-%d %H:%M}, which cannot be when it came in; " + INSTEAD,
        )
    if not found:
        raise _refuse(path, "the e-mail has no attached file; ask the sender to attach the report")
    return Mail(path, at, f"{source} of {path.name}", found)


def save_attachments(mail: Mail, folder: Path) -> list[Path]:
    """Write each attachment into ``folder`` (made if needed), its modification time the mail
    file's (when it was put into the inbox: the fallback when the mail's own date cannot be
    the report's, ``core.received_dates``); returns their paths, in the mail's order."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = mail.path.stat().st_mtime
    out = []
    for a in mail.attachments:
        target = folder / a.name
        target.write_bytes(a.data)
        os.utime(target, (stamp, stamp))
        out.append(target)
    return out

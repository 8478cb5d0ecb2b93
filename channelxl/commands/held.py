"""``channelxl held``: the reports held for the analyst's decision, listed, accepted or rejected.

A report is held when it would replace a report in force but has fewer than half its lines
(an empty sheet included), or was received before it (the rules: ``ledger.supersede``).
One library call per action, each returning a result with ``summary()``:

- :func:`list_held`: every held report, why it waits, and what changed in force since;
- :func:`accept_held`: the supersede applied exactly as a normal load would have;
- :func:`reject_held`: the report in force stays; the rejected file keeps its provenance
  and its lines as history, never in force.

Each decision is one transaction. A held file waiting in ``inbox/held/`` then moves on to
``inbox/processed/`` (accepted) or ``inbox/rejected/`` (rejected), never over another file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from channelxl.commands.ingest import ANSWERED, DECIDED, move_on
from channelxl.errors import ChannelxlError
from channelxl.ledger.ingest_file import record_file_paths
from channelxl.ledger.store import Ledger
from channelxl.ledger.supersede import (
    OLDER_RULE,
    SMALLER_RULE,
    Decision,
    HeldFile,
    decide,
    held_files,
)

RULES = f"a report is held when it {SMALLER_RULE}, or {OLDER_RULE}"


@dataclass
class HeldList:
    """Every report waiting for the analyst."""

    files: list[HeldFile]

    def summary(self) -> str:
        if not self.files:
            return "No report is held: nothing waits for your decision."
        head = f"{len(self.files)} report(s) held for your decision ({RULES}):"
        return "\n".join([head, *(f"  {f.summary()}" for f in self.files)])


@dataclass
class HeldDecision:
    """What accepting or rejecting one held report did, and where its file went."""

    decision: Decision
    moved_to: Path | None = None
    move_error: str | None = None

    def summary(self) -> str:
        d = self.decision
        name = f"submission {d.submission_id} ({d.file_name})"
        if d.accepted:
            text = f"{name} accepted: now in force for " + ", ".join(
                label for label, _ in d.in_force
            )
            if d.superseded:
                text += "; supersedes submission " + ", ".join(map(str, d.superseded))
        else:
            kept = [
                f"{label}: submission {now} stays in force"
                if now is not None
                else f"{label}: nothing in force"
                for label, now in d.in_force
            ]
            text = f"{name} rejected; its lines are kept as history, never in force. " + "; ".join(
                kept
            )
        if self.moved_to is not None:
            text += f"\n  file moved to {self.moved_to}"
        if self.move_error:
            text += f"\n  {self.move_error}"
        return text


def list_held(ledger: Ledger) -> HeldList:
    """Every report held for the analyst, oldest first."""
    return HeldList(held_files(ledger))


def accept_held(ledger: Ledger, submission_id: int, *, inbox: Path | None = None) -> HeldDecision:
    """Put the held report ``submission_id`` in force, replacing what is in force for its
    distributor x period pairs; its file moves from ``inbox/held/`` to ``inbox/processed/``."""
    return _decide(ledger, submission_id, accept=True, inbox=inbox)


def reject_held(ledger: Ledger, submission_id: int, *, inbox: Path | None = None) -> HeldDecision:
    """Leave the report in force as it is; the held report ``submission_id`` stays as
    history (status rejected); its file moves from ``inbox/held/`` to ``inbox/rejected/``."""
    return _decide(ledger, submission_id, accept=False, inbox=inbox)


def _decide(
    ledger: Ledger, submission_id: int, *, accept: bool, inbox: Path | None
) -> HeldDecision:
    try:
        decision = decide(ledger, submission_id, accept=accept)
    except ChannelxlError as exc:
        raise ChannelxlError(f"{exc}. `channelxl held` lists the reports held") from None
    result = HeldDecision(decision)
    held = inbox / ANSWERED["held"] if inbox is not None else None
    path = Path(decision.file_path) if decision.file_path else None
    # only a file the inbox put in held/ moves on; one named from elsewhere stays where it is
    if (
        held is not None
        and path is not None
        and path.is_file()
        and path.parent.resolve() == held.resolve()
    ):
        try:
            result.moved_to = move_on(path, inbox / DECIDED[accept])
        except OSError as exc:
            result.move_error = f"could not move {path} on ({exc.strerror or exc}); it stays there"
        else:
            record_file_paths(ledger, [(submission_id, result.moved_to, None)])
    return result

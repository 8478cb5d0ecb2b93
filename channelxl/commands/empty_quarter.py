"""A quarter with no data is refused, unless asked for: one check for every quarterly
command (``rebates``, ``reconcile``, ``territory``, ``qbr``).

A quarter is empty when the ledger holds no sell-through in force for any of its months
(for the distributors asked for, or anyone): a future quarter, or one before the first
report. Its outputs would then show every gate failed and nothing earned, or nothing
flagged, for want of data, not for anything a distributor did. So the command stops and
says so, naming the last quarter that has data; ``--allow-empty`` writes the outputs
anyway, with the same words as a warning.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from channelxl.core.periods import Month, Quarter
from channelxl.errors import ChannelxlError
from channelxl.ledger.store import Ledger

ZERO = Decimal(0)


@dataclass(frozen=True)
class QuarterOutput:
    """What a quarterly command writes, for its refusal: ``channelxl {command}`` would
    write ``{written}``, which would then ``{misleads}``."""

    command: str
    written: str
    misleads: str


REBATES = QuarterOutput(
    "rebates",
    "this quarter's statement",
    "withhold or pay nothing for want of data, not for anything a distributor did",
)
RECONCILE = QuarterOutput(
    "reconcile",
    "this quarter's exception workbook",
    "flag nothing, which reads as a clean quarter: nothing could be reconciled",
)
TERRITORY = QuarterOutput(
    "territory",
    "this quarter's exception workbook",
    "list no line out of territory, which reads as a clean quarter: none could be checked",
)
QBR = QuarterOutput(
    "qbr",
    "this quarter's reviews",
    "tell each distributor its gates failed and no report came on time, for a quarter "
    "it has not reported",
)


def empty_quarter(ledger: Ledger, quarter: Quarter, distributors: list[str] | None) -> str:
    """Why ``quarter`` has nothing to evaluate (no sell-through in force for any of its
    months, for ``distributors`` or anyone), naming the last quarter that has some; "" when
    it has data."""
    who = "" if not distributors else " AND distributor_id IN (SELECT unnest(?))"
    params = [] if not distributors else [list(distributors)]
    months = [str(m) for m in quarter.months]
    found, first, last = ledger.con.execute(
        "SELECT count(*) FILTER (WHERE period IN (SELECT unnest(?))), min(period), max(period) "
        f"FROM sell_through WHERE TRUE{who}",
        [months, *params],
    ).fetchone()
    if found:
        return ""
    whom = f" for {', '.join(distributors)}" if distributors else ""
    head = f"{quarter} ({months[0]} to {months[-1]}) has no sell-through in the ledger{whom}"
    if last is None:
        return f"{head}, nor does any other quarter."
    last_month = Month.parse(last)
    q = quarter
    for _ in range(400):  # walk back to the quarter holding the last month (any calendar)
        if q.months[0] <= last_month:
            break
        q = q + -1
    if q.months[0] <= last_month <= q.months[-1]:
        return f"{head}: the last quarter that has data is {q} (sell-through up to {last})."
    return f"{head}: its sell-through runs from {first} to {last}."


def check_quarter_has_data(
    ledger: Ledger,
    quarter: Quarter,
    distributors: list[str] | None,
    output: QuarterOutput,
    *,
    allow_empty: bool = False,
    waiting: Callable[[], str] | None = None,
) -> str:
    """Nothing (an empty text) when ``quarter`` has data. When it has none: refused
    (``ChannelxlError``: what, why, and how to go on) unless ``allow_empty``; allowed, the
    warning the run prints.
    ``waiting()``, asked only for an empty quarter, says what else waits in it (a sentence,
    or "")."""
    empty = empty_quarter(ledger, quarter, distributors)
    if not empty:
        return ""
    if allow_empty:
        return f"WARNING: {empty} Written anyway (--allow-empty): {output.written}."
    more = waiting() if waiting else ""
    raise ChannelxlError(
        f"{empty} Written now, {output.written} would {output.misleads}. "
        + (f"{more} " if more else "")
        + f"Run 'channelxl {output.command}' for a quarter that has data, or add "
        f"--allow-empty to write {output.written} anyway."
    )


def waiting_adjustments(
    ledger: Ledger, quarter: Quarter, distributors: list[str] | None = None
) -> str:
    """The prior-period adjustments ``quarter``'s statement would carry (approved quarters
    whose inputs changed since, ``commands.approved``): their count and net total (rebates,
    then MDF accrued), and that --allow-empty writes the statement carrying them; "" when
    there are none."""
    from channelxl.ledger.adjustments import awaiting, differences

    pending = awaiting(ledger, quarter)
    mdf: list = []
    lines, _ = differences(ledger, pending, distributors, mdf=mdf)
    if not lines and not mdf:
        return ""
    currency = ledger.settings().reporting_currency
    said = []
    for found, what in ((lines, "prior-period adjustment"), (mdf, "MDF adjustment")):
        if found:
            total = sum((x.difference for x in found), ZERO)
            n = len(found)
            said.append(f"{n} {what}{'s' if n != 1 else ''} ({currency} {total:+,.2f} net)")
    approved = ", ".join(sorted({x.approval.quarter for x in (*lines, *mdf)}))
    n = len(lines) + len(mdf)
    return (
        f"{' and '.join(said)} of approved {approved} wait{'s' if n == 1 else ''} in "
        f"{quarter}: only --allow-empty writes the statement that carries "
        f"{'them' if n != 1 else 'it'}."
    )

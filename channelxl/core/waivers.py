"""Waivers: an analyst's decision that a failed gate counts as passed for one
distributor-quarter, with a reason and a name (program workbook, sheet *Waivers*).

The gate is evaluated as it is; a waiver that covers a **failed** gate makes it count as
passed and says so (``FAIL, waived by NAME on DATE: REASON``). A waiver never touches a
gate that passed, nor a hold or a cap: it is not a way to pay more than the program says,
only to forgive a late report or a missed gate.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

LATE = "late report"
CERTIFICATION = "certification gate"
ALL_GATES = "all gates"
WAIVES = (LATE, CERTIFICATION, ALL_GATES)
# the engine's gate each waiver names (core.rebates: Gate.name)
GATE_NAMES = {LATE: "reports on time", CERTIFICATION: "certification rate"}


@dataclass(frozen=True)
class Waiver:
    """One row of the Waivers sheet (``quarter`` as ``str(Quarter)``)."""

    distributor_id: str
    quarter: str
    program_id: str | None  # None: every program of the distributor-quarter
    waives: str  # one of WAIVES
    reason: str
    approved_by: str
    approved_on: date

    def covers(self, distributor_id: str, quarter: object, program_id: str, gate: str) -> bool:
        """True when this waiver forgives ``gate`` of ``program_id`` for that
        distributor-quarter (``quarter`` compared as its text)."""
        return (
            self.distributor_id == distributor_id
            and self.quarter == str(quarter)
            and self.program_id in (None, program_id)
            and (self.waives == ALL_GATES or GATE_NAMES.get(self.waives) == gate)
        )

    def text(self) -> str:
        """``waived by A. Jones on 2026-10-14: mail server outage``."""
        return f"waived by {self.approved_by} on {self.approved_on}: {self.reason}"


def waive(gate, waivers, distributor_id: str, quarter: object, program_id: str):
    """``gate`` as it counts: a failed gate covered by a waiver becomes passed, with the
    waiver's text in its ``waiver`` field (the first waiver that covers it, in sheet order);
    any other gate as it is."""
    if gate.passed:
        return gate
    for w in waivers:
        if w.covers(distributor_id, quarter, program_id, gate.name):
            return replace(gate, passed=True, waiver=w.text())
    return gate

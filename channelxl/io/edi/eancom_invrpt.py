"""EANCOM INVRPT (inventory report, UN D96A; EANCOM 1997 INVRPT 004) read into inventory
lines, one per quantity and location.

Segment groups (EANCOM INVRPT 004)::

    UNH BGM DTM*10                  DTM 366 inventory report date, 90/91 report period
    SG1 RFF DTM
    SG2 NAD LOC (SG3 RFF DTM) (SG4 CTA COM)   NAD FR/DS/SE/BY the reporting distributor
    SG5 CUX DTM
    SG9 LIN PIA IMD                 product
      SG11 QTY INV GIN LOC DTM STS  one line per QTY: the quantity, the inventory activity
                                    (INV), serial numbers (GIN) and location (LOC)
    UNS CNT UNT
"""

from __future__ import annotations

from typing import ClassVar

from channelxl.io.edi.eancom_common import ReportReader
from channelxl.io.edi.edifact_syntax import Segment

_HEAD = {k: "head" for k in ("DTM", "RFF", "NAD", "LOC", "CTA", "COM", "CUX", "FTX")}
_SUMMARY = {"UNS": "sum", "CNT": "sum"}

# QTY01-1 6063 -> the layout's field; every other qualifier EANCOM lists is read as
# ``quantity`` with the qualifier as ``transfer_type``.
FIELDS = {"145": "on_hand", "198": "in_transit"}
KNOWN = {
    "66", "81", "89", "96", "97", "98", "124", "145", "146", "157", "197", "198", "199",
    "31E", "32E", "35E",
}  # fmt: skip


class InventoryReportReader(ReportReader):
    KIND = "inventory"
    TABLE: ClassVar[dict[str, dict[str, str]]] = {
        "start": {"BGM": "head"},
        "head": {**_HEAD, "LIN": "lin"},
        "lin": {"PIA": "lin", "IMD": "lin", "QTY": "qty", "LIN": "lin", **_SUMMARY},
        "qty": {
            **{k: "qty" for k in ("INV", "GIN", "LOC", "DTM", "STS", "QTY")},
            "LIN": "lin",
            **_SUMMARY,
        },
        "sum": {"CNT": "sum"},
    }

    def __init__(self, message, ctx):
        super().__init__(message, ctx)
        self.bgm: tuple[Segment, int] | None = None
        self.header_location: str | None = None

    def on_BGM(self, seg: Segment, position: int) -> None:
        super().on_BGM(seg, position)
        self.bgm = (seg, position)

    def on_DTM(self, seg: Segment, position: int) -> None:
        if self.state == "head":
            self.header_dtm(seg, position)
        else:
            self.dtm(seg, position)  # checked; a line's own date is not part of the layout

    def on_NAD(self, seg: Segment, position: int) -> None:
        self.header_nad(seg, position)

    def on_LOC(self, seg: Segment, position: int) -> None:
        where = seg.get(2, 1) or None
        if self.state == "head":
            if self.header_location is None:
                self.header_location = where
        elif self.line is not None and where:
            self.line.fields["location"] = where

    def on_QTY(self, seg: Segment, position: int) -> None:
        self.line = None
        qual = seg.get(1, 1)
        if qual not in KNOWN:
            self.ctx.problem(
                "QUAN",
                f"quantity qualifier {qual or '(none)'} is not one EANCOM INVRPT lists; "
                "it is read as a quantity of that type",
                seg,
                position,
                "QTY01-1",
                severity="warning",
            )
        qty = self.quantity(seg, position)
        if qty is None:
            return
        fields: dict[str, object] = {
            FIELDS.get(qual, "quantity"): qty,
            "transfer_type": self.same(qual),
        }
        if self.header_location:
            fields["location"] = self.header_location
        self.add_line("inventory", fields, seg, position)

    def on_INV(self, seg: Segment, position: int) -> None:
        """INV01 4501 movement direction (1 out of, 2 into inventory); without it INV04 4503
        balance method (1 book-keeping, 2 formal) read as ``balance``."""
        if self.line is None:
            return
        direction, balance = seg.get(1), seg.get(4)
        if direction:
            if direction not in ("1", "2"):
                self.ctx.problem(
                    "TYPE",
                    f"inventory movement direction {direction} is neither 1 (out) nor 2 (in)",
                    seg,
                    position,
                    "INV01",
                    severity="warning",
                )
            self.line.fields["activity"] = direction
        elif balance:
            self.line.fields["activity"] = "balance"

    def on_STS(self, seg: Segment, position: int) -> None:
        pass

    def finish(self, unt: Segment | None, position: int | None) -> None:
        super().finish(unt, position)
        dates = self.header_dates
        start = (dates.get("90") or dates.get("366") or (None, None))[0]
        end = (dates.get("91") or dates.get("366") or (None, None))[1]
        self.message.period = (start, end)
        if end is None:
            seg, pos = self.bgm if self.bgm else (unt, position)
            self.ctx.problem(
                "DATE",
                "the report gives no inventory date (DTM 366) or period (DTM 90 and 91)",
                seg,
                pos,
                severity="warning",
            )

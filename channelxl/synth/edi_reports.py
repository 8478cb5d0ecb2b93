"""The monthly reports of the distributors that send EDI (:mod:`channelxl.synth.edi_styles`),
written as the files they would send: an 867 and an 852 (X12), or a SLSRPT and an INVRPT
(EANCOM), one interchange a file, named the distributor's way (``D001_867_20250131.edi``,
``D022-852-2025-01.x12``, ``SLSRPT_D005_2025-01.txt``) and dated when the report came in.

Control numbers: ``(year x 12 + month - 1) x 10 + the message's digit`` (867 1, 852 2,
SLSRPT 3, INVRPT 4), so 2025-01's 867 is interchange ``000243001``: the same report always
has the same number, and no two reports of one sender share one. The file is made three
hours before it came in (ISA09/ISA10, GS04/GS05, UNB04, BPT03, DTM 137).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd

from channelxl.core.periods import Month
from channelxl.synth.eancom_reports import invrpt, slsrpt
from channelxl.synth.edi_codes import Codes, Header
from channelxl.synth.edi_styles import X12, Style, edi_id, senders
from channelxl.synth.generator import Channel
from channelxl.synth.x12_reports import report_852, report_867

# sales report, stock report, per standard
MESSAGES = {X12: ("867", "852"), "EDIFACT": ("SLSRPT", "INVRPT")}
DIGIT = {"867": 1, "852": 2, "SLSRPT": 3, "INVRPT": 4}
WRITERS: dict[str, Callable[[Style, Header, pd.DataFrame, Codes], bytes]] = {
    "867": report_867,
    "852": report_852,
    "SLSRPT": slsrpt,
    "INVRPT": invrpt,
}
MADE_BEFORE = timedelta(hours=3)  # a file is made before it is sent


def control_number(month: Month, message: str) -> int:
    """The interchange control number of a sender's ``message`` for ``month``."""
    return (month.year * 12 + month.month - 1) * 10 + DIGIT[message]


def file_name(style: Style, message: str, distributor: str, month: Month) -> str:
    return style.names[message].format(d=distributor, month=month, last=month.last_day)


class EdiReports:
    """The EDI senders of ``channel`` (``styles``: distributor -> style; by default
    :func:`~channelxl.synth.edi_styles.senders`) and their reports."""

    def __init__(self, channel: Channel, styles: Mapping[str, Style] | None = None):
        program = channel.program
        self.styles = dict(senders(program["distributors"]) if styles is None else styles)
        self.codes = Codes.of(program)
        self._distributors = {str(r["distributor_id"]): r for r in program["distributors"]}
        ids = list(self.styles)
        st, inv = channel.sell_through, channel.inventory
        self._sales = dict(
            iter(st[st.distributor_id.isin(ids)].groupby(["distributor_id", "period"]))
        )
        self._stock = dict(
            iter(inv[inv.distributor_id.isin(ids)].groupby(["distributor_id", "period"]))
        )
        self._no_sales = st.iloc[0:0]
        self._no_stock = inv.iloc[0:0]

    def sends(self, distributor: str) -> bool:
        return distributor in self.styles

    def header(self, distributor: str, month: Month, message: str, when: datetime) -> Header:
        row = self._distributors[distributor]
        sender, qualifier = edi_id(distributor, self.styles[distributor])
        return Header(
            distributor=distributor,
            sender=sender,
            sender_qualifier=qualifier,
            name=str(row["name"]),
            currency=str(row["currency"]),
            month=month,
            prepared=when - MADE_BEFORE,
            control=control_number(month, message),
        )

    def report(
        self, distributor: str, period: str, message: str, when: datetime
    ) -> tuple[str, bytes]:
        """One report's file name and bytes."""
        style = self.styles[distributor]
        month = Month.parse(period)
        sales = message == MESSAGES[style.standard][0]
        frame = (self._sales if sales else self._stock).get(
            (distributor, period), self._no_sales if sales else self._no_stock
        )
        header = self.header(distributor, month, message, when)
        data = WRITERS[message](style, header, frame, self.codes)
        return file_name(style, message, distributor, month), data

    def write(
        self, folder: Path, distributor: str, period: str, when: datetime, *, sales: bool = True
    ) -> list[Path]:
        """The month's sales (unless not ``sales``: an opening stock) and stock reports in
        ``folder``, their file times ``when``."""
        sales_message, stock_message = MESSAGES[self.styles[distributor].standard]
        written = []
        for message in (sales_message, stock_message) if sales else (stock_message,):
            name, data = self.report(distributor, period, message, when)
            path = Path(folder) / name
            path.write_bytes(data)
            ts = when.timestamp()
            os.utime(path, (ts, ts))
            written.append(path)
        return written


__all__ = ["DIGIT", "MESSAGES", "EdiReports", "control_number", "file_name"]

"""Writing a synthetic channel the way real data arrives.

- ``program.xlsx``: the vendor's master data;
- ``shipments.csv``: the vendor ERP's export of sell-in;
- ``certifications.csv``, ``activities.csv``: learning-system and campaign exports;
- ``mdf_claims_<D>.csv``: each distributor's MDF claims (the decisions are in the program);
- ``sellthrough_<D>_<YYYY-MM>.csv`` and ``inventory_<D>_<YYYY-MM>.csv``: each
  distributor's monthly reports, their modification time set to when they came in; with
  ``edi``, the few distributors that send EDI (:mod:`channelxl.synth.edi_styles`) send an
  867 and an 852 (X12) or a SLSRPT and an INVRPT (EANCOM) instead
  (:mod:`channelxl.synth.edi_reports`);
- ``planted.json``: what the generator planted, for tests and for people checking.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import pandas as pd

from channelxl.io.program_workbook import write_program
from channelxl.schema import ACTIVITIES, CERTIFICATIONS, INVENTORY, SELL_THROUGH, SHIPMENTS, Table
from channelxl.schema.received import MDF_CLAIMS
from channelxl.synth.edi_reports import EdiReports
from channelxl.synth.generator import Channel, planted_summary

# Whether write_channel (and so the demo) writes the EDI senders' reports as EDI
# (channelxl.synth.edi_styles: D001, D005, D022 of the demo's 40). Off until the demo reads
# EDI end to end (its late correction re-sends a sell-through CSV, which an EDI sender has
# not sent); then True, and the demo ingests 867/852 and SLSRPT/INVRPT as well.
EDI_REPORTS = False


def _headers(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    cols = [c for c in table.columns if c.field in frame.columns]
    return frame[[c.field for c in cols]].rename(columns={c.field: c.name for c in cols})


def _stamp(path: Path, when: datetime) -> None:
    ts = when.timestamp()
    os.utime(path, (ts, ts))


def write_reports(
    channel: Channel,
    folder: Path,
    *,
    skip: set[str] = frozenset(),
    edi: EdiReports | None = None,
) -> list[Path]:
    """One sell-through and one inventory CSV per distributor and month (but ``skip``);
    the EDI files instead for the distributors that ``edi`` says send EDI."""
    folder.mkdir(parents=True, exist_ok=True)
    received = {
        (r.distributor_id, r.period): r.received_at
        for r in channel.received.itertuples(index=False)
    }
    st = _headers(channel.sell_through.drop(columns=["invoice_line"]), SELL_THROUGH)
    inv = _headers(channel.inventory, INVENTORY)
    written = []
    st_groups = dict(iter(st.groupby(["Distributor ID", "Period"], sort=True)))
    inv_groups = dict(iter(inv.groupby(["Distributor ID", "Period"], sort=True)))
    first_month = str(channel.months[0])
    for (d, p), when in sorted(received.items()):
        if p in skip:
            continue
        if edi is not None and edi.sends(d):
            written += edi.write(folder, d, p, when)
            if p == first_month:  # the opening balance, as a stock report
                for key in sorted(k for k in inv_groups if k[0] == d and k[1] < first_month):
                    written += edi.write(folder, d, key[1], when, sales=False)
            continue
        for prefix, groups, cols in (
            ("sellthrough", st_groups, st.columns),
            ("inventory", inv_groups, inv.columns),
        ):
            path = folder / f"{prefix}_{d}_{p}.csv"
            groups.get((d, p), pd.DataFrame(columns=cols)).to_csv(path, index=False)
            _stamp(path, when)
            written.append(path)
        if p == first_month:  # the opening balance: stock at the end of the month before
            opening = [k for k in inv_groups if k[0] == d and k[1] < first_month]
            for key in opening:
                path = folder / f"inventory_{d}_{key[1]}.csv"
                inv_groups[key].to_csv(path, index=False)
                _stamp(path, when)
                written.append(path)
    return written


def write_mdf_claims(channel: Channel, folder: Path, *, after: Path) -> list[Path]:
    """One MDF claims file per distributor that claims, ``mdf_claims_<D>.csv``, dated a
    second after ``after`` (the activities export), so ingest reads the activities first."""
    claims = channel.mdf_claims
    if claims is None or claims.empty:
        return []
    when = datetime.fromtimestamp(after.stat().st_mtime + 1)
    written = []
    for d, rows in claims.groupby("distributor_id", sort=True):
        path = folder / f"mdf_claims_{d}.csv"
        _headers(rows, MDF_CLAIMS).to_csv(path, index=False)
        _stamp(path, when)
        written.append(path)
    return written


def write_channel(
    channel: Channel,
    folder: str | os.PathLike,
    *,
    program: bool = True,
    skip: set[str] = frozenset(),
    edi: bool | None = None,
) -> dict:
    """Write everything into ``folder`` (program workbook at its top, files in ``inbox/``).
    ``edi``: the EDI senders' reports as EDI (None: :data:`EDI_REPORTS`); ``out["edi"]``
    names each EDI sender's style."""
    folder = Path(folder)
    inbox = folder / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    out = {}
    if program:
        out["program"] = write_program(folder / "program.xlsx", channel.program, channel.settings)
    for name, frame, table in (
        ("shipments", channel.shipments, SHIPMENTS),
        ("certifications", channel.certifications, CERTIFICATIONS),
        ("activities", channel.activities, ACTIVITIES),
    ):
        path = inbox / f"{name}.csv"
        _headers(frame, table).to_csv(path, index=False)
        out[name] = path
    out["mdf_claims"] = write_mdf_claims(channel, inbox, after=out["activities"])
    senders = EdiReports(channel) if (EDI_REPORTS if edi is None else edi) else None
    out["reports"] = write_reports(channel, inbox, skip=skip, edi=senders)
    out["edi"] = {d: style.label for d, style in senders.styles.items()} if senders else {}
    planted = folder / "planted.json"
    planted.write_text(json.dumps(planted_summary(channel), indent=2, default=str))
    out["planted"] = planted
    return out

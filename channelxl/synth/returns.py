"""Distributors returning their monthly templates: filled from the synthetic channel, most
clean, a few with the mistakes real files have, and one corrected resubmission."""

from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from openpyxl import load_workbook

from channelxl.schema import INVENTORY_SHEET, SELL_THROUGH_SHEET
from channelxl.synth.generator import Channel

# What a careless month looks like: (what, sheet column, bad value)
MISTAKES = (
    ("a date that does not exist", "Invoice Date", "31/02/2026"),
    ("a quantity written in words", "Quantity", "ten"),
    ("no invoice number", "Invoice Number", None),
    ("a SKU the program does not know", "SKU", "OLD-9999"),
)


def process_context():
    """Forked processes where the system has them (they start at once, the channel's modules
    already imported), else spawned ones."""
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _fill(template: Path, out: Path, st, inv, mistakes: list[tuple] = ()) -> None:
    wb = load_workbook(template)
    ws = wb[SELL_THROUGH_SHEET.title]
    fields = [c.field for c in SELL_THROUGH_SHEET.columns]
    names = [c.name for c in SELL_THROUGH_SHEET.columns]
    for i, row in enumerate(st.itertuples(index=False), start=2):
        record = row._asdict()
        for j, f in enumerate(fields, start=1):
            value = record.get(f)
            if isinstance(value, np.generic):
                value = value.item()
            ws.cell(row=i, column=j, value=None if value == "" else value)
    for k, (_, column, bad) in enumerate(mistakes):
        ws.cell(row=2 + k, column=names.index(column) + 1, value=bad)
    inv_ws = wb[INVENTORY_SHEET.title]
    inv_fields = [c.field for c in INVENTORY_SHEET.columns]
    for i, row in enumerate(inv.itertuples(index=False), start=2):
        record = row._asdict()
        for j, f in enumerate(inv_fields, start=1):
            value = record.get(f)
            inv_ws.cell(
                row=i, column=j, value=value.item() if isinstance(value, np.generic) else value
            )
    wb.save(out)


def simulate_returns(
    channel: Channel,
    templates: list[Path],
    inbox: Path,
    *,
    careless: int = 3,
    seed: int = 1,
    workers: int = 0,
) -> dict:
    """Fill each template from the channel's lines for its distributor and month and drop it in
    ``inbox`` with the time it came in; ``careless`` of them carry mistakes, and the first of
    those comes back corrected a day later. Returns what was done, for the demo to show.

    ``workers``: processes filling the templates at once (0: one after another, here); the
    files are the same either way (each is filled from its own lines, with the same
    mistakes: the draws are made here first)."""
    rng = np.random.default_rng(seed)
    inbox.mkdir(parents=True, exist_ok=True)
    received = {(r.distributor_id, r.period): r.received_at for r in channel.received.itertuples()}
    chosen = set(rng.choice(len(templates), min(careless, len(templates)), replace=False).tolist())
    out = {"returned": [], "careless": {}, "resubmitted": None}
    jobs = []  # (template, path, st, inv, mistakes, when it came in)
    for k, template in enumerate(sorted(templates)):
        _, d, period = template.stem.split("_")
        st = channel.sell_through[
            (channel.sell_through.distributor_id == d) & (channel.sell_through.period == period)
        ]
        inv = channel.inventory[
            (channel.inventory.distributor_id == d) & (channel.inventory.period == period)
        ]
        when = received.get((d, period), datetime.now())
        mistakes = (
            [MISTAKES[(k + i) % len(MISTAKES)] for i in range(2)]
            if k in chosen and len(st) >= 2
            else []
        )
        path = inbox / f"returned_{d}_{period}.xlsx"
        jobs.append((template, path, st, inv, mistakes, when))
        out["returned"].append(path)
        if mistakes:
            out["careless"][str(path.name)] = [m[0] for m in mistakes]
            if out["resubmitted"] is None:
                fixed = inbox / f"returned_{d}_{period}_corrected.xlsx"
                jobs.append((template, fixed, st, inv, [], when + timedelta(days=1)))
                out["resubmitted"] = fixed
    if workers > 0:
        with ProcessPoolExecutor(workers, mp_context=process_context()) as pool:
            for done in [pool.submit(_fill, *job[:5]) for job in jobs]:
                done.result()
    else:
        for job in jobs:
            _fill(*job[:5])
    for _, path, _, _, _, when in jobs:
        os.utime(path, (when.timestamp(), when.timestamp()))
    return out

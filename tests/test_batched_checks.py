"""Reconciliation and review facts run in batches of distributors give the same result as in
one piece: the grid, the flagged lines, the loading signals and every review document."""

from __future__ import annotations

import pandas as pd
import pytest

from channelxl.core.reconcile import LINE_FLAG_ORDER
from channelxl.ledger.quarter_checks import distributor_batches, reconcile_quarter
from channelxl.reports.facts import quarter_report_facts

WHOLE = 10**9  # more lines than the channel has: one batch


@pytest.fixture(scope="module")
def ledger_quarters(loaded_channel):
    ws, last = loaded_channel
    with ws.open_ledger(sync=False) as ledger:
        yield ledger, [last + -1, last]


def test_batches_cover_every_distributor_once_in_id_order(ledger_quarters):
    ledger, (_, q) = ledger_quarters
    wanted = ledger.distributors()
    months = [str(m) for m in q.months]
    lines = dict(
        ledger.con.execute(
            "SELECT distributor_id, count(*) FROM sell_through "
            "WHERE period IN (SELECT unnest(?)) GROUP BY ALL",
            [months],
        ).fetchall()
    )
    assert distributor_batches(ledger, q, wanted, WHOLE) == [sorted(wanted)]
    assert distributor_batches(ledger, q, wanted, 1) == [[d] for d in sorted(wanted)]
    # about a third of the quarter's lines a batch: each batch stays within it unless a
    # single distributor is larger
    size = (sum(lines.values()) + len(wanted)) // 3
    batches = distributor_batches(ledger, q, wanted, size)
    assert [d for b in batches for d in b] == sorted(wanted)
    assert 3 <= len(batches) < len(wanted)
    for b in batches:
        assert len(b) == 1 or sum(lines.get(d, 0) + 1 for d in b) <= size
    assert distributor_batches(ledger, q, [], 1) == [[]]


def test_reconciliation_in_batches_equals_one_piece(ledger_quarters):
    ledger, quarters = ledger_quarters
    key = ["flag", "distributor_id", "month", "invoice_number", "sku", "quantity", "reseller_id"]
    seen = set()
    for q in quarters:
        whole = reconcile_quarter(ledger, q, batch_lines=WHOLE)
        for size in (1, 400):
            batched = reconcile_quarter(ledger, q, batch_lines=size)
            pd.testing.assert_frame_equal(batched.grid, whole.grid)
            pd.testing.assert_frame_equal(batched.loading, whole.loading)
            # lines of one invoice have no fixed order among themselves: compare as sets
            pd.testing.assert_frame_equal(
                batched.lines.sort_values(key).reset_index(drop=True),
                whole.lines.sort_values(key).reset_index(drop=True),
            )
            # the kinds of flag in line_flags' order, as in one piece
            ranks = batched.lines["flag"].map(LINE_FLAG_ORDER.index)
            assert ranks.is_monotonic_increasing
        seen |= set(whole.lines["flag"])
    # the planted channel flags lines of more than one kind, so the order was exercised
    assert len(seen) >= 2


def test_review_facts_in_batches_equal_one_piece(ledger_quarters):
    ledger, (_, q) = ledger_quarters
    whole = quarter_report_facts(ledger, q, batch_lines=WHOLE)
    batched = quarter_report_facts(ledger, q, batch_lines=1)
    assert list(batched.by_distributor) == list(whole.by_distributor)
    assert batched.by_distributor == whole.by_distributor
    assert any(doc["stock"]["reconciliation"]["rows"] for doc in whole.by_distributor.values())

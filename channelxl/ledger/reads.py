"""Read-only statements run side by side, while the caller works on the ones already read.

A statement of the quarter figures (``ledger.figures``) scans a large table and then hands
thousands of rows to Python one at a time; run one after another, each waits for the last
one's rows to be turned into Python values, and Python waits for DuckDB. :func:`side_by_side`
runs them on two threads, each on a cursor of its own (a separate connection to the same
database), and gives a future per statement: the caller submits every statement first and
reads the results in its own order, turning the first into figures while DuckDB works on the
next. Measured on the rebate benchmark's ledger: the statements' wall time falls by a fifth
and most of the Python work hides under it (``bench/rebates.py``).

A cursor sees what is committed: inside an open transaction (``Ledger.transaction``) the
statements run at once on the ledger's own connection, in the order submitted, so they see
what the transaction has written.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

from channelxl.ledger.store import Ledger

Read = Callable[..., Future]  # read(sql, params=None) -> a future of the statement's rows


@contextmanager
def side_by_side(ledger: Ledger, workers: int = 2) -> Iterator[Read]:
    """``read(sql, params)`` -> a future of the statement's rows (``fetchall``); the
    statements run on ``workers`` threads, or at once inside a transaction (above)."""
    if ledger.in_transaction or workers < 2:
        yield lambda sql, params=None: _now(ledger, sql, params)
        return
    # the cursors made here, before any statement runs (the ledger's connection refuses a
    # call while busy with another, and the caller may use it meanwhile); one per thread
    cursors = [ledger.con.cursor() for _ in range(workers)]
    spare, local = list(cursors), threading.local()

    def take() -> None:  # each thread's first act: the cursor it keeps
        local.cursor = spare.pop()

    def run(sql: str, params):
        return local.cursor.execute(sql, params).fetchall()

    pool = ThreadPoolExecutor(workers, "ledger-read", initializer=take)
    try:
        yield lambda sql, params=None: pool.submit(run, sql, params)
    except BaseException:
        for cursor in cursors:  # a refusal or Ctrl+C: stop what still runs, then wait
            cursor.interrupt()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        for cursor in cursors:
            cursor.close()


def _now(ledger: Ledger, sql: str, params) -> Future:
    done: Future = Future()
    try:
        done.set_result(ledger.con.execute(sql, params).fetchall())
    except Exception as exc:  # raised where the result is read, as on a thread
        done.set_exception(exc)
    return done

"""Fault injection for the atomicity tests.

``CHANNELXL_KILL_AT=<point>`` makes the process kill itself (SIGKILL, no clean-up, as a
power cut or ``kill -9`` would) when it reaches the named point, so a test can prove a
load cut short leaves the ledger as it was. Unset, this costs one dict look-up.
"""

from __future__ import annotations

import os
import signal


def checkpoint(point: str) -> None:
    if os.environ.get("CHANNELXL_KILL_AT") == point:
        os.kill(os.getpid(), signal.SIGKILL)

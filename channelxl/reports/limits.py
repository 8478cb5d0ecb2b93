"""The review batch's limits a user can change (``channelxl qbr --timeout``,
``--kernel-reviews``): light constants, so the command line reads them without loading the
kernel stack."""

from __future__ import annotations

DEFAULT_TIMEOUT = 600.0  # seconds one report may take
DEFAULT_MAX_REVIEWS = 50  # reviews one warm kernel makes before it is replaced

"""--allow-empty, as every quarterly command takes it (``commands.empty_quarter``)."""

from __future__ import annotations

import click


def allow_empty_option(what: str):
    """--allow-empty: write ``what`` even for a quarter with no sell-through in the ledger
    (refused otherwise, naming the last quarter that has data)."""
    return click.option(
        "--allow-empty",
        is_flag=True,
        help=f"Write the {what} even for a quarter with no sell-through in the ledger.",
    )

"""The ledger: one DuckDB file holding every accepted submission with its provenance."""

from channelxl.ledger.store import Ledger

__all__ = ["Ledger"]

"""channelxl: distributor program analytics for vendor channel teams.

The library is the product; the ``channelxl`` command is a thin layer over it.
"""

__version__ = "0.1.0"

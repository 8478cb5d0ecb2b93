"""The ``channelxl`` command line (``channelxl.cli:main``): commands in ``cli.main``, what
they share in ``cli.options``."""

from channelxl.cli.main import main

__all__ = ["main"]

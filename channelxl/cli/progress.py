"""Progress bars for long steps (ingest's files, the demo's steps): on a terminal only.

A bar is drawn on stderr when stderr is a terminal and bars are not turned off
(``--no-progress``); in a log, a pipe or CI nothing is drawn and the output is exactly the
lines printed. While a bar is open, lines are printed above it (``Bars.echo``), so the bar
stays the last line.
"""

from __future__ import annotations

import sys

import click


class Bar:
    """One bar: ``total`` steps of ``unit``; ``update`` one step, with what it was."""

    shown = True

    def __init__(self, bars: Bars, total: int, unit: str, desc: str):
        from tqdm import tqdm

        self.bars = bars
        self.tqdm = tqdm(
            total=total,
            unit=unit,
            desc=desc,
            file=sys.stderr,
            dynamic_ncols=True,
            leave=False,  # the lines printed after it say what happened
        )

    def update(self, text: str = "") -> None:
        if self.tqdm.n >= self.tqdm.total:  # a mail's attachments are files of their own
            self.tqdm.total = self.tqdm.n + 1
        self.tqdm.update(1)
        # drawn at every step (tqdm would skip steps closer than 0.1 s): a file's line is
        # printed at each step anyway, and the last step is always seen
        self.tqdm.set_postfix_str(text, refresh=True)

    def close(self) -> None:
        self.tqdm.close()
        if self.bars.current is self:
            self.bars.current = None


class _NoBar:
    """What ``Bars.open`` gives where no bar is drawn."""

    shown = False

    def update(self, text: str = "") -> None:
        pass

    def close(self) -> None:
        pass


class Bars:
    """Where bars may be drawn (``enabled``: stderr is a terminal and they are not turned
    off), and the one open now."""

    def __init__(self, enabled: bool = True):
        self.enabled = enabled and sys.stderr.isatty()
        self.current: Bar | None = None

    def open(self, total: int, unit: str, desc: str) -> Bar | _NoBar:
        if not self.enabled or total <= 0:
            return _NoBar()
        if self.current is not None:
            self.current.close()
        self.current = Bar(self, total, unit, desc)
        return self.current

    def echo(self, text: str = "", err: bool = False) -> None:
        """A line for the reader, above the open bar if there is one."""
        if self.current is None:
            click.echo(text, err=err)
            return
        from tqdm import tqdm

        tqdm.write(text, file=sys.stderr if err else sys.stdout)

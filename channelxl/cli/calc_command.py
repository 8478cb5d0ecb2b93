"""``channelxl calc``: recalculate a workbook's formulas and store their values (its own
module, registered by ``cli.main``)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from channelxl.cli.options import EXIT_PARTLY, friendly


@click.command()
@click.argument("workbook", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the recalculated workbook [default: WORKBOOK_calculated.xlsx "
    "beside it; give the workbook itself to update it in place].",
)
@friendly
def calc(workbook, out):
    """Compute every CHX_ formula in WORKBOOK, and the formulas that depend on them, and
    save it with the formulas kept and their values stored: opened in Excel without the
    add-in, in LibreOffice without the extension or in a viewer, it shows the figures.

    The formula engine is the `formulas` library with the CHX_ functions added. A formula
    it cannot compute (a function it does not know, or a cell depending on one) keeps what
    the file had and is listed with its cell; the command then exits 3.

    \b
    Examples:
      channelxl calc rebate_calculator.xlsx
      channelxl calc statement.xlsx --out statement.xlsx
    """
    from channelxl.excel.workbook_calc import recalculate

    done = recalculate(workbook, out)
    click.echo(done.summary())
    if done.uncomputed:
        sys.exit(EXIT_PARTLY)

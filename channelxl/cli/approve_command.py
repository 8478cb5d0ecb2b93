"""``channelxl approve``: freeze a quarter's statement, or list the approved quarters (its
own module, registered on the ``channelxl`` group by ``cli.main``)."""

from __future__ import annotations

from pathlib import Path

import click

from channelxl.cli.options import friendly, parse_quarter, resolve_quarter, workspace_options


@click.command()
@click.option(
    "--quarter", callback=parse_quarter, help="The quarter to approve: 2026Q2 (or FY2027Q1)."
)
@click.option("--by", "by", help="Who approves (recorded with the approval).")
@click.option("--note", default="", help="Why, or a reference (recorded with the approval).")
@click.option("--list", "show", is_flag=True, help="Show the approved quarters instead.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the approved statement (default: DIR/reports/QUARTER).",
)
@workspace_options
@friendly
def approve(quarter, by, note, show, out_dir, where):
    """Approve a quarter's rebate statement: freeze it in the ledger, never to change.

    Records every table of the statement as computed now, the submissions its figures were
    computed from, who and when; 'channelxl rebates' then writes that statement byte for
    byte. A later correction of its data is paid as a prior-period adjustment in the next
    open quarter's statement. An approval is never withdrawn.

    \b
    Examples:
      channelxl approve --quarter 2026Q2 --by "Ana Ruiz" --note "paid 2026-07-20"
      channelxl approve --list
    """
    from channelxl.commands.approve import approve_quarter, list_approvals
    from channelxl.errors import ChannelxlError

    ws = where.workspace()
    with ws.open_ledger() as led:
        if show:
            click.echo(list_approvals(led).summary())
            return
        if quarter is None or not by:
            raise ChannelxlError(
                "say which quarter and who approves it: channelxl approve --quarter 2026Q2 "
                "--by NAME (or --list to see the approved quarters)"
            )
        quarter = resolve_quarter(quarter, led)
        run = approve_quarter(
            led, quarter, by, note=note, out_dir=out_dir or ws.quarter_folder(quarter)
        )
    click.echo(run.summary())

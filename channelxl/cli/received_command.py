"""``channelxl received``: show or correct when the vendor received a file (its own module,
registered on the ``channelxl`` group by ``cli.main``)."""

from __future__ import annotations

import click

from channelxl.cli.options import friendly, workspace_options


@click.command()
@click.argument("submissions", nargs=-1, type=int, required=True)
@click.option(
    "--on",
    type=click.DateTime(
        ["%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"]
    ),
    help="When the vendor really received it: 2026-10-09 (the start of that day) or "
    "'2026-10-09 14:30'.",
)
@click.option("--reason", help="Why the date is corrected (required with --on).")
@click.option("--by", "by", help="Who corrects it (default: your user name).")
@workspace_options
@friendly
def received(submissions, on, reason, by, where):
    """Show or correct when the vendor received a file (by submission number).

    Lateness is judged by the received date. channelxl records it with its source: the
    --received-at given to ingest, the e-mail's date (a saved .eml), the workbook's own
    save time when plausible, else the file's modification time. A correction is kept
    with who, when and why (the original stays visible) and is used from then on for
    lateness (rebates, reviews); it does not change which report is in force. Exit code 2
    when a number is not a received file or the correction is refused.

    \b
    Examples:
      channelxl received 14                  # its date, source and corrections
      channelxl received 14 --on 2026-10-09 --reason "mail arrived on the 9th" --by "A. Jones"
    """
    from channelxl.commands.received_at import correct_received, show_received
    from channelxl.errors import ChannelxlError

    if on is None and (reason or by):
        raise ChannelxlError("--reason and --by go with --on DATE, the date to set")
    if on is not None and not reason:
        raise ChannelxlError(
            'say why with --reason: channelxl received 14 --on 2026-10-09 --reason "..."'
        )
    ws = where.workspace()
    with ws.open_ledger() as led:
        if on is None:
            click.echo(show_received(led, list(submissions)).summary())
            return
        for sid in dict.fromkeys(submissions):
            click.echo(correct_received(led, sid, on, reason=reason, by=by).summary())

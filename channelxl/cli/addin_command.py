"""``channelxl addin``: the spreadsheet add-ins (its own module, registered by ``cli.main``)."""

from __future__ import annotations

from pathlib import Path

import click

from channelxl.cli.options import friendly

ROUTES = """\b
Where each route works:
  Excel on Windows      the xlwings add-in: list channelxl.excel in its UDF Modules
  LibreOffice Calc      this command: channelxl addin install --libreoffice
                        (Linux, with LibreOffice's Python able to import channelxl;
                        on Debian/Ubuntu: apt-get install libreoffice-script-provider-python)
  Excel on Mac, Excel on the web, xlwings Lite
                        see docs/EXCEL.md

\b
Examples:
  channelxl addin install --libreoffice
  channelxl addin build --libreoffice --out dist/channelxl.oxt
"""

DEFAULT_OXT = Path("channelxl.oxt")


@click.group(help=f"Install the CHX_ functions into a spreadsheet program.\n\n{ROUTES}")
def addin():
    pass


def _libreoffice_only(libreoffice: bool) -> None:
    from channelxl.errors import ChannelxlError

    if not libreoffice:
        raise ChannelxlError(
            "say which add-in: --libreoffice (the only one channelxl builds; Excel on "
            "Windows uses the xlwings add-in, see `channelxl addin --help`)"
        )


@addin.command()
@click.option("--libreoffice", is_flag=True, help="The LibreOffice Calc extension (.oxt).")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_OXT,
    show_default=True,
    help="Where to write the extension.",
)
@friendly
def build(libreoffice, out):
    """Build channelxl.oxt, the CHX_ functions as a LibreOffice Calc add-in.

    \b
    Example:
      channelxl addin build --libreoffice --out dist/channelxl.oxt
    """
    from channelxl.commands.addin import build_calc_addin

    _libreoffice_only(libreoffice)
    click.echo(build_calc_addin(out).summary())


@addin.command()
@click.option("--libreoffice", is_flag=True, help="The LibreOffice Calc extension (.oxt).")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to keep the built extension (default: a channelxl.oxt in the profile "
    "folder, or in LibreOffice's own per-user folder).",
)
@click.option(
    "--profile",
    type=click.Path(file_okay=False, path_type=Path),
    help="A LibreOffice user profile folder to install into (default: yours).",
)
@friendly
def install(libreoffice, out, profile):
    """Build the Calc add-in and install it for you with LibreOffice's unopkg.

    Close LibreOffice first; the CHX_ functions appear after it starts again. They run in
    LibreOffice's Python and import channelxl from where this command runs, so install
    again after moving or upgrading channelxl.

    \b
    Examples:
      channelxl addin install --libreoffice
      channelxl addin install --libreoffice --profile /tmp/lo-test-profile
    """
    from channelxl.commands.addin import install_calc_addin

    _libreoffice_only(libreoffice)
    if out is None:
        base = profile if profile is not None else Path.home() / ".config" / "channelxl"
        out = Path(base) / "channelxl.oxt"
    click.echo(install_calc_addin(out, profile).summary())

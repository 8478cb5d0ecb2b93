"""``channelxl addin``: build the LibreOffice Calc add-in (channelxl.oxt) and install it.

The extension comes from :mod:`channelxl.excel.calc_addin`; installing is LibreOffice's own
``unopkg add --force`` for the user who runs it (into ``--profile DIR``, a LibreOffice user
profile, when given: tests use a throw-away one).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from channelxl.errors import ChannelxlError
from channelxl.excel.calc_addin import REGISTRY, build_oxt

UNOPKG_HINT = (
    "LibreOffice's unopkg was not found: install LibreOffice (Debian/Ubuntu: "
    "apt-get install libreoffice-calc libreoffice-script-provider-python), or install "
    "the built channelxl.oxt by hand: Tools > Extension Manager > Add"
)


@dataclass
class AddinRun:
    oxt: Path
    installed: bool
    profile: Path | None = None

    def summary(self) -> str:
        lines = [f"wrote {self.oxt} ({len(REGISTRY)} CHX_ functions for LibreOffice Calc)"]
        if self.installed:
            where = f"the profile {self.profile}" if self.profile else "your LibreOffice profile"
            lines += [
                f"installed into {where}; restart LibreOffice, then type =CHX_REBATE( in a "
                "cell (Function Wizard: category Add-In). A column or table result needs an "
                "array formula (Ctrl+Shift+Enter).",
            ]
        return "\n".join(lines)


def unopkg() -> str | None:
    return shutil.which("unopkg") or next(
        (str(p) for p in (Path("/usr/lib/libreoffice/program/unopkg"),) if p.exists()), None
    )


def unopkg_command(oxt: Path, profile: Path | None) -> list[str]:
    """``unopkg add --force OXT`` (into ``profile`` when given): the command install runs."""
    tool = unopkg()
    if tool is None:
        raise ChannelxlError(UNOPKG_HINT)
    command = [tool, "add", "--force", "--suppress-license", str(oxt)]
    if profile is not None:
        command.append(f"-env:UserInstallation={Path(profile).resolve().as_uri()}")
    return command


def build_calc_addin(out: Path) -> AddinRun:
    try:
        return AddinRun(build_oxt(Path(out)), installed=False)
    except (RuntimeError, OSError) as exc:
        raise ChannelxlError(f"cannot build {out}: {exc}") from exc


def install_calc_addin(out: Path, profile: Path | None = None) -> AddinRun:
    """Build channelxl.oxt at ``out`` and install it with unopkg for the current user."""
    command = unopkg_command(Path(out), profile)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        raise ChannelxlError(
            "LibreOffice installs extensions per user and unopkg refuses root: run "
            "`channelxl addin install --libreoffice` as the user who runs LibreOffice"
        )
    run = build_calc_addin(out)
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip().splitlines()
        raise ChannelxlError(
            f"unopkg could not install {out}: {said[-1] if said else 'no message'} "
            "(close LibreOffice and try again)"
        )
    return AddinRun(run.oxt, installed=True, profile=profile)

"""``channelxl check``: validate the program workbook and list every problem.

One library call, :func:`check_program_workbook` (``io.program_workbook`` reads and
validates; this says what came of it).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from channelxl.io.program_workbook import Program, check_program
from channelxl.issues import Issue, errors


@dataclass
class ProgramCheck:
    path: Path
    program: Program | None  # None: the workbook has errors
    issues: list[Issue]

    @property
    def valid(self) -> bool:
        return self.program is not None

    def summary(self) -> str:
        if self.program is None:
            return f"{self.path}: {len(errors(self.issues))} error(s); fix them and check again."
        counts = ", ".join(
            f"{len(v):,} {k.replace('_', ' ')}" for k, v in self.program.tables.items()
        )
        return f"{self.path}: valid ({counts})"


def check_program_workbook(path: str | os.PathLike) -> ProgramCheck:
    """Read and validate the program workbook at ``path``; every problem is listed."""
    program, issues = check_program(path)
    return ProgramCheck(Path(path), program, issues)

"""Program-wide settings: each declared once with its type, default, bounds and meaning.

The program workbook's Settings sheet lists them (``program_sheets.SETTINGS_TABLE``); the
ledger keeps their values as text and hands them out as one typed :data:`Settings` record
(``Ledger.settings()``), with the declared default for any value not given. Nothing else
types a default again.
"""

from __future__ import annotations

from dataclasses import dataclass, field, make_dataclass
from decimal import Decimal

from channelxl.schema.columns import field_name

_PYTHON = {"currency": str, "int": int, "decimal": Decimal}


@dataclass(frozen=True)
class Setting:
    name: str
    type: str
    default: object
    help: str
    minimum: float | None = None
    maximum: float | None = None

    @property
    def field(self) -> str:
        return field_name(self.name)

    def value(self, text: object) -> object:
        """``text`` (as the ledger stores it, or the declared default) as this setting's type."""
        return _PYTHON[self.type](text)


SETTINGS = (
    Setting("Reporting Currency", "currency", "EUR", "Currency of every report and statement."),
    Setting("Fiscal Year Start Month", "int", 1, "1 = January ... 12 = December.", 1, 12),
    Setting(
        "Tolerance Units",
        "int",
        2,
        "Reconciliation: a variance within this many units is OK.",
        0,
        None,
    ),
    Setting(
        "Tolerance Percent",
        "decimal",
        "0.02",
        "Reconciliation: a variance within this share "
        "of expected closing stock is OK (0.02 = 2 %).",
        0,
        1,
    ),
    Setting(
        "Loading Max Weeks of Supply",
        "decimal",
        "26",
        "Inventory loading: more weeks of supply than this at quarter end is a signal.",
        0,
        None,
    ),
    Setting(
        "Loading Min Sell-Through Ratio",
        "decimal",
        "0.8",
        "Inventory loading: selling through less than this share of what was bought in a "
        "quarter is a signal.",
        0,
        None,
    ),
    Setting(
        "Quarter-End Spike Ratio",
        "decimal",
        "2",
        "Inventory loading: sell-in in a quarter's last month above this multiple of the "
        "other two months' average is a spike; it counts only when the quarter was not sold "
        "through (below the minimum sell-through ratio), since every channel ships more at "
        "quarter end.",
        0,
        None,
    ),
    Setting(
        "Report Due Day",
        "int",
        10,
        "Day of the following month by which each monthly report is due.",
        1,
        28,
    ),
)

Settings = make_dataclass(
    "Settings",
    [(s.field, _PYTHON[s.type], field(default=s.value(s.default))) for s in SETTINGS],
    frozen=True,
)
Settings.__doc__ = "Every setting, typed: " + ", ".join(
    f"``{s.field}`` ({s.type}, default {s.default})" for s in SETTINGS
)


def settings_from_text(values: dict[str, str]) -> Settings:
    """Settings from the text the ledger keeps (setting field -> value); missing ones take
    their declared default; names that are not settings are ignored."""
    return Settings(**{s.field: s.value(values[s.field]) for s in SETTINGS if s.field in values})

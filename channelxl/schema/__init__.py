"""Every declaration channelxl works from, and nothing else.

- ``columns``: the column model (:class:`Column`, :class:`Table`) and the column types;
- ``enumerations``: the values a column may take (distributor types, segments, scorecard
  metrics...);
- ``program_sheets``: the program workbook's sheets; ``settings``: its settings, typed;
- ``received``: the layouts of received files and the monthly report template's sheets;
- ``outputs``: the statement, the exception workbooks and the feedback workbook.

Change a column here and the workbooks, the validation, the ledger and the reference
pages (docs/WORKBOOK.md, LAYOUTS.md, LEDGER.md, TEMPLATES.md) follow.
"""

from channelxl.schema.columns import TYPES, Column, ColumnType, Table, normalize_header
from channelxl.schema.enumerations import (
    ACTIVITY_STATUSES,
    ACTIVITY_TYPES,
    DISTRIBUTOR_TYPES,
    GROWTH_BASES,
    MEASURES,
    METHODS,
    SCORECARD_METRICS,
    SEGMENTS,
    SHIPMENT_TYPES,
    YES_NO,
)
from channelxl.schema.program_sheets import (
    DISTRIBUTORS,
    FX_RATES,
    PRODUCTS,
    PROGRAM_TABLES,
    REBATE_PROGRAMS,
    REBATE_TIERS,
    RESELLERS,
    SCORECARD,
    SCORECARD_PAYOUTS,
    SETTINGS_TABLE,
    TARGETS,
    TERRITORIES,
)
from channelxl.schema.received import (
    ACTIVITIES,
    CERTIFICATIONS,
    EXPORT_TABLES,
    INVENTORY,
    INVENTORY_SHEET,
    REFERENCE_SEVERITY,
    SELL_THROUGH,
    SELL_THROUGH_SHEET,
    SHIPMENTS,
    TEMPLATE_SHEETS,
)
from channelxl.schema.settings import SETTINGS, Setting, Settings, settings_from_text

ALL_TABLES = PROGRAM_TABLES + EXPORT_TABLES


def table(name: str) -> Table:
    """The program sheet or received layout called ``name``."""
    for t in ALL_TABLES:
        if t.name == name:
            return t
    raise KeyError(name)


__all__ = [
    "ACTIVITIES",
    "ACTIVITY_STATUSES",
    "ACTIVITY_TYPES",
    "ALL_TABLES",
    "CERTIFICATIONS",
    "DISTRIBUTORS",
    "DISTRIBUTOR_TYPES",
    "EXPORT_TABLES",
    "FX_RATES",
    "GROWTH_BASES",
    "INVENTORY",
    "INVENTORY_SHEET",
    "MEASURES",
    "METHODS",
    "PRODUCTS",
    "PROGRAM_TABLES",
    "REBATE_PROGRAMS",
    "REBATE_TIERS",
    "REFERENCE_SEVERITY",
    "RESELLERS",
    "SCORECARD",
    "SCORECARD_METRICS",
    "SCORECARD_PAYOUTS",
    "SEGMENTS",
    "SELL_THROUGH",
    "SELL_THROUGH_SHEET",
    "SETTINGS",
    "SETTINGS_TABLE",
    "SHIPMENTS",
    "SHIPMENT_TYPES",
    "TARGETS",
    "TEMPLATE_SHEETS",
    "TERRITORIES",
    "TYPES",
    "YES_NO",
    "Column",
    "ColumnType",
    "Setting",
    "Settings",
    "Table",
    "normalize_header",
    "settings_from_text",
    "table",
]

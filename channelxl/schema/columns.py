"""The column model: :class:`Column`, :class:`Table`, and the column types they use.

Each column type is declared once in :data:`TYPES` with what follows from it everywhere
else: the DuckDB type it is stored as, the Excel number format a sheet shows it in, the
normal form its text takes in SQL (trimmed, blank as NULL, codes upper-case, enumerations
lower-case) and the data-quality class a bad value of it belongs to (``issues.CODES``).
The parser of each type is ``io.cells.PARSERS[type]`` (a test keeps the two lists equal).
A column may name a more precise issue class of its own (a quantity is ``QUAN``, a price
``PRIC``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property


@dataclass(frozen=True)
class ColumnType:
    name: str
    duck: str  # DuckDB type; "DECIMAL" takes the column's scale
    excel_format: str | None = None  # number format of a cell holding one
    text: bool = False  # kept as text: trimmed and blank-as-NULL when loaded
    case: str | None = None  # "upper" (codes) or "lower" (enumerations) in normal form
    issue: str = "TYPE"  # data-quality class of a bad value


TYPES: dict[str, ColumnType] = {
    t.name: t
    for t in (
        ColumnType("id", "VARCHAR", text=True),
        ColumnType("text", "VARCHAR", text=True),
        ColumnType("enum", "VARCHAR", text=True, case="lower"),
        ColumnType("bool", "VARCHAR"),
        ColumnType("int", "BIGINT", "#,##0"),
        # decimals never pass through a binary float on their way into the ledger
        ColumnType("decimal", "DECIMAL"),
        ColumnType("date", "DATE", "yyyy-mm-dd", issue="DATE"),
        ColumnType("month", "VARCHAR", text=True, issue="DATE"),
        ColumnType("quarter", "VARCHAR"),
        ColumnType("country", "VARCHAR", text=True, case="upper"),
        ColumnType("currency", "VARCHAR", text=True, case="upper"),
        ColumnType("locale", "VARCHAR"),
        ColumnType("idlist", "VARCHAR[]"),
        # GS1 and D-U-N-S identifiers (core.gs1), kept in their normal form: GTIN-14,
        # 13-digit GLN, 9-digit DUNS. Cells formatted as text, so Excel keeps leading zeros
        ColumnType("gtin", "VARCHAR", "@", text=True),
        ColumnType("gln", "VARCHAR", "@", text=True),
        ColumnType("duns", "VARCHAR", "@", text=True),
    )
}


def normalize_header(text: object) -> str:
    """Header key that ignores case, spaces, underscores, hyphens and dots.

    ``"Distributor ID"``, ``"distributor_id"`` and ``" DISTRIBUTOR-ID "`` all give
    ``"distributorid"``.
    """
    return re.sub(r"[\s_\-\.]+", "", str(text or "")).casefold()


def field_name(name: str) -> str:
    """snake_case name used in the ledger and in Python: "Distributor ID" -> distributor_id."""
    return re.sub(r"[^0-9a-z]+", "_", name.lower()).strip("_")


def sql_text(value: str) -> str:
    """``value`` as a SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    help: str
    required: bool = True
    allowed: tuple[str, ...] = ()
    scale: int = 4
    minimum: float | None = None
    maximum: float | None = None
    references: str | None = None  # "table.column" this value must exist in
    past: bool = False  # dates of events that have happened: never in the future
    default: str | None = None  # value stored when an optional cell is blank
    format: str | None = None  # Excel number format, when the type's default will not do
    width: int | None = None
    issue: str | None = None  # data-quality class of a bad value, when not the type's

    def __post_init__(self):
        if self.type not in TYPES:
            raise ValueError(f"unknown column type {self.type!r} for {self.name}")

    @cached_property
    def field(self) -> str:
        return field_name(self.name)

    @cached_property
    def key(self) -> str:
        return normalize_header(self.name)

    @property
    def kind(self) -> ColumnType:
        return TYPES[self.type]

    @property
    def issue_code(self) -> str:
        """The data-quality class a bad value of this column belongs to."""
        return self.issue or self.kind.issue

    @property
    def duck_type(self) -> str:
        if self.type == "decimal":
            return f"DECIMAL(18,{self.scale})"
        return self.kind.duck

    @property
    def excel_format(self) -> str | None:
        if self.format:
            return self.format
        if self.type == "decimal":
            if self.maximum == 1:
                return "0.00%"
            return "#,##0.00" if self.scale <= 4 else "0.00######"
        return self.kind.excel_format

    def normal_sql(self, expr: str) -> str:
        """SQL for the normal form of a text value ``expr``: trimmed, blank as NULL, codes
        upper-case, enumerations lower-case, the declared default for a blank."""
        expr = f"NULLIF(trim({expr}), '')"
        if self.kind.case:
            expr = f"{self.kind.case}({expr})"
        if self.default is not None:
            expr = f"COALESCE({expr}, {sql_text(self.default)})"
        return expr


@dataclass(frozen=True)
class Table:
    name: str  # ledger / Python name
    title: str  # sheet name or the layout's title
    help: str
    columns: tuple[Column, ...]
    unique: tuple[str, ...] = ()  # column names that together identify a row
    kind: str = "program"  # "program" sheet, "export" layout for ingest, or "output"
    supersede: str = ""  # exports: "key" (latest version of a line wins) or "period"
    optional_sheet: bool = False  # program sheets added later: a workbook without one is valid
    # exports: who sends it. "vendor": the vendor's own systems (ERP, learning, campaigns),
    # a file naming many distributors, whose feedback is never put out for sending
    sender: str = "distributor"

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name or c.field == name:
                return c
        raise KeyError(name)

    @property
    def required(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(c.field for c in self.columns)

"""Every table channelxl reads or keeps, declared once.

Each :class:`Table` lists its columns (header as people see it, type, required,
allowed values, help text). From these declarations channelxl derives:

- the program workbook's sheets (headers, drop-downs, formats, widths) — ``io/workbook``;
- the validation of the program workbook and of every export it ingests — ``io/program``,
  ``io/exports``;
- the ledger's tables — ``ledger/schema``;
- the reference pages docs/WORKBOOK.md, docs/LAYOUTS.md and docs/LEDGER.md — ``docgen``.

Change a column here and all of those follow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

DISTRIBUTOR_TYPES = ("broadline", "vad", "regional", "cloud")
SEGMENTS = ("enterprise", "midmarket", "smb", "public")
YES_NO = ("Y", "N")
MEASURES = ("revenue", "units", "growth")
METHODS = ("retroactive", "incremental")
GROWTH_BASES = ("increment", "whole")
SHIPMENT_TYPES = ("shipment", "return")
ACTIVITY_TYPES = ("campaign", "event", "webinar", "training", "promotion")
ACTIVITY_STATUSES = ("planned", "completed", "cancelled")

# Column types. Each maps to a DuckDB type in ledger/schema.py and to a parser in
# io/cells.py; "decimal" columns carry a scale (digits after the point) and never pass
# through a binary float on their way into the ledger.
TYPES = (
    "id",
    "text",
    "enum",
    "bool",
    "int",
    "decimal",
    "date",
    "month",
    "quarter",
    "country",
    "currency",
    "locale",
    "idlist",
)


def normalize_header(text: object) -> str:
    """Header key that ignores case, spaces, underscores, hyphens and dots.

    ``"Distributor ID"``, ``"distributor_id"`` and ``" DISTRIBUTOR-ID "`` all give
    ``"distributorid"``.
    """
    return re.sub(r"[\s_\-\.]+", "", str(text or "")).casefold()


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

    def __post_init__(self):
        if self.type not in TYPES:
            raise ValueError(f"unknown column type {self.type!r} for {self.name}")

    @cached_property
    def field(self) -> str:
        """snake_case name used in the ledger and in Python: "Distributor ID" -> distributor_id."""
        return re.sub(r"[^0-9a-z]+", "_", self.name.lower()).strip("_")

    @cached_property
    def key(self) -> str:
        return normalize_header(self.name)


@dataclass(frozen=True)
class Table:
    name: str  # ledger / Python name
    title: str  # sheet name or the layout's title
    help: str
    columns: tuple[Column, ...]
    unique: tuple[str, ...] = ()  # column names that together identify a row
    kind: str = "program"  # "program" sheet, or "export" layout for ingest
    supersede: str = ""  # exports: "key" (latest version of a line wins) or "period"
    optional_sheet: bool = False  # program sheets added later: a workbook without one is valid
    extra: dict = field(default_factory=dict)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name or c.field == name:
                return c
        raise KeyError(name)

    @property
    def required(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)


C = Column

# ---------------------------------------------------------------- program workbook
DISTRIBUTORS = Table(
    "distributors",
    "Distributors",
    "Every distributor in the program. One row each.",
    (
        C("Distributor ID", "id", "Your id for the distributor, e.g. D001. Used everywhere else."),
        C("Name", "text", "Legal or trading name."),
        C(
            "Type",
            "enum",
            "broadline, vad (value-added), regional or cloud.",
            allowed=DISTRIBUTOR_TYPES,
        ),
        C("Country", "country", "Home country, ISO 3166-1 alpha-2 (DE, US, GB...)."),
        C("Currency", "currency", "Currency it reports in, ISO 4217 (EUR, USD...)."),
        C(
            "Locale",
            "locale",
            "Language and region of its files, e.g. de_DE, en_US, fr_FR: "
            "used to read dates and numbers typed as text.",
        ),
    ),
    unique=("Distributor ID",),
)

TERRITORIES = Table(
    "territories",
    "Territories",
    "Where each distributor may sell: country x segment, exclusive or not, over a period.",
    (
        C(
            "Distributor ID",
            "id",
            "A distributor from the Distributors sheet.",
            references="distributors.Distributor ID",
        ),
        C("Country", "country", "End customer country, ISO 3166-1 alpha-2."),
        C(
            "Segment",
            "enum",
            "End customer segment, or * for all segments.",
            allowed=("*", *SEGMENTS),
        ),
        C("Exclusive", "bool", "Y if no other distributor may be appointed here.", allowed=YES_NO),
        C("Valid From", "date", "First day the appointment holds."),
        C("Valid To", "date", "Last day it holds; leave blank while it runs.", required=False),
    ),
)

PRODUCTS = Table(
    "products",
    "Products",
    "The price list. Prices in the reporting currency (Settings).",
    (
        C("SKU", "id", "Stock-keeping unit, as distributors must report it."),
        C("Name", "text", "Product name."),
        C("Family", "text", "Product family; free-riding and reports group by it."),
        C("List Price", "decimal", "Price list to end customers.", minimum=0),
        C("Distributor Price", "decimal", "Price the vendor invoices to distributors.", minimum=0),
        C(
            "Floor Price",
            "decimal",
            "Minimum resale price to resellers; below it is flagged.",
            minimum=0,
        ),
        C("Active", "bool", "N when the SKU may no longer be sold.", allowed=YES_NO),
    ),
    unique=("SKU",),
)

RESELLERS = Table(
    "resellers",
    "Resellers",
    "Resellers known to the program and the distributors each may buy from.",
    (
        C("Reseller ID", "id", "Your id for the reseller, e.g. R00001."),
        C("Name", "text", "Reseller name."),
        C("Country", "country", "Reseller's country, ISO 3166-1 alpha-2."),
        C(
            "Authorized Distributors",
            "idlist",
            "Distributor ids separated by ; (D001;D007).",
            references="distributors.Distributor ID",
            width=26,
        ),
    ),
    unique=("Reseller ID",),
)

REBATE_PROGRAMS = Table(
    "rebate_programs",
    "Rebate Programs",
    "Rebate and incentive programs. Their tiers are on the Rebate Tiers sheet.",
    (
        C("Program ID", "id", "Your id for the program, e.g. P-GROWTH."),
        C("Name", "text", "What the program is called in statements."),
        C(
            "Applies To",
            "text",
            "A distributor id, a distributor type (broadline, vad, regional, "
            "cloud) or * for every distributor.",
            width=14,
        ),
        C(
            "Measure",
            "enum",
            "revenue (sell-through revenue), units (sell-through units) or growth "
            "(vs the same quarter last year).",
            allowed=MEASURES,
        ),
        C(
            "Method",
            "enum",
            "retroactive: the rate reached applies to the whole measure; "
            "incremental: each tier's rate applies only inside its band.",
            allowed=METHODS,
        ),
        C(
            "Growth Basis",
            "enum",
            "Growth programs: pay the rate on the increment or on the whole volume.",
            required=False,
            allowed=GROWTH_BASES,
        ),
        C(
            "Min Certification Rate",
            "decimal",
            "Gate: share of the distributor's resellers with a "
            "current certification, as a fraction (0.5 = 50 %).",
            required=False,
            scale=6,
            minimum=0,
            maximum=1,
        ),
        C(
            "Require On-Time Reports",
            "bool",
            "Gate: Y withholds the rebate when a monthly report came in late.",
            required=False,
            allowed=YES_NO,
        ),
        C(
            "Cap",
            "decimal",
            "Maximum rebate per quarter, reporting currency.",
            required=False,
            minimum=0,
        ),
        C(
            "Hold Max Weeks of Supply",
            "decimal",
            "Inventory-loading hold: above this many weeks of supply the rebate is held.",
            required=False,
            minimum=0,
        ),
        C(
            "Hold Max Sell-In Ratio",
            "decimal",
            "Inventory-loading hold: above this sell-in / sell-through ratio the rebate is held.",
            required=False,
            minimum=0,
        ),
        C(
            "MDF Rate",
            "decimal",
            "Market development funds accrued as a fraction of sell-through revenue.",
            required=False,
            scale=6,
            minimum=0,
            maximum=1,
        ),
        C(
            "Attainment Cap",
            "decimal",
            "Scorecard programs: the highest attainment counted per metric (1.2 = 120 %).",
            required=False,
            scale=6,
            minimum=0,
        ),
        C("Valid From", "date", "First day of the program."),
        C("Valid To", "date", "Last day; blank while it runs.", required=False),
    ),
    unique=("Program ID",),
)

SCORECARD_METRICS = ("sell_through", "new_resellers", "certification", "demand_gen")

SCORECARD = Table(
    "scorecard",
    "Scorecard",
    "Multi-metric programs: the weight of each metric. score = sum of weight x "
    "min(actual / target, Attainment Cap); targets come from the Targets sheet. The score "
    "picks a payout from the Scorecard Payouts sheet, which scales the tier rebate.",
    (
        C(
            "Program ID",
            "id",
            "A program from the Rebate Programs sheet.",
            references="rebate_programs.Program ID",
        ),
        C(
            "Metric",
            "enum",
            "sell_through (revenue), new_resellers, certification (rate) or "
            "demand_gen (activities completed).",
            allowed=SCORECARD_METRICS,
        ),
        C(
            "Weight",
            "decimal",
            "Share of the score; a program's weights add up to 1.",
            scale=6,
            minimum=0,
            maximum=1,
        ),
    ),
    unique=("Program ID", "Metric"),
    optional_sheet=True,
)

SCORECARD_PAYOUTS = Table(
    "scorecard_payouts",
    "Scorecard Payouts",
    "Payout table of a scorecard program: from Min Score up, this fraction of the tier rebate "
    "is paid (1 = all of it). Min scores ascend within a program.",
    (
        C(
            "Program ID",
            "id",
            "A program with rows on the Scorecard sheet.",
            references="rebate_programs.Program ID",
        ),
        C("Min Score", "decimal", "Lowest score for this payout.", scale=6, minimum=0),
        C(
            "Payout",
            "decimal",
            "Fraction of the tier rebate paid (0.8 = 80 %).",
            scale=6,
            minimum=0,
        ),
    ),
    unique=("Program ID", "Min Score"),
    optional_sheet=True,
)

REBATE_TIERS = Table(
    "rebate_tiers",
    "Rebate Tiers",
    "Tier tables, one row per tier, thresholds ascending within a program. A tier is reached "
    "when the measure is >= its threshold.",
    (
        C(
            "Program ID",
            "id",
            "A program from the Rebate Programs sheet.",
            references="rebate_programs.Program ID",
        ),
        C("Threshold", "decimal", "Measure at which the tier starts (>=).", minimum=0),
        C(
            "Rate",
            "decimal",
            "Fraction of the measure (0.02 = 2 %) for revenue and growth; an "
            "amount per unit for units.",
            scale=6,
            minimum=0,
        ),
        C(
            "Label",
            "text",
            "Optional tier name shown in statements (Silver, Gold...).",
            required=False,
        ),
    ),
    unique=("Program ID", "Threshold"),
)

TARGETS = Table(
    "targets",
    "Targets",
    "Joint business plan: what each distributor committed to per quarter.",
    (
        C(
            "Distributor ID",
            "id",
            "A distributor from the Distributors sheet.",
            references="distributors.Distributor ID",
        ),
        C("Quarter", "quarter", "YYYYQn, e.g. 2026Q3."),
        C("Sell-Through Target", "decimal", "Sell-through revenue, reporting currency.", minimum=0),
        C("New Resellers Target", "int", "Resellers buying for the first time.", minimum=0),
        C(
            "Certification Rate Target",
            "decimal",
            "Share of active resellers certified (0.6 = 60 %).",
            scale=6,
            minimum=0,
            maximum=1,
        ),
        C("Demand-Gen Activities Target", "int", "Marketing activities completed.", minimum=0),
    ),
    unique=("Distributor ID", "Quarter"),
)

FX_RATES = Table(
    "fx_rates",
    "FX Rates",
    "Monthly rates: one unit of Currency is worth Rate units of the reporting currency.",
    (
        C("Currency", "currency", "ISO 4217 code."),
        C("Month", "month", "YYYY-MM."),
        C("Rate", "decimal", "Reporting-currency value of one unit.", scale=8, minimum=0),
    ),
    unique=("Currency", "Month"),
)

SETTINGS_TABLE = Table(
    "settings",
    "Settings",
    "Program-wide settings, one per row.",
    (
        C("Setting", "text", "Name of the setting (do not rename)."),
        C("Value", "text", "Its value."),
        C("Notes", "text", "What it means.", required=False, width=60),
    ),
    unique=("Setting",),
)


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
        return re.sub(r"[^0-9a-z]+", "_", self.name.lower()).strip("_")


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
        "other two months' average is a spike.",
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

PROGRAM_TABLES = (
    DISTRIBUTORS,
    TERRITORIES,
    PRODUCTS,
    RESELLERS,
    REBATE_PROGRAMS,
    REBATE_TIERS,
    SCORECARD,
    SCORECARD_PAYOUTS,
    TARGETS,
    FX_RATES,
    SETTINGS_TABLE,
)

# ---------------------------------------------------------------- exports ingested
SHIPMENTS = Table(
    "shipments",
    "Shipments (sell-in)",
    "Vendor ERP export of shipments to distributors. One row per order line. A later export "
    "that repeats an order line replaces it.",
    (
        C("Order Number", "id", "Sales order number."),
        C("Order Line", "int", "Line within the order.", minimum=1),
        C("Ship Date", "date", "Date shipped (YYYY-MM-DD).", past=True),
        C(
            "Distributor ID",
            "id",
            "Distributor shipped to.",
            references="distributors.Distributor ID",
        ),
        C("SKU", "id", "Product shipped.", references="products.SKU"),
        C("Quantity", "int", "Units; always positive (see Type).", minimum=1),
        C("Unit Price", "decimal", "Price per unit in Currency.", minimum=0),
        C("Currency", "currency", "ISO 4217 code."),
        C(
            "Type",
            "enum",
            "shipment (default) or return (units back to the vendor).",
            required=False,
            allowed=SHIPMENT_TYPES,
            default="shipment",
        ),
    ),
    unique=("Order Number", "Order Line"),
    kind="export",
    supersede="key",
)

SELL_THROUGH = Table(
    "sell_through",
    "Sell-through report",
    "A distributor's report of what it sold to resellers in one month. Distributor ID and "
    "Period may be columns or given on the command line. A later report for the same "
    "distributor and period replaces the earlier one.",
    (
        C(
            "Distributor ID",
            "id",
            "Reporting distributor (else --distributor).",
            required=False,
            references="distributors.Distributor ID",
        ),
        C("Period", "month", "Reported month YYYY-MM (else --period).", required=False),
        C("Invoice Date", "date", "Date of the distributor's invoice to the reseller.", past=True),
        C("Invoice Number", "id", "The distributor's invoice number."),
        C(
            "Reseller ID",
            "id",
            "Reseller id from the program (Resellers sheet).",
            references="resellers.Reseller ID",
        ),
        C("Reseller Name", "text", "Reseller name as invoiced.", required=False),
        C("Reseller Country", "country", "Reseller country.", required=False),
        C("End Customer Name", "text", "End customer, when known.", required=False),
        C("End Customer Country", "country", "End customer country, ISO alpha-2.", required=False),
        C(
            "End Customer Segment",
            "enum",
            "enterprise, midmarket, smb or public.",
            required=False,
            allowed=SEGMENTS,
        ),
        C("SKU", "id", "Product sold.", references="products.SKU"),
        C("Quantity", "int", "Units sold; negative for a credit note.", minimum=None),
        C("Unit Price", "decimal", "Resale price per unit in Currency.", minimum=0),
        C("Currency", "currency", "ISO 4217 code."),
        C(
            "Deal Registration ID",
            "text",
            "Vendor deal registration, when the sale had one.",
            required=False,
        ),
    ),
    kind="export",
    supersede="period",
)

INVENTORY = Table(
    "inventory",
    "Inventory report",
    "A distributor's month-end stock per SKU. Distributor ID and Period may be columns or "
    "given on the command line. A later report for the same distributor and period replaces "
    "the earlier one.",
    (
        C(
            "Distributor ID",
            "id",
            "Reporting distributor (else --distributor).",
            required=False,
            references="distributors.Distributor ID",
        ),
        C(
            "Period",
            "month",
            "Month YYYY-MM whose closing stock this is (else --period).",
            required=False,
        ),
        C("SKU", "id", "Product.", references="products.SKU"),
        C("On Hand", "int", "Units in the distributor's warehouses at month end.", minimum=0),
        C(
            "In Transit",
            "int",
            "Units shipped by the vendor, not yet received.",
            required=False,
            minimum=0,
        ),
    ),
    unique=("Distributor ID", "Period", "SKU"),
    kind="export",
    supersede="period",
)

CERTIFICATIONS = Table(
    "certifications",
    "Certifications",
    "Learning-system export of reseller staff certifications. A later export that repeats a "
    "person's certification replaces it.",
    (
        C(
            "Reseller ID",
            "id",
            "Reseller the person works for.",
            references="resellers.Reseller ID",
        ),
        C("Person ID", "id", "Learner id in the learning system."),
        C("Person Name", "text", "Learner name.", required=False),
        C("Certification", "text", "Certification name, e.g. Sales Associate."),
        C("Completed On", "date", "Date passed.", past=True),
        C("Expires On", "date", "Date it lapses; blank if it does not.", required=False),
    ),
    unique=("Reseller ID", "Person ID", "Certification"),
    kind="export",
    supersede="key",
)

ACTIVITIES = Table(
    "activities",
    "Demand-generation activities",
    "MDF / campaign export: marketing activities distributors run with vendor funds. A later "
    "export that repeats an Activity ID replaces it.",
    (
        C("Activity ID", "id", "Id in the campaign system."),
        C(
            "Distributor ID",
            "id",
            "Distributor running it.",
            references="distributors.Distributor ID",
        ),
        C(
            "Activity Type",
            "enum",
            "campaign, event, webinar, training or promotion.",
            allowed=ACTIVITY_TYPES,
        ),
        C("Name", "text", "What it is.", required=False),
        C("Planned Date", "date", "Date planned."),
        C("Completed Date", "date", "Date done; blank while not done.", required=False, past=True),
        C("Cost", "decimal", "Total cost in Currency.", minimum=0),
        C(
            "MDF Claimed",
            "decimal",
            "Part of the cost claimed from market development funds.",
            required=False,
            minimum=0,
        ),
        C("Currency", "currency", "ISO 4217 code."),
        C("Status", "enum", "planned, completed or cancelled.", allowed=ACTIVITY_STATUSES),
    ),
    unique=("Activity ID",),
    kind="export",
    supersede="key",
)

EXPORT_TABLES = (SHIPMENTS, SELL_THROUGH, INVENTORY, CERTIFICATIONS, ACTIVITIES)
ALL_TABLES = PROGRAM_TABLES + EXPORT_TABLES


# What an unknown reference means, by the table referred to: an error quarantines the line
# (it cannot be attributed); a warning loads it (the program workbook has not caught up
# yet, and reconciliation flags it).
REFERENCE_SEVERITY = {
    "distributors": "error",
    "rebate_programs": "error",
    "products": "warning",
    "resellers": "warning",
}


def table(name: str) -> Table:
    for t in ALL_TABLES:
        if t.name == name:
            return t
    raise KeyError(name)

"""The program workbook's sheets: the vendor's master data, declared once.

From these declarations come the workbook's layout (``io.program_workbook``), its
validation, the ledger's dimension tables (``ledger.ddl``) and docs/WORKBOOK.md.
"""

from __future__ import annotations

from channelxl.core.waivers import WAIVES
from channelxl.schema.columns import Column, Table
from channelxl.schema.enumerations import (
    CROSS_REFERENCE_KINDS,
    CROSS_REFERENCE_QUALIFIERS,
    DISTRIBUTOR_TYPES,
    GROWTH_BASES,
    MEASURES,
    METHODS,
    SCORECARD_METRICS,
    SEGMENTS,
    YES_NO,
    edi_qualifiers_text,
)

C = Column

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
        C(
            "EDI IDs",
            "idlist",
            "For a distributor that reports in EDI: the ids its interchanges are sent from "
            "(X12 ISA06 or GS02, EDIFACT UNB sender), separated by ; (ACMEDIST;5412345000013); "
            "an id names one distributor. Blank: it does not send EDI.",
            required=False,
            width=26,
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
        C(
            "GTIN",
            "gtin",
            "The product's GTIN: UPC-12, EAN-13, GTIN-8 or GTIN-14, with its check digit. "
            "Kept as GTIN-14, so a UPC and the EAN written from it are one GTIN; one SKU per "
            "GTIN. Distributors' EDI reports name products by it.",
            required=False,
            width=17,
        ),
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
        C(
            "GLN",
            "gln",
            "The reseller's GS1 global location number: 13 digits with its check digit. "
            "One reseller per GLN.",
            required=False,
            width=16,
        ),
        C(
            "DUNS",
            "duns",
            "The reseller's D-U-N-S number: 9 digits. One reseller per DUNS.",
            required=False,
            width=12,
        ),
    ),
    unique=("Reseller ID",),
)

CROSS_REFERENCES = Table(
    "cross_references",
    "Cross References",
    "The codes distributors name products and resellers by, and the SKU or Reseller ID "
    "each means: their own part and account numbers, manufacturer part numbers, and "
    "GTINs, GLNs or DUNS numbers that are not on Products or Resellers. A code is looked "
    "up in the reporting distributor's rows first, then in the rows for any distributor. "
    "EDI reports say what a code is by a qualifier; which qualifiers are read as which: "
    "products: "
    + edi_qualifiers_text("product")
    + ". Resellers: "
    + edi_qualifiers_text("reseller")
    + ". Leave the sheet empty when distributors use your SKUs and Reseller IDs.",
    (
        C(
            "Distributor ID",
            "id",
            "The distributor that uses the code; blank when any distributor may send it.",
            required=False,
            references="distributors.Distributor ID",
        ),
        C(
            "Kind",
            "enum",
            "product (Maps To is a SKU) or reseller (Maps To is a Reseller ID).",
            allowed=CROSS_REFERENCE_KINDS,
        ),
        C(
            "Qualifier",
            "enum",
            "What the code is. Products: sku (an old or other SKU of yours), gtin, "
            "distributor part number, manufacturer part number. Resellers: reseller id "
            "(an old or other id of yours), account number (the distributor's), gln, duns.",
            allowed=CROSS_REFERENCE_QUALIFIERS,
            width=24,
        ),
        C(
            "Code",
            "id",
            "The code as the distributor sends it (part numbers match in any letter case; "
            "a GTIN in any of its lengths).",
            format="@",  # text: Excel would drop a part number's leading zeros
            width=18,
        ),
        C("Maps To", "id", "The SKU (Products) or Reseller ID (Resellers) the code means."),
    ),
    unique=("Distributor ID", "Kind", "Qualifier", "Code"),
    optional_sheet=True,
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
            allowed=tuple(SCORECARD_METRICS),
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
        C(
            "Quarter",
            "quarter",
            "In the program's calendar: 2026Q3, or FY2027Q1 when the fiscal year starts in "
            "another month than January.",
        ),
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

MDF_DECISION_VALUES = ("approved", "rejected")

MDF_DECISIONS = Table(
    "mdf_decisions",
    "MDF Decisions",
    "The vendor's decision on each MDF claim (received in MDF claims files), one row per "
    "claim. A claim without a row here is pending.",
    (
        C("Claim ID", "id", "A Claim ID of a received MDF claim."),
        C("Decision", "enum", "approved or rejected.", allowed=MDF_DECISION_VALUES),
        C(
            "Approved Amount",
            "decimal",
            "Approved: the amount granted, in the claim's currency; at most the amount "
            "claimed (less when only part is granted). Blank when rejected.",
            required=False,
            minimum=0,
        ),
        C("Decided By", "text", "Who decided."),
        C("Date", "date", "When it was decided."),
        C(
            "Reason",
            "text",
            "Why: required when rejected or when less than claimed is approved.",
            required=False,
            width=40,
        ),
    ),
    unique=("Claim ID",),
    optional_sheet=True,
)

WAIVERS = Table(
    "waivers",
    "Waivers",
    "Your decision that a failed gate counts as passed for one distributor and quarter: a "
    "late report, the certification gate or every gate, with the reason and who approved "
    "it. The gate is still evaluated and shown as FAIL, waived by whom, when and why. "
    "Leave the sheet empty when nothing is waived.",
    (
        C(
            "Distributor ID",
            "id",
            "A distributor from the Distributors sheet.",
            references="distributors.Distributor ID",
        ),
        C("Quarter", "quarter", "The quarter waived, as the statement names it (2026Q3)."),
        C(
            "Program ID",
            "id",
            "A program from the Rebate Programs sheet; blank for every program.",
            required=False,
            references="rebate_programs.Program ID",
        ),
        C(
            "Waives",
            "enum",
            "late report (the on-time reports gate), certification gate, or all gates.",
            allowed=WAIVES,
            width=18,
        ),
        C("Reason", "text", "Why it is waived; shown on the statement.", width=40),
        C("Approved By", "text", "Who approved the waiver."),
        C("Date", "date", "When it was approved."),
    ),
    unique=("Distributor ID", "Quarter", "Program ID", "Waives"),
    optional_sheet=True,
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


PROGRAM_TABLES = (
    DISTRIBUTORS,
    TERRITORIES,
    PRODUCTS,
    RESELLERS,
    CROSS_REFERENCES,
    REBATE_PROGRAMS,
    REBATE_TIERS,
    SCORECARD,
    SCORECARD_PAYOUTS,
    TARGETS,
    FX_RATES,
    MDF_DECISIONS,
    WAIVERS,
    SETTINGS_TABLE,
)

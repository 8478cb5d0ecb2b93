"""What channelxl receives: the layouts of the files it ingests, and the sheets of the
monthly report template distributors fill in and send back.

A received file is recognised from its header row (``io.recognition``), loaded and checked
in the ledger (``ledger.ingest_file``); docs/LAYOUTS.md and docs/TEMPLATES.md come from here.
"""

from __future__ import annotations

from dataclasses import replace

from channelxl.schema.columns import Column, Table
from channelxl.schema.enumerations import (
    ACTIVITY_STATUSES,
    ACTIVITY_TYPES,
    SEGMENTS,
    SHIPMENT_TYPES,
)

C = Column

SHIPMENTS = Table(
    "shipments",
    "Shipments (sell-in)",
    "Vendor ERP export of shipments to distributors. One row per order line. A later export "
    "that repeats an order line replaces it.",
    (
        C("Order Number", "id", "Sales order number.", issue="DOCU"),
        C("Order Line", "int", "Line within the order.", minimum=1, issue="QUAN"),
        C("Ship Date", "date", "Date shipped (YYYY-MM-DD).", past=True),
        C(
            "Distributor ID",
            "id",
            "Distributor shipped to.",
            references="distributors.Distributor ID",
            issue="REF",
        ),
        C("SKU", "id", "Product shipped.", references="products.SKU", issue="PROD"),
        C("Quantity", "int", "Units; always positive (see Type).", minimum=1, issue="QUAN"),
        C("Unit Price", "decimal", "Price per unit in Currency.", minimum=0, issue="PRIC"),
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
    sender="vendor",
)

SELL_THROUGH = Table(
    "sell_through",
    "Sell-through report",
    "A distributor's report of what it sold to resellers in one month. Distributor ID and "
    "Period may be columns or given on the command line. A later report for the same "
    "distributor and period replaces the earlier one (one much smaller, or received "
    "earlier, is held for the analyst).",
    (
        C(
            "Distributor ID",
            "id",
            "Reporting distributor (else --distributor).",
            required=False,
            references="distributors.Distributor ID",
            issue="REF",
        ),
        C("Period", "month", "Reported month YYYY-MM (else --period).", required=False),
        C("Invoice Date", "date", "Date of the distributor's invoice to the reseller.", past=True),
        C("Invoice Number", "id", "The distributor's invoice number.", issue="DOCU"),
        C(
            "Reseller ID",
            "id",
            "Reseller id from the program (Resellers sheet).",
            references="resellers.Reseller ID",
            issue="PART",
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
        C("SKU", "id", "Product sold.", references="products.SKU", issue="PROD"),
        C("Quantity", "int", "Units sold; negative for a credit note.", minimum=None, issue="QUAN"),
        C("Unit Price", "decimal", "Resale price per unit in Currency.", minimum=0, issue="PRIC"),
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
    "the earlier one (one much smaller, or received earlier, is held for the analyst).",
    (
        C(
            "Distributor ID",
            "id",
            "Reporting distributor (else --distributor).",
            required=False,
            references="distributors.Distributor ID",
            issue="REF",
        ),
        C(
            "Period",
            "month",
            "Month YYYY-MM whose closing stock this is (else --period).",
            required=False,
        ),
        C("SKU", "id", "Product.", references="products.SKU", issue="PROD"),
        C(
            "On Hand",
            "int",
            "Units in the distributor's warehouses at month end.",
            minimum=0,
            issue="QUAN",
        ),
        C(
            "In Transit",
            "int",
            "Units shipped by the vendor, not yet received.",
            required=False,
            minimum=0,
            issue="QUAN",
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
            issue="PART",
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
    sender="vendor",
)

ACTIVITIES = Table(
    "activities",
    "Demand-generation activities",
    "MDF / campaign export: marketing activities distributors run with vendor funds. A later "
    "export that repeats an Activity ID replaces it.",
    (
        C("Activity ID", "id", "Id in the campaign system.", issue="DOCU"),
        C(
            "Distributor ID",
            "id",
            "Distributor running it.",
            references="distributors.Distributor ID",
            issue="REF",
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
        C("Cost", "decimal", "Total cost in Currency.", minimum=0, issue="PRIC"),
        C(
            "MDF Claimed",
            "decimal",
            "Part of the cost claimed from market development funds.",
            required=False,
            minimum=0,
            issue="PRIC",
        ),
        C("Currency", "currency", "ISO 4217 code."),
        C("Status", "enum", "planned, completed or cancelled.", allowed=ACTIVITY_STATUSES),
    ),
    unique=("Activity ID",),
    kind="export",
    supersede="key",
    sender="vendor",
)

MDF_CLAIMS = Table(
    "mdf_claims",
    "MDF claims",
    "A distributor's claims on its market development fund: each against one completed "
    "activity (the activities export), with the proof of what was spent. A later file that "
    "repeats a Claim ID replaces that claim. The vendor's decision on each claim is kept on "
    "the program workbook's MDF Decisions sheet.",
    (
        C(
            "Claim ID",
            "id",
            "The claim's id, unique across all distributors' claims (the MDF Decisions sheet "
            "names claims by it).",
            issue="DOCU",
        ),
        C(
            "Distributor ID",
            "id",
            "Distributor claiming.",
            references="distributors.Distributor ID",
            issue="REF",
        ),
        C(
            "Activity ID",
            "id",
            "The completed activity claimed for, an Activity ID of the activities export of "
            "the same distributor.",
            issue="REF",
        ),
        C("Claim Date", "date", "Date the claim was made.", past=True),
        C(
            "Amount",
            "decimal",
            "Amount claimed in Currency; more than 0, and the claims on one activity at most "
            "its cost.",
            issue="PRIC",
        ),
        C("Currency", "currency", "ISO 4217 code."),
        C(
            "Proof Reference",
            "text",
            "What proves the spend: an invoice number, a file name or a URL.",
            width=30,
        ),
        C("Description", "text", "What was spent on, in a few words.", required=False, width=40),
    ),
    unique=("Claim ID",),
    kind="export",
    supersede="key",
)

EXPORT_TABLES = (SHIPMENTS, SELL_THROUGH, INVENTORY, CERTIFICATIONS, ACTIVITIES, MDF_CLAIMS)


# What an unknown reference means, by the table referred to: an error quarantines the line
# (it cannot be attributed); a warning loads it (the program workbook has not caught up
# yet, and reconciliation flags it).
REFERENCE_SEVERITY = {
    "distributors": "error",
    "rebate_programs": "error",
    "products": "warning",
    "resellers": "warning",
}


# ---------------------------------------------------------------- the monthly report template
def _template_sheet(layout: Table, title: str, help_text: str) -> Table:
    """A layout as the template shows it: no Distributor ID or Period column (the template
    carries both itself). The table keeps the layout's name, so a returned sheet is checked
    against the layout it came from."""
    columns = tuple(c for c in layout.columns if c.field not in ("distributor_id", "period"))
    return replace(layout, title=title, columns=columns, help=help_text)


SELL_THROUGH_SHEET = _template_sheet(
    SELL_THROUGH,
    "SellThrough",
    "What the distributor sold to resellers in the month: one row per invoice line.",
)
INVENTORY_SHEET = _template_sheet(
    INVENTORY, "Inventory", "The distributor's stock of each SKU at the end of the month."
)
TEMPLATE_SHEETS = (SELL_THROUGH_SHEET, INVENTORY_SHEET)

"""What channelxl writes for people: the statement, the exception workbooks and the
feedback a sender gets, each table declared once.

The workbook sheets and the CSV files of each come from these declarations
(``io.table_sheets``); their number formats and widths too.
"""

from __future__ import annotations

from channelxl.core.reconcile import FLAGS
from channelxl.schema.columns import Column, Table

C = Column
MONEY = "#,##0.00"

# ---------------------------------------------------------------- the rebate statement
MONEY = "#,##0.00"

STATEMENT = Table(
    "rebate_statement",
    "Statement",
    "One row per distributor and program.",
    (
        C("Distributor ID", "id", "Distributor."),
        C("Distributor", "text", "Distributor name."),
        C("Program ID", "id", "Program."),
        C("Program", "text", "Program name."),
        C("Quarter", "quarter", "Quarter evaluated."),
        C("Currency", "currency", "Reporting currency of every amount."),
        C("Measure", "text", "revenue (sell-through, reporting currency), units or growth."),
        C(
            "Measure Value",
            "decimal",
            "The measure: revenue, units, or growth as a fraction.",
            format="#,##0.00####",
        ),
        C(
            "Method",
            "text",
            "retroactive: the rate reached x the whole basis; incremental: each "
            "band's rate x the part inside it.",
        ),
        C("Tier", "int", "Tier reached, 1 for the first row of the tier table; blank below it."),
        C("Tier Label", "text", "Its label."),
        C("Rate", "decimal", "Rate of the tier reached (fraction, or amount per unit).", scale=6),
        C(
            "Basis",
            "decimal",
            "What the rate applies to: revenue, units, or the growth increment.",
            format=MONEY,
        ),
        C(
            "Tier Rebate",
            "decimal",
            "Tier table applied to the basis, before the steps below.",
            format=MONEY,
        ),
        C(
            "Score",
            "decimal",
            "Scorecard score (sum of weight x capped attainment).",
            format="0.0%",
        ),
        C("Payout", "decimal", "Share of the tier rebate the score earns.", format="0%"),
        C("Gates", "text", "Each gate: value, requirement, pass or FAIL.", width=40),
        C("Hold", "text", "Inventory-loading hold and its reason.", width=30),
        C("Held Amount", "decimal", "Amount held back for inventory loading.", format=MONEY),
        C("Capped", "bool", "Y when the quarterly cap applied."),
        C(
            "Amount",
            "decimal",
            "Paid: after scorecard, gates, hold and cap; rounded once, half-up, to the cent.",
            format=MONEY,
        ),
        C(
            "Next Tier Gap",
            "decimal",
            "Measure still needed to reach the next tier.",
            format="#,##0.00####",
        ),
        C(
            "MDF Accrued",
            "decimal",
            "Market development funds: MDF rate x sell-through revenue.",
            format=MONEY,
        ),
        C("Accrued", "decimal", "Accrued over the quarter at the forecast tier.", format=MONEY),
        C("True-Up", "decimal", "Amount - Accrued: booked at quarter end.", format=MONEY),
        C("Status", "text", "earned, capped, held, withheld or no baseline."),
        C("Notes", "text", "Anything a person checking the figure should know.", width=60),
    ),
)

STATEMENT_SUMMARY = Table(
    "rebate_summary",
    "Summary",
    "One row per distributor.",
    (
        C("Distributor ID", "id", "Distributor."),
        C("Distributor", "text", "Distributor name."),
        C("Type", "text", "Distributor type."),
        C(
            "Sell-Through Revenue",
            "decimal",
            "Quarter sell-through, reporting currency.",
            format=MONEY,
        ),
        C("Programs", "int", "Programs that apply."),
        C("Amount", "decimal", "Sum of the amounts paid.", format=MONEY),
        C("Held Amount", "decimal", "Sum held for inventory loading.", format=MONEY),
        C("MDF Accrued", "decimal", "Sum of MDF accrued.", format=MONEY),
        C("Statuses", "text", "Status of each program."),
    ),
)

ACCRUALS = Table(
    "rebate_accruals",
    "Accruals",
    "Monthly accruals and the quarter-end true-up.",
    (
        C("Distributor ID", "id", "Distributor."),
        C("Program ID", "id", "Program."),
        C("Month", "text", "Month of the quarter, or true-up."),
        C("To Date", "decimal", "Measure to date (revenue or units).", format="#,##0.00"),
        C(
            "Forecast",
            "decimal",
            "Quarter forecast at the run rate: to date x 3 / months.",
            format="#,##0.00",
        ),
        C(
            "Accrued To Date",
            "decimal",
            "Forecast quarter's tier rebate x months / 3.",
            format=MONEY,
        ),
        C("Booked", "decimal", "This month's accrual (or the true-up).", format=MONEY),
    ),
)

# ---------------------------------------------------------------- the reconciliation workbook
RECONCILE_SUMMARY = Table(
    "reconcile_summary",
    "Summary",
    "One row per distributor.",
    (
        C("Distributor ID", "id", "Distributor."),
        C("Rows", "int", "Distributor x SKU x month rows reconciled."),
        C("Flagged", "int", "Rows with any flag."),
        C("Variance Units", "int", "Sum of variances (reported - expected), units."),
        *(C(code, "int", f"Rows flagged {code}: {text}.") for code, text in FLAGS.items()),
        C("Loading", "text", "Inventory-loading verdict: ok, watch or loading."),
        C("Loading Signals", "text", "The numbers behind the verdict.", width=60),
    ),
)
RECONCILE_DETAIL = Table(
    "reconcile_detail",
    "Detail",
    "Flagged distributor x SKU x month rows.",
    (
        C("Distributor ID", "id", "Distributor."),
        C("SKU", "id", "Product."),
        C("Month", "month", "YYYY-MM."),
        C("Opening", "int", "Previous month's reported closing (see docs)."),
        C("Sell-In", "int", "Shipped by the vendor."),
        C("Returns", "int", "Returned to the vendor."),
        C("Sell-Through", "int", "Sold to resellers."),
        C("Expected Closing", "int", "Opening + sell-in - returns - sell-through."),
        C("Reported Closing", "int", "On hand + in transit in the inventory report."),
        C("Variance", "int", "Reported - expected."),
        C("Variance Percent", "decimal", "Variance / expected closing.", format="0.0%"),
        C("Status", "text", "OK or the flag codes."),
        C("Reasons", "text", "The flags in words.", width=70),
    ),
)
RECONCILE_LINES = Table(
    "reconcile_lines",
    "Lines",
    "Flagged sell-through lines.",
    (
        C("Flag", "text", "Flag code."),
        C("Reason", "text", "Why.", width=50),
        C("Distributor ID", "id", "Distributor."),
        C("Month", "month", "Reported month."),
        C("Invoice Date", "date", "Invoice date."),
        C("Invoice Number", "id", "Invoice."),
        C("Reseller ID", "id", "Reseller."),
        C("SKU", "id", "Product."),
        C("Quantity", "int", "Units."),
        C("Unit Price", "decimal", "Price in the line's currency.", format="#,##0.00"),
        C("Currency", "currency", "Currency."),
    ),
)
RECONCILE_LOADING = Table(
    "reconcile_loading",
    "Loading",
    "Inventory-loading signals per distributor.",
    (
        C("Distributor ID", "id", "Distributor."),
        C("Quarter", "quarter", "Quarter."),
        C("Sell-In", "int", "Units bought in the quarter (net of returns)."),
        C("Sell-Through", "int", "Units sold to resellers."),
        C("Closing", "int", "Units at quarter end."),
        C("Weeks Of Supply", "decimal", "Closing / (sell-through / 13).", format="0.0"),
        C("Sell-Through Ratio", "decimal", "Sell-through / sell-in.", format="0%"),
        C("Spike", "decimal", "Last month's sell-in / the other months' average.", format="0.00"),
        C("Stock Growth", "decimal", "Closing vs last quarter's closing.", format="0%"),
        C("Sell-Through Growth", "decimal", "Sell-through vs last quarter.", format="0%"),
        C("Verdict", "text", "ok, watch (one signal) or loading (two or more)."),
        C("Signals", "text", "The signals with their numbers and limits.", width=70),
    ),
)


# ---------------------------------------------------------------- the territory workbook
TERRITORY_SUMMARY = Table(
    "territory_summary",
    "Summary",
    "One row per distributor.",
    (
        C("Distributor ID", "id", "Distributor."),
        C("Lines", "int", "Sell-through lines in the quarter."),
        C("In Territory", "int", "Lines inside one of its territory rows."),
        C("Out Of Territory", "int", "Lines in a country or segment it is not appointed for."),
        C("Not Appointed", "int", "Lines on a date it held no territory at all."),
        C(
            "Out Share",
            "decimal",
            "Out of territory + not appointed, as a share of lines.",
            format="0.0%",
        ),
    ),
)
TERRITORY_EXCEPTIONS = Table(
    "territory_lines",
    "Out of territory",
    "Lines not in territory.",
    (
        C("Status", "text", "OUT or NOT APPOINTED."),
        C("Distributor ID", "id", "Distributor."),
        C("Month", "month", "Reported month."),
        C("Invoice Date", "date", "Invoice date."),
        C("Invoice Number", "id", "Invoice."),
        C("Reseller ID", "id", "Reseller."),
        C("End Customer Name", "text", "End customer."),
        C("Country", "country", "End customer country (else the reseller's)."),
        C("Segment", "text", "End customer segment."),
        C("SKU", "id", "Product."),
        C("Quantity", "int", "Units."),
    ),
)
TERRITORY_CONFLICTS = Table(
    "territory_conflicts",
    "Exclusive conflicts",
    "Exclusive rows of two distributors that overlap.",
    (
        C("Distributor A", "id", "One distributor."),
        C("Distributor B", "id", "The other."),
        C("Country", "country", "Country both hold exclusively."),
        C("Segment A", "text", "A's segment (* = all)."),
        C("Segment B", "text", "B's segment."),
        C("Overlap From", "date", "First day both hold it."),
        C("Overlap To", "date", "Last day (blank: open-ended)."),
    ),
)
TERRITORY_FREE_RIDING = Table(
    "territory_free_riding",
    "Free-riding",
    "Resellers buying one family from several distributors in one country.",
    (
        C("Reseller ID", "id", "Reseller."),
        C("Family", "text", "Product family."),
        C("Country", "country", "Country of the end customers."),
        C("Quarter", "quarter", "Quarter."),
        C("Distributors", "text", "The distributors it bought from."),
        C("Lines", "int", "Lines."),
        C("Units", "int", "Units."),
    ),
)


# ---------------------------------------------------------------- feedback to a sender
FEEDBACK_ISSUES = Table(
    "feedback_issues",
    "Issues",
    "Every problem found in the file.",
    (
        C("Severity", "text", "error: the line was not accepted; warning: accepted, please check."),
        C("Code", "text", "DATE, DUPL, PART, PROD, PRIC, QUAN, DOCU, TERR, SCOPE, FILE..."),
        C("Sheet", "text", "Sheet of the problem."),
        C("Cell", "text", "Cell of the problem."),
        C("Line", "int", "Line of a CSV file."),
        C("Column", "text", "Column of the problem."),
        C("Message", "text", "What is wrong and how to fix it.", width=80),
    ),
)

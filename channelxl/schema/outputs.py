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
    "One row per distributor and program: the steps from the measure to the amount paid, left "
    "to right, then the accruals. Every amount is in the row's Currency.",
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
            "The measure: revenue (money), units, or growth as a fraction (0.125 = 12.5 %, "
            "shown as a percentage in the workbook).",
            format="#,##0.00####",
            scale=6,
        ),
        C(
            "Method",
            "text",
            "retroactive: the rate reached x the whole basis; incremental: each "
            "band's rate x the part inside it.",
        ),
        C("Tier", "int", "Tier reached, 1 for the first row of the tier table; blank below it."),
        C("Tier Label", "text", "Its label."),
        C(
            "Rate",
            "decimal",
            "Rate of the tier reached: a fraction of the basis for revenue and growth "
            "(0.03 = 3 %), money per unit for units (Rate Unit says which).",
            scale=6,
        ),
        C("Rate Unit", "text", "'% of basis', or the currency per unit (e.g. 'EUR per unit')."),
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
            "Scorecard score (sum of weight x capped attainment); blank without a scorecard.",
            format="0.0%",
        ),
        C(
            "Payout",
            "decimal",
            "Share of the tier rebate the score earns; blank without a scorecard.",
            format="0.0%",
        ),
        C(
            "After Scorecard",
            "decimal",
            "Tier Rebate x Payout (the tier rebate itself without a scorecard).",
            format=MONEY,
        ),
        C("Capped", "bool", "Y when the quarterly cap applied."),
        C(
            "Cap Reduction",
            "decimal",
            "What the quarterly cap took away: After Scorecard - Cap.",
            format=MONEY,
        ),
        C(
            "Gates",
            "text",
            "Each gate: value, requirement, pass or FAIL (or FAIL, waived by whom, when, why).",
            width=40,
        ),
        C(
            "Waivers",
            "text",
            "Failed gates a waiver forgave (Waivers sheet): who approved it, when and why.",
            width=40,
        ),
        C(
            "Withheld Amount",
            "decimal",
            "Forgone because a gate failed: the amount due (after scorecard and cap), rounded "
            "once to the cent. It is not paid for this quarter.",
            format=MONEY,
        ),
        C("Withheld Reason", "text", "The gate that failed, its value and requirement.", width=40),
        C("Hold", "text", "Inventory-loading hold and its reason.", width=30),
        C(
            "Held Amount",
            "decimal",
            "Kept back for inventory loading: the amount due, rounded once to the cent; "
            "released when the stock comes down.",
            format=MONEY,
        ),
        C(
            "Amount",
            "decimal",
            "Paid: after scorecard, cap, gates and hold; rounded once, half-up, to the cent. "
            "The amount due is exactly one of Amount, Withheld Amount or Held Amount.",
            format=MONEY,
        ),
        C(
            "Status",
            "text",
            "earned, capped, held, withheld, no payout (nothing to pay: below the first "
            "paying tier, no growth or a 0 payout) or no baseline.",
        ),
        C(
            "Next Tier Gap",
            "decimal",
            "Measure still needed to reach the next tier (growth as a fraction).",
            format="#,##0.00####",
            scale=6,
        ),
        C(
            "MDF Accrued",
            "decimal",
            "Market development funds: MDF rate x sell-through revenue.",
            format=MONEY,
        ),
        C(
            "Accrued",
            "decimal",
            "Accrued over the quarter at the expected payout (sheet Accruals).",
            format=MONEY,
        ),
        C(
            "Accrued Held",
            "decimal",
            "Accrued into the held bucket while a hold stood at a month's close.",
            format=MONEY,
        ),
        C("True-Up", "decimal", "Amount - Accrued: booked at quarter end.", format=MONEY),
        C(
            "Held True-Up",
            "decimal",
            "Held Amount - Accrued Held: the held bucket's quarter-end true-up.",
            format=MONEY,
        ),
        C(
            "Accrual Basis",
            "text",
            "Each month's standing at its close: payout to date, gates and hold, assumptions.",
            width=60,
        ),
        C("Notes", "text", "Anything a person checking the figure should know.", width=60),
    ),
)

STATEMENT_SUMMARY = Table(
    "rebate_summary",
    "Summary",
    "One row per distributor; the last row holds the totals.",
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
        C("Withheld Amount", "decimal", "Sum forgone by failed gates.", format=MONEY),
        C("Held Amount", "decimal", "Sum held for inventory loading.", format=MONEY),
        C("MDF Accrued", "decimal", "Sum of MDF accrued.", format=MONEY),
        C("Accrued", "decimal", "Sum accrued over the quarter.", format=MONEY),
        C("True-Up", "decimal", "Sum of the true-ups: Amount - Accrued.", format=MONEY),
        C(
            "Prior-Period Adjustments",
            "decimal",
            "Sum of the distributor's lines on sheet Prior-period adjustments.",
            format=MONEY,
        ),
        C("Total Payable", "decimal", "Amount + Prior-Period Adjustments.", format=MONEY),
        C("Statuses", "text", "Status of each program.", width=40),
    ),
)

ACCRUALS = Table(
    "rebate_accruals",
    "Accruals",
    "Monthly accruals at the expected payout, and the quarter-end true-up.",
    (
        C("Distributor ID", "id", "Distributor."),
        C("Program ID", "id", "Program."),
        C("Month", "text", "Month of the quarter (accrued at its last day), or true-up."),
        C(
            "To Date",
            "decimal",
            "Volume to date: revenue, or units for a units program.",
            format="#,##0.00",
        ),
        C(
            "Forecast",
            "decimal",
            "Quarter volume at the run rate: to date x months in the quarter / months to date.",
            format="#,##0.00",
        ),
        C(
            "Forecast Tier Rebate",
            "decimal",
            "The tier table on the forecast quarter.",
            format=MONEY,
        ),
        C("Payout To Date", "decimal", "Scorecard payout on the figures to date.", format="0.0%"),
        C(
            "Expected",
            "decimal",
            "Expected quarter payment: forecast tier rebate x payout to date, capped; 0 when a "
            "gate had failed by the month's close or a hold stood.",
            format=MONEY,
        ),
        C("Expected Held", "decimal", "Expected quarter amount held (a hold stood).", format=MONEY),
        C(
            "Rate Booked",
            "decimal",
            "Expected / Forecast: booked on this month's volume (a fraction of revenue, or "
            "money per unit).",
            format="0.0000%",
            scale=10,
        ),
        C("Booked", "decimal", "This month's accrual (or the true-up).", format=MONEY),
        C(
            "Accrued To Date",
            "decimal",
            "Sum of each month's volume x its rate booked, rounded to the cent (true-up row: "
            "the amount paid).",
            format=MONEY,
        ),
        C("Held Booked", "decimal", "This month's accrual into the held bucket.", format=MONEY),
        C("Held To Date", "decimal", "Accrued into the held bucket to date.", format=MONEY),
        C(
            "Basis",
            "text",
            "The month's standing: payout to date, gates and hold, assumptions.",
            width=70,
        ),
    ),
)

MDF_FUND = Table(
    "mdf_fund",
    "MDF",
    "Market development funds: one row per distributor, at the end of the quarter, in the "
    "reporting currency. Remaining = Accrued - Approved.",
    (
        C("Distributor ID", "id", "Distributor."),
        C("Distributor", "text", "Distributor name."),
        C("Currency", "currency", "Reporting currency of every amount."),
        C("Fund From", "text", "First quarter of the fund: its MDF programs' start."),
        C("Accrued This Quarter", "decimal", "MDF accrued in the quarter.", format=MONEY),
        C(
            "Prior-Period Adjustments",
            "decimal",
            "Changes to the MDF accrued of approved quarters, carried in this quarter (sheet "
            "MDF Adjustments).",
            format=MONEY,
        ),
        C(
            "Accrued",
            "decimal",
            "MDF accrued from Fund From to the quarter's end: MDF rate x sell-through "
            "revenue, per program and quarter, rounded to the cent. = the quarter before's "
            "Accrued (as approved, when it is) + Prior-Period Adjustments + Accrued This "
            "Quarter.",
            format=MONEY,
        ),
        C("Claims", "int", "Claims dated up to the quarter's end."),
        C("Claimed", "decimal", "Amount of every claim, converted.", format=MONEY),
        C("Approved", "decimal", "Amounts approved (may be less than claimed).", format=MONEY),
        C("Rejected", "decimal", "Amounts claimed by rejected claims.", format=MONEY),
        C("Pending", "decimal", "Amounts claimed by claims not yet decided.", format=MONEY),
        C("Remaining", "decimal", "Accrued - Approved; below 0: overdrawn.", format=MONEY),
        C("Flags", "text", "Overdrawn; claims without an FX rate (in no total).", width=50),
    ),
)

MDF_CLAIM_STATUS = Table(
    "mdf_claim_status",
    "MDF Claims",
    "Every MDF claim dated up to the quarter's end, its decision and what it draws.",
    (
        C("Distributor ID", "id", "Distributor claiming."),
        C("Claim ID", "id", "The claim."),
        C("Activity ID", "id", "The activity claimed for."),
        C("Activity", "text", "Its name in the activities export."),
        C("Claim Date", "date", "Date claimed."),
        C("Currency", "currency", "Currency of the claim."),
        C("Amount", "decimal", "Amount claimed, in Currency.", format=MONEY),
        C("Proof Reference", "text", "Invoice number, file name or URL of the spend."),
        C("Status", "text", "approved, partly approved, rejected or pending (no decision)."),
        C("Approved Amount", "decimal", "Amount approved, in Currency.", format=MONEY),
        C("Decided By", "text", "Who decided."),
        C("Decision Date", "date", "When."),
        C("Reason", "text", "Why rejected, or why less was approved.", width=30),
        C("FX Rate", "decimal", "Value of one unit in the claim month.", scale=8),
        C("Claimed", "decimal", "Amount in the reporting currency, to the cent.", format=MONEY),
        C("Approved", "decimal", "Approved in the reporting currency, to the cent.", format=MONEY),
        C(
            "Flags",
            "text",
            "Activity problems, an approval above the claim, the activity's cost or the "
            "remaining fund, no FX rate.",
            width=60,
        ),
    ),
)

MDF_ADJUSTMENTS = Table(
    "mdf_adjustments",
    "MDF Adjustments",
    "A change to the MDF accrued of an approved quarter, credited to (or taken from) the fund "
    "in this quarter: one row per distributor and program whose recomputed MDF accrued "
    "differs from what was settled. The approved statement itself never changes.",
    (
        C("Distributor ID", "id", "Distributor."),
        C("Distributor", "text", "Distributor name."),
        C("Program ID", "id", "Program accruing the MDF."),
        C("Program", "text", "Program name."),
        C("Quarter Adjusted", "text", "The approved quarter whose MDF accrued changed."),
        C("Approved", "text", "When and by whom that quarter was approved.", width=40),
        C("Currency", "currency", "Reporting currency of every amount."),
        C("Approved MDF", "decimal", "MDF accrued on the approved statement.", format=MONEY),
        C(
            "Earlier Adjustments",
            "decimal",
            "MDF adjustments of the same quarter already frozen in a later approved statement.",
            format=MONEY,
        ),
        C(
            "Recomputed MDF",
            "decimal",
            "MDF rate x that quarter's sell-through revenue on today's ledger, rounded once "
            "to the cent.",
            format=MONEY,
        ),
        C(
            "Difference",
            "decimal",
            "Recomputed MDF - Approved MDF - Earlier Adjustments: added to the fund in this "
            "quarter (negative: taken from it).",
            format=MONEY,
        ),
        C("What Changed", "text", "The sell-through revenue, or the MDF rate.", width=60),
        C(
            "New Submissions",
            "text",
            "Submissions now in force for that quarter's inputs that were not when it was last "
            "settled (approved or adjusted).",
            width=60,
        ),
        C("Replaced Submissions", "text", "Submissions in force then, replaced since.", width=60),
    ),
)

ADJUSTMENTS = Table(
    "prior_period_adjustments",
    "Prior-period adjustments",
    "A change to an approved quarter's amount, paid (or recovered) in this quarter: one row "
    "per distributor and program whose recomputed amount differs from what was settled. The "
    "approved statement itself never changes.",
    (
        C("Distributor ID", "id", "Distributor."),
        C("Distributor", "text", "Distributor name."),
        C("Program ID", "id", "Program."),
        C("Program", "text", "Program name."),
        C("Quarter Adjusted", "text", "The approved quarter whose amount changed."),
        C("Approved", "text", "When and by whom that quarter was approved."),
        C("Currency", "currency", "Reporting currency of every amount."),
        C("Approved Amount", "decimal", "Amount on the approved statement.", format=MONEY),
        C(
            "Earlier Adjustments",
            "decimal",
            "Adjustments of the same quarter already frozen in a later approved statement.",
            format=MONEY,
        ),
        C(
            "Recomputed Amount",
            "decimal",
            "The quarter evaluated again on today's ledger, rounded once to the cent.",
            format=MONEY,
        ),
        C(
            "Difference",
            "decimal",
            "Recomputed Amount - Approved Amount - Earlier Adjustments: paid in this quarter "
            "(negative: recovered).",
            format=MONEY,
        ),
        C(
            "What Changed",
            "text",
            "The steps that changed: measure, tier, payout, gates, hold.",
            width=60,
        ),
        C(
            "New Submissions",
            "text",
            "Submissions now in force for that quarter's inputs that were not when it was last "
            "settled (approved or adjusted).",
            width=60,
        ),
        C("Replaced Submissions", "text", "Submissions in force then, replaced since.", width=60),
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

"""X12 code lists the 867 / 852 readers and the 997 writer use, with the names people read.

Sources: the X12 element code lists as published for 004010 to 006030 (element 521 Product
Transfer Type Code, 859 Activity Code, 98 Entity Identifier Code, 235 Product/Service ID
Qualifier, 374 Date/Time Qualifier) and the 997 notes (AK304, AK403, AK502, AK905). Only
codes a distributor report uses get a meaning here; any other valid code is named in the
problem that refuses it.
"""

from __future__ import annotations

# Transaction sets people send by mistake, named in the refusal (ST01).
TRANSACTION_SETS = {
    "810": "Invoice",
    "812": "Credit/Debit Adjustment",
    "816": "Organizational Relationships",
    "820": "Payment Order/Remittance Advice",
    "832": "Price/Sales Catalog",
    "844": "Product Transfer Account Adjustment",
    "845": "Price Authorization Acknowledgment/Status",
    "846": "Inventory Inquiry/Advice",
    "849": "Response to Product Transfer Account Adjustment",
    "850": "Purchase Order",
    "852": "Product Activity Data",
    "855": "Purchase Order Acknowledgment",
    "856": "Ship Notice/Manifest",
    "860": "Purchase Order Change Request",
    "864": "Text Message",
    "867": "Product Transfer and Resale Report",
    "940": "Warehouse Shipping Order",
    "997": "Functional Acknowledgment",
    "999": "Implementation Acknowledgment",
}
# Functional identifier (GS01) each report set belongs to.
GROUP_OF = {"867": "PT", "852": "PD"}
ACKNOWLEDGEMENTS = {"997", "999", "TA1"}

# PTD01 (element 521). What the program reads, as ``transfer_type``:
SALES = {
    "SS": "stock_sale",
    "DS": "drop_ship",
    "SD": "ship_and_debit",
    "SH": "ship_and_debit",
    "CS": "contract_sale",
}
# Returns: quantities become negative (one already negative stays negative).
RETURNS = {
    "BN": "return",
    "RU": "return",
    "RB": "return",
    "RP": "return",
    "RV": "return_to_vendor",
}
# Codes of the 867's energy and utility use (meter readings, gas and oil movements): an 867
# carrying one is a usage report, not a resale report, and is refused whole.
UTILITY_PTD = {
    "BB",
    "BO",
    "DL",
    "FG",
    "GD",
    "GP",
    "GR",
    "OF",
    "ON",
    "OT",
    "PL",
    "PM",
    "PO",
    "PP",
    "RT",
    "WL",
}
# BPT01 transaction set purpose (353): a cancellation withdraws the report it names;
# 00 original, 05 replace and the rest are reports of their period
CANCELLATION = "01"

# BPT04 report types of the utility 867 (interval and monthly usage guides).
UTILITY_BPT04 = {"C1", "DR", "KH", "MV"}
# Units of measure of metered energy (QTY03 / QTY04-1): kilowatt hours and kilowatts.
UTILITY_UNITS = {"KH", "K1", "K2", "K3", "K4", "K5", "TZ"}
# Every code of element 521 with its name (valid, but not a sale or a return unless above).
PTD_NAMES = {
    "BB": "Demand Information Only",
    "BC": "Issue - Other Agency",
    "BD": "Issue - Other Department",
    "BE": "Grant Aid",
    "BF": "Foreign Military Sale",
    "BG": "Test and Evaluation",
    "BH": "Furnished Goods and Services",
    "BI": "Reutilization and Marketing",
    "BJ": "Relocation",
    "BL": "Repair or Nondestructive Testing",
    "BM": "Loan",
    "BN": "Return",
    "BO": "Designated Items",
    "BP": "Broken Price",
    "BQ": "Other",
    "BR": "Exchange",
    "BS": "Bailment Stock Withdrawal",
    "BT": "Book Entry",
    "BU": "Transfer via Depository Trust Company",
    "BV": "Physical Delivery",
    "CC": "Transfer for Charitable Contribution",
    "CO": "Replacement Due to Complaint",
    "CS": "Contract Sale",
    "DL": "Oil Deliveries",
    "DS": "Drop Ship Sale",
    "FG": "Flowing Gas Information",
    "GD": "Gas Disposition",
    "GP": "Gas Plant Liquids Summary",
    "GR": "Gas Receipts",
    "IA": "Inventory Adjustment",
    "IB": "Interbranch",
    "OF": "Offshore Movement/Sale",
    "ON": "Onshore Movement/Sale",
    "OT": "Oil Transfer and Storage",
    "PA": "Price Adjustment",
    "PB": "Price Book",
    "PL": "Property Level Movement/Sale",
    "PM": "Physical Meter Information",
    "PO": "Production Origin",
    "PP": "Pool Level Movement and/or Sale",
    "RA": "Reapplication of Order",
    "RB": "Return of Broken Price",
    "RC": "Received From Vendor",
    "RP": "Return of List Price",
    "RT": "Oil Receipts",
    "RU": "Return to Usable Inventory",
    "RV": "Return to Vendor",
    "SA": "Stocking Adjustment",
    "SC": "Scrap",
    "SD": "Ship and Debit Sale",
    "SH": "Ship and Debit",
    "SM": "Sample",
    "SS": "Stock Sale",
    "SU": "Summary",
    "TD": "Transfer for Disposal",
    "WL": "Well Level Movement/Sale",
}

# ZA01 (element 859) with names; which one is the month-end stock and which is in transit.
ZA_NAMES = {
    "AA": "Quantity Stolen",
    "AB": "Quantity Shipped",
    "BS": "Bailment Sales Quantity",
    "BT": "Transportation Sales Quantity",
    "DG": "Quantity Damaged",
    "HL": "Quantity on Hold",
    "LS": "Lost Sales",
    "MS": "Military Sales Quantity",
    "OF": "Off Premise Quantity",
    "OH": "Gross Quantity On Hand",
    "OP": "On Premise Sales Quantity",
    "OQ": "Planned Order Quantity",
    "PA": "Production Quantity Adjustment",
    "PO": "Calculated Reorder Point",
    "Q1": "Quantity Sold (Net)",
    "Q2": "Quantity Returned",
    "Q3": "Quantity Returned (Defective/Damaged)",
    "Q4": "Quantity Ordered",
    "QA": "Current Inventory Quantity Available for Shipment or Sale",
    "QB": "Beginning Balance Quantity",
    "QC": "Quantity Committed",
    "QD": "Additional Demand Quantity",
    "QE": "Ending Balance Quantity",
    "QF": "Quantity In-bond",
    "QH": "Quantity Damaged or On Hold",
    "QI": "Quantity in Transit",
    "QK": "Quantity Not Listed",
    "QL": "Minimum Inventory Quantity",
    "QM": "Maximum Inventory Quantity",
    "QN": "Planned Inventory Quantity",
    "QO": "Quantity Out of Stock",
    "QP": "Quantity On Order, Not Yet Received",
    "QR": "Quantity Received",
    "QS": "Quantity Sold",
    "QT": "Adjustment to Inventory Quantity",
    "QU": "Quantity Returned By Consumer",
    "QW": "Quantity Withdrawn from Warehouse Inventory",
    "QX": "Quantity Requested",
    "QZ": "Quantity Transferred",
    "RE": "Retail Sales Quantity",
    "RQ": "Quantity Returned (Sellable/Resellable)",
    "TS": "Total Sales Quantity",
    "WQ": "Wholesale Sales Quantity",
}
# On Hand: the first of these a LIN loop reports for a location (ending balance is the
# month-end stock; gross on hand and available stock stand in when it is missing).
ON_HAND = ("QE", "OH", "QA")
IN_TRANSIT = "QI"

# N1 entity identifier codes (element 98).
DISTRIBUTOR_PARTIES = {"DS", "DB", "SE", "FR"}  # distributor, its branch, seller, from
RESELLER_PARTIES = ("BY", "SO", "BT", "ST")  # buyer, sold to, bill to, ship to: first present
END_CUSTOMER_PARTIES = ("EN", "UC")  # end user, ultimate consignee
LOCATION_PARTIES = {"RL", "WH", "SN", "ST"}  # 852 reporting location, warehouse, store

# DTM01 (element 374).
REPORT_START = "090"
REPORT_END = "091"
INVOICE_DATE = "003"
# REF01 (element 128).
INVOICE_NUMBER = {"IV", "IK"}  # seller's invoice number, invoice number
SERIAL_NUMBER = "SE"

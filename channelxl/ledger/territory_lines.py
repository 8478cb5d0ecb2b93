"""A quarter's sell-through lines for the territory check, each with its status, in one query.

The rule is ``core.territory``'s (a line is **IN** when one of the distributor's territory
rows valid on the invoice date covers its country and segment, segment ``*`` covering
every segment and a blank Valid To running on; **NOT APPOINTED** when no row of the
distributor is valid on that date; **OUT** otherwise), written in SQL so that DuckDB
decides it while it reads the lines: no second pass in pandas over a million lines. A
property test keeps :data:`STATUS_SQL` equal to ``core.territory.territory_status`` for
dates pandas' timestamps hold (1677-2262); beyond them the engine's frame version clamps
both sides of a comparison, and SQL's answer is the one its rows version gives (a
territory valid to 2300 does not cover a line dated 2400). ``ledger.line_checks`` uses it
for a large received part's TERR warnings.
"""

from __future__ import annotations

import pandas as pd

from channelxl.ledger.store import Ledger

# The status of a line ``l`` (distributor_id, country, segment, invoice_date) against the
# ``territories`` table; a row without Valid From is never valid (NULL compares false).
STATUS_SQL = """CASE
    WHEN EXISTS (
        SELECT 1 FROM territories t
        WHERE t.distributor_id = l.distributor_id AND t.country = l.country
          AND (t.segment = '*' OR t.segment = l.segment)
          AND l.invoice_date BETWEEN t.valid_from AND coalesce(t.valid_to, DATE '9999-12-31')
    ) THEN 'IN'
    WHEN EXISTS (
        SELECT 1 FROM territories t
        WHERE t.distributor_id = l.distributor_id
          AND l.invoice_date BETWEEN t.valid_from AND coalesce(t.valid_to, DATE '9999-12-31')
    ) THEN 'OUT'
    ELSE 'NOT APPOINTED' END"""

# A sell-through line ``s`` (its reseller ``r`` joined) as the rule sees it: its country
# the end customer's, else the reseller's as reported, else the reseller's in the program;
# its segment the end customer's ('' when not given).
PLACE_SQL = (
    "coalesce(s.end_customer_country, s.reseller_country, r.country) AS country, "
    "coalesce(s.end_customer_segment, '') AS segment"
)

LINES_SQL = f"""
WITH l AS (
    SELECT s.distributor_id, s.invoice_number, s.invoice_date, s.reseller_id, s.sku,
           s.quantity, s.period AS month, s.end_customer_name, {PLACE_SQL}, p.family
    FROM sell_through s
    LEFT JOIN resellers r USING (reseller_id)
    LEFT JOIN products p USING (sku)
    WHERE s.period IN (SELECT unnest(?)) AND s.distributor_id IN (SELECT unnest(?))
)
SELECT l.*, {STATUS_SQL} AS status
FROM l
ORDER BY l.distributor_id, l.month, l.invoice_date, l.invoice_number
"""


def territory_lines(ledger: Ledger, months: list[str], distributors: list[str]) -> pd.DataFrame:
    """Every sell-through line of ``months`` from ``distributors``, with its ``status``.

    Straight from Arrow (text stays pandas text: the free-riding engine's input as it was
    tested); ``status`` as plain Python strings, as ``territory_status`` gives them.
    """
    lines = ledger.con.sql(LINES_SQL, params=[months, distributors]).to_arrow_table().to_pandas()
    lines["status"] = lines["status"].astype(object)
    return lines

"""Every issue code channelxl can emit is described (``issues.CODES``), so no distributor's
review or feedback shows an empty meaning. The codes are found in the source itself: the
first argument of every ``Issue(...)``, the code of every ``refusal(...)``, ``Rule(...)`` and
``Finding(...)``, and the issue class of every declared column."""

from __future__ import annotations

import ast
from pathlib import Path

from channelxl.issues import CODES

PACKAGE = Path(__file__).resolve().parents[1] / "channelxl"
# call name -> position of the code among its positional arguments
CODE_ARGUMENT = {"Issue": 0, "refusal": 2, "Rule": 1, "Finding": 2}


def _emitted() -> dict[str, set[str]]:
    """Code -> the files emitting it, for every code written as a literal."""
    found: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in CODE_ARGUMENT:
                continue
            position = CODE_ARGUMENT[name]
            values = [k.value for k in node.keywords if k.arg == "code"]
            if len(node.args) > position:
                values.append(node.args[position])
            for v in values:
                if isinstance(v, ast.Constant) and isinstance(v.value, str):
                    found.setdefault(v.value, set()).add(path.name)
    return found


def test_the_scan_finds_the_codes_it_should():
    emitted = _emitted()
    # codes of the program workbook, of files, of lines: each emitted somewhere
    assert {"COLUMN", "SHEET", "TIER", "RANGE", "OVERLAP", "SETTING", "FILE", "DUPL"} <= set(
        emitted
    )


def test_every_emitted_code_has_a_description():
    missing = {code: files for code, files in _emitted().items() if code not in CODES}
    assert not missing, f"describe these codes in channelxl/issues.py CODES: {missing}"


def test_every_column_issue_class_has_a_description():
    from channelxl.schema import ALL_TABLES, TEMPLATE_SHEETS, TYPES

    classes = {c.issue_code for t in (*ALL_TABLES, *TEMPLATE_SHEETS) for c in t.columns}
    classes |= {t.issue for t in TYPES.values()}
    assert classes <= set(CODES), classes - set(CODES)


def test_every_description_says_something():
    assert all(text.strip() for text in CODES.values())


def test_received_columns_report_their_own_class():
    """A bad quantity is QUAN, a bad price PRIC, an unknown reseller PART: the class is
    declared on the column, not guessed from its name."""
    from channelxl.schema import ACTIVITIES, INVENTORY, SELL_THROUGH, SHIPMENTS

    assert SELL_THROUGH.column("Quantity").issue_code == "QUAN"
    assert SELL_THROUGH.column("Unit Price").issue_code == "PRIC"
    assert SELL_THROUGH.column("Reseller ID").issue_code == "PART"
    assert SELL_THROUGH.column("SKU").issue_code == "PROD"
    assert SELL_THROUGH.column("Invoice Number").issue_code == "DOCU"
    assert SELL_THROUGH.column("Distributor ID").issue_code == "REF"
    assert SELL_THROUGH.column("Period").issue_code == "DATE"
    assert SELL_THROUGH.column("Invoice Date").issue_code == "DATE"
    assert SELL_THROUGH.column("Currency").issue_code == "TYPE"
    assert INVENTORY.column("In Transit").issue_code == "QUAN"
    assert SHIPMENTS.column("Order Line").issue_code == "QUAN"
    assert ACTIVITIES.column("MDF Claimed").issue_code == "PRIC"

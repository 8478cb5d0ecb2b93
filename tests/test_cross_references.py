"""Cross-references: GTIN, GLN and DUNS on the program workbook, the Cross References sheet,
and the resolver EDI lines use to turn a distributor's codes into SKUs and Reseller IDs."""

from __future__ import annotations

from types import SimpleNamespace

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from channelxl.core.cross_reference import CrossReference, Resolver
from channelxl.core.gs1 import check_digit, normal_duns, normal_gln, normal_gtin
from channelxl.io.edi.model import Code
from channelxl.io.program_workbook import check_program, write_program
from channelxl.ledger.cross_references import resolver
from channelxl.schema import PROGRAM_TABLES

# ---------------------------------------------------------------- GS1 arithmetic, by hand
# Weights 3, 1, 3... from the digit next to the check digit; the check digit takes the sum
# to a multiple of ten. UPC 03600029145: 5x3 4 1x3 9 2x3 0 0x3 0 6x3 3 0x3
# = 15+4+3+9+6+0+0+0+18+3+0 = 58 -> 2.


def test_check_digits_computed_by_hand():
    assert check_digit("03600029145") == 2  # 58 -> 60
    assert check_digit("400638133393") == 1  # EAN-13 4006381333931: 89 -> 1
    assert check_digit("61414100001") == 2  # 48 -> 50


def test_gtin_forms_of_one_item_are_one_gtin_14():
    assert normal_gtin("036000291452") == "00036000291452"  # UPC-12
    assert normal_gtin("0036000291452") == "00036000291452"  # EAN-13
    assert normal_gtin("00036000291452") == "00036000291452"  # GTIN-14
    assert normal_gtin("0 36000 29145 2") == "00036000291452"  # as printed
    assert normal_gtin("96385074") == "00000096385074"  # GTIN-8


def test_gtins_refused_with_what_is_wrong():
    with pytest.raises(ValueError, match="check digit, should be 2"):
        normal_gtin("036000291453")
    with pytest.raises(ValueError, match="it has 11 digits"):
        normal_gtin("03600029145")
    with pytest.raises(ValueError, match="digits only"):
        normal_gtin("03600029145X")
    assert normal_gln("4006381333931") == "4006381333931"
    with pytest.raises(ValueError, match="GLN"):
        normal_gln("4006381333932")
    assert normal_duns("15-048-3782") == "150483782"
    with pytest.raises(ValueError, match="9 digits"):
        normal_duns("15048378")


# ---------------------------------------------------------------- the resolver, by hand
def small_resolver() -> Resolver:
    return Resolver(
        products=[("SKU-A", "00036000291452"), ("SKU-B", None), ("SKU-C", None)],
        resellers=[("R1", "4006381333931", "150483782"), ("R2", None, None)],
        references=[
            CrossReference("D001", "product", "distributor part number", "ab-100", "SKU-B"),
            CrossReference(None, "product", "distributor part number", "AB-100", "SKU-C"),
            CrossReference(None, "product", "manufacturer part number", "M-9", "SKU-C"),
            CrossReference(None, "product", "gtin", "4006381333931", "SKU-B"),
            CrossReference("D001", "reseller", "account number", "7001", "R2"),
        ],
    )


def test_each_product_qualifier_looked_up_where_it_belongs():
    r = small_resolver()
    assert r.product("D001", (Code("036000291452", "UP"),)) == ("SKU-A", None)
    assert r.product("D001", (Code("0036000291452", "EN"),)) == ("SKU-A", None)
    assert r.product("D001", (Code("SKU-B", "VP"),)) == ("SKU-B", None)
    # a GTIN on Cross References only (not on Products)
    assert r.product("D002", (Code("4006381333931", "EN"),)) == ("SKU-B", None)
    # the distributor's own row wins over the row for any distributor, in any letter case
    assert r.product("D001", (Code("AB-100", "BP"),)) == ("SKU-B", None)
    assert r.product("D002", (Code("AB-100", "BP"),)) == ("SKU-C", None)
    # a manufacturer part number: Cross References, else the SKU itself
    assert r.product("D002", (Code("M-9", "MG"),)) == ("SKU-C", None)
    assert r.product("D002", (Code("SKU-A", "MF"),)) == ("SKU-A", None)
    # EANCOM: LIN SRV is a GTIN, PIA SA the supplier's (your) article number
    assert r.product("D001", (Code("00036000291452", "SRV"),), standard="EDIFACT") == (
        "SKU-A",
        None,
    )
    assert r.product("D001", (Code("SKU-C", "SA"),), standard="EDIFACT") == ("SKU-C", None)


def test_each_reseller_qualifier():
    r = small_resolver()
    assert r.reseller("D001", (Code("4006381333931", "UL"),)) == ("R1", None)
    assert r.reseller("D001", (Code("150483782", "1"),)) == ("R1", None)
    assert r.reseller("D001", (Code("1504837820017", "9"),)) == ("R1", None)  # DUNS+4
    assert r.reseller("D001", (Code("15-048-3782-0017", "9"),)) == ("R1", None)
    assert r.reseller("D001", (Code("7001", "92"),)) == ("R2", None)
    assert r.reseller("D001", (Code("R1", "91"),)) == ("R1", None)  # your id, sent as seller's
    # EANCOM NAD code list agency 9 is a GLN (in X12 N1, 9 is a DUNS+4)
    assert r.reseller("D001", (Code("4006381333931", "9"),), standard="EDIFACT") == ("R1", None)
    assert r.reseller("D001", (Code("150483782", "16"),), standard="EDIFACT") == ("R1", None)


def test_an_unknown_code_names_the_code_its_qualifier_and_the_fix():
    r = small_resolver()
    sku, problem = r.product("D001", (Code("00012345678905", "UP"),))
    assert sku is None
    assert problem == (
        "product code 00012345678905 (GTIN, LIN qualifier UP) is not in GTIN on Products or "
        "Cross References for D001: add it to the GTIN column of Products, or add a Cross "
        "References row (Distributor ID D001, Kind product, Qualifier gtin, Code "
        "00012345678905, Maps To the SKU)"
    )
    _, problem = r.reseller("D002", (Code("7001", "92"),))
    assert problem.startswith(
        "reseller code 7001 (D002's account number or your Reseller ID, N1 qualifier 92) is "
        "not in Reseller ID on Resellers or Cross References for D002"
    )
    _, problem = r.product("D001", (Code("036000291453", "UP"),))
    assert "036000291453 (GTIN, LIN qualifier UP)" in problem
    assert "check digit, should be 2" in problem
    _, problem = r.product("D001", (Code("X", "ZZ"),))
    assert "qualifier ZZ, which channelxl does not read" in problem
    assert "LIN VP" in problem
    assert r.product("D001", ()) == (None, "the line names no product")


def test_two_codes_of_one_line_naming_different_products_is_a_problem():
    r = small_resolver()
    sku, problem = r.product("D001", (Code("036000291452", "UP"), Code("AB-100", "BP")))
    assert sku is None
    assert "UP 036000291452 is SKU-A" in problem and "BP AB-100 is SKU-B" in problem
    # codes that agree, or one unknown beside one known, name the product
    both = (Code("036000291452", "UP"), Code("SKU-A", "VP"), Code("nope", "BP"))
    assert r.product("D001", both) == ("SKU-A", None)


def test_an_element_named_by_the_reader_is_named_in_the_problem():
    code = SimpleNamespace(value="00012345678905", qualifier="UP", element="LIN03")
    _, problem = small_resolver().product("D001", (code,))
    assert "(GTIN, LIN03 qualifier UP)" in problem


# ---------------------------------------------------------------- property: GTIN forms
bodies = st.text(alphabet="0123456789", min_size=11, max_size=11)


@given(bodies)
def test_any_gtin_12_and_its_longer_forms_resolve_to_one_sku(body):
    upc = body + str(check_digit(body))
    r = Resolver([("THE-SKU", upc)], [])
    for code in (Code(upc, "UP"), Code("0" + upc, "EN"), Code("00" + upc, "UK")):
        assert r.product("D001", (code,)) == ("THE-SKU", None)
    assert r.product("D001", (Code("0" + upc, "SRV"),), standard="EDIFACT") == ("THE-SKU", None)


@given(bodies, st.integers(0, 11), st.integers(1, 9))
def test_a_one_digit_change_is_refused_by_the_check_digit(body, position, shift):
    upc = body + str(check_digit(body))
    changed = upc[:position] + str((int(upc[position]) + shift) % 10) + upc[position + 1 :]
    r = Resolver([("THE-SKU", upc)], [])
    sku, problem = r.product("D001", (Code(changed, "UP"),))
    assert sku is None and "check digit" in problem


# ---------------------------------------------------------------- the program workbook
@pytest.fixture
def program_path(tmp_path, small_channel):
    return write_program(tmp_path / "program.xlsx", small_channel.program, small_channel.settings)


def column_letter(sheet: str, name: str) -> str:
    table = next(t for t in PROGRAM_TABLES if t.title == sheet)
    return "ABCDEFGHIJKLMNOP"[[c.name for c in table.columns].index(name)]


def edit(path, sheet: str, changes: dict[str, object]) -> None:
    wb = openpyxl.load_workbook(path)
    for ref, value in changes.items():
        wb[sheet][ref] = value
    wb.save(path)


def errors_at(issues):
    return {(i.code, i.sheet, i.cell): i.message for i in issues if i.severity == "error"}


def test_synthetic_identifiers_read_back_in_normal_form(program_path, small_channel):
    program, issues = check_program(program_path)
    assert program is not None, [str(i) for i in issues if i.severity == "error"]
    # SWI-0001's UPC 614141000012 (check digit 2, by hand above) kept as GTIN-14
    first = program.products.iloc[0]
    assert (first.sku, first.gtin) == ("SWI-0001", "00614141000012")
    r1 = program.resellers.iloc[0]
    assert (r1.gln, r1.duns) == ("4099990000011", "150000001")
    assert program.resellers.duns.iloc[2] is None  # every third reseller has none
    refs = program.cross_references
    assert len(refs) == len(small_channel.program["cross_references"]) == 8 * 5 + 1
    assert refs.distributor_id.iloc[-1] is None  # the row for any distributor


def test_a_gtin_typed_as_a_number_gets_its_leading_zeros_back(program_path):
    g = column_letter("Products", "GTIN")
    edit(program_path, "Products", {f"{g}2": 36000291452})  # Excel dropped the 0 of a UPC
    program, issues = check_program(program_path)
    assert program is not None, [str(i) for i in issues if i.severity == "error"]
    assert program.products.gtin.iloc[0] == "00036000291452"


def test_bad_identifiers_refused_at_their_cells(program_path):
    g, gl, du = (
        column_letter("Products", "GTIN"),
        column_letter("Resellers", "GLN"),
        column_letter("Resellers", "DUNS"),
    )
    edit(program_path, "Products", {f"{g}2": "614141000013"})
    edit(program_path, "Resellers", {f"{gl}3": "40999900000", f"{du}4": "1500-0004"})
    program, issues = check_program(program_path)
    found = errors_at(issues)
    assert program is None
    assert "should be 2" in found[("TYPE", "Products", f"{g}2")]
    assert "13 digits" in found[("TYPE", "Resellers", f"{gl}3")]
    assert "9 digits" in found[("TYPE", "Resellers", f"{du}4")]


def test_one_gtin_on_two_skus_is_refused_even_written_differently(program_path):
    g = column_letter("Products", "GTIN")
    # row 2 is SWI-0001 with UPC 614141000012; row 4 gets the same item as an EAN-13
    edit(program_path, "Products", {f"{g}4": "0614141000012"})
    _, issues = check_program(program_path)
    message = errors_at(issues)[("DUPL", "Products", f"{g}4")]
    assert message.startswith("GTIN 00614141000012 is already SKU SWI-0001's (row 2)")
    gl = column_letter("Resellers", "GLN")
    edit(program_path, "Resellers", {f"{gl}3": "4099990000011"})
    _, issues = check_program(program_path)
    assert ("DUPL", "Resellers", f"{gl}3") in errors_at(issues)


def test_one_edi_id_on_two_distributors_is_refused_at_its_cell(program_path, small_channel):
    # D001 sends X12 from 080000001; D002 given the same id (letter case and spaces aside)
    # would make every interchange from it name two distributors
    (d001,) = small_channel.program["distributors"][0]["edi_ids"]
    e = column_letter("Distributors", "EDI IDs")
    edit(program_path, "Distributors", {f"{e}3": f" {d001.lower()} , D002-OWN"})
    program, issues = check_program(program_path)
    assert program is None
    message = errors_at(issues)[("DUPL", "Distributors", f"{e}3")]
    assert message.startswith(f"EDI ID {d001.lower()} is already D001's (row 2)")


def add_rows(path, rows: list[list]) -> int:
    """Append Cross References rows; returns the sheet row of the first one added."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Cross References"]
    first = ws.max_row + 1
    for row in rows:
        ws.append(row)
    wb.save(path)
    return first


def test_cross_reference_rows_checked_at_their_cells(program_path):
    n = add_rows(
        program_path,
        [
            ["D001", "product", "distributor part number", "X-1", "NOPE-1"],  # unknown SKU
            ["D001", "product", "gln", "4006381333931", "SWI-0001"],  # not a product's
            [None, "product", "gtin", "614141000013", "SWI-0001"],  # bad check digit
            [None, "product", "distributor part number", "y-7", "SWI-0001"],
            [None, "product", "distributor part number", "Y-7", "ROU-0002"],  # conflict
            [None, "product", "gtin", "0614141000029", "SWI-0001"],  # ROU-0002's GTIN
            ["D001", "reseller", "account number", "100001", "R00002"],  # synthetic: R00001
        ],
    )
    _, issues = check_program(program_path)
    found = errors_at(issues)
    sheet = "Cross References"
    assert "NOPE-1 is not a SKU on the Products sheet" in found[("REF", sheet, f"E{n}")]
    assert "gln is not a qualifier of a product's code" in found[("TYPE", sheet, f"C{n + 1}")]
    assert "check digit" in found[("TYPE", sheet, f"D{n + 2}")]
    assert found[("DUPL", sheet, f"E{n + 4}")].startswith(
        f"product code Y-7 (distributor part number) for any distributor maps to SWI-0001 on "
        f"row {n + 3} and to ROU-0002 here"
    )
    assert "already ROU-0002's GTIN on Products" in found[("DUPL", sheet, f"E{n + 5}")]
    assert "maps to R00001 on row" in found[("DUPL", sheet, f"E{n + 6}")]


def test_a_workbook_from_before_cross_references_is_still_valid(program_path):
    wb = openpyxl.load_workbook(program_path)
    del wb["Cross References"]
    for sheet, names in (("Products", ["GTIN"]), ("Resellers", ["DUNS", "GLN"])):
        ws = wb[sheet]
        for name in ws.tables.copy():
            del ws.tables[name]
        for column in names:  # the last columns: delete from the right
            ws.delete_cols(ord(column_letter(sheet, column)) - ord("A") + 1)
    wb.save(program_path)
    program, issues = check_program(program_path)
    assert program is not None, [str(i) for i in issues if i.severity == "error"]
    assert len(program.cross_references) == 0
    assert program.products.gtin.isna().all() and program.resellers.gln.isna().all()
    assert any(
        i.code == "SHEET" and i.severity == "warning" and "Cross References" in i.message
        for i in issues
    )


# ---------------------------------------------------------------- from the ledger
def test_the_ledger_resolver_reads_the_loaded_program(empty_workspace):
    with empty_workspace.open_ledger() as led:
        r = resolver(led)
    # SWI-0001's UPC in each of its lengths and by D001's own part number
    for code in (
        Code("614141000012", "UP"),
        Code("0614141000012", "EN"),
        Code("00614141000012", "UK"),
        Code("D001-P0001", "BP"),
        Code("MPN-SWI0001", "MG"),
    ):
        assert r.product("D001", (code,)) == ("SWI-0001", None), code
    # D001's part number means nothing from D002
    sku, problem = r.product("D002", (Code("D001-P0001", "BP"),))
    assert sku is None and "D002's part number" in problem
    assert r.reseller("D001", (Code("100001", "92"),)) == ("R00001", None)
    assert r.reseller("D001", (Code("4099990000011", "UL"),)) == ("R00001", None)
    assert r.reseller("D001", (Code("4099990000011", "9"),), standard="EDIFACT") == (
        "R00001",
        None,
    )


def test_a_ledger_from_before_the_columns_is_rebuilt_and_reloaded(empty_workspace):
    with empty_workspace.open_ledger() as led:
        led.con.execute("ALTER TABLE products DROP COLUMN gtin")
        led.con.execute("DROP TABLE cross_references")
        led.con.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
        led.con.execute("UPDATE meta SET value = 'old' WHERE key = 'schema_sha256'")
    with empty_workspace.open_ledger() as led:
        r = resolver(led)
        assert led.count("cross_references") > 0
    assert r.product("D001", (Code("614141000012", "UP"),)) == ("SWI-0001", None)

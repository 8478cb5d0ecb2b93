"""CSV files channelxl writes cannot run formulas when opened in a spreadsheet."""

from __future__ import annotations

import csv

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from channelxl.io.csvfile import FORMULA_START, safe_cell, write_csv, write_frame_csv


def test_formula_text_gets_an_apostrophe_and_numbers_do_not():
    assert safe_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("-2+3") == "'-2+3"
    assert safe_cell("\tcmd") == "'\tcmd"
    assert safe_cell("-12600.06") == "-12600.06"  # an amount written as text stays a number
    assert safe_cell("+1.5e3") == "+1.5e3"
    assert safe_cell(-5) == -5 and safe_cell(None) is None
    assert safe_cell("Acme") == "Acme"
    assert safe_cell("-") == "'-" and safe_cell("-e5") == "'-e5"


@given(st.text())
def test_no_text_leaves_starting_like_a_formula_unless_it_is_a_number(text):
    out = safe_cell(text)
    if out.startswith(FORMULA_START):
        float(out.strip().replace(",", ""))  # only plain numbers may


def test_files_read_back_with_the_text_kept(tmp_path):
    path = write_csv(tmp_path / "a.csv", ["Name", "Amount"], [["=1+1", "-3.50"], ["Zed", 2]])
    with open(path, newline="", encoding="utf-8") as fh:
        assert list(csv.reader(fh)) == [["Name", "Amount"], ["'=1+1", "-3.50"], ["Zed", "2"]]
    frame = pd.DataFrame(
        {"name": ["@evil", "ok"], "qty": [-1, 2], "when": pd.to_datetime(["2026-07-01", None])}
    )
    path = write_frame_csv(tmp_path / "b.csv", frame)
    assert path.read_text(encoding="utf-8").splitlines() == [
        "name,qty,when",
        "'@evil,-1,2026-07-01",
        "ok,2,",
    ]
    assert not [p for p in tmp_path.iterdir() if ".tmp" in p.name]

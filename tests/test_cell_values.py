"""A cell's raw value: blank or not, and the day an Excel serial number is.

The anchors are Excel's own: serial 61 is 1900-03-01 (60 is Excel's fictitious
1900-02-29), 45931 is 2025-10-01, 2958465 is 9999-12-31, the last day Excel shows.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from channelxl.core.cell_values import excel_serial_to_date, is_blank
from channelxl.io import cells


def test_excel_anchors():
    assert excel_serial_to_date(61) == date(1900, 3, 1)
    assert excel_serial_to_date(45931) == date(2025, 10, 1)
    assert excel_serial_to_date(2958465) == date(9999, 12, 31)


@given(
    st.integers(min_value=61, max_value=2958464),
    st.floats(min_value=0, max_value=0.999999, allow_nan=False),
)
def test_a_serial_is_one_day_each_and_its_time_of_day_is_dropped(serial, time_of_day):
    day = excel_serial_to_date(serial)
    assert excel_serial_to_date(serial + 1) == day + timedelta(days=1)
    # Office.js passes a date with a time (=NOW()) as serial + fraction of a day
    assert excel_serial_to_date(serial + time_of_day) == day


def test_blank_is_nothing_or_whitespace_but_not_zero():
    assert is_blank(None) and is_blank("") and is_blank("  \t")
    # a zero is a value here; where Office.js' 0 means blank, excel.convert decides
    assert not any(is_blank(v) for v in (0, 0.0, "0", False, "x"))


def test_the_file_readers_use_the_same_two_rules():
    assert cells.is_blank is is_blank
    assert cells.excel_serial_to_date is excel_serial_to_date

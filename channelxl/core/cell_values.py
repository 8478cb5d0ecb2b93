"""What a spreadsheet cell's raw value means, before any column type is applied.

Two facts every reader of cells shares: which values are blank, and which day an Excel
serial number is. They live here, with nothing but the standard library, because the
Excel functions need them in xlwings Lite (Python in the browser, Pyodide), where the file
readers' packages (babel, pycountry, python-calamine) are neither available nor wanted;
``channelxl.io.cells`` re-exports both for the file readers.
"""

from __future__ import annotations

from datetime import date, timedelta

# serial 1 = 1900-01-01: counting from 1899-12-30 absorbs Excel's 1900 leap-year bug for
# every date from 1900-03-01 on (serial 61), i.e. every date a channel program holds.
EXCEL_EPOCH = date(1899, 12, 30)


def is_blank(value: object) -> bool:
    """A cell that holds nothing: ``None``, or text of whitespace only (``""``, ``"  "``)."""
    return value is None or (isinstance(value, str) and not value.strip())


def excel_serial_to_date(serial: float) -> date:
    """Excel 1900-system serial number -> date: EXCEL_EPOCH + int(serial) days.

    The fraction (a time of day) is dropped: serial 45931 and 45931.75 are both
    2025-10-01.
    """
    return EXCEL_EPOCH + timedelta(days=int(serial))

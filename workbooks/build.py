"""Rebuild the checked-in analyst workbooks: ``python workbooks/build.py``.

A test fails while a checked-in workbook differs (cell by cell) from what this builds.
"""

from pathlib import Path

from channelxl.excel.analyst_workbooks import build_all

if __name__ == "__main__":
    for path in build_all(Path(__file__).resolve().parent):
        print(path)

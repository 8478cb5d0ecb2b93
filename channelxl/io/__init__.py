"""Everything that touches files: workbooks, exports, CSV."""

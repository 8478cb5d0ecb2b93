"""Reference pages are generated from the declarations and must match them."""

from pathlib import Path

import pytest

from channelxl.docgen import PAGES

DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.mark.parametrize("name", sorted(PAGES))
def test_generated_page_is_current(name):
    assert (DOCS / name).read_text() == PAGES[name](), (
        f"run: python -m channelxl.docgen ({name} is stale)"
    )

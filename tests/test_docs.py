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


def test_the_readme_python_example_runs(loaded_channel, tmp_path, capsys):
    """The README's Python example, as written, on a copy of a loaded working folder."""
    import re
    import shutil

    ws, quarter = loaded_channel
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(.*?)```", readme, re.S).group(1)
    folder = tmp_path / "acme-channel"
    shutil.copytree(ws.root, folder)
    code = code.replace('"acme-channel"', repr(str(folder))).replace('"2026Q3"', f'"{quarter}"')
    exec(compile(code, "README.md", "exec"), {})
    shown = capsys.readouterr().out
    assert f"{quarter}: " in shown and "program evaluations" in shown and "rows reconciled" in shown
    assert (folder / "reports" / str(quarter) / f"rebates_{quarter}.xlsx").exists()

"""Nothing a distributor receives carries another distributor's data.

``outbox/`` is what is sent out (templates, feedback on a distributor's own file). After
``channelxl demo`` every file there names exactly one distributor, and no cell of its
workbooks and no value of its JSON holds another distributor's id or name; exports of
the whole channel and the issues of every sender are in ``reports/``.
"""

from __future__ import annotations

import json
import re

import pytest
from helpers import run_cli
from openpyxl import load_workbook

DEMO = ("--distributors", "6", "--resellers", "60", "--skus", "20", "--months", "6")
DEMO += ("--lines", "800")
# a distributor id in a file name: sellthrough_D004_2026-09.xlsx, feedback_..._D004.csv_...
OWNER = re.compile(r"(?<![A-Za-z0-9])(D\d{3})(?!\d)")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("outbox") / "demo"
    r = run_cli("demo", "--dir", root, *DEMO)
    assert r.returncode == 0, r.stderr
    program = load_workbook(root / "program.xlsx", read_only=True)
    rows = list(program["Distributors"].iter_rows(values_only=True))
    header = [str(h).casefold() for h in rows[0]]
    i_id, i_name = header.index("distributor id"), header.index("name")
    names = {row[i_id]: row[i_name] for row in rows[1:] if row[i_id]}
    return root, names


def _texts(path) -> list[str]:
    """Every value a recipient can read in the file: each cell (and its note) of each
    sheet, hidden ones and document properties included, or each JSON value and key."""
    if path.suffix == ".json":
        out = []

        def walk(x):
            if isinstance(x, dict):
                for k, v in x.items():
                    out.append(str(k))
                    walk(v)
            elif isinstance(x, list):
                for v in x:
                    walk(v)
            elif x is not None:
                out.append(str(x))

        walk(json.loads(path.read_text(encoding="utf-8")))
        return out
    wb = load_workbook(path)
    out = [str(v) for v in vars(wb.properties).values() if v is not None]
    out += [str(p.value) for p in wb.custom_doc_props.props]
    for ws in wb.worksheets:
        out.append(ws.title)
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    out.append(str(cell.value))
                if cell.comment is not None:
                    out.append(cell.comment.text)
    out += [str(n.attr_text) for n in wb.defined_names.values()]
    return out


def test_every_file_in_the_outbox_is_one_distributors_and_names_no_other(demo):
    root, names = demo
    assert len(names) == 6
    sent = sorted(p for p in (root / "outbox").iterdir() if p.is_file())
    assert len(sent) >= 6 + 2  # a template per distributor and some feedback
    for path in sent:
        owners = set(OWNER.findall(path.name)) & set(names)
        assert len(owners) == 1, f"{path.name} does not name exactly one distributor"
        (owner,) = owners
        if path.suffix in (".x12", ".edi"):  # an EDI acknowledgement, to the sender's EDI id
            assert path.name.startswith(("997_", "CONTRL_")), path.name
            text = path.read_text(encoding="latin-1")
        else:
            assert path.suffix in (".xlsx", ".json"), path.name
            text = "\n".join(_texts(path))
            assert owner in text or names[owner] in text, f"{path.name} does not say whose it is"
        for other, name in names.items():
            if other == owner:
                continue
            assert not re.search(rf"\b{other}\b", text), f"{path.name} holds {other}"
            assert name not in text, f"{path.name} holds {name!r}"


def test_exports_of_the_whole_channel_stay_with_the_vendor(demo):
    root, _ = demo
    assert not list((root / "outbox").glob("sell_through_*"))
    assert not list((root / "outbox").glob("*issues*"))
    (export,) = root.glob("reports/*/sell_through_*.xlsx")
    assert (root / "reports" / "ingest_issues.csv").exists()
    # the export does hold every distributor's lines: that is why it is not sent
    ids = {str(v) for v in _texts(export) if re.fullmatch(r"D\d{3}", str(v))}
    assert len(ids) > 1


def test_each_review_names_only_its_distributor(demo):
    """A review (and the facts file beside it) is read by its distributor's people."""
    root, names = demo
    (index,) = root.glob("reports/*/index.html")
    manifest = json.loads((index.parent / "manifest.json").read_text())
    assert set(manifest["reports"]) == set(names)
    for d, entry in manifest["reports"].items():
        html = (index.parent / entry["html"]).read_text(encoding="utf-8")
        facts = "\n".join(_texts(next(index.parent.glob(f"**/facts/{d}.json"))))
        for text, what in ((html, "review"), (facts, "facts")):
            assert names[d] in text or d in text
            for other, name in names.items():
                if other != d:
                    assert not re.search(rf"\b{other}\b", text), f"{d}'s {what} holds {other}"
                    assert name not in text, f"{d}'s {what} holds {name!r}"

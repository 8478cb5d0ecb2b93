"""The package's layout holds: small modules, a short top level, and layers that only look down.

Layers, lowest first: ``core`` (pure) and ``schema`` (declarations); ``io`` (files, never
the ledger); ``ledger`` (DuckDB and its SQL); ``reports``; ``commands``; and the front
doors (``cli``, ``demo``, ``workspace``, ``docgen``). ``excel`` and ``synth`` stand beside
them with their own limits. Imports inside functions count too: a deferred import that
reaches up is the same layering mistake, only hidden.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "channelxl"
MAX_LINES = 600

# what each part of the package may import from channelxl (besides itself)
MAY_IMPORT = {
    "core": set(),
    "schema": {"core"},
    "issues": set(),
    "errors": {"issues"},
    "io": {"core", "schema", "issues", "errors"},
    "ledger": {"core", "schema", "issues", "errors", "io"},
    "reports": {"core", "schema", "issues", "errors", "io", "ledger"},
    "commands": {"core", "schema", "issues", "errors", "io", "ledger", "reports", "excel"},
    # the spreadsheet functions: the pure core and cell conversion only (no ledger)
    "excel": {"core", "schema", "issues", "errors", "io"},
    "synth": {"core", "schema", "issues", "errors", "io"},
}
FRONT_DOORS = {"cli", "demo", "workspace", "docgen", "__main__", "__init__"}


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(ROOT).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _imports(path: Path, module: str) -> set[str]:
    """Every channelxl module ``path`` imports, at the top or inside a function."""
    found = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("channelxl")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            if base.startswith("channelxl"):
                found.add(base)
                found |= {f"{base}.{a.name}" for a in node.names}
    return found


MODULES = _modules()


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


@pytest.mark.parametrize(
    "path",
    sorted([*PACKAGE.rglob("*.py"), *(ROOT / "bench").rglob("*.py")]),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_no_module_is_longer_than_600_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES


def test_no_two_modules_share_a_name():
    """``facts.py`` beside ``reports/facts.py`` was a question a newcomer had to ask."""
    names = [p.name for p in PACKAGE.rglob("*.py") if p.name != "__init__.py"]
    assert sorted({n for n in names if names.count(n) > 1}) == []


def test_the_top_level_holds_front_doors_and_cross_cutting_types_only():
    top = sorted(p.stem for p in PACKAGE.glob("*.py"))
    assert len(top) <= 9, top
    assert set(top) <= FRONT_DOORS | {"errors", "issues"}, top


@pytest.mark.parametrize("module", sorted(MODULES), ids=str)
def test_a_module_imports_only_from_its_own_layer_or_below(module):
    part = _part(module)
    if part in FRONT_DOORS:
        return
    allowed = MAY_IMPORT[part] | {part}
    used = {_part(m) for m in _imports(MODULES[module], module) if m in MODULES or "." in m}
    wrong = sorted(p for p in used if p not in allowed and p != "__init__")
    assert not wrong, f"{module} imports from {wrong}"


def test_no_import_cycle_between_modules():
    """Deferred imports included: a cycle hidden inside a function is still a cycle."""
    graph = defaultdict(set)
    for module, path in MODULES.items():
        for target in _imports(path, module):
            # "channelxl.x.y.name" imports module "channelxl.x.y" when "name" is not a module
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != module and not module.startswith(target + "."):
                graph[module].add(target)
    seen, active, cycles = set(), [], []

    def visit(m):
        if m in active:
            cycles.append([*active[active.index(m) :], m])
            return
        if m in seen:
            return
        seen.add(m)
        active.append(m)
        for n in sorted(graph[m]):
            visit(n)
        active.pop()

    for m in sorted(MODULES):
        visit(m)
    assert not cycles, cycles[:3]


def test_every_column_type_has_a_parser_and_every_parser_a_type():
    from channelxl.io.cells import PARSERS
    from channelxl.schema import TYPES

    assert set(PARSERS) == set(TYPES)


def test_settings_have_one_set_of_defaults():
    """The typed record the ledger hands out defaults to the declarations, nothing else."""
    from decimal import Decimal

    from channelxl.schema import SETTINGS, Settings, settings_from_text

    declared = {s.field: s.value(s.default) for s in SETTINGS}
    assert vars(Settings()) == declared == vars(settings_from_text({}))
    assert Settings().tolerance_units == 2 and Settings().tolerance_percent == Decimal("0.02")
    given = settings_from_text({"tolerance_units": "5", "report_due_day": "12", "other": "x"})
    assert (given.tolerance_units, given.report_due_day) == (5, 12)

"""Dependencies run one way: world <- judge <- suites; the defendant stands apart.

- world (`fixtures/`, `stormproof.fixtures`): the real servers and the processes around them.
- judge (`stormproof/`): effects, operation history, checker, reports, doctor, replay.
- suites (`suites/`, `bench/`, and in `examples/<app>/` only `stormproof_adapter.py` and
  `tests/`): drive workloads and faults, call the judge.
- defendant (`reference/`, `stormproof.reference`, and the rest of each `examples/<app>/`: a
  team's app and its broken twins): imports none of the above, and none of
  the above imports it. It is started as a process by a command, or its workflow classes
  are loaded from a `module:attr` string a user can change, so any worker can stand in.

Every import counts: module level, inside functions, under TYPE_CHECKING, and the module
names in `pytest_plugins`, because each is an edge that makes a layer need another. The
check is a test so the layering cannot rot; `test_a_back_edge_is_reported` proves it fails.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# checkout folder -> the package it installs as (pyproject.toml [tool.setuptools.package-dir])
FOLDERS = {
    "fixtures": "stormproof.fixtures",
    "stormproof": "stormproof",
    "suites": "stormproof.suites",
    "reference": "stormproof.reference",
    "bench": "bench",
    "examples": "examples",
}
WORLD, JUDGE, SUITES, DEFENDANT = "world", "judge", "suites", "defendant"
RANK = {WORLD: 0, JUDGE: 1, SUITES: 2}


def layer_of(module: str) -> str | None:
    """The layer of a module of this project, or None for a third-party module."""
    first = module.split(".")[0]
    if first == "bench":
        return SUITES
    if first == "examples":  # a team's app is judged; only its adapter and tests judge it
        parts = module.split(".")
        return SUITES if "tests" in parts or parts[-1] == "stormproof_adapter" else DEFENDANT
    if first != "stormproof":
        return None
    second = module.split(".")[1] if "." in module else ""
    return {"fixtures": WORLD, "suites": SUITES, "reference": DEFENDANT}.get(second, JUDGE)


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    parts[0] = FOLDERS[parts[0]]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(source: str, module: str) -> set[str]:
    """Every module `source` imports, absolute, including pytest_plugins entries."""
    found: set[str] = set()
    package = module.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
        elif (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "pytest_plugins" for t in node.targets)
            and isinstance(node.value, ast.List | ast.Tuple)
        ):
            found.update(
                e.value
                for e in node.value.elts
                if isinstance(e, ast.Constant) and isinstance(e.value, str)
            )
    return found


def violations(sources: dict[str, str]) -> list[str]:
    """Edges against the order, as 'importer (layer) -> imported (layer)' lines."""
    bad: list[str] = []
    for module, source in sorted(sources.items()):
        mine = layer_of(module)
        for target in sorted(imported_modules(source, module)):
            theirs = layer_of(target)
            if mine is None or theirs is None:
                continue
            if mine == DEFENDANT and theirs != DEFENDANT:
                bad.append(f"{module} (defendant) imports the {theirs}: {target}")
            elif mine != DEFENDANT and theirs == DEFENDANT:
                bad.append(f"{module} ({mine}) imports the defendant: {target}")
            elif mine != DEFENDANT and RANK[theirs] > RANK[mine]:
                bad.append(f"{module} ({mine}) imports upward into the {theirs}: {target}")
    return bad


def project_sources() -> dict[str, str]:
    sources: dict[str, str] = {}
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "__pycache__" not in path.parts:
                sources[module_name(path)] = path.read_text(encoding="utf-8")
    return sources


def test_dependencies_run_one_way() -> None:
    sources = project_sources()
    assert len(sources) > 100, f"expected the whole project, read {len(sources)} modules"
    found = violations(sources)
    assert not found, "layering: back-edges against world <- judge <- suites:\n" + "\n".join(found)


def test_a_back_edge_is_reported() -> None:
    """The check itself can fail: one deliberately added edge of each kind is caught."""
    sources = {
        "stormproof.fixtures.sink": "from stormproof.checker import Op\n",
        "stormproof.checker": "def f():\n    import stormproof.suites.chaos.conftest\n",
        "stormproof.fixtures.plugin": 'pytest_plugins = ["stormproof.chaos.world"]\n',
        "stormproof.reference.worker": "from stormproof.fixtures.wait import wait_for\n",
        "stormproof.effects": "from stormproof.reference.models import StoryInput\n",
        "stormproof.chaos.run": "from stormproof.checker import check\n",  # allowed
        "examples.app.worker": "from stormproof.adapter import Unit\n",
        "examples.app.stormproof_adapter": "from stormproof.adapter import Unit\n",  # allowed
    }
    found = violations(sources)
    assert len(found) == 6, found
    assert not any(line.startswith("stormproof.chaos.run") for line in found), found


def test_relative_imports_are_resolved() -> None:
    edges = imported_modules("from ..checker import Op\n", "stormproof.fixtures.history")
    assert edges == {"stormproof.checker"}, edges


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def report_imports_of_the_engine(sources: dict[str, str]) -> list[str]:
    """stormproof.report never imports stormproof.chaos: the engine builds the report's
    ChaosRecord and meets its plugin through typed keys on the test item, so the report
    reads only records and keys (and cannot reach into the engine's objects)."""
    return [
        f"{module} imports the chaos engine: {target}"
        for module, source in sorted(sources.items())
        if within(module, "stormproof.report")
        for target in sorted(imported_modules(source, module))
        if within(target, "stormproof.chaos")
    ]


def test_the_report_never_imports_the_chaos_engine() -> None:
    found = report_imports_of_the_engine(project_sources())
    assert not found, "\n".join(found)
    planted = {"stormproof.report.table": "from stormproof.chaos.run import ChaosRun\n"}
    assert report_imports_of_the_engine(planted), "the check itself can fail"

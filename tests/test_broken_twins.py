"""The broken twins' registry is complete, runnable, and the only home of twins.

A negative control that cannot start proves nothing, one without a named check is
orphaned, and a twin defined outside reference/broken/ escapes the registry's list.
These checks start no server: process twins are asked for --help, workflow twins are
loaded from their `module:attr` string as the replay suite loads them.
"""

from __future__ import annotations

import ast
import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

from stormproof.fixtures.twins import BROKEN_PACKAGE, PATCHED_SPEC, broken_argv, broken_spec
from stormproof.reference.broken import REGISTRY, TWINS, Kind, Twin, load
from stormproof.replay.replayer import load_workflows, workflow_name

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "reference"
BROKEN = REFERENCE / "broken"
PROCESS_KINDS = {Kind.WORKER, Kind.SERVED, Kind.API, Kind.IMPOSTOR}
TEST_FILE = re.compile(r"suites/[\w/]+\.py")


def _run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, cwd=ROOT)


def _ids(twins: tuple[Twin, ...] | list[Twin]) -> list[str]:
    return [t.name for t in twins]


PROCESSES = [t for t in REGISTRY if t.kind in PROCESS_KINDS]
# Starting a process twin costs seconds and every twin of a kind starts the same way, so the
# --help probe runs the first of each kind and every twin with argv or env of its own; the
# negative-control tests start every twin for real.
STARTED = [
    t for t in PROCESSES if t.argv or t.env or t is next(p for p in PROCESSES if p.kind is t.kind)
]
WORKFLOWS = [t for t in REGISTRY if t.kind is Kind.WORKFLOW]


def test_names_are_unique() -> None:
    assert len(TWINS) == len(REGISTRY), _ids(REGISTRY)


@pytest.mark.parametrize("twin", REGISTRY, ids=_ids(REGISTRY))
def test_every_target_imports(twin: Twin) -> None:
    target = load(twin.target)
    if twin.kind is Kind.WORKFLOW:
        assert workflow_name(target) == "ReportWorkflow", twin.target
    else:
        assert callable(target), twin.target


@pytest.mark.parametrize("twin", STARTED, ids=_ids(STARTED))
def test_process_twins_start_to_their_help(twin: Twin) -> None:
    done = _run([*broken_argv(twin.name), "--help"])
    assert done.returncode == 0, done.stderr
    assert "usage:" in done.stdout and "--task-queue" in done.stdout, done.stdout


@pytest.mark.parametrize("twin", WORKFLOWS, ids=_ids(WORKFLOWS))
def test_every_workflow_twin_loads_by_its_name(twin: Twin) -> None:
    """`stormproof.reference.broken:NAME` is the string the replay suite loads."""
    classes = load_workflows(broken_spec(twin.name))
    assert classes == [load(twin.target)]


def test_a_workflow_twin_run_by_name_prints_its_spec() -> None:
    done = _run(broken_argv("activities_reordered"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == broken_spec("activities_reordered")


def test_the_patched_fix_loads_and_is_not_a_twin() -> None:
    (patched,) = load_workflows(PATCHED_SPEC)
    assert workflow_name(patched) == "ReportWorkflow"
    assert all(load(t.target) is not patched for t in WORKFLOWS)


def test_the_help_prints_the_registry() -> None:
    for argv in ([], ["--help"]):
        done = _run([sys.executable, "-m", BROKEN_PACKAGE, *argv])
        assert done.returncode == 0, done.stderr
        for twin in REGISTRY:
            assert f"{twin.name}  [{twin.kind}]" in done.stdout, done.stdout
            assert twin.rejected_by in done.stdout, twin.name


def test_an_unknown_name_is_refused() -> None:
    done = _run(broken_argv("no_such_twin"))
    assert done.returncode == 2
    assert "unknown twin 'no_such_twin'" in done.stderr


@pytest.mark.parametrize("twin", REGISTRY, ids=_ids(REGISTRY))
def test_every_twin_names_the_check_that_rejects_it(twin: Twin) -> None:
    """A one-line `rejected_by`, naming test files that exist and mention the twin."""
    assert twin.rejected_by.strip() and "\n" not in twin.rejected_by, twin.name
    assert twin.defect.strip(), twin.name
    files = TEST_FILE.findall(twin.rejected_by)
    assert files, f"{twin.name}: rejected_by names no suites/... test file"
    for file in files:
        path = ROOT / file
        assert path.is_file(), f"{twin.name}: {file} does not exist"
        assert twin.name.lower() in path.read_text().lower(), f"{file} never names {twin.name}"


@pytest.mark.parametrize(
    ("module", "kind"), [("workflows", Kind.WORKFLOW), ("served", Kind.SERVED)]
)
def test_every_workflow_class_in_the_twins_modules_is_registered(module: str, kind: Kind) -> None:
    loaded = importlib.import_module(f"{BROKEN_PACKAGE}.{module}")
    classes = [
        value
        for value in vars(loaded).values()
        if isinstance(value, type)
        and value.__module__ == loaded.__name__
        and "__temporal_workflow_definition" in vars(value)
    ]
    targets = {load(t.target) for t in REGISTRY if t.kind is kind}
    unregistered = [c.__name__ for c in classes if c not in targets]
    assert classes and not unregistered, f"workflow twins not in the registry: {unregistered}"


def _defined_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
    }


def test_no_twin_lives_outside_reference_broken() -> None:
    outside = [p for p in REFERENCE.rglob("*.py") if BROKEN not in p.parents]
    misplaced = [
        str(p.relative_to(ROOT))
        for p in outside
        if re.search(r"variant|broken|foreign", p.stem, re.IGNORECASE)
    ]
    assert not misplaced, f"twins belong in reference/broken/: {misplaced}"
    # The defects' own names (NotifiesBeforeStoring, sdk_retries, ...); the impostor's
    # entry is a plain main(argv), and a twin's name alone may be an honest function's.
    twin_names = {t.target.partition(":")[2] for t in REGISTRY} - {"main"}
    copies = {
        str(p.relative_to(ROOT)): sorted(_defined_names(p) & twin_names)
        for p in outside
        if _defined_names(p) & twin_names
    }
    assert not copies, f"twins defined outside reference/broken/: {copies}"

"""docs/CONTRACT_MATRIX.md stays true: no contract rule without a check and a control.

It joins the matrix table (stormproof/contract_matrix.toml) with the twins' registry and the
contract itself, and fails when:
- a backticked term of docs/CONTRACT.md is covered by no rule (a new field, variable or
  error type was added to the contract without a row);
- a rule names a check that does not exist, or a control that is not a twin, or a twin
  whose `rejected_by` names none of the rule's check files;
- a rule's control is rejected by no test that asserts the rule's class;
- a twin of the registry is no rule's control (an orphaned negative control);
- the Markdown is not what the table renders (`python -m tests.test_contract_matrix`
  rewrites it).
"""

from __future__ import annotations

import ast
import re
import sys
from functools import cache
from pathlib import Path

import pytest

from stormproof import failure_modes
from stormproof.contract_matrix import Matrix, load, render, squash
from stormproof.diagnosis import BugClass
from stormproof.reference.broken import REGISTRY, TWINS
from tests import example_twins

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ROOT / "docs" / "CONTRACT.md"
MARKDOWN = ROOT / "docs" / "CONTRACT_MATRIX.md"
REWRITE = f"{sys.executable} -m tests.test_contract_matrix"
TEST_FILE = re.compile(r"suites/[\w/]+\.py")


@cache
def matrix() -> Matrix:
    return load()


def contract_terms(text: str) -> set[str]:
    """Every code span of the contract, whitespace collapsed (a span may wrap a line)."""
    return {squash(span) for span in re.findall(r"`([^`]+)`", text)}


def expected_markdown() -> str:
    def described(defect: str, rejected_by: str) -> str:
        where = ", ".join(sorted({Path(f).name for f in TEST_FILE.findall(rejected_by)}))
        return f"{defect} (rejected in {where})"

    twins = {t.name: described(t.defect, t.rejected_by) for t in REGISTRY}
    modes = failure_modes.render(failure_modes.load(), twins)
    return render(matrix(), twins, [modes, example_twins.section(example_twins.example_twins())])


def test_every_contract_term_is_covered_by_a_rule() -> None:
    covered = {squash(term) for rule in matrix().rules for term in rule.covers}
    notation = {squash(term) for term in matrix().not_rules}
    missing = sorted(contract_terms(CONTRACT.read_text()) - covered - notation)
    assert not missing, f"CONTRACT.md terms no matrix rule covers: {missing}"


def test_covered_terms_are_in_the_contract() -> None:
    terms = contract_terms(CONTRACT.read_text())
    stale = sorted(
        term for rule in matrix().rules for term in rule.covers if squash(term) not in terms
    )
    assert not stale, f"the matrix covers terms CONTRACT.md no longer has: {stale}"


def test_rule_ids_are_unique() -> None:
    ids = [rule.id for rule in matrix().rules]
    assert len(ids) == len(set(ids)), ids


@cache
def defined_names(path: Path) -> set[str]:
    """The tests `path` defines, or imports to run as its own (pytest collects both)."""
    tree = ast.parse(path.read_text())
    defined = {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    imported = {
        alias.asname or alias.name
        for node in tree.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    return defined | imported


@pytest.mark.parametrize("rule", matrix().rules, ids=lambda r: r.id)
def test_every_check_exists(rule) -> None:
    for node in rule.checks:
        path, _, test = node.partition("::")
        assert (ROOT / path).is_file(), f"rule {rule.id}: {path} does not exist"
        name = test.split("[", 1)[0]
        assert name in defined_names(ROOT / path), f"rule {rule.id}: no {name} in {path}"


@pytest.mark.parametrize("rule", matrix().rules, ids=lambda r: r.id)
def test_every_control_is_a_twin_rejected_beside_the_rules_check(rule) -> None:
    """The twin's rejecting test lives in the suite of one of the rule's checks."""
    folders = {Path(node.partition("::")[0]).parent for node in rule.checks}
    for name in rule.controls:
        assert name in TWINS, f"rule {rule.id}: {name} is not a twin in the registry"
        rejecting = {Path(f) for f in TEST_FILE.findall(TWINS[name].rejected_by)}
        assert {f.parent for f in rejecting} & folders, (
            f"rule {rule.id}: {name} is rejected in {sorted(map(str, rejecting))}, in no suite "
            f"of the rule's checks {sorted(map(str, folders))}"
        )


def _names_class(text: str, bug: BugClass) -> bool:
    """`text` asserts `bug`: as BugClass.NAME (rejected_as, expect, fail), or as the doctor's
    own code for it (`wrong_worker` for wrong-worker: the doctor's diagnoses)."""
    return f"BugClass.{bug.name}" in text or f'"{bug.value.replace("-", "_")}"' in text


@pytest.mark.parametrize("rule", matrix().rules, ids=lambda r: r.id)
def test_every_control_is_rejected_with_its_rules_class(rule) -> None:
    """The class column is what the tests assert: some test file that rejects each control
    names the rule's class, so the table cannot say one class while the check shows another
    (or none: a bare assert is `unclassified`)."""
    for name in rule.controls:
        files = [ROOT / f for f in TEST_FILE.findall(TWINS[name].rejected_by)]
        text = "".join(f.read_text() for f in files if f.is_file())
        assert _names_class(text, rule.bug), (
            f"rule {rule.id}: {name} is rejected in {[str(f.relative_to(ROOT)) for f in files]}, "
            f"none of which asserts {rule.bug} (rejected_as(BugClass.{rule.bug.name}))"
        )


def test_a_control_rejected_without_the_rules_class_is_refused() -> None:
    """The check above can fail: a bare assert names no class."""
    assert not _names_class("assert not report, report", BugClass.NON_DETERMINISM)
    assert _names_class("with rejected_as(BugClass.NON_DETERMINISM):", BugClass.NON_DETERMINISM)


def _exists(node: str) -> str | None:
    """Why `node` (path::test[param]) names no test, or None."""
    path, _, test = node.partition("::")
    if not (ROOT / path).is_file():
        return f"{path} does not exist"
    name = test.split("[", 1)[0]
    return None if name in defined_names(ROOT / path) else f"no {name} in {path}"


@pytest.mark.parametrize(
    "cell", failure_modes.load().cells, ids=lambda c: f"{c.dependency}-{c.mode}"
)
def test_every_failure_mode_cell_names_tests_and_twins_that_exist(cell) -> None:
    missing = [why for node in cell.checks if (why := _exists(node))]
    assert not missing, f"{cell.dependency}/{cell.mode}: {missing}"
    folders = {Path(node.partition("::")[0]).parent for node in cell.checks}
    for name in cell.controls:
        assert name in TWINS, f"{cell.dependency}/{cell.mode}: {name} is not a twin"
        rejecting = {Path(f).parent for f in TEST_FILE.findall(TWINS[name].rejected_by)}
        assert rejecting & folders, f"{cell.dependency}/{cell.mode}: {name} is rejected elsewhere"


def test_a_failure_mode_without_a_test_or_a_gap_is_refused() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="name its checks, or its `gap`"):
        failure_modes.Cell(dependency="llm", mode="4xx", contract="final")


def test_every_twin_is_some_rules_control() -> None:
    controls = {name for rule in matrix().rules for name in rule.controls}
    orphans = sorted(twin.name for twin in REGISTRY if twin.name not in controls)
    assert not orphans, f"twins no matrix rule uses as a control: {orphans}"


def test_the_markdown_is_up_to_date() -> None:
    assert MARKDOWN.read_text() == expected_markdown(), (
        f"{MARKDOWN.relative_to(ROOT)} is stale: run `{REWRITE}`"
    )


def test_a_missing_control_is_refused() -> None:
    """The table itself refuses a rule without a check or a control."""
    from pydantic import ValidationError

    raw = matrix().model_dump(by_alias=True)
    raw["rule"][0]["controls"] = []
    with pytest.raises(ValidationError, match="controls"):
        Matrix.model_validate(raw)


if __name__ == "__main__":
    MARKDOWN.write_text(expected_markdown())
    print(f"wrote {MARKDOWN.relative_to(ROOT)}")

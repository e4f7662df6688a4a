"""Every example app's broken twin is rejected with the class its docstring names.

The contract matrix holds the reference's twins to their rules' classes
(tests/test_contract_matrix.py); here, the same for the twins of the apps under examples/
(tests/example_twins.py reads them): each names at least one bug class and one test file
of its app, some named test file runs it, and that file asserts each named class as
`BugClass.NAME` (rejected_as, expect), so a twin caught under another name, or by a bare
assert (`unclassified`), fails here. The checks can fail: a twin whose docstring names no
class, or whose test asserts another, is refused below.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from stormproof.diagnosis import BugClass
from tests.example_twins import ExampleTwin, example_twins

TWINS = example_twins()


def test_every_example_app_has_twins() -> None:
    apps = {t.app for t in TWINS}
    assert apps == {"agents_openai", "agents_pydantic", "hello_world", "routing"}, apps
    assert len(TWINS) >= 14, [t.name for t in TWINS]


@pytest.mark.parametrize("twin", TWINS, ids=lambda t: f"{t.app}-{t.name}")
def test_every_example_twin_is_rejected_with_the_class_it_names(twin: ExampleTwin) -> None:
    problems = twin.rejection_problems()
    assert not problems, "\n".join(problems)


def test_a_twin_without_a_class_or_asserted_under_another_is_refused(tmp_path: Path) -> None:
    test = tmp_path / "test_rows.py"
    test.write_text('run("leaky")\nwith rejected_as(BugClass.LOST_WORKFLOW): ...\n')
    nameless = ExampleTwin("app", "leaky", "a bug", (), (test,))
    assert "names no bug class" in nameless.rejection_problems()[0]
    other = ExampleTwin("app", "leaky", "a bug", (BugClass.DUPLICATE_EFFECT,), (test,))
    assert "never assert duplicate-effect" in other.rejection_problems()[0]
    unrun = ExampleTwin("app", "other", "a bug", (BugClass.LOST_WORKFLOW,), (test,))
    assert "runs it" in unrun.rejection_problems()[0]
    right = ExampleTwin("app", "leaky", "a bug", (BugClass.LOST_WORKFLOW,), (test,))
    assert right.rejection_problems() == []

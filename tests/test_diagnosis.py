"""Bug classes: one list, every check fails with a typed `Finding` that carries one, and the
plugin puts it in the terminal and the JUnit XML, read from the type, never the message.

The scan below is what keeps "every check names its class" from rotting: a bare `assert` or
`raise AssertionError` in a check module fails here, not in a CI log someone has to decode.
"""

from __future__ import annotations

import ast
import pickle
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from stormproof.diagnosis import (
    MEANING,
    BugClass,
    Finding,
    classify_exception,
    expect,
    fail,
    rejected_as,
)
from stormproof.fixtures.worker import NO_POLLER, NoPoller
from stormproof.report.diagnosis import PROPERTY, UNCLASSIFIED

ROOT = Path(__file__).resolve().parent.parent
# Modules whose every assertion is a verdict on the worker under test.
CHECK_MODULES = [
    "stormproof/conformance/checks.py",
    "stormproof/conformance/timing.py",
    "stormproof/chaos/recovery.py",
    "stormproof/reconnect/checks.py",
]


def test_every_class_has_a_meaning_and_a_plain_name() -> None:
    assert set(MEANING) == set(BugClass)
    for bug in BugClass:
        finding = Finding(bug, "x")
        assert classify_exception(finding) is bug and str(finding) == f"{bug.value}: x"


def test_the_world_spells_no_poller_as_the_list_does() -> None:
    assert BugClass(NO_POLLER) is BugClass.NO_POLLER
    assert classify_exception(NoPoller("nothing polls q")) is BugClass.NO_POLLER


def test_the_class_is_read_from_the_type_never_the_message() -> None:
    assert classify_exception(AssertionError("duplicate-effect: two rows")) is None
    with pytest.raises(Finding) as caught:
        expect(1 == 2, BugClass.LOST_EFFECT, "no row")
    assert caught.value.bug is BugClass.LOST_EFFECT and caught.value.evidence == "no row"
    expect(True, BugClass.LOST_EFFECT, "never raised")
    with pytest.raises(Finding, match=r"^wrong-worker: pong$"):
        fail(BugClass.WRONG_WORKER, "pong")


def test_a_finding_survives_pickling() -> None:
    """pytest-xdist and multiprocessing move exceptions between processes by pickle."""
    again = pickle.loads(pickle.dumps(Finding(BugClass.NO_DRAIN, "dropped")))
    assert (again.bug, again.evidence, str(again)) == (
        BugClass.NO_DRAIN,
        "dropped",
        "no-drain: dropped",
    )


def test_a_class_is_found_through_causes_and_groups() -> None:
    inner = Finding(BugClass.LOST_EFFECT, "no row")
    try:
        raise RuntimeError("wrapped") from inner
    except RuntimeError as outer:
        assert classify_exception(outer) is BugClass.LOST_EFFECT
    group = ExceptionGroup("two", [ValueError("x"), inner])
    assert classify_exception(group) is BugClass.LOST_EFFECT
    assert classify_exception(ValueError("plain")) is None


def test_rejected_as_requires_the_named_class() -> None:
    with rejected_as(BugClass.NO_POLLER):
        raise NoPoller("nothing polls q")
    with rejected_as(BugClass.NO_POLLER):
        fail(BugClass.NO_POLLER, "nothing polls q")
    wrong = pytest.raises(pytest.fail.Exception, match="rejected as wrong-worker")
    with wrong, rejected_as(BugClass.NO_POLLER):
        fail(BugClass.WRONG_WORKER, "the wrong class")
    plain = pytest.raises(pytest.fail.Exception, match="rejected without a bug class")
    with plain, rejected_as(BugClass.NO_POLLER):
        raise AssertionError("no-poller: a message is not a class")


def _unclassified(path: Path) -> list[str]:
    """Verdicts in `path` that carry no class: a bare `assert` or `raise AssertionError`
    (a check fails through `expect`, `fail` or `raise Finding`)."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text())):
        bare = isinstance(node, ast.Assert) or (
            isinstance(node, ast.Raise)
            and isinstance(node.exc, ast.Call | ast.Name)
            and getattr(getattr(node.exc, "func", node.exc), "id", None) == "AssertionError"
        )
        if bare:
            found.append(f"{path.name}:{node.lineno}")
    return found


@pytest.mark.parametrize("module", CHECK_MODULES)
def test_every_check_names_its_class(module: str) -> None:
    missing = _unclassified(ROOT / module)
    assert not missing, f"verdicts without a BugClass (use expect/fail/Finding): {missing}"


def test_the_scan_itself_can_fail(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "def f(x):\n    assert x, 'no class'\n    raise AssertionError(f'{x}')\n"
        "def g(x):\n    expect(x, BugClass.LOST_EFFECT, 'fine')\n"
        "    raise Finding(BugClass.LOST_EFFECT, 'fine')\n"
    )
    assert _unclassified(bad) == ["bad.py:2", "bad.py:3"]


PROBE = """
import pytest
from stormproof.diagnosis import BugClass, expect

def test_classified():
    expect(False, BugClass.DUPLICATE_EFFECT, "two rows for report r-1")

def test_unclassified():
    assert 1 == 2

@pytest.mark.bug_class(BugClass.API_CONTRACT)
def test_declared():
    assert 1 == 2, "a plain assert of a test that declares its class"

@pytest.mark.bug_class(BugClass.API_CONTRACT)
def test_declared_but_broken():
    raise RuntimeError("the suite broke: not an assert, so not the declared class")
"""


def test_the_class_reaches_the_terminal_and_the_junit_xml(tmp_path: Path) -> None:
    (tmp_path / "test_probe.py").write_text(PROBE)
    report = tmp_path / "probe.xml"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(tmp_path),
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            f"--junitxml={report}",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "stormproof diagnoses" in done.stdout, done.stdout
    assert "duplicate-effect  test_probe.py::test_classified" in done.stdout, done.stdout
    properties = {
        case.get("name"): [
            p.get("value") for p in case.iter("property") if p.get("name") == PROPERTY
        ]
        for case in ET.parse(report).iter("testcase")
    }
    assert properties == {
        "test_classified": ["duplicate-effect"],
        "test_unclassified": [UNCLASSIFIED],
        "test_declared": ["api-contract"],
        "test_declared_but_broken": [UNCLASSIFIED],
    }, properties

"""Bug classes: one list, every check's message starts with one, and the plugin puts it in
the terminal and the JUnit XML.

The scan below is what keeps "every check names its class" from rotting: a new assert in a
check module without `diagnose(...)` fails here, not in a CI log someone has to decode.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from stormproof.diagnosis import (
    MEANING,
    BugClass,
    classify,
    classify_exception,
    diagnose,
    rejected_as,
)
from stormproof.fixtures.worker import NO_POLLER
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
        assert classify(diagnose(bug, "x")) is bug


def test_the_world_spells_no_poller_as_the_list_does() -> None:
    assert BugClass(NO_POLLER) is BugClass.NO_POLLER


def test_classify_reads_only_a_leading_known_class() -> None:
    assert classify("AssertionError: duplicate-effect: two rows") is BugClass.DUPLICATE_EFFECT
    assert classify("made-up-class: no") is None
    assert classify("the duplicate-effect: later in the line") is None


def test_a_class_is_found_through_causes_and_groups() -> None:
    inner = AssertionError(diagnose(BugClass.LOST_EFFECT, "no row"))
    try:
        raise RuntimeError("wrapped") from inner
    except RuntimeError as outer:
        assert classify_exception(outer) is BugClass.LOST_EFFECT
    group = ExceptionGroup("two", [ValueError("x"), inner])
    assert classify_exception(group) is BugClass.LOST_EFFECT
    assert classify_exception(ValueError("plain")) is None


def test_rejected_as_requires_the_named_class() -> None:
    with rejected_as(BugClass.NO_POLLER):
        raise AssertionError(diagnose(BugClass.NO_POLLER, "nothing polls q"))
    with pytest.raises(AssertionError), rejected_as(BugClass.NO_POLLER):
        raise AssertionError(diagnose(BugClass.WRONG_WORKER, "the wrong class"))


def _unclassified(path: Path) -> list[str]:
    """Assertions in `path` whose message is not a `diagnose(...)` call."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text())):
        message = None
        if isinstance(node, ast.Assert):
            message = node.msg
        elif isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            name = getattr(node.exc.func, "id", None)
            if name != "AssertionError":
                continue
            message = node.exc.args[0] if node.exc.args else None
        else:
            continue
        is_diagnosis = isinstance(message, ast.Call) and getattr(message.func, "id", "") in {
            "diagnose"
        }
        if not is_diagnosis:
            found.append(f"{path.name}:{node.lineno}")
    return found


@pytest.mark.parametrize("module", CHECK_MODULES)
def test_every_check_names_its_class(module: str) -> None:
    missing = _unclassified(ROOT / module)
    assert not missing, f"assertions without diagnose(BugClass..., ...): {missing}"


def test_the_scan_itself_can_fail(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "def f(x):\n    assert x, 'no class'\n    raise AssertionError(f'{x}')\n"
        "def g(x):\n    assert x, diagnose(BugClass.LOST_EFFECT, 'fine')\n"
    )
    assert _unclassified(bad) == ["bad.py:2", "bad.py:3"]


PROBE = """
from stormproof.diagnosis import BugClass, diagnose

def test_classified():
    assert False, diagnose(BugClass.DUPLICATE_EFFECT, "two rows for report r-1")

def test_unclassified():
    assert 1 == 2
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
    }, properties

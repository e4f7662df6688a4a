"""Puts a failed test's bug class where CI reads it: the terminal, the JUnit XML, the chaos JSON.

The class is a field of the failing check's exception (a `Finding`, stormproof/diagnosis.py).
The report plugin (stormproof/report/plugin.py) reads it from the exception's type once,
when pytest makes the report, and with these functions:

- adds the JUnit property `stormproof_diagnosis` (a failure without a class gets
  `unclassified`, so a gate can tell "a check found a bug" from "the suite broke"); a
  plain `assert` failing in a test marked `bug_class(BugClass.X)` is an X;
- stashes it on the test item, where the chaos fixture adds it to the test's record in
  the chaos JSON;
- ends the session with one line per failed test, class first, in pytest's summary.

Properties added to `item.user_properties` reach the teardown report, which is the one
pytest's JUnit writer reads and pytest-xdist carries to the controller.
"""

from __future__ import annotations

import pytest

from stormproof.diagnosis import MEANING, BugClass, classify_exception
from stormproof.report.keys import DIAGNOSIS_KEY

PROPERTY = "stormproof_diagnosis"
UNCLASSIFIED = "unclassified"
MARKER = "bug_class"  # bug_class(BugClass.X): the class of the test's plain asserts


def diagnose_failure(
    item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport
) -> None:
    """The first failed report of `item` gets its class: property, stash, section."""
    if not report.failed or DIAGNOSIS_KEY in item.stash:
        return
    error = call.excinfo.value if call.excinfo else None
    bug = classify_exception(error) or declared_class(item, error)
    name = bug.value if bug else UNCLASSIFIED
    item.stash[DIAGNOSIS_KEY] = name
    item.user_properties.append((PROPERTY, name))
    report.user_properties.append((PROPERTY, name))
    if bug is not None:
        report.sections.append(("stormproof diagnosis", f"{bug}: {MEANING[bug]}"))


def declared_class(item: pytest.Item, error: BaseException | None) -> BugClass | None:
    """The class a test declares for its plain asserts (`@pytest.mark.bug_class(BugClass.X)`,
    on the test or its module): a bare `assert` there checks that one class of bug. A
    check's own Finding keeps its class; an error that is not an assert (the suite broke)
    stays unclassified."""
    marker = item.get_closest_marker(MARKER)
    if marker is None or not isinstance(error, AssertionError):
        return None
    return BugClass(marker.args[0])


def found_in(report: pytest.TestReport) -> str | None:
    """The class a failed report carries (None for a passed one)."""
    if not report.failed:
        return None
    for name, value in report.user_properties:
        if name == PROPERTY:
            return str(value)
    return None


def write_summary(terminalreporter: pytest.TerminalReporter, found: list[tuple[str, str]]) -> None:
    """One line per failed test, class first: (class, node id) pairs."""
    if not found:
        return
    terminalreporter.write_sep("=", "stormproof diagnoses")
    width = max(len(name) for name, _ in found)
    for name, nodeid in sorted(set(found)):
        terminalreporter.write_line(f"{name.ljust(width)}  {nodeid}", red=True)

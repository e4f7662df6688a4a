"""Puts a failed test's bug class where CI reads it: the terminal, the JUnit XML, the chaos JSON.

The class is a field of the failing check's exception (a `Finding`, stormproof/diagnosis.py).
This plugin reads it from the exception's type once, when pytest makes the report, and:

- adds the JUnit property `stormproof_diagnosis` (a failure without a class gets
  `unclassified`, so a gate can tell "a check found a bug" from "the suite broke");
- stashes it on the test item, where the chaos fixture adds it to the test's record in
  the chaos JSON;
- ends the session with one line per failed test, class first, in pytest's summary.

Properties added to `item.user_properties` reach the teardown report, which is the one
pytest's JUnit writer reads and pytest-xdist carries to the controller.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest

from stormproof.diagnosis import MEANING, classify_exception

PROPERTY = "stormproof_diagnosis"
UNCLASSIFIED = "unclassified"
DIAGNOSIS_KEY = pytest.StashKey[str]()
FOUND_KEY = pytest.StashKey[list[tuple[str, str]]]()
_CONFIG: dict[str, pytest.Config] = {}


def pytest_configure(config: pytest.Config) -> None:
    config.stash[FOUND_KEY] = []
    _CONFIG["config"] = config


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if not report.failed or DIAGNOSIS_KEY in item.stash:
        return
    bug = classify_exception(call.excinfo.value if call.excinfo else None)
    name = bug.value if bug else UNCLASSIFIED
    item.stash[DIAGNOSIS_KEY] = name
    item.user_properties.append((PROPERTY, name))
    report.user_properties.append((PROPERTY, name))
    if bug is not None:
        report.sections.append(("stormproof diagnosis", f"{bug}: {MEANING[bug]}"))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    config = _CONFIG.get("config")
    if config is None or not report.failed:
        return
    for name, value in report.user_properties:
        if name == PROPERTY:
            config.stash[FOUND_KEY].append((str(value), report.nodeid))
            return


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    found = config.stash.get(FOUND_KEY, [])
    if hasattr(config, "workerinput") or not found:
        return
    terminalreporter.write_sep("=", "stormproof diagnoses")
    width = max(len(name) for name, _ in found)
    for name, nodeid in sorted(set(found)):
        terminalreporter.write_line(f"{name.ljust(width)}  {nodeid}", red=True)

"""The report's pytest plugin: one object that owns what a run leaves for people and CI.

`ReportPlugin` holds the run's chaos records, the errors met writing them, each test's
outcome, the failed tests' bug classes and the live progress (its folder, its ticker, its
terminal out); its methods are the pytest hooks. stormproof/plugin.py registers one
instance per pytest process when pytest configures (`register`); under xdist each worker
has its own, and only the controller's prints and writes files.

It meets the chaos engine only through typed keys on the test item (stormproof/report/
keys.py): the chaos fixture leaves its history path, its log sources and its record there,
and finds there the file for its live counts and its failure's bug class. What it does with
them lives in the modules beside it: records (the JUnit property, history copies, the
JSON), table, progress and ticker, html and diagnosis.
"""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from stormproof import log_scan
from stormproof.fixtures.plugin import suite_config_of
from stormproof.report import html
from stormproof.report.diagnosis import MARKER, diagnose_failure, found_in, write_summary
from stormproof.report.keys import HISTORY_KEY, LOGS_KEY, PROGRESS_KEY, RECORD_KEY
from stormproof.report.model import ChaosRecord
from stormproof.report.progress import Progress
from stormproof.report.records import (
    chaos_property,
    history_tail,
    keep_history,
    records_in,
    write_report,
)
from stormproof.report.table import render, summarize

NAME = "stormproof-report"
OWN_LOG_SCAN = "own_log_scan"
LONG = "chaos_long"


def register(config: pytest.Config) -> ReportPlugin:
    """The one ReportPlugin of this pytest process, registered with pytest."""
    plugin = ReportPlugin(config)
    config.pluginmanager.register(plugin, NAME)
    return plugin


def report_plugin(config: pytest.Config) -> ReportPlugin | None:
    """The ReportPlugin `register` gave this process (None before configure)."""
    found = config.pluginmanager.get_plugin(NAME)
    return found if isinstance(found, ReportPlugin) else None


def expected_seconds(item: pytest.Item) -> float:
    """What the test's `chaos_long` marker says it takes; 0 without one."""
    marker = item.get_closest_marker(LONG)
    return 0.0 if marker is None else float(marker.kwargs.get("seconds", 15))


class ReportPlugin:
    """The chaos report, the live progress and the bug classes of one pytest process."""

    def __init__(self, config: pytest.Config):
        config.addinivalue_line(
            "markers",
            f"{OWN_LOG_SCAN}: the test judges its logs itself (the log scan's negative control)",
        )
        config.addinivalue_line(
            "markers",
            f"{MARKER}(BugClass.X): a plain assert failing in this test is a bug of class X",
        )
        config.addinivalue_line(
            "markers",
            f"{LONG}(seconds=N): a chaos test of about N seconds (15 unsaid), most of it a "
            "fault's hold; the longest run first under -n",
        )
        suite = suite_config_of(config)
        self.seed = suite.chaos_seed
        self.report_path: Path | None = suite.chaos_report
        self.html_path: Path | None = suite.chaos_html
        # xdist's documented mark of a worker: the input its controller sent it.
        workerinput: dict[str, Any] | None = getattr(config, "workerinput", None)
        self.controller = workerinput is None
        self.progress = (
            Progress.for_controller(config)
            if workerinput is None
            else Progress.for_worker(workerinput)
        )
        self.records: list[ChaosRecord] = []  # in the controller: every chaos test's
        self.errors: list[str] = []  # outputs not written, said in the summary
        self.outcomes: dict[str, str] = {}  # node id -> passed/failed/skipped
        self.found: list[tuple[str, str]] = []  # (bug class, node id) of failed tests

    # --- collection and the test's own phases (every process) -------------------------

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        """The longest chaos tests first (a stable sort on each one's stated seconds), so
        under xdist the 70 s outage shares the clock with the short tests, and the run ends
        on short tests rather than one worker finishing a 40 s test while the other idles:
        longest-first is the classic bound for two machines (within 7/6 of the best order)."""
        items.sort(key=lambda item: -expected_seconds(item))

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        """Before the fixtures: where a chaos test writes its live counts."""
        file = self.progress.file_for(item.nodeid)
        if file is not None:
            item.stash[PROGRESS_KEY] = file

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, Any, Any]:
        """A chaos test that passed still fails when its logs hold an alarm (log_scan.py): the
        offsets are taken before the test, so only the lines it caused are read."""
        logs = item.stash.get(LOGS_KEY, None)
        if logs is None or item.get_closest_marker(OWN_LOG_SCAN):
            return (yield)
        since = log_scan.offsets(logs())
        outcome = yield  # a test that failed already raises here, with its own message
        log_scan.assert_clean(logs(), since)
        return outcome

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        """A failure gets its history's tail and its bug class; the teardown report carries
        the chaos record the fixture left (the one report xdist and JUnit both read)."""
        report = yield
        path = item.stash.get(HISTORY_KEY, None)
        if report.failed and path is not None and (section := history_tail(path)):
            report.sections.append(section)
        diagnose_failure(item, call, report)
        record = item.stash.get(RECORD_KEY, None)
        if report.when == "teardown" and record is not None:
            item.user_properties.append(chaos_property(record))
            report.user_properties.append(chaos_property(record))
        return report

    # --- reports as the controller hears of them ---------------------------------------

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        """xdist: each worker learns the controller's folder of live counts."""
        self.progress.configure_node(node.workerinput)

    def pytest_runtest_logstart(self, nodeid: str) -> None:
        if self.controller:
            self.progress.started(nodeid)

    def pytest_runtest_logfinish(self, nodeid: str) -> None:
        if self.controller:  # a skipped or errored test leaves no record: it ends here too
            self.progress.ended(nodeid)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if (bug := found_in(report)) is not None:
            self.found.append((bug, report.nodeid))
        # The call's outcome, unless a setup or teardown failed (which fails the test).
        nodeid = report.nodeid
        if (report.when == "call" or report.failed) and self.outcomes.get(nodeid) != "failed":
            self.outcomes[nodeid] = report.outcome
        if report.when != "teardown" or not self.controller:
            return
        outcome = self.outcomes.get(nodeid, report.outcome)
        for record in records_in(report.user_properties, nodeid, outcome):
            if self.report_path is not None:
                try:
                    record = keep_history(record, self.report_path)
                except OSError as exc:
                    self.errors.append(f"history of {nodeid} not kept: {exc}")
            self.records.append(record)
            self.progress.finished(record, self.records)

    # --- the end of the session --------------------------------------------------------

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if not self.controller or not self.records:
            return
        if self.html_path is not None:
            try:
                self.html_path.parent.mkdir(parents=True, exist_ok=True)
                html.write(self.html_path, self.records, seed=self.seed)
            except OSError as exc:
                self.errors.append(f"chaos HTML not written to {self.html_path}: {exc}")
        if self.report_path is None:
            return
        try:  # checked at start-up; a disk that filled since must still not lose the table
            write_report(self.report_path, self.records, self.seed)
        except OSError as exc:
            self.errors.append(f"chaos report not written to {self.report_path}: {exc}")
            if session.exitstatus == pytest.ExitCode.OK:
                session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if not self.controller:
            return
        write_summary(terminalreporter, self.found)
        if not (self.records or self.errors):
            return
        terminalreporter.write_sep("=", "stormproof chaos report")
        for line in render(summarize(self.records)) if self.records else []:
            terminalreporter.write_line(line)
        for error in self.errors:
            terminalreporter.write_line(f"stormproof: {error}", red=True)

    def pytest_unconfigure(self) -> None:
        self.progress.close()

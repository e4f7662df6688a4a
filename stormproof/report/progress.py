"""Progress of a chaos run in pytest's terminal: which fault started, which finished, how many
workflows have been judged so far.

A user watching a five-minute chaos suite should not stare at a line of dots. Under xdist
only the controller writes to the terminal, and it hears of a test when it starts (the
`pytest_runtest_logstart` that xdist forwards) and when its record arrives with the
teardown report, so both are lines written by the controller's terminal reporter: the
`-n 2` output stays one stream, and JUnit (built from reports, not the terminal) is
untouched. Lines are whole lines: a line of dots is ended first.

In between, the live counts of stormproof/report/ticker.py: the controller makes a folder
and hands it to each xdist worker in `workerinput` (pytest_configure_node, xdist's
documented channel); each test gets a ProgressFile in that folder (`file_for`), and the
controller's ticker thread, started with the first chaos test (a suite without one gets no
thread and no line), prints the tests still running. `-q -q` asks for the summary alone:
no ticks then.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from stormproof.report.model import ChaosRecord
from stormproof.report.table import REJECTED, short_name
from stormproof.report.ticker import (
    LineWriter,
    ProgressFile,
    TerminalOut,
    Ticker,
    file_for,
    has_new_dots,
    interval_from_env,
)

WORKER_INPUT = "stormproof_progress_dir"
CHAOS_PATH = "chaos/test_"


class Progress:
    """The folder of live counts and, in the controller, the lines about chaos tests."""

    def __init__(self, folder: Path | None, owned: bool = False):
        self.folder, self.owned = folder, owned
        self.running: set[str] = set()
        self.reporter: pytest.TerminalReporter | None = None
        self.writer: LineWriter | None = None
        self.out: TerminalOut | None = None  # the ticker's lines; None: no ticks
        self.ticker: Ticker | None = None

    @classmethod
    def for_controller(cls, config: pytest.Config) -> Progress:
        """A folder of its own, and its terminal's stdout duplicated now, while pytest's
        capture is suspended (a tick comes while a test's output is captured)."""
        progress = cls(Path(tempfile.mkdtemp(prefix="stormproof-progress-")), owned=True)
        progress.reporter = config.pluginmanager.get_plugin("terminalreporter")
        if progress.reporter is not None:
            progress.writer = config.get_terminal_writer()
            if interval_from_env() > 0 and config.get_verbosity() > -2:
                progress.out = TerminalOut.open(config, sys.stdout)
        return progress

    @classmethod
    def for_worker(cls, workerinput: dict[str, Any]) -> Progress:
        """An xdist worker writes into its controller's folder and prints nothing."""
        folder = workerinput.get(WORKER_INPUT)
        return cls(None if folder is None else Path(folder))

    def configure_node(self, workerinput: dict[str, Any]) -> None:
        """xdist: a worker learns the controller's folder through its workerinput."""
        if self.folder is not None:
            workerinput[WORKER_INPUT] = str(self.folder)

    def file_for(self, nodeid: str) -> ProgressFile | None:
        """Where the test `nodeid` writes its live counts (None: nobody reads them)."""
        return None if self.folder is None else ProgressFile(file_for(self.folder, nodeid))

    def started(self, nodeid: str) -> None:
        if self.reporter is None or CHAOS_PATH not in nodeid:
            return
        self.running.add(nodeid)
        self._start_ticker()
        name = nodeid.rsplit("::", 1)[-1]
        self._write_line(f"chaos > {name} started ({len(self.running)} running)")

    def ended(self, nodeid: str) -> None:
        """The test is over, with a record or without one (skipped at setup, errored)."""
        self.running.discard(nodeid)

    def finished(self, record: ChaosRecord, records: list[ChaosRecord]) -> None:
        if self.reporter is None:
            return
        self.running.discard(record.test or "")
        total = sum(r.workflows for r in records)
        if record.is_control:
            verdict = REJECTED if record.outcome == "passed" else "NOT REJECTED"
        else:
            verdict = record.result.verdict if record.result else "no verdict"
        p99 = record.stats.latency.p99 if record.stats else None
        latency = f", p99 {p99:.1f}s" if p99 is not None else ""
        self._write_line(
            f"chaos < {short_name(record.fault, 40)}: {record.workflows} workflows judged, "
            f"{verdict}{latency} [{len(records)} chaos tests done, {total} workflows]"
        )

    def close(self) -> None:
        if self.ticker is not None:
            self.ticker.stop()
        if self.out is not None:
            self.out.close()
        if self.owned and self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)

    def _start_ticker(self) -> None:
        if self.out is None or self.ticker is not None or self.folder is None:
            return
        interval = interval_from_env()
        self.ticker = Ticker(self.folder, interval, self.running.copy, self.out.write_lines)
        self.ticker.start()

    def _write_line(self, text: str) -> None:
        """write_line ends a line of dots only if it began with a path, and under xdist none
        does: end it here (unless the ticker's lines already did: the width it last saw)."""
        assert self.reporter is not None and self.writer is not None
        seen = self.out.width_seen if self.out else 0
        if has_new_dots(self.writer, seen) and not self.reporter.currentfspath:
            self.reporter.line("")
        self.reporter.write_line(text)

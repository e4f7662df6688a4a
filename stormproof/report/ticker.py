"""Live counts of running chaos tests: a small JSON file per test, read by a thread that
prints one line per running test every few seconds.

A chaos test runs 30 to 100 s; its start and end lines (stormproof/report/progress.py) say
nothing in between. Under xdist a worker cannot write to the terminal (only the controller
does) and has no channel to it but reports, which arrive at the end of a test. So the
worker's ChaosRun writes its fault, phase and workflow counts (stormproof/chaos/live.py)
to a file in a folder the controller made (an atomic replace, at most once a second plus
on every phase change, and once more a second after the last change it skipped), and a
daemon thread in the controller reads the folder every STORMPROOF_PROGRESS_INTERVAL
seconds (default 10, 0 for none). Without xdist the same file and thread work in one process.

The thread writes to a duplicate of the terminal's file descriptor taken at configure
time, not through the terminal reporter's writer: without xdist the test's own fd capture
would swallow the lines (and show them as the failed test's "captured stdout"). It ends
the reporter's line of dots first and marks it ended (`currentfspath`), as write_line
does, so the reporter starts a fresh line for its next dot. Each tick is one write() of
whole lines; the residual risk is a tick landing while the main thread writes a result,
which can put that dot or word at the start of the next line - never inside a line of
ours. JUnit XML is built from reports and is untouched.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Protocol, TextIO

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError

from stormproof.report.table import short_name

INTERVAL_ENV = "STORMPROOF_PROGRESS_INTERVAL"
DEFAULT_INTERVAL = 10.0
THROTTLE = 1.0  # seconds between two writes of one test's file, phase changes aside
PREFIX = "chaos ~"


def interval_from_env() -> float:
    """Seconds between two ticks; 0 (or a malformed value, said as 0) turns them off."""
    raw = os.environ.get(INTERVAL_ENV, "")
    try:
        return max(float(raw), 0.0) if raw.strip() else DEFAULT_INTERVAL
    except ValueError:
        return 0.0


class TestProgress(BaseModel):
    """What one running chaos test says of itself (the file's JSON)."""

    __test__ = False  # not a pytest test class
    model_config = ConfigDict(extra="ignore")

    test: str  # the pytest node id
    fault: str
    phase: str
    since: float  # time.time() the test started
    phase_since: float  # time.time() its phase started
    started: int | None = None  # None: no continuous load (yet)
    closed: int | None = None
    target: int | None = None
    refused: int = 0


def file_for(folder: Path, nodeid: str) -> Path:
    return folder / f"{hashlib.sha1(nodeid.encode()).hexdigest()[:16]}.json"


class ProgressFile:
    """The worker's side: throttled atomic writes of one test's TestProgress."""

    def __init__(self, path: Path, throttle: float = THROTTLE):
        self.path, self.throttle = path, throttle
        self._written_at = 0.0
        self._written_phase: str | None = None
        self._pending: TestProgress | None = None
        self._timer: asyncio.TimerHandle | None = None

    def update(self, progress: TestProgress) -> None:
        """Write now on a phase change or once `throttle` passed since the last write;
        otherwise keep it and write it when the throttle ends (the last count of a quiet
        phase is not lost), if an event loop runs to schedule that."""
        self._pending = progress
        wait = self._written_at + self.throttle - time.monotonic()
        if progress.phase != self._written_phase or wait <= 0:
            self.flush()
        elif self._timer is None:
            # no loop: the next update or phase change writes it
            with contextlib.suppress(RuntimeError):
                self._timer = asyncio.get_running_loop().call_later(wait, self.flush)

    def flush(self) -> None:
        self._timer = None
        progress, self._pending = self._pending, None
        if progress is None:
            return
        tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
        try:
            tmp.write_text(progress.model_dump_json())
            tmp.replace(self.path)  # atomic: the reader sees the old file or the new one
        except OSError:  # the controller removed its folder at the end: nothing to tell
            return
        self._written_at, self._written_phase = time.monotonic(), progress.phase

    def remove(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = self._pending = None
        self.path.unlink(missing_ok=True)


def read_progress(folder: Path) -> list[TestProgress]:
    """Every test's last word; a file being replaced or half-written is skipped."""
    found: list[TestProgress] = []
    for path in sorted(folder.glob("*.json")):
        try:
            found.append(TestProgress.model_validate_json(path.read_text()))
        except (OSError, ValidationError):
            continue
    return found


def format_line(progress: TestProgress, now: float) -> str:
    """`chaos ~ link:down-70s: fault 12 s, 57 started, 31 closed of 100 [45 s]`."""
    phase = f"{progress.phase} {max(now - progress.phase_since, 0):.0f} s"
    counts = ""
    if progress.started is not None:
        counts = f", {progress.started} started, {progress.closed or 0} closed"
        counts += f" of {progress.target}" if progress.target is not None else ""
        counts += f", {progress.refused} refused" if progress.refused else ""
    total = max(now - progress.since, 0)
    return f"{PREFIX} {short_name(progress.fault, 48)}: {phase}{counts} [{total:.0f} s]"


def lines_for(found: Iterable[TestProgress], running: set[str], now: float) -> list[str]:
    """One line per test still running, oldest first (a finished test's file is ignored
    even if its worker died before removing it)."""
    alive = sorted((p for p in found if p.test in running), key=lambda p: p.since)
    return [format_line(p, now) for p in alive]


class LineWriter(Protocol):
    """What we read of the terminal reporter's writer (pytest.Config.get_terminal_writer)."""

    @property
    def width_of_current_line(self) -> int: ...


def has_new_dots(writer: LineWriter, width_seen: int) -> bool:
    """The reporter's current line grew since our last write left it `width_seen` wide:
    result letters xdist printed, on a line with no path for write_line to end (the
    reporter's writer counts only its own characters)."""
    width = writer.width_of_current_line
    return bool(width) and width != width_seen


class TerminalOut:
    """Whole lines to the terminal the reporter writes to, past pytest's fd capture."""

    def __init__(
        self, reporter: pytest.TerminalReporter, writer: LineWriter, stream: TextIO | None
    ):
        self.reporter, self.writer, self.stream = reporter, writer, stream
        self.width_seen = 0  # the reporter's line as our last write left it

    @classmethod
    def open(cls, config: pytest.Config, stdout: TextIO) -> TerminalOut | None:
        """None when there is no terminal reporter (`-p no:terminal`)."""
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is None:
            return None
        try:
            stream = os.fdopen(os.dup(stdout.fileno()), "w", encoding="utf-8", errors="replace")
        except (OSError, ValueError, AttributeError):  # no real fd (an in-process pytester)
            stream = None
        return cls(reporter, config.get_terminal_writer(), stream)

    def write_lines(self, lines: list[str]) -> None:
        if self.stream is None:
            for line in lines:
                self.reporter.write_line(line)
            return
        # End the line of dots first, and tell the reporter it ended (as its ensure_newline
        # does, which this thread cannot call: it writes through the captured stdout).
        dots = has_new_dots(self.writer, self.width_seen)
        start = "\n" if dots or self.reporter.currentfspath else ""
        self.width_seen = self.writer.width_of_current_line
        self.reporter.currentfspath = None
        self.stream.write(start + "".join(f"{line}\n" for line in lines))
        self.stream.flush()

    def close(self) -> None:
        if self.stream is not None:
            self.stream.close()


class Ticker(threading.Thread):
    """Every `interval` seconds, one line per running chaos test (nothing when none runs)."""

    def __init__(
        self,
        folder: Path,
        interval: float,
        running: Callable[[], set[str]],
        out: Callable[[list[str]], None],
    ):
        super().__init__(name="stormproof-chaos-ticker", daemon=True)
        self.folder, self.interval, self.running, self.out = folder, interval, running, out
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(self.interval):
            try:
                lines = lines_for(read_progress(self.folder), self.running(), time.time())
                if lines:
                    self.out(lines)
            except Exception:  # a tick must never end the run or the thread
                continue

    def stop(self) -> None:
        self._stop_event.set()
        if self.is_alive():
            self.join(timeout=5)

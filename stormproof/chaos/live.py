"""A chaos run's live counts: its phase and its load, written for the terminal's ticker.

The nemesis marks fault and heal, the generator the rest of the phases and every start and
close; LiveRun turns them into the report's TestProgress and hands it to the test's
ProgressFile (stormproof/report/ticker.py, which throttles the writes), which the report
plugin put on the test's item. Without a file (no one reads the counts) it does nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from stormproof.report.ticker import ProgressFile, TestProgress

if TYPE_CHECKING:
    from stormproof.chaos.generator import Generator


class LiveRun:
    """A chaos run's side: its phase and the generator's counts, to its ProgressFile once
    attached; else nothing."""

    def __init__(self, test: str, fault: Callable[[], str]):
        self.test, self.fault = test, fault  # the test renames its fault after setup
        self.file: ProgressFile | None = None
        self.since = self.phase_since = time.time()
        self._phase, self._generator_phase = "setup", ""
        self._generator: Generator | None = None

    def attach(self, file: ProgressFile | None) -> None:
        self.file = file
        self._write()

    def phase(self, name: str) -> None:
        if name != self._phase:
            self._phase, self.phase_since = name, time.time()
        self._write()

    def load(self, generator: Generator) -> None:
        """The Generator's `progress` callback: a phase of its own, a start or a close."""
        self._generator = generator
        if generator.phase != self._generator_phase:
            self._generator_phase = generator.phase
            self.phase(generator.phase)
        else:
            self._write()

    def _write(self) -> None:
        if self.file is None:
            return
        g = self._generator
        # The scenario's own workflows count towards `workflows` too: of the generator's share.
        own = 0 if g is None else len(g.workload.planned) - g.started
        self.file.update(
            TestProgress(
                test=self.test,
                fault=self.fault(),
                phase=self._phase,
                since=self.since,
                phase_since=self.phase_since,
                started=None if g is None else g.started,
                closed=None if g is None else g.closed,
                target=None if g is None else max(g.spec.workflows - own, 0),
                refused=0 if g is None else g.refused,
            )
        )

    def remove(self) -> None:
        if self.file is not None:
            self.file.remove()

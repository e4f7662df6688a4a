"""After every chaos test, read the worker's and the server's logs for what no effect shows.

A workflow can complete with every effect exactly once while its code is not deterministic
(the SDK's TMPRL1100 when a replay takes another branch), while the server panicked and
restarted, or while an exception escaped into an asyncio task nobody awaited. The effects
checker cannot see any of that; the logs can. So the report plugin
(stormproof/report/plugin.py) notes where each of the test's logs ends when the test
starts, and when the test has passed, reads what was written since: any line below fails
the test with the lines quoted.

Expected noise is not matched: an activity that fails under a fault logs "Completing
activity as failed" with a traceback, and that is Temporal doing its job, so a bare
`Traceback` is not an alarm; only the phrases below, which a healthy worker never logs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel

from stormproof.diagnosis import BugClass, Finding
from stormproof.fixtures.wait import strip_ansi

__all__ = [
    "LogHit",
    "assert_clean",
    "failure",
    "offsets",
    "scan",
]

ALARMS: tuple[tuple[BugClass, re.Pattern[str]], ...] = (
    (BugClass.NON_DETERMINISM, re.compile(r"TMPRL1100|[Nn]ondeterminism")),
    (
        BugClass.CRASH_IN_LOGS,
        re.compile(
            r"^panic: |^fatal error: |goroutine \d+ \[running\]"  # Go: the server
            r"|Failed activation on workflow|Failed handling activation"  # workflow code
            r"|Worker failed, shutting down|Task exception was never retrieved"
            r"|Exception in thread|Fatal Python error|Unhandled exception"
        ),
    ),
)
QUOTED = 12


class LogHit(BaseModel):
    """One alarming log line: its source, line number, text and bug class."""

    source: str
    line_number: int
    line: str
    bug: BugClass


def offsets(logs: Mapping[str, object]) -> dict[str, int]:
    """Where each existing log file ends now (a log created later is read from its start)."""
    return {
        name: path.stat().st_size
        for name, path in logs.items()
        if isinstance(path, Path) and path.is_file()
    }


def scan(logs: Mapping[str, object], since: Mapping[str, int] | None = None) -> list[LogHit]:
    """Every alarm line in the file logs of `logs`, from each one's offset in `since`."""
    hits: list[LogHit] = []
    for name, path in logs.items():
        if not isinstance(path, Path) or not path.is_file():
            continue
        with path.open("rb") as handle:
            handle.seek((since or {}).get(name, 0))
            text = handle.read().decode(errors="replace")
        for number, raw in enumerate(text.splitlines(), 1):
            line = strip_ansi(raw)
            for bug, pattern in ALARMS:
                if pattern.search(line):
                    hits.append(LogHit(source=name, line_number=number, line=line, bug=bug))
                    break
    return hits


def failure(hits: list[LogHit]) -> Finding | None:
    """The finding for `hits` (worst class first), or None when the logs are clean."""
    if not hits:
        return None
    bug = BugClass.NON_DETERMINISM
    if not any(h.bug is bug for h in hits):
        bug = hits[0].bug
    quoted = "\n".join(f"  {h.source}:{h.line_number}: {h.line[:300]}" for h in hits[:QUOTED])
    more = f"\n  ... and {len(hits) - QUOTED} more" if len(hits) > QUOTED else ""
    return Finding(
        bug,
        f"{len(hits)} alarm line(s) in the logs of this chaos test "
        f"(stormproof/log_scan.py):\n{quoted}{more}",
    )


def assert_clean(logs: Mapping[str, object], since: Mapping[str, int] | None = None) -> None:
    """Fail with the class of the first alarm in `logs` written after `since`, quoting the lines."""
    found = failure(scan(logs, since))
    if found is not None:
        raise found

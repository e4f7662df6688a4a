"""The log scan's patterns on planted lines: each alarm is caught and quoted, and the noise a
healthy worker makes under faults (a failed activity's traceback, poll retries) is not."""

from __future__ import annotations

from pathlib import Path

import pytest

from stormproof import log_scan
from stormproof.diagnosis import BugClass, rejected_as

NOISE = """\
2026-11-22 07:09:24,620 WARNING Completing activity as failed ({'activity_type': 'x'})
Traceback (most recent call last):
temporalio.exceptions.ApplicationError: NotificationFailed: webhook answered HTTP 503
\x1b[33m WARN\x1b[0m temporalio_client::retry: gRPC call poll_workflow_task_queue retried 7 times
time=2026-11-22T07:09:58.294 level=WARN msg="Failed to poll for task." service=worker
"""
ALARMS = {
    BugClass.NON_DETERMINISM: "\x1b[33m WARN\x1b[0m Failing workflow task: [TMPRL1100] "
    "Nondeterminism error: Timer machine does not handle this event",
    BugClass.CRASH_IN_LOGS: "panic: runtime error: invalid memory address or nil pointer",
}


def test_noise_is_not_an_alarm(tmp_path: Path) -> None:
    (tmp_path / "worker1.log").write_text(NOISE)
    log_scan.assert_clean({"worker1": tmp_path / "worker1.log", "history": lambda: ""})


@pytest.mark.parametrize("bug", list(ALARMS))
def test_each_alarm_fails_with_its_class_and_the_line(tmp_path: Path, bug: BugClass) -> None:
    log = tmp_path / "server.log"
    log.write_text("an old line: panic: before the test\n")
    since = log_scan.offsets({"server": log})
    log.write_text(log.read_text() + NOISE + ALARMS[bug] + "\n")
    with rejected_as(bug) as caught:
        log_scan.assert_clean({"server": log}, since)
    message = str(caught.value)
    assert "server:" in message and ALARMS[bug].split("\x1b[0m")[-1].strip() in message
    assert "before the test" not in message  # only what the test caused is read

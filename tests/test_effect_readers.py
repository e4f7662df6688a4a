"""The effect readers both suites share: attempts from a history, artifacts, rows by prefix.

Attempts get the most cases because two counts of them used to disagree (one took the
largest attempt number, one the sum): these pin the one definition in
stormproof/effects/attempts.py on histories where the two would differ.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from temporalio.api.common.v1 import ActivityType
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import (
    ActivityTaskScheduledEventAttributes,
    ActivityTaskStartedEventAttributes,
    HistoryEvent,
)
from temporalio.exceptions import ApplicationError

from stormproof.effects import (
    ActivityAttempts,
    activity_attempts,
    artifact_files,
    failure_messages,
    failure_types,
    metadata_rows,
)


def scheduled(event_id: int, activity: str) -> HistoryEvent:
    return HistoryEvent(
        event_id=event_id,
        event_type=EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
        activity_task_scheduled_event_attributes=ActivityTaskScheduledEventAttributes(
            activity_type=ActivityType(name=activity)
        ),
    )


def started(event_id: int, scheduled_id: int, attempt: int) -> HistoryEvent:
    return HistoryEvent(
        event_id=event_id,
        event_type=EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED,
        activity_task_started_event_attributes=ActivityTaskStartedEventAttributes(
            scheduled_event_id=scheduled_id, attempt=attempt
        ),
    )


def test_one_execution_counts_the_attempt_that_closed_it() -> None:
    found = activity_attempts([scheduled(5, "llm_call"), started(6, 5, 3)])
    assert found == {"llm_call": ActivityAttempts(activity="llm_call", executions=1, attempts=3)}
    assert found["llm_call"].retried


def test_a_second_schedule_adds_attempts_but_is_not_a_retry() -> None:
    events = [scheduled(5, "llm_call"), started(6, 5, 1), scheduled(8, "llm_call")]
    events.append(started(9, 8, 1))
    found = activity_attempts(events)["llm_call"]
    assert (found.executions, found.attempts, found.retried) == (2, 2, False)


def test_attempts_are_summed_over_executions() -> None:
    events = [scheduled(5, "llm_call"), started(6, 5, 1), scheduled(8, "llm_call")]
    events.append(started(9, 8, 2))
    found = activity_attempts(events)["llm_call"]
    assert (found.executions, found.attempts, found.retried) == (2, 3, True)


def test_a_running_execution_and_other_activities_are_kept_apart() -> None:
    events = [scheduled(5, "create_pdf"), started(6, 5, 2), scheduled(8, "store_report_metadata")]
    found = activity_attempts(events)
    assert found == {
        "create_pdf": ActivityAttempts(activity="create_pdf", executions=1, attempts=2)
    }


def test_artifact_files_lists_final_files_only(tmp_path: Path) -> None:
    (tmp_path / "stories").mkdir()
    (tmp_path / "reports").mkdir()
    (tmp_path / "stories" / "s1.md").write_text("x")
    (tmp_path / "stories" / ".s2.md.tmp").write_text("half")
    (tmp_path / "reports" / "r1.pdf").write_bytes(b"%PDF-")
    assert artifact_files(tmp_path) == ["reports/r1.pdf", "stories/s1.md"]
    assert artifact_files(tmp_path / "absent") == []


def test_metadata_rows_by_prefix_keeps_duplicates(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE stormproof_reports (report_id TEXT, workflow_id TEXT)")
        for rid in ("ch1-r1", "ch1-r1", "ch2-r1"):
            conn.execute("INSERT INTO stormproof_reports VALUES (?, 'wf')", (rid,))
    rows = metadata_rows(f"sqlite:///{db}", prefix="ch1")
    assert [r.report_id for r in rows] == ["ch1-r1", "ch1-r1"]


def test_failure_chain_is_read_outermost_first() -> None:
    inner = ApplicationError("bad prompt", type="InvalidRequest")
    try:
        try:
            raise inner
        except ApplicationError as exc:
            raise RuntimeError("workflow failed") from exc
    except RuntimeError as outer:
        assert failure_types(outer) == ["InvalidRequest"]
        assert failure_messages(outer) == "workflow failed <- InvalidRequest: bad prompt"

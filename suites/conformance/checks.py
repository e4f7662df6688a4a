"""Checks shared by the conformance tests and their negative controls.

Each check is a plain function that raises AssertionError with a message a user can act
on. The positive test runs it against the worker under test; the negative control runs the
very same function against a deliberately broken worker and requires it to fail, which is
the proof that the check has teeth.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle

from stormproof.effects import pdf_text
from stormproof.judge import Judge, Run


def assert_llm_calls(judge: Judge, run: Run, expected: int, why: str) -> None:
    calls = judge.llm_calls(run)
    statuses = [call.status for call in calls]
    assert len(calls) == expected, (
        f"{run.workflow_id}: expected {expected} LLM call(s) ({why}), the fake LLM saw "
        f"{len(calls)} with statuses {statuses}"
    )


def assert_one_row(judge: Judge, run: Run) -> None:
    rows = judge.rows(run)
    assert len(rows) == 1, (
        f"{run.workflow_id}: expected exactly one stormproof_reports row for report "
        f"{run.report_id}, found {len(rows)}: {rows} (a retried insert that is not "
        "idempotent writes the row again)"
    )


def assert_no_row(judge: Judge, run: Run) -> None:
    rows = judge.rows(run)
    assert rows == [], f"{run.workflow_id}: expected no metadata row, found {rows}"


def assert_one_notification(judge: Judge, run: Run) -> None:
    deliveries = judge.deliveries(run)
    effects = judge.notification_effects(run)
    keys = sorted({str(d.idempotency_key) for d in deliveries if d.accepted})
    assert effects == 1, (
        f"{run.workflow_id}: expected one notification effect for report {run.report_id}, "
        f"the sink accepted {effects} distinct effect(s), keys {keys}, from "
        f"{len(deliveries)} raw deliveries (retries must reuse one Idempotency-Key)"
    )
    assert all(d.idempotency_key for d in deliveries), (
        f"{run.workflow_id}: a delivery came without an Idempotency-Key header"
    )


def assert_no_notification(judge: Judge, run: Run) -> None:
    accepted = [d for d in judge.deliveries(run) if d.accepted]
    assert accepted == [], f"{run.workflow_id}: expected no notification, sink got {accepted}"


def assert_pdf_has_reply(judge: Judge, run: Run) -> None:
    path = judge.pdf_path(run)
    assert path.is_file(), f"{run.workflow_id}: no PDF at {path}"
    text = " ".join(pdf_text(path).split())
    reply_head = " ".join(judge.expected_reply(run).split())[:60]
    assert reply_head in text, (
        f"{run.workflow_id}: the PDF at {path} does not contain the LLM reply "
        f"(looked for {reply_head!r}, extracted {text[:200]!r})"
    )


def assert_report_completed(result: dict[str, Any], run: Run) -> None:
    assert result["status"] == "completed", result
    assert result["report_id"] == run.report_id, result
    assert result["workflow_id"] == run.workflow_id, result
    assert result.get("notification_key"), f"result names no notification: {result}"


_CLOSE_ATTRIBUTES = {
    EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: "activity_task_completed_event_attributes",
    EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED: "activity_task_failed_event_attributes",
}


async def activity_span(handle: WorkflowHandle[Any, Any], activity: str) -> timedelta:
    """Server (virtual, under time skipping) time from an activity's scheduling to its close.

    Under the time-skipping server this is the time Temporal believes passed, so a retry
    delay that was honoured shows up here even though no wall time was spent.
    """
    scheduled: dict[int, Any] = {}
    span: timedelta | None = None
    async for event in handle.fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            attrs = event.activity_task_scheduled_event_attributes
            if attrs.activity_type.name == activity:
                scheduled[event.event_id] = event.event_time.ToDatetime()
        closed = _CLOSE_ATTRIBUTES.get(event.event_type)
        if closed:
            sched_id = getattr(event, closed).scheduled_event_id
            if sched_id in scheduled:
                span = event.event_time.ToDatetime() - scheduled[sched_id]
    assert span is not None, f"no closed {activity} activity in the history"
    return span


async def workflow_span(handle: WorkflowHandle[Any, Any]) -> timedelta:
    """Server time from the workflow's start to its last event."""
    first = last = None
    async for event in handle.fetch_history_events():
        stamp = event.event_time.ToDatetime()
        first = first or stamp
        last = stamp
    assert first is not None and last is not None
    return last - first

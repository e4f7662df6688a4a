"""Checks judged in Temporal's (virtual) time: approval windows and retry hints.

Conformance runs on the time-skipping server, so a 24 h timer or a 30 s retry hint costs
no wall time; what the worker did is read from the workflow's history, whose event times
are the server's virtual clock. Two facts of the history carry these checks:

- a timer's window is the time from the workflow's start to its last event;
- an activity retried once shows one ActivityTaskScheduled and, when it closes, one
  ActivityTaskStarted stamped with the start of its last attempt. With exactly one failed
  attempt before it, started - scheduled is that attempt's short run (the LLM answering
  429) plus the retry delay the worker asked for: the honoured hint, to the millisecond.

Tolerance (docs/CONTRACT.md section 3): a retry may start no earlier than the hint and at
most HINT_LATE_SECONDS + HINT_LATE_SHARE of the hint after it. An HTTP-date hint is read as
the date minus the moment the 429 left the fake LLM.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle

from stormproof.conformance.judge import Judge, Run
from stormproof.diagnosis import BugClass, Finding, expect
from stormproof.fixtures.fake_llm import LlmCall

__all__ = [
    "HINT_LATE_SECONDS",
    "HINT_LATE_SHARE",
    "Hint",
    "activity_span",
    "check_approval_window",
    "check_retry_hint",
    "hint_of",
    "retry_times",
    "workflow_span",
]

HINT_LATE_SECONDS = 2.0
HINT_LATE_SHARE = 0.10

_CLOSE_ATTRIBUTES = {
    EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: "activity_task_completed_event_attributes",
    EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED: "activity_task_failed_event_attributes",
}


async def activity_span(handle: WorkflowHandle[Any, Any], activity: str) -> timedelta:
    """Server (virtual, under time skipping) time from an activity's scheduling to its close."""
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
    expect(span is not None, BugClass.LOST_EFFECT, f"no closed {activity} activity in the history")
    return span


async def workflow_span(handle: WorkflowHandle[Any, Any]) -> timedelta:
    """Server time from the workflow's start to its last event."""
    first = last = None
    async for event in handle.fetch_history_events():
        stamp = event.event_time.ToDatetime()
        first = first or stamp
        last = stamp
    expect(
        first is not None and last is not None,
        BugClass.LOST_WORKFLOW,
        f"{handle.id} has no history",
    )
    return last - first


async def check_approval_window(run: Run, window: timedelta) -> None:
    """An unanswered approval ends `timed_out` when its window closes, not before and not
    long after (the steps before the wait run in virtual time too, a second or so)."""
    result = await run.result()
    span = await workflow_span(run.handle)
    status = result.get("status")
    expect(
        status != "completed",
        BugClass.INPUT_IGNORED,
        f"{run.workflow_id}: require_approval=true, yet it completed without a decision "
        f"after {span} of server time",
    )
    expect(
        status == "timed_out",
        BugClass.APPROVAL_TIMER,
        f"{run.workflow_id}: an unanswered approval with a {window} window ended "
        f"{status!r} after {span} of server time, not timed_out",
    )
    slack = min(timedelta(minutes=1), window / 3)
    expect(
        window <= span < window + slack,
        BugClass.INPUT_IGNORED,
        f"{run.workflow_id}: approval_timeout_seconds={window.total_seconds():g} but the wait "
        f"timed out after {span} of server time, outside {window}..{window + slack} (a "
        "hard-coded window ignores the input)",
    )


@dataclass(frozen=True)
class Hint:
    """What one 429 asked for: the header it came in and the delay in seconds."""

    header: str
    raw: str
    seconds: float

    @property
    def shown(self) -> str:
        return f"`{self.header}: {self.raw}`"


def hint_of(call: LlmCall) -> Hint:
    """The delay a 429 asked for; retry-after-ms wins, as the contract says."""
    hints = {k.lower(): v for k, v in call.retry_hints.items()}
    if "retry-after-ms" in hints:
        raw = hints["retry-after-ms"]
        return Hint("retry-after-ms", raw, float(raw) / 1000)
    raw = hints["retry-after"]
    try:
        return Hint("retry-after", raw, float(raw))
    except ValueError:
        date = parsedate_to_datetime(raw)
        return Hint("retry-after", raw, (date - call.wall).total_seconds())


async def retry_times(handle: WorkflowHandle[Any, Any], activity: str) -> tuple[datetime, datetime]:
    """(scheduled, start of the last attempt) of the first `activity` in the history."""
    scheduled_id = scheduled = None
    async for event in handle.fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED and scheduled is None:
            attrs = event.activity_task_scheduled_event_attributes
            if attrs.activity_type.name == activity:
                scheduled_id, scheduled = event.event_id, event.event_time.ToDatetime()
        elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            attrs = event.activity_task_started_event_attributes
            if attrs.scheduled_event_id == scheduled_id and scheduled is not None:
                return scheduled, event.event_time.ToDatetime()
    raise Finding(BugClass.LOST_EFFECT, f"no started {activity} attempt in {handle.id}'s history")


async def check_retry_hint(judge: Judge, run: Run) -> Hint:
    """The one retry after the run's one 429 started when the hint said: not earlier, and
    not more than the documented tolerance later. Returns the hint it judged."""
    calls = judge.llm_calls(run)
    limited = [c for c in calls if c.status == 429]
    expect(
        len(limited) == 1 and calls[-1].status == 200,
        BugClass.RETRY_CLASSIFICATION,
        f"{run.workflow_id}: expected one 429 then one answer, the fake LLM saw statuses "
        f"{[c.status for c in calls]}",
    )
    hint = hint_of(limited[0])
    scheduled, retried = await retry_times(run.handle, "llm_call")
    waited = (retried - scheduled).total_seconds()
    latest = hint.seconds + HINT_LATE_SECONDS + HINT_LATE_SHARE * hint.seconds
    when = (
        f"{run.workflow_id}: after {hint.shown} (a wait of {hint.seconds:.1f}s) llm_call was "
        f"scheduled at {scheduled:%H:%M:%S.%f} and retried at {retried:%H:%M:%S.%f} server "
        f"time, {waited:.1f}s later"
    )
    expect(
        waited >= hint.seconds,
        BugClass.RETRY_HINT_IGNORED,
        f"{when}: too early, the hint asked for {hint.seconds:.1f}s",
    )
    expect(
        waited <= latest,
        BugClass.RETRY_HINT_IGNORED,
        f"{when}: too late, at most {latest:.1f}s is allowed (a hint read in the wrong unit?)",
    )
    return hint

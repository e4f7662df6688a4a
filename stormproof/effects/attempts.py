"""Activity attempts, read from a workflow's Temporal history: one definition for both suites.

**The attempts of activity A in workflow W** are the attempts Temporal ran of A in W's
history, summed over every execution of A that W scheduled. Temporal writes one
ActivityTaskStarted event per scheduled activity, when that execution closes (completes,
fails or times out), and it carries the number of the attempt that closed it; the retries
before it leave no event of their own. So an execution counts as that number of attempts,
and one still running when the history is read has no started event yet and counts 0.

Why the sum: each attempt may send one request, so the chaos checker allows a workflow
this many LLM calls, and a workflow that schedules a step again on top of Temporal's
retries has spent more attempts than the step's policy allows, which a conformance test
must see. `executions` is kept beside it, so "Temporal retried the activity" (some one
execution ran more than once: attempts > executions) is never confused with "the
workflow scheduled it twice".
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import WorkflowHandle


class ActivityAttempts(BaseModel):
    """How often Temporal ran one activity type in one workflow (see the module docstring)."""

    model_config = ConfigDict(frozen=True)

    activity: str
    executions: int = Field(0, description="scheduled executions that Temporal has closed")
    attempts: int = Field(0, description="attempts of those executions, summed")

    @property
    def retried(self) -> bool:
        """Temporal ran some one execution more than once (a retry, not a second schedule)."""
        return self.attempts > self.executions


def activity_attempts(events: Iterable[HistoryEvent]) -> dict[str, ActivityAttempts]:
    """Attempts per activity type in one workflow's history events."""
    scheduled: dict[int, str] = {}
    found: dict[str, ActivityAttempts] = {}
    for event in events:
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            name = event.activity_task_scheduled_event_attributes.activity_type.name
            scheduled[event.event_id] = name
        elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            attrs = event.activity_task_started_event_attributes
            name = scheduled.get(attrs.scheduled_event_id, "?")
            seen = found.get(name, ActivityAttempts(activity=name))
            found[name] = ActivityAttempts(
                activity=name,
                executions=seen.executions + 1,
                attempts=seen.attempts + attrs.attempt,
            )
    return found


async def fetch_activity_attempts(
    handle: WorkflowHandle[Any, Any], activity: str
) -> ActivityAttempts:
    """The attempts of `activity` in the workflow `handle` names, from its whole history."""
    events = [event async for event in handle.fetch_history_events()]
    return activity_attempts(events).get(activity, ActivityAttempts(activity=activity))

"""Reset a workflow as an operator does after a bug fix (`temporal workflow reset`).

A reset starts a new run of the same workflow id whose history is the old one up to a
workflow task; the code then runs again from there, so every step after that point is
performed a second time. The points a report can be reset to are read from its history:
its first workflow task (every step again), and the workflow task that followed each
completed activity (the steps after it again).
"""

from __future__ import annotations

import uuid
from typing import Any

from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import EventType
from temporalio.api.workflowservice.v1 import ResetWorkflowExecutionRequest
from temporalio.client import Client, WorkflowHandle

__all__ = ["FIRST_TASK", "reset_points", "reset_to"]

FIRST_TASK = "first-workflow-task"
COMPLETED_TASK = EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED


async def reset_points(handle: WorkflowHandle[Any, Any]) -> dict[str, int]:
    """Reset point -> the workflow task event id: FIRST_TASK, and `after-<activity type>`
    for each completed activity (the first workflow task completed after it)."""
    history = await handle.fetch_history()
    scheduled: dict[int, str] = {}
    points: dict[str, int] = {}
    pending: list[str] = []  # activities completed since the last workflow task
    for event in history.events:
        if event.HasField("activity_task_scheduled_event_attributes"):
            attributes = event.activity_task_scheduled_event_attributes
            scheduled[event.event_id] = attributes.activity_type.name
        elif event.HasField("activity_task_completed_event_attributes"):
            done = event.activity_task_completed_event_attributes
            pending.append(scheduled[done.scheduled_event_id])
        elif event.event_type == COMPLETED_TASK:
            points.setdefault(FIRST_TASK, event.event_id)
            for name in pending:
                points.setdefault(f"after-{name}", event.event_id)
            pending = []
    return points


async def reset_to(
    client: Client, handle: WorkflowHandle[Any, Any], event_id: int, reason: str
) -> WorkflowHandle[Any, Any]:
    """Reset the handle's run to the workflow task `event_id`; the new run's handle."""
    run_id = handle.result_run_id or handle.run_id or ""
    request = ResetWorkflowExecutionRequest(
        namespace=client.namespace,
        workflow_execution=WorkflowExecution(workflow_id=handle.id, run_id=run_id),
        reason=reason,
        workflow_task_finish_event_id=event_id,
        request_id=str(uuid.uuid4()),
    )
    response = await client.workflow_service.reset_workflow_execution(request)
    return client.get_workflow_handle(handle.id, run_id=response.run_id)

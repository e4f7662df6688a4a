"""The observer role: read back what the world holds after a chaos run, never the worker's word.

Every effect is read through the judge's one reader of it (stormproof.effects), the same
the conformance suite uses: LLM calls from the fake LLM's log, notifications from the
sink's raw log (accepted deliveries only: a 503 while "down" is not an effect), rows
straight from PostgreSQL (not through the proxy the worker uses), artifacts from the
folder, activity attempts from Temporal's history. From Temporal also come the runs per
workflow id (visibility) and the time of every completed step, which becomes a `step`
operation in the history so the checker can measure recovery from each heal.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.service import RPCError

from stormproof import effects
from stormproof.checker import DeliveryObservation, LlmObservation
from stormproof.effects import ActivityAttempts
from stormproof.fixtures.fake_llm import FakeLlm
from stormproof.fixtures.sink import NotificationSink
from stormproof.fixtures.wait import wait_for
from stormproof.operations import OperationLog

STEP_EVENTS = {
    EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: "activity",
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED: "workflow",
}


def llm_calls(fake_llm: FakeLlm, tag: str, markers: set[str]) -> list[LlmObservation]:
    return [
        LlmObservation(marker=c.marker, status=c.status, prompt_tagged=tag in c.prompt)
        for c in effects.llm_calls(fake_llm, markers, tag=tag)
    ]


def deliveries(sink: NotificationSink, tag: str) -> list[DeliveryObservation]:
    return [
        DeliveryObservation(report_id=d.report_id, key=d.idempotency_key)
        for d in effects.deliveries(sink, prefix=tag)
        if d.accepted and d.report_id
    ]


def rows(database_url: str, tag: str) -> list[str] | None:
    """report_id of every row of this run; None when the database cannot be read."""
    try:
        return [row.report_id for row in effects.metadata_rows(database_url, prefix=tag)]
    except psycopg.Error:
        return None


def artifacts(artifact_dir: Path) -> list[str]:
    """Final artifact files (temporary files of an interrupted write are not artifacts)."""
    return effects.artifact_files(artifact_dir)


async def runs_of(client: Client, workflow_id: str, expect: bool) -> list[str]:
    """Run ids visibility lists for `workflow_id` (waits briefly for lagging visibility)."""

    async def listed() -> list[str] | None:
        found = [w.run_id async for w in client.list_workflows(f"WorkflowId = '{workflow_id}'")]
        return found if found or not expect else None

    try:
        return await wait_for(
            listed, what=f"runs of {workflow_id}", timeout=10, interval=0.2, retry_on=(RPCError,)
        )
    except TimeoutError:
        return []


async def steps_and_attempts(
    client: Client, workflow_id: str, history: OperationLog
) -> dict[str, ActivityAttempts]:
    """Record each completed step as a `step` op at its server time; return the attempts
    of every activity, as stormproof.effects.attempts defines them."""
    events = (await client.get_workflow_handle(workflow_id).fetch_history()).events
    for event in events:
        if event.event_type in STEP_EVENTS:
            at = event.event_time.seconds + event.event_time.nanos / 1e9
            history.ok("observer", "step", workflow_id, at=at, kind=STEP_EVENTS[event.event_type])
    return effects.activity_attempts(events)

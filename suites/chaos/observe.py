"""The observer role: read back what the world holds after a chaos run, never the worker's word.

Effects come from their own sources: LLM calls from the fake LLM's log, notifications from
the sink's raw log (accepted deliveries only: a 503 while "down" is not an effect), rows
straight from PostgreSQL (not through the proxy the worker uses), artifacts from the
folder. From Temporal come the runs per workflow id (visibility), the attempts of every
activity, and the time of every completed step, which becomes a `step` operation in the
history so the checker can measure recovery from each heal.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.service import RPCError

from stormproof.checker import Delivery, LlmObservation
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
        for c in fake_llm.calls
        if c.marker in markers or tag in c.prompt
    ]


def deliveries(sink: NotificationSink, tag: str) -> list[Delivery]:
    return [
        Delivery(report_id=d.report_id, key=d.idempotency_key)
        for d in sink.deliveries
        if d.accepted and d.report_id and d.report_id.startswith(tag)
    ]


def rows(database_url: str, tag: str) -> list[str] | None:
    """report_id of every row of this run; None when the database cannot be read."""
    try:
        with psycopg.connect(database_url, autocommit=True, connect_timeout=5) as conn:
            exists = conn.execute("SELECT to_regclass('stormproof_reports')").fetchone()
            if not exists or exists[0] is None:
                return []
            found = conn.execute(
                "SELECT report_id FROM stormproof_reports WHERE report_id LIKE %s",
                (tag + "%",),
            ).fetchall()
    except psycopg.Error:
        return None
    return [r[0] for r in found]


def artifacts(artifact_dir: Path) -> list[str]:
    """Final artifact files (temporary files of an interrupted write are not artifacts)."""
    found: list[str] = []
    for folder, suffix in (("stories", ".md"), ("reports", ".pdf")):
        base = artifact_dir / folder
        if base.is_dir():
            found += [f"{folder}/{p.name}" for p in base.iterdir() if p.name.endswith(suffix)]
    return sorted(found)


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
) -> dict[str, int]:
    """Record each completed step as a `step` op at its server time; return attempts."""
    events = (await client.get_workflow_handle(workflow_id).fetch_history()).events
    scheduled: dict[int, str] = {}
    attempts: dict[str, int] = {}
    for event in events:
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            name = event.activity_task_scheduled_event_attributes.activity_type.name
            scheduled[event.event_id] = name
        elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            attrs = event.activity_task_started_event_attributes
            name = scheduled.get(attrs.scheduled_event_id, "?")
            attempts[name] = attempts.get(name, 0) + attrs.attempt
        if event.event_type in STEP_EVENTS:
            at = event.event_time.seconds + event.event_time.nanos / 1e9
            history.ok("observer", "step", workflow_id, at=at, kind=STEP_EVENTS[event.event_type])
    return attempts

"""A support session must outlive its history: it continues as new when Temporal suggests it.

Temporal suggests continuing as new in a workflow task's started event once a run's history
passes a size (4,096 events by default) and terminates the run at a hard limit (51,200).
The suite has no check of its own for that warning, so this is it, written with the public
names: a conversation of `TURNS` messages on a dev server whose limits are low enough to
reach in seconds; then, for every run of the session, read from its history: the run took
at most one more message once the suggestion came (the one in flight), and every message
was answered. The app's session continues as new and answers all; the unbounded_session
twin ignores the suggestion, and the server terminates it at the limit: `lost-workflow`,
the class of what becomes of every long enough conversation.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError

from examples.agents_openai.tests.helpers import ADAPTER, twin_argv
from stormproof.adapter import for_adapter, load_adapter
from stormproof.diagnosis import BugClass, expect, rejected_as
from stormproof.world import (
    DevServer,
    FakeLlm,
    WorkerProcess,
    World,
    build_endpoints,
    wait_polling,
)

pytestmark = [pytest.mark.local_server, pytest.mark.worker_process]
SUGGEST_AT = 60  # events: continue-as-new suggested from here
LIMIT = 150  # events: the server terminates a run this long
TURNS = 16
QUEUE = "support-session"
STARTED = EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED
ACCEPTED = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
CONTINUED = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
TERMINATED = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED


@contextlib.asynccontextmanager
async def limited_world(folder: Path, argv: Sequence[str]) -> AsyncIterator[Client]:
    """A dev server with low history limits, the fake LLM, and the worker `argv` on QUEUE."""
    limits = {
        "limit.historyCount.suggestContinueAsNew": SUGGEST_AT,
        "limit.historyCount.warn": SUGGEST_AT,
        "limit.historyCount.error": LIMIT,
    }
    extra = [arg for k, v in limits.items() for arg in ("--dynamic-config-value", f"{k}={v}")]
    world = World()  # the suite's own dev server: started from the wheel, torn down after
    server = world.add("temporal", DevServer(folder / "temporal", extra_args=tuple(extra)))
    async with world:
        client = await Client.connect(server.address, data_converter=pydantic_data_converter)
        async with _served(folder, argv, client, server.address) as served:
            yield served


@contextlib.asynccontextmanager
async def _served(
    folder: Path, argv: Sequence[str], client: Client, address: str
) -> AsyncIterator[Client]:
    """The fake LLM and the worker `argv` on QUEUE, against the dev server at `address`."""
    with FakeLlm() as llm:
        base = build_endpoints(
            folder,
            temporal_address=address,
            llm_base_url=llm.base_url,
            notify_url=f"{llm.base_url}/unused",
        )
        endpoints = for_adapter(base, load_adapter(ADAPTER))
        worker = WorkerProcess(argv, endpoints, task_queue=QUEUE, log_dir=folder).start()
        try:
            await wait_polling(client, QUEUE, timeout=60, process=worker.process)
            yield client
        finally:
            worker.stop()


async def converse(client: Client, workflow_id: str) -> tuple[str, int, str]:
    """TURNS messages, one after another: the first run's id, how many were answered, and
    why the conversation stopped early."""
    started = await client.start_workflow("SupportSession", {}, id=workflow_id, task_queue=QUEUE)
    session = client.get_workflow_handle(workflow_id)  # the latest run, whichever it is
    first = started.first_execution_run_id or ""
    for turn in range(TURNS):
        message = f"Where is my order A-1002? (message {turn + 1})"
        try:
            await session.execute_update("ask", message, rpc_timeout=timedelta(seconds=30))
        except (WorkflowUpdateFailedError, RPCError) as exc:
            return first, turn, f"{type(exc).__name__}: {exc}"
    await session.signal("close")
    return first, TURNS, ""


async def runs_of(client: Client, workflow_id: str, run_id: str) -> list[list[HistoryEvent]]:
    """Each run's events, from `run_id` along the continue-as-new chain."""
    runs: list[list[HistoryEvent]] = []
    next_run: str | None = run_id
    while next_run:
        history = await client.get_workflow_handle(workflow_id, run_id=next_run).fetch_history()
        runs.append(list(history.events))
        last = history.events[-1]
        attrs = last.workflow_execution_continued_as_new_event_attributes
        next_run = attrs.new_execution_run_id if last.event_type == CONTINUED else None
    return runs


def messages_after_suggestion(events: list[HistoryEvent]) -> tuple[int | None, int]:
    """The event at which Temporal first suggested continuing as new (None: never), and the
    messages (accepted Updates) the run took after it."""
    suggested = next(
        (
            e.event_id
            for e in events
            if e.event_type == STARTED
            and e.workflow_task_started_event_attributes.suggest_continue_as_new
        ),
        None,
    )
    if suggested is None:
        return None, 0
    return suggested, sum(1 for e in events if e.event_type == ACCEPTED and e.event_id > suggested)


def ending(events: list[HistoryEvent]) -> str:
    last = events[-1]
    if last.event_type == TERMINATED:
        reason = last.workflow_execution_terminated_event_attributes.reason
        return f"then the server terminated it ({reason})"
    return f"then {EventType.Name(last.event_type).removeprefix('EVENT_TYPE_').lower()}"


async def judge_session(client: Client, workflow_id: str) -> None:
    """Every message answered, and no run that ignored Temporal's suggestion; else
    `lost-workflow`. A conversation that never reached the suggestion proves nothing:
    `fault-missed`."""
    first, answered, why = await converse(client, workflow_id)
    runs = await runs_of(client, workflow_id, first)
    suggested_anywhere = False
    for number, events in enumerate(runs, 1):
        suggested, late = messages_after_suggestion(events)
        suggested_anywhere = suggested_anywhere or suggested is not None
        expect(
            late <= 1,
            BugClass.LOST_WORKFLOW,
            f"{workflow_id} run {number}: Temporal suggested continuing as new at event "
            f"{suggested} and the run took {late} more messages instead, its history growing "
            f"to {len(events)} events; {ending(events)}",
        )
    expect(
        answered == TURNS,
        BugClass.LOST_WORKFLOW,
        f"{workflow_id}: message {answered + 1} of {TURNS} was never answered ({why}); "
        f"{len(runs)} run(s), the last {ending(runs[-1])}",
    )
    expect(
        suggested_anywhere,
        BugClass.FAULT_MISSED,
        f"{workflow_id}: {TURNS} messages never reached the suggestion at {SUGGEST_AT} events",
    )


async def test_session_continues_as_new(tmp_path: Path) -> None:
    async with limited_world(tmp_path, load_adapter(ADAPTER).worker_cmd) as client:
        workflow_id = f"session-{uuid.uuid4().hex[:8]}"
        await judge_session(client, workflow_id)
        turns = await client.get_workflow_handle(workflow_id).result()  # after `close`
        assert turns == TURNS, f"the session counted {turns} turns across its runs"


@pytest.mark.negative_control
async def test_negative_control_unbounded_session(tmp_path: Path) -> None:
    async with limited_world(tmp_path, twin_argv("unbounded_session")) as client:
        with rejected_as(BugClass.LOST_WORKFLOW):
            await judge_session(client, f"session-{uuid.uuid4().hex[:8]}")

"""The person's confirmation, and its timeout, in Temporal's virtual time.

The app's worker runs as its own process against the time-skipping test server: nobody
confirms the proposed ticket, so once the
agent's four steps are done the workflow waits on its hour-long timer, which the server
skips while the result is awaited. The case must end `expired`, with no ticket row, no
fifth model request, and the agent's steps up to the proposal in its result. A confirm sent
after that is refused by Temporal and changes nothing. The history of this branch is
committed beside the filed case's (histories/SupportCaseWorkflow/expired.json) and replayed
by test_replay.py.

The world is composed here rather than taken from stormproof.conformance.team_world, whose
readiness probe on this server (a workflow of a type no worker has, terminated once a
worker took its task) leaves the server's time locked: the hour would never pass. Nothing
here needs the probe: the case itself waits in the queue until the worker polls.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError

from examples.agents_pydantic.tests.helpers import ADAPTER, HISTORIES, RECORD, scrubbed, shape
from stormproof.adapter import Adapter, UnitContext, for_adapter, load_adapter
from stormproof.diagnosis import BugClass, expect
from stormproof.replay import drift_report, read_committed, write
from stormproof.world import (
    FakeLlm,
    TimeSkippingServer,
    WorkerProcess,
    World,
    build_endpoints,
    new_marker,
    tag,
)

pytestmark = [pytest.mark.time_skipping, pytest.mark.worker_process]
QUEUE = "support-expiry"
EXPIRED = "SupportCaseWorkflow/expired.json"


async def _started(world: World, adapter: Adapter, folder: Path) -> tuple[Client, str]:
    """The servers, then the app's worker (not awaited: the case waits in the queue);
    returns the time-skipping client and the worker's database."""
    fake_llm = world.add("fake-llm", FakeLlm())
    skipping = world.add("temporal", TimeSkippingServer())
    await world.start()
    assert skipping.env is not None and skipping.endpoint is not None and adapter.worker_cmd
    base = build_endpoints(
        folder, temporal_address=skipping.endpoint, llm_base_url=fake_llm.base_url, notify_url=""
    )
    endpoints = for_adapter(base, adapter)
    worker = WorkerProcess(adapter.worker_cmd, endpoints, task_queue=QUEUE, log_dir=folder)
    world.add("worker", worker, after=world.names, ready=lambda: None)
    await world.start("worker")
    # The environment's client unlocks time skipping while a result is awaited.
    config = {**skipping.env.client.config(), "data_converter": pydantic_data_converter}
    return Client(**config), base.database_url


def _tickets(database_url: str) -> list[Any]:
    path = Path("/" + database_url.removeprefix("sqlite://").lstrip("/"))
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT case_id FROM support_tickets").fetchall()


async def test_an_unconfirmed_ticket_expires_unfiled(tmp_path: Path) -> None:
    adapter = load_adapter(ADAPTER)
    unit = adapter.unit("support_case")
    assert unit.llm_answers is not None
    marker = new_marker()
    ctx = UnitContext(
        workflow_id="expiry-case",
        marker=marker,
        text=tag(marker, "Nobody answers the confirmation."),
        task_queue=QUEUE,
        artifact_dir=tmp_path,
        tag="expiry",
    )
    async with World() as world:
        client, database_url = await _started(world, adapter, tmp_path)
        world["fake-llm"].answer(marker, unit.llm_answers(ctx))
        handle = await client.start_workflow(
            unit.workflow_type, args=unit.build_input(ctx), id=ctx.workflow_id, task_queue=QUEUE
        )
        result = await handle.result()  # the hour passes in virtual time
        with pytest.raises((WorkflowUpdateFailedError, RPCError)):
            await handle.execute_update("confirm", id="too-late")
        history = (await handle.fetch_history()).to_json_dict()
        calls = world["fake-llm"].calls_for(marker)
        rows = _tickets(database_url)

    assert result["status"] == "expired", result
    assert result["triage"] is None and result["ticket_key"] is None, result
    assert result["steps"] == ["lookup_order", "ask_billing", "file_ticket"], result
    assert [c.tool_calls for c in calls] == [["lookup_order"], ["ask_billing"], [], ["file_ticket"]]
    assert rows == [], f"a ticket nobody confirmed was filed: {rows}"

    fresh = scrubbed(history, marker, "expiry")
    if os.environ.get(RECORD):
        write(HISTORIES / EXPIRED, fresh)
    report = drift_report(
        {EXPIRED: shape(read_committed(HISTORIES / EXPIRED))}, {EXPIRED: shape(fresh)}
    )
    expect(not report, BugClass.NON_DETERMINISM, report)

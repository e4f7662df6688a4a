"""The human in the loop, in Temporal's virtual time (the time-skipping test server): a ticket
is filed only once the customer confirms it, and never after the window closes.

- Unconfirmed: the run waits its whole window (an hour of server time, seconds here), then
  files nothing (`not_confirmed`: no ticket at the sink; `unexpected-effect` otherwise) and
  ends with the model's last word; a confirmation that comes after the window, while the
  run is still finishing, is refused by the `confirm` Update's validator (`approval-signal`
  if accepted).
- Confirmed half-way through the window: filed once, after the confirmation, not before.

The world is built here, not with `team_world`: its readiness probe (a workflow the worker
cannot run, terminated once picked up) leaves the test server's clock locked, so a timer
would wait in real time. The worker needs no probe: the first run waits for it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from examples.agents_openai.tests.helpers import ADAPTER, STEPS, tickets
from stormproof.adapter import Unit, UnitContext, for_adapter, load_adapter
from stormproof.conformance.timing import workflow_span
from stormproof.diagnosis import BugClass, expect, fail
from stormproof.world import (
    Delay,
    FakeLlm,
    NotificationSink,
    WorkerProcess,
    build_endpoints,
    new_marker,
    tag,
    time_skipping_environment,
    wait_for,
)

pytestmark = [pytest.mark.time_skipping, pytest.mark.worker_process]
QUEUE = "support-confirmation"
WINDOW = timedelta(hours=1)  # the request's default confirm_within_seconds
NOT_FILED = "No ticket was filed: you did not confirm it."


@dataclass
class SkippingWorld:
    env: WorkflowEnvironment
    client: Client
    llm: FakeLlm
    sink: NotificationSink
    unit: Unit
    folder: Path

    async def start(
        self, name: str, answers: Callable[[UnitContext], list[Any]]
    ) -> tuple[UnitContext, WorkflowHandle[Any, Any]]:
        """The adapter's `triage` unit, the model scripted by `answers`, not yet confirmed;
        returns once its ticket waits for the customer."""
        marker = new_marker()
        ctx = UnitContext(
            workflow_id=f"confirm-{name}",
            marker=marker,
            text=tag(marker, "Where is my parcel?"),
            task_queue=QUEUE,
            artifact_dir=self.folder,
            tag="confirm-",
        )
        self.llm.answer(marker, answers(ctx))
        handle = await self.client.start_workflow(
            self.unit.workflow_type,
            args=self.unit.build_input(ctx),
            id=ctx.workflow_id,
            task_queue=QUEUE,
        )

        async def waiting() -> bool:
            return await handle.query("ticket_status") == "awaiting_confirmation"

        await wait_for(waiting, what=f"{ctx.workflow_id} to wait for a yes", timeout=60)
        return ctx, handle


@contextlib.asynccontextmanager
async def skipping_world(folder: Path) -> AsyncIterator[SkippingWorld]:
    adapter = load_adapter(ADAPTER)
    env = await time_skipping_environment()
    try:
        with FakeLlm() as llm, NotificationSink() as sink:
            # The environment's client config: awaiting a result lets the clock skip.
            client = Client(**{**env.client.config(), "data_converter": pydantic_data_converter})
            address = env.client.service_client.config.target_host
            base = build_endpoints(
                folder, temporal_address=address, llm_base_url=llm.base_url, notify_url=sink.url
            )
            worker = WorkerProcess(
                adapter.worker_cmd, for_adapter(base, adapter), task_queue=QUEUE, log_dir=folder
            ).start()
            try:
                yield SkippingWorld(env, client, llm, sink, adapter.unit("triage"), folder)
            finally:
                worker.stop()
    finally:
        await env.shutdown()


async def test_an_unconfirmed_ticket_is_never_filed(tmp_path: Path) -> None:
    async with skipping_world(tmp_path) as world:
        steps = world.unit.llm_answers
        assert steps is not None
        ctx, handle = await world.start("unconfirmed", lambda c: [*steps(c)[:-1], NOT_FILED])
        world.llm.script(ctx.marker, [Delay(seconds=3)])  # the last word, after the window
        closing = asyncio.create_task(handle.result())  # awaited: the clock may skip
        await world.llm.wait_for_calls(ctx.marker, 4, timeout=60, finished=False)
        try:
            await handle.execute_update("confirm", id=f"late-{ctx.workflow_id}")
        except WorkflowUpdateFailedError:
            pass
        else:
            fail(BugClass.APPROVAL_SIGNAL, f"{ctx.workflow_id}: a yes after the window was taken")
        outcome = await closing
        span = await workflow_span(handle)
        expect(
            outcome["status"] == "not_confirmed" and outcome["ticket_id"] is None,
            BugClass.APPROVAL_TIMER,
            f"{ctx.workflow_id}: unconfirmed for {span} of server time, yet {outcome}",
        )
        expect(
            WINDOW <= span < WINDOW + timedelta(minutes=1),
            BugClass.APPROVAL_TIMER,
            f"{ctx.workflow_id}: the {WINDOW} window ended after {span} of server time",
        )
        filed = tickets(world.sink.deliveries, ctx.workflow_id)
        expect(not filed, BugClass.UNEXPECTED_EFFECT, f"an unconfirmed ticket was filed: {filed}")
        answered = [c.tool_calls for c in world.llm.calls_for(ctx.marker) if c.status == 200]
        assert answered == STEPS and outcome["reply"] == NOT_FILED, (answered, outcome)


async def test_a_ticket_confirmed_late_in_the_window_is_filed_once(tmp_path: Path) -> None:
    async with skipping_world(tmp_path) as world:
        unit = world.unit
        assert unit.llm_answers is not None and unit.drive is not None
        ctx, handle = await world.start("in-window", unit.llm_answers)
        await world.env.sleep(WINDOW / 2)  # half an hour of server time without an answer
        assert not tickets(world.sink.deliveries, ctx.workflow_id), "filed before the yes"
        await unit.drive(ctx, handle)
        outcome = await handle.result()
        problem = unit.check_result(ctx, outcome) if unit.check_result else None
        expect(problem is None, BugClass.APPROVAL_SIGNAL, f"{ctx.workflow_id}: {problem}")
        span = await workflow_span(handle)
        assert WINDOW / 2 <= span < WINDOW, span
        [ticket] = tickets(world.sink.deliveries, ctx.workflow_id)
        assert ticket.accepted, ticket

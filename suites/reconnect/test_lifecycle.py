"""Process lifecycle (docs/CONTRACT.md section 6), judged by progress through Temporal:

- cancelling an activity does not end the worker process;
- clients closing (the API shutting down, a CLI exiting, a dropped in-process client) do
  not stop a worker in another process;
- SIGTERM drains an in-flight activity: it completes, its result reaches Temporal (no
  second LLM call when another worker finishes the workflow) and the process exits 0
  within the grace period.
"""

from __future__ import annotations

import asyncio
import gc
import signal
import sys
import time
import uuid
from collections.abc import Sequence

import pytest
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle

from stormproof.adapter import CONTRACT, UnitContext
from stormproof.diagnosis import BugClass, Finding, expect, fail, rejected_as
from stormproof.reconnect import ReconnectWorld
from stormproof.reconnect.checks import accepted_id
from stormproof.world import (
    Delay,
    ManagedProcess,
    ProcessExited,
    WaitTimeout,
    WorkerProcess,
    broken_argv,
    new_marker,
    ping,
    tag,
    wait_for,
)

pytestmark = [pytest.mark.local_server, pytest.mark.worker_process]

EXITS_ON_CANCEL_ARGV = broken_argv("exits_on_cancel")
# A cancel reaches a running activity with its next heartbeat, which the SDK sends at most
# every 0.8 x heartbeat timeout (15 s for llm_call, reference/workflows/policies.py) = 12 s.
CANCEL_DELIVERY_WINDOW = 16.0
# reference/worker.py drains for 10 s; the margin covers interpreter exit.
DRAIN_GRACE = 15.0
STORY = CONTRACT.unit("story")  # the contract's workflows, named only by its adapter


async def start_held_story(
    world: ReconnectWorld, client: Client, hold: float
) -> tuple[str, WorkflowHandle]:
    """A story (the contract adapter's unit) whose LLM call the fake LLM holds for `hold`
    seconds; returns once that call is in flight."""
    marker = new_marker()
    world.fake_llm.script(marker, [Delay(seconds=hold)])
    ctx = UnitContext(
        workflow_id=f"story-{uuid.uuid4().hex[:12]}",
        marker=marker,
        text=tag(marker, "a story held by the LLM"),
        task_queue=world.task_queue,
        artifact_dir=world.endpoints.artifact_dir,
    )
    handle = await client.start_workflow(
        STORY.workflow_type,
        args=STORY.build_input(ctx),
        id=ctx.workflow_id,
        task_queue=world.task_queue,
    )
    await world.fake_llm.wait_for_calls(marker, 1, timeout=30, finished=False)
    return marker, handle


async def stays_alive(worker: WorkerProcess, seconds: float, why: str) -> None:
    """Watch the process for an observation window; fail as soon as it exits."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not worker.process.running():
            raise Finding(
                BugClass.WORKER_EXITED,
                f"the worker process ended ({why}) with code "
                f"{worker.process.returncode()}:\n{worker.log(30)}",
            )
        await asyncio.sleep(0.2)  # wait-ok: poll interval of a bounded observation window


async def cancel_an_activity(world: ReconnectWorld, worker_argv: Sequence[str] | None) -> None:
    client, worker = await world.running_worker(worker_argv)

    in_flight = time.monotonic()
    _, handle = await start_held_story(world, client, hold=40)
    await handle.cancel()

    async def cancelled() -> bool:
        return (await handle.describe()).status == WorkflowExecutionStatus.CANCELED

    await wait_for(cancelled, what="the story workflow to be cancelled", timeout=20)
    remaining = CANCEL_DELIVERY_WINDOW - (time.monotonic() - in_flight)
    await stays_alive(worker, remaining, "after an activity was cancelled")
    # Alive is not enough: a worker draining towards exit is alive and useless. Progress
    # (a PingWorkflow completing) is the verdict.
    try:
        await ping(client, world.task_queue, timeout=20, process=worker.process)
    except (WaitTimeout, ProcessExited) as exc:
        raise Finding(
            BugClass.WORKER_EXITED,
            f"the worker made no progress (after an activity was cancelled): {exc}\n"
            f"{worker.log(30)}",
        ) from None


async def test_cancelling_an_activity_does_not_end_the_worker(reconnect_world: ReconnectWorld):
    await cancel_an_activity(reconnect_world, None)


@pytest.mark.negative_control
async def test_negative_control_worker_exiting_on_cancel_is_caught(
    reconnect_world: ReconnectWorld,
):
    # Caught either way: the process ends, or it lives on without making progress.
    with rejected_as(BugClass.WORKER_EXITED) as caught:
        await cancel_an_activity(reconnect_world, EXITS_ON_CANCEL_ARGV)
    assert "(after an activity was cancelled)" in str(caught.value)
    for worker in reconnect_world.workers:  # a twin that lives on stuck ignores SIGTERM:
        worker.process.kill()  # no 15 s of graceful stop at teardown for it


async def test_closing_clients_does_not_stop_the_worker(reconnect_world: ReconnectWorld):
    world = reconnect_world
    client, worker = await world.running_worker()

    # The API (a client in its own process) accepts work, then shuts down cleanly.
    api = await world.running_api()
    via_api = await accepted_id(await api.submit(f"[{new_marker()}] before the API stops"))
    assert api.process.stop(grace=10) == 0, f"the API did not shut down cleanly:\n{api.log()}"

    # A CLI client starts a workflow and exits.
    cli: ManagedProcess = world.start_process(
        "cli-start",
        [
            sys.executable,
            "-m",
            "stormproof.reference.cli",
            "start",
            "story",
            f"[{new_marker()}] via CLI",
        ],
    )
    await wait_for(lambda: not cli.running(), what="the CLI to exit", timeout=30)
    assert cli.returncode() == 0, cli.log()
    via_cli = cli.log().strip().splitlines()[-1]

    # An in-process client starts the contract's readiness workflow and is dropped
    # before it completes.
    dropped = await Client.connect(world.server.address, namespace="default")
    ping_id = f"ping-{uuid.uuid4().hex[:12]}"
    assert CONTRACT.ready_workflow is not None
    await dropped.start_workflow(CONTRACT.ready_workflow, id=ping_id, task_queue=world.task_queue)
    del dropped
    gc.collect()

    for workflow_id in (via_api, via_cli, ping_id):
        result = await client.get_workflow_handle(workflow_id).result()
        assert result, f"{workflow_id} returned {result!r}"
    assert worker.process.running(), worker.log()
    await ping(client, world.task_queue, timeout=20, process=worker.process)


async def sigterm_drains(world: ReconnectWorld, worker_argv: Sequence[str] | None) -> None:
    client, worker = await world.running_worker(worker_argv, name="draining-worker")
    marker, handle = await start_held_story(world, client, hold=3)

    worker.process.signal_group(signal.SIGTERM)
    try:
        await wait_for(
            lambda: not worker.process.running(),
            what="the worker to drain and exit after SIGTERM",
            timeout=DRAIN_GRACE,
            logs={"worker": worker.process.log_path},
        )
    except WaitTimeout as exc:
        raise Finding(BugClass.UNRESPONSIVE, str(exc)) from None
    if worker.process.returncode() != 0:  # the whole log is read only when it is evidence
        fail(BugClass.WORKER_EXITED, f"SIGTERM must end in exit code 0:\n{worker.log()}")
    calls = world.fake_llm.calls_for(marker)
    expect(
        [c.status for c in calls] == [200],
        BugClass.NO_DRAIN,
        "the in-flight LLM call was dropped, not finished, when SIGTERM came: "
        + world.fake_llm.describe_calls(),
    )

    # Another worker finishes the workflow without repeating the drained LLM call.
    successor = world.start_worker(name="successor")
    await successor.wait_ready(client)
    result = await handle.result()
    assert result["workflow_id"] == handle.id
    calls = world.fake_llm.calls_for(marker)
    expect(
        len(calls) == 1, BugClass.NO_DRAIN, f"the drained result was lost: {len(calls)} LLM calls"
    )


async def test_sigterm_drains_in_flight_activity(reconnect_world: ReconnectWorld):
    await sigterm_drains(reconnect_world, None)


@pytest.mark.negative_control
async def test_negative_control_exits_at_once_on_sigterm(reconnect_world: ReconnectWorld):
    with rejected_as(BugClass.NO_DRAIN):
        await sigterm_drains(reconnect_world, broken_argv("exits_at_once_on_sigterm"))

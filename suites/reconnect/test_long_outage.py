"""Temporal down for 90 s: throughout, the API refuses work with the reason and the worker
keeps retrying (it neither exits nor needs a restart); afterwards the API accepts within
seconds and the worker makes progress within the SDK's poll backoff ceiling.

Expensive on purpose (the SDK's retry and backoff only reach their ceilings in a long
outage), so it is the only 90 s test; liveness is judged by a PingWorkflow completing,
not by the processes being alive."""

from __future__ import annotations

import asyncio
import time

import pytest

from stormproof.diagnosis import BugClass, expect
from stormproof.reconnect import ReconnectWorld
from stormproof.reconnect.checks import (
    accept_until,
    assert_completes,
    assert_not_ready,
    assert_refused,
)
from stormproof.world import new_marker, ping

pytestmark = [pytest.mark.local_server, pytest.mark.worker_process]

OUTAGE_SECONDS = 90.0
CHECK_EVERY_SECONDS = 5.0
API_RECOVERY_BOUND = 5.0
# The SDK's poll backoff tops out near 10 s; the margin is for a loaded CI machine.
WORKER_PROGRESS_BOUND = 20.0


async def test_temporal_down_90s_api_and_worker_recover_without_restart(
    reconnect_world: ReconnectWorld,
):
    world = reconnect_world
    client, worker = await world.running_worker()
    api = await world.running_api()
    pids = (api.process.pid, worker.process.pid)

    world.server.kill()
    began = time.monotonic()
    checks = 0
    while time.monotonic() - began < OUTAGE_SECONDS:
        await assert_refused(api, f"[{new_marker()}] during a long outage")
        await assert_not_ready(api)
        exited = f"the worker exited during the outage:\n{worker.log()}"
        expect(worker.process.running(), BugClass.WORKER_EXITED, exited)
        checks += 1
        await asyncio.sleep(CHECK_EVERY_SECONDS)  # wait-ok: outage duration
    assert checks >= OUTAGE_SECONDS / CHECK_EVERY_SECONDS - 2, f"only {checks} checks ran"

    await world.restart_temporal()
    back = time.monotonic()
    prompt = f"[{new_marker()}] after a long outage"
    took, workflow_id = await accept_until(api, prompt, f"key-{new_marker()}", API_RECOVERY_BOUND)
    await ping(client, world.task_queue, timeout=WORKER_PROGRESS_BOUND)
    progress = time.monotonic() - back
    slow = f"the worker took {progress:.1f}s to make progress"
    expect(progress < WORKER_PROGRESS_BOUND, BugClass.UNRESPONSIVE, slow)
    await assert_completes(api, client, workflow_id, timeout=30)
    await api.wait_ready(timeout=WORKER_PROGRESS_BOUND)
    same = (api.process.pid, worker.process.pid) == pids
    alive = api.process.running() and worker.process.running()
    expect(same and alive, BugClass.WORKER_EXITED, "nothing may need a restart")
    assert api.log().count("temporal link: unreachable") == 1, (
        "each change of connection state is logged once:\n" + api.log()
    )
    print(f"after 90 s down: API accepted in {took:.2f}s, worker progressed in {progress:.2f}s")

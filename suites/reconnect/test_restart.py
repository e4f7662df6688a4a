"""Temporal crashes mid-test and comes back: work accepted before the outage completes, work
submitted during it is refused with 503 (never a silent PENDING), a retry with the same
Idempotency-Key after the outage starts exactly one workflow, and after recovery the API
accepts again quickly, all without restarting the API or the worker."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

import pytest

from stormproof.diagnosis import BugClass, expect
from stormproof.reconnect import API_ARGV, CONNECT_ONCE_ARGV, ReconnectWorld
from stormproof.reconnect.checks import (
    accept_until,
    accepted_id,
    assert_completes,
    assert_not_ready,
    assert_refused,
)
from stormproof.world import Delay, new_marker, ping

pytestmark = [pytest.mark.local_server, pytest.mark.worker_process]

OUTAGE_SECONDS = 4.0
# Loose bounds for a loaded CI machine; bench/reconnect.py measures the real numbers
# (the API probes at most 1 s apart while down, the SDK's poll backoff tops out near 10 s).
API_RECOVERY_BOUND = 5.0
COMPLETION_TIMEOUT = 60.0


async def restart_mid_test(world: ReconnectWorld, api_argv: Sequence[str]) -> None:
    client, worker = await world.running_worker()
    api = await world.running_api(api_argv)

    # Accepted before the outage, their LLM calls still in flight when Temporal dies.
    before: list[str] = []
    for _ in range(3):
        marker = new_marker()
        world.fake_llm.script(marker, [Delay(seconds=3)])
        before.append(await accepted_id(await api.submit(f"[{marker}] before the outage")))
    kept_key = f"kept-{new_marker()}"
    kept_id = await accepted_id(await api.submit(f"[{new_marker()}] keyed", key=kept_key))

    world.server.kill()
    outage_began = time.monotonic()
    retried_key = f"retried-{new_marker()}"
    retried_prompt = f"[{new_marker()}] refused during the outage, retried after"
    while time.monotonic() - outage_began < OUTAGE_SECONDS:
        await assert_refused(world.apis[0], retried_prompt, key=retried_key)
        await asyncio.sleep(0.25)  # wait-ok: outage duration, probed four times a second
    await assert_not_ready(api)

    await world.restart_temporal()
    took, retried_id = await accept_until(api, retried_prompt, retried_key, API_RECOVERY_BOUND)
    # The same key again: the same workflow, not a second one.
    again = await accepted_id(await api.submit("again", key=kept_key), duplicate=True)
    expect(again == kept_id, BugClass.DUPLICATE_EFFECT, f"a kept key started {again}")
    again = await accepted_id(await api.submit("again", key=retried_key), duplicate=True)
    expect(again == retried_id, BugClass.DUPLICATE_EFFECT, f"a retried key started {again}")

    for workflow_id in [*before, kept_id, retried_id]:
        await assert_completes(api, client, workflow_id, timeout=COMPLETION_TIMEOUT)
    await ping(client, world.task_queue, timeout=30)
    alive = api.process.running() and worker.process.running()
    expect(alive, BugClass.WORKER_EXITED, "nothing may need a restart")
    print(f"API accepted work {took:.2f}s after Temporal was ready again")


async def test_temporal_restarted_mid_test(reconnect_world: ReconnectWorld):
    await restart_mid_test(reconnect_world, API_ARGV)


@pytest.mark.negative_control
async def test_negative_control_connect_once_api_during_restart(reconnect_world: ReconnectWorld):
    with pytest.raises(AssertionError, match=r"^(accepted-unstartable-work|unresponsive): "):
        await restart_mid_test(reconnect_world, CONNECT_ONCE_ARGV)

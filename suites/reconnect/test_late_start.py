"""Temporal comes up 10 s after the API and the worker: submissions before that get 503 with
the reason, and a submission once the API is ready completes. No restart of either."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

import pytest

from stormproof.diagnosis import BugClass, expect, rejected_as
from stormproof.reconnect import API_ARGV, CONNECT_ONCE_ARGV, ReconnectWorld
from stormproof.reconnect.checks import (
    accepted_id,
    assert_completes,
    assert_not_ready,
    assert_refused,
)
from stormproof.world import broken_argv, eventually, new_marker

pytestmark = [pytest.mark.local_server, pytest.mark.worker_process]

LATE_BY_SECONDS = 10.0
# The worker's connect backoff is capped at 10 s, the API's probe backoff at 1 s.
RECOVERY_TIMEOUT = 30.0


async def late_start(
    world: ReconnectWorld, api_argv: Sequence[str], worker_argv: Sequence[str] | None = None
) -> None:
    launched = time.monotonic()
    api = world.start_api(api_argv)
    worker = world.start_worker(worker_argv)
    await api.wait_serving()
    await assert_refused(api, f"[{new_marker()}] before Temporal exists")

    async def names_the_cause() -> None:
        reason = await assert_not_ready(api)
        assert "connection refused" in reason, reason

    await eventually(names_the_cause, timeout=5)

    # Until the server starts, every submission is refused, each one promptly.
    refused = 0
    while time.monotonic() - launched < LATE_BY_SECONDS:
        await assert_refused(api, f"[{new_marker()}] before Temporal exists")
        refused += 1
        await asyncio.sleep(0.5)  # wait-ok: outage duration, probed twice a second
    assert refused >= 3, f"only {refused} probes fit in the outage"
    # The contract: keep retrying, or exit non-zero with the reason so a supervisor restarts
    # it; a clean exit reads as a finished job and leaves the queue without a poller.
    code = worker.process.returncode()
    expect(
        code != 0,
        BugClass.WORKER_EXITED,
        f"the worker ended with exit code 0 before Temporal came up, instead of retrying "
        f"until it could poll (or failing so a supervisor restarts it):\n{worker.log()}",
    )

    await world.start_temporal()
    await api.wait_ready(timeout=RECOVERY_TIMEOUT)
    client = await world.client()
    workflow_id = await accepted_id(await api.submit(f"[{new_marker()}] after Temporal is up"))
    await assert_completes(api, client, workflow_id, timeout=RECOVERY_TIMEOUT)


async def test_temporal_started_after_api_and_worker(reconnect_world: ReconnectWorld):
    await late_start(reconnect_world, API_ARGV)


@pytest.mark.negative_control
async def test_negative_control_connect_once_api_is_caught(reconnect_world: ReconnectWorld):
    with rejected_as(BugClass.ACCEPTED_UNSTARTABLE_WORK):
        await late_start(reconnect_world, CONNECT_ONCE_ARGV)


@pytest.mark.negative_control
async def test_negative_control_worker_that_gives_up_is_caught(reconnect_world: ReconnectWorld):
    with rejected_as(BugClass.WORKER_EXITED) as caught:
        await late_start(reconnect_world, API_ARGV, broken_argv("gives_up_when_unreachable"))
    assert "exit code 0" in str(caught.value), caught.value

"""Fault 5: the worker is frozen (SIGSTOP) past its activity timeouts, then thawed (SIGCONT).

The victim's notification reached the sink just before the freeze; Temporal times the
attempt out (start-to-close 15 s) and a second worker runs it again. When the frozen worker
wakes up, its stale completion must be rejected and its effect must not count twice.
Catches a worker whose late completion or late retry mints a second notification key.
"""

from __future__ import annotations

import time

import pytest

from stormproof.chaos import ChaosRun
from stormproof.chaos.nemesis import WorkerPause
from stormproof.world import SinkDelay, wait_for

pytestmark = [
    pytest.mark.chaos_long(seconds=30),
    pytest.mark.chaos(fault="worker-sigstop"),
    pytest.mark.local_server,
    pytest.mark.worker_process,
]
PAUSE_SECONDS = 20.0  # longer than send_notification's 15 s start-to-close


async def test_worker_paused_past_timeouts(chaos: ChaosRun) -> None:
    frozen = await chaos.start_worker()
    async with chaos.load():
        victim = chaos.workload.plan("report")
        chaos.world.sink.script(victim.workflow_id, [SinkDelay(seconds=2)])
        await chaos.workload.start(victim)
        await wait_for(
            lambda: chaos.world.sink.deliveries_for(victim.workflow_id),
            what=f"the notification of {victim.workflow_id} to reach the sink",
            timeout=60,
            interval=0.01,
            logs=chaos.logs(),
        )
        async with chaos.faulted(WorkerPause(frozen.process)):
            frozen_at = time.monotonic()
            await chaos.start_worker()  # the stand-in that runs the timed-out attempt
            # The pause counts from the freeze: starting the stand-in is part of it.
            await chaos.hold(PAUSE_SECONDS - (time.monotonic() - frozen_at))

    result = await chaos.finish(timeout=120)
    chaos.assert_exactly_once(result)
    assert result.completed == result.workflows
    assert chaos.retried(victim.workflow_id, "send_notification"), "the pause missed it"
    assert frozen.process.running(), "the thawed worker must live on"

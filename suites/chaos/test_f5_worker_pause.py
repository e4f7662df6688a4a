"""Fault 5: the worker is frozen (SIGSTOP) past its activity timeouts, then thawed (SIGCONT).

The freeze meets the victim mid-activity, seen from the world: its delivery has reached
the sink (a unit that declares HttpDeliveries, held there 2 s), else its LLM request is in
flight at the fake LLM (a unit that declares LlmCalls), and Temporal reports the activity
running, whatever its name. The pause outlasts that activity's own declared timeout (its
heartbeat timeout, else start-to-close, read from the history; 20 s at least: the
reference's send_notification has 15 s), so Temporal times the attempt out and a second
worker runs it again. When the frozen
worker wakes up, its stale completion must be rejected and its effect must not count twice.
Catches a worker whose late completion or late retry mints a second notification key, or
asks the LLM again beyond Temporal's attempts.
"""

from __future__ import annotations

import time

import pytest

from stormproof.adapter import LlmCalls
from stormproof.chaos import ChaosRun, assert_all_completed, needs
from stormproof.chaos.nemesis import WorkerPause
from stormproof.chaos.scenarios import mid_effect, pause_past_timeouts

pytestmark = [
    pytest.mark.chaos_long(seconds=30),
    pytest.mark.chaos(fault="worker-sigstop"),
    pytest.mark.local_server,
    pytest.mark.worker_process,
    needs(LlmCalls),
]


async def test_worker_paused_past_timeouts(chaos: ChaosRun) -> None:
    frozen = await chaos.start_worker()
    async with chaos.load():
        _, hit = await mid_effect(chaos)
        pause = await pause_past_timeouts(chaos, hit)  # past its own declared timeout
        async with chaos.faulted(WorkerPause(frozen.process)):
            frozen_at = time.monotonic()
            await chaos.start_worker()  # the stand-in that runs the timed-out attempt
            # The pause counts from the freeze: starting the stand-in is part of it.
            await chaos.hold(pause - (time.monotonic() - frozen_at))

    result = await chaos.finish(timeout=120)
    await assert_all_completed(chaos, result)
    chaos.expect_fired(hit.workflow_id, hit.activity)
    assert frozen.process.running(), "the thawed worker must live on"

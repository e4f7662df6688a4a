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

from stormproof.adapter import HttpDeliveries, LlmCalls
from stormproof.chaos import ChaosRun, Planned, Running, assert_all_completed, needs
from stormproof.chaos.nemesis import WorkerPause
from stormproof.world import Delay, SinkDelay

pytestmark = [
    pytest.mark.chaos_long(seconds=30),
    pytest.mark.chaos(fault="worker-sigstop"),
    pytest.mark.local_server,
    pytest.mark.worker_process,
    needs(LlmCalls),
]
PAUSE_SECONDS = 20.0  # longer than send_notification's 15 s start-to-close
# A team's activity may declare a longer timeout: the pause outlasts it by this much.
PAUSE_SLACK = 5.0
HELD_SECONDS = 2.0  # the effect's answer is held this long: the freeze meets it in flight


async def mid_effect(chaos: ChaosRun) -> tuple[Planned, Running]:
    """Start a victim and return once its effect is in the world and its activity runs:
    a delivery at the sink if the adapter declares one, else an LLM request."""
    if chaos.units_owing(HttpDeliveries):
        victim = chaos.plan_owing(HttpDeliveries)
        chaos.world.sink.script(victim.workflow_id, [SinkDelay(seconds=HELD_SECONDS)])
        await chaos.workload.start(victim)
        await chaos.wait_delivery(victim)
    else:
        victim = chaos.plan_owing(LlmCalls)
        chaos.world.fake_llm.script(victim.marker, [Delay(seconds=HELD_SECONDS)])
        await chaos.workload.start(victim)
        await chaos.wait_llm_in_flight(victim.marker)
    return victim, await chaos.wait_activity_running(victim.workflow_id)


async def test_worker_paused_past_timeouts(chaos: ChaosRun) -> None:
    frozen = await chaos.start_worker()
    async with chaos.load():
        victim, hit = await mid_effect(chaos)
        noticed = await chaos.noticed_after(victim.workflow_id, hit.activity)
        pause = max(PAUSE_SECONDS, noticed + PAUSE_SLACK)  # past its own declared timeout
        async with chaos.faulted(WorkerPause(frozen.process)):
            frozen_at = time.monotonic()
            await chaos.start_worker()  # the stand-in that runs the timed-out attempt
            # The pause counts from the freeze: starting the stand-in is part of it.
            await chaos.hold(pause - (time.monotonic() - frozen_at))

    result = await chaos.finish(timeout=120)
    await assert_all_completed(chaos, result)
    chaos.expect_fired(hit.workflow_id, hit.activity)
    assert frozen.process.running(), "the thawed worker must live on"

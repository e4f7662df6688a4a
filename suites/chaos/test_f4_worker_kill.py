"""Fault 4: the worker is SIGKILLed mid-activity and a new worker takes over.

The victim is a unit that owes LLM calls (any adapter's, by its declaration); the kill
lands while its LLM request is in flight at the fake LLM and Temporal reports one of its
activities running, whatever that activity is called. That attempt must be retried on the
new worker once its heartbeat timeout (or start-to-close) expires, so the victim shows a
retried activity and two LLM calls, and every other workflow completes. Catches a workflow
that hangs on a dead worker (lost), SDK retries stacking on Temporal's (wasted LLM calls),
and work that resumes later than the worker's own declared timeouts allow (recovery.py):
the reference's no_heartbeat_timeout twin, whose llm_call has no heartbeat timeout, is
reported `stalled-after-worker-death` with its stall.
"""

from __future__ import annotations

import asyncio

import pytest

from stormproof.adapter import LlmCalls
from stormproof.chaos import ChaosRun, assert_all_completed, needs, observe_recovery
from stormproof.chaos.nemesis import WorkerCrash
from stormproof.diagnosis import BugClass, rejected_as
from stormproof.world import Delay, broken_argv

pytestmark = [
    pytest.mark.chaos_long(seconds=25),
    pytest.mark.chaos(fault="worker-sigkill"),
    pytest.mark.local_server,
    pytest.mark.worker_process,
    needs(LlmCalls),
]


async def test_worker_sigkill_mid_activity(chaos: ChaosRun) -> None:
    first = await chaos.start_worker()
    async with chaos.load():
        items = [chaos.plan_owing(LlmCalls) for _ in range(6)]
        victim = items[0]
        chaos.world.fake_llm.script(victim.marker, [Delay(seconds=60)])  # answered after death
        for item in items[1:]:
            chaos.world.fake_llm.script(item.marker, [Delay(seconds=chaos.rng.uniform(0.5, 2.0))])
        await asyncio.gather(*(chaos.workload.start(item) for item in items))
        await chaos.wait_llm_in_flight(victim.marker)
        hit = await chaos.wait_activity_running(victim.workflow_id)  # what the kill meets

        async with chaos.faulted(WorkerCrash(first.process, chaos.start_worker)):
            late = [chaos.plan_owing(LlmCalls) for _ in range(2)]
            await asyncio.gather(*(chaos.workload.start(item) for item in late))

    result = await chaos.finish(timeout=120)
    await assert_all_completed(chaos, result)
    chaos.expect_fired(hit.workflow_id, hit.activity)
    assert first.process.returncode() is not None
    await observe_recovery(chaos, victim, hit.activity)


@pytest.mark.negative_control
@pytest.mark.process_death
@pytest.mark.contract  # the reference's broken twin
async def test_negative_control_no_heartbeat_timeout_stalls(chaos: ChaosRun) -> None:
    """The twin's llm_call would sit out its 2-minute start_to_close after the death."""
    chaos.fault = "negative-control:no_heartbeat_timeout (must stall)"
    argv = broken_argv("no_heartbeat_timeout")
    first = await chaos.start_worker(argv)
    victim = chaos.workload.plan("report")
    chaos.world.fake_llm.script(victim.marker, [Delay(seconds=180)])
    await chaos.workload.start(victim)
    await chaos.wait_llm_in_flight(victim.marker)
    await chaos.inject(WorkerCrash(first.process, lambda: chaos.start_worker(argv)))
    await chaos.heal(chaos.nemeses[-1])
    with rejected_as(BugClass.STALLED_AFTER_WORKER_DEATH) as caught:
        await observe_recovery(chaos, victim, "llm_call")
    assert "no heartbeat timeout" in str(caught.value) and "stalled more than" in str(
        caught.value
    ), caught.value
    # A row that only waits for completion names the same class, not a lost workflow.
    result = await chaos.finish(timeout=5)
    with rejected_as(BugClass.STALLED_AFTER_WORKER_DEATH) as caught:
        await assert_all_completed(chaos, result)
    assert "SIGKILLed at" in str(caught.value), caught.value

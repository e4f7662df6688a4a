"""Process deaths around the routing app: the Temporal server SIGKILLed mid-run, and the
worker SIGKILLed while the HR agent is answering. The app survives both exactly once: the
retried agent call carries the same idempotency key, so the agent answers it once. Its
twin without the key (examples/routing/broken/no_idempotency.py) is `duplicate-effect`.
"""

from __future__ import annotations

import asyncio

import pytest

from examples.routing.tests.helpers import agent_requests, assert_all_completed, twin_argv
from stormproof.chaos import ChaosRun, Planned
from stormproof.chaos.nemesis import TemporalCrash, WorkerCrash
from stormproof.diagnosis import BugClass, rejected_as
from stormproof.world import Delay, wait_for

pytestmark = [pytest.mark.chaos, pytest.mark.local_server, pytest.mark.worker_process]


@pytest.mark.chaos(fault="temporal-sigkill")
async def test_temporal_sigkill_mid_run(chaos: ChaosRun) -> None:
    await chaos.start_worker()
    items = [chaos.workload.plan(k) for k in ("simple", "routing", "routing_hr")]
    for item in items:  # slow first answers keep activities in flight when the server dies
        chaos.world.fake_llm.script(item.marker, [Delay(seconds=chaos.rng.uniform(1.0, 2.0))])
    await asyncio.gather(*(chaos.workload.start(item) for item in items))
    await chaos.wait_llm_in_flight(items[0].marker)
    async with chaos.faulted(TemporalCrash(chaos.world.temporal)):
        await chaos.hold(2.0)
    result = await chaos.finish(timeout=90)
    await assert_all_completed(chaos, result)


async def _kill_while_hr_answers(chaos: ChaosRun, argv: list[str] | None) -> Planned:
    """Start one HR question, SIGKILL the worker while the 8 s HR agent holds its call,
    and let a fresh worker (same command) retry it after the heartbeat timeout."""
    first = await chaos.start_worker(argv)
    [item] = await chaos.workload.start_many(["routing_hr"])
    await wait_for(
        lambda: any(r.status is None for r in agent_requests(chaos, "hr", item.marker)),
        what=f"the HR agent holding the call of {item.workflow_id}",
        timeout=30,
        logs=chaos.logs(),
    )
    async with chaos.faulted(WorkerCrash(first.process, lambda: chaos.start_worker(argv))):
        pass
    return item


@pytest.mark.chaos(fault="worker-sigkill-mid-agent-call")
async def test_worker_sigkill_mid_agent_call(chaos: ChaosRun) -> None:
    item = await _kill_while_hr_answers(chaos, None)
    result = await chaos.finish(timeout=60)
    await assert_all_completed(chaos, result)
    assert chaos.retried(item.workflow_id, "call_agent"), "the kill missed the agent call"
    calls = agent_requests(chaos, "hr", item.marker)
    assert len(calls) == 2 and len({c.header("Idempotency-Key") for c in calls}) == 1, calls


@pytest.mark.negative_control
@pytest.mark.chaos(fault="negative-control:no_idempotency (must duplicate)")
async def test_negative_control_no_idempotency_key(chaos: ChaosRun) -> None:
    item = await _kill_while_hr_answers(chaos, twin_argv("no_idempotency"))
    result = await chaos.finish(timeout=60)
    assert chaos.retried(item.workflow_id, "call_agent"), "the kill missed the agent call"
    with rejected_as(BugClass.DUPLICATE_EFFECT):
        await assert_all_completed(chaos, result)

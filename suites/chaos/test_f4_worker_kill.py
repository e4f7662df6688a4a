"""Fault 4: the worker is SIGKILLed mid-activity and a new worker takes over.

The interrupted LLM attempt must be retried on the new worker once its heartbeat timeout
(or start-to-close) expires, so the victim shows two attempts and two LLM calls, and every
other workflow completes. Catches a workflow that hangs on a dead worker (lost), and SDK
retries stacking on Temporal's (wasted LLM calls).
"""

from __future__ import annotations

import asyncio

import pytest

from stormproof.fixtures.fake_llm import Delay
from stormproof.suites.chaos.nemesis import WorkerCrash
from stormproof.suites.chaos.run import ChaosRun

pytestmark = [
    pytest.mark.chaos(fault="worker-sigkill"),
    pytest.mark.local_server,
    pytest.mark.worker_process,
]


async def test_worker_sigkill_mid_activity(chaos: ChaosRun) -> None:
    first = await chaos.start_worker()
    items = [chaos.workload.plan(k) for k in ("report", "story") * 3]
    victim = items[0]
    chaos.world.fake_llm.script(victim.marker, [Delay(seconds=60)])  # answered only after death
    for item in items[1:]:
        chaos.world.fake_llm.script(item.marker, [Delay(seconds=chaos.rng.uniform(0.5, 2.0))])
    await asyncio.gather(*(chaos.workload.start(item) for item in items))
    await chaos.wait_llm_in_flight(victim.marker)

    async with chaos.faulted(WorkerCrash(first.process, chaos.start_worker)):
        late = [chaos.workload.plan(k) for k in ("story", "report")]
        await asyncio.gather(*(chaos.workload.start(item) for item in late))

    result = await chaos.finish(timeout=120)
    chaos.assert_exactly_once(result)
    assert result.completed == 8
    assert chaos.retried(victim.workflow_id, "llm_call"), "the kill missed the activity"
    assert first.process.returncode() is not None

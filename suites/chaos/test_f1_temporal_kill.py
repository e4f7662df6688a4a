"""Fault 1: the Temporal server is SIGKILLed mid-run and restarted on the same port and db.

Catches a worker that dies or idles when the frontend vanishes (workflows stay open: lost),
and a server setup without persistence (accepted workflows vanish: lost). Starts issued
while the server is down get unknown outcomes and are retried with the same id.
"""

from __future__ import annotations

import asyncio

import pytest

from stormproof.chaos import ChaosRun, assert_all_completed, needs
from stormproof.chaos.nemesis import TemporalCrash
from stormproof.diagnosis import BugClass, expect
from stormproof.world import Delay

pytestmark = [
    needs(),  # nothing beyond units to start: any adapter
    pytest.mark.chaos_long(seconds=17),
    pytest.mark.chaos(fault="temporal-sigkill"),
    pytest.mark.local_server,
    pytest.mark.worker_process,
]


async def test_temporal_sigkill_mid_run(chaos: ChaosRun) -> None:
    await chaos.start_worker()
    async with chaos.load():
        items = [chaos.workload.plan(k) for k in ("story", "report") * 3]
        for item in items:  # slow first answers keep activities in flight when the server dies
            chaos.world.fake_llm.script(item.marker, [Delay(seconds=chaos.rng.uniform(1.0, 3.0))])
        await asyncio.gather(*(chaos.workload.start(item) for item in items))
        await chaos.wait_llm_in_flight(items[0].marker)

        async with chaos.faulted(TemporalCrash(chaos.world.temporal)):
            late = [chaos.workload.plan(k) for k in ("story", "report")]
            starting = [asyncio.create_task(chaos.workload.start(item)) for item in late]
            await chaos.hold(3.0)
        expect(
            all(await asyncio.gather(*starting)),
            BugClass.UNRESPONSIVE,
            "starts after the restart were refused",
        )

    result = await chaos.finish(timeout=150)
    await assert_all_completed(chaos, result)

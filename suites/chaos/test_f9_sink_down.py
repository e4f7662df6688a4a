"""Fault 9: the notification sink is down (503 to everything) for 30 s.

send_notification must keep retrying with the same Idempotency-Key until the sink is back
(its policy allows 10 minutes), then deliver once. Catches a step that gives up on 5xx
(failed), and a key that changes between attempts (duplicated). It needs a unit that
declares HttpDeliveries (the sink is where they go); under an adapter without one it is
skipped, naming that declaration.
"""

from __future__ import annotations

import asyncio

import pytest

from stormproof.adapter import HttpDeliveries
from stormproof.chaos import ChaosRun, assert_all_completed, needs
from stormproof.chaos.nemesis import SinkDown
from stormproof.diagnosis import BugClass, expect
from stormproof.world import wait_for

pytestmark = [
    pytest.mark.chaos_long(seconds=45),
    pytest.mark.chaos(fault="sink-down-30s"),
    pytest.mark.local_server,
    pytest.mark.worker_process,
    needs(HttpDeliveries),
]


async def test_sink_down_for_30s(chaos: ChaosRun) -> None:
    await chaos.start_worker()
    sink = chaos.world.sink
    async with chaos.load(), chaos.faulted(SinkDown(sink)):
        reports = [chaos.plan_owing(HttpDeliveries) for _ in range(3)]
        await asyncio.gather(*(chaos.workload.start(item) for item in reports))
        await wait_for(
            lambda: any(chaos.deliveries_of(r) for r in reports),
            what="a notification attempt against the downed sink",
            timeout=30,
            logs=chaos.logs(),
        )
        await chaos.hold(30.0)
        accepted = [d for r in reports for d in chaos.deliveries_of(r) if d.accepted]
        expect(not accepted, BugClass.FAULT_MISSED, f"the downed sink accepted {len(accepted)}")

    result = await chaos.finish(timeout=90)
    await assert_all_completed(chaos, result)

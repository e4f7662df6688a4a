"""A rolling restart of all four services under a steady load, as an upgrade does it.

Workflows keep being started while frontend, history, matching and worker restart one by
one; every one accepted must complete exactly once, and none may be refused for good.
"""

from __future__ import annotations

import asyncio

import pytest

from stormproof.chaos import ChaosRun
from stormproof.chaos.nemesis import RollingRestart
from stormproof.diagnosis import BugClass, expect
from stormproof.world import TemporalCluster

pytestmark = [
    pytest.mark.cluster,
    pytest.mark.local_server,
    pytest.mark.worker_process,
    pytest.mark.chaos(fault="cluster-rolling-restart"),
]


async def test_rolling_restart_under_load(chaos: ChaosRun) -> None:
    cluster = chaos.world.temporal
    assert isinstance(cluster, TemporalCluster)
    await chaos.start_worker()
    await chaos.workload.start_many(["story", "report"] * 2)
    rolling = asyncio.create_task(chaos.inject(RollingRestart(cluster)))
    starting: list[asyncio.Task[bool]] = []
    while not rolling.done():  # a start every half second for as long as the roll lasts
        kind = "story" if len(starting) % 2 else "report"
        starting.append(asyncio.create_task(chaos.workload.start(chaos.workload.plan(kind))))
        await asyncio.wait({rolling}, timeout=0.5)
    await rolling
    await chaos.heal(RollingRestart(cluster))
    refused = not all(await asyncio.gather(*starting))
    expect(not refused, BugClass.UNRESPONSIVE, "starts during the roll were refused")

    result = await chaos.finish(timeout=180)
    chaos.assert_exactly_once(result)
    done = result.completed == 4 + len(starting)
    expect(done, BugClass.LOST_WORKFLOW, result.summary())

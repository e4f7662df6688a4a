"""Each Temporal service of the production topology SIGKILLed mid-run, then started again.

history owns the workflow state and its shards, matching the task queues, frontend every
client's connection, and the worker service the system workflows: each crash tests another
part of the recovery. A worker that gives up on a "not enough hosts" or an unavailable
frontend leaves workflows open (lost); a start that was accepted before the crash and
retried after it must not run twice (duplicated).
"""

from __future__ import annotations

import asyncio

import pytest

from stormproof.chaos import ChaosRun
from stormproof.chaos.nemesis import ServiceCrash
from stormproof.world import CLUSTER_SERVICES as SERVICES
from stormproof.world import Delay, TemporalCluster

pytestmark = [pytest.mark.cluster, pytest.mark.local_server, pytest.mark.worker_process]


@pytest.mark.parametrize(
    "service",
    [pytest.param(s, marks=pytest.mark.chaos(fault=f"cluster-{s}-sigkill")) for s in SERVICES],
)
async def test_service_sigkill_mid_run(chaos: ChaosRun, service: str) -> None:
    cluster = chaos.world.temporal
    assert isinstance(cluster, TemporalCluster)
    await chaos.start_worker()
    items = [chaos.workload.plan(k) for k in ("story", "report") * 3]
    for item in items:  # slow first answers keep activities in flight when the service dies
        chaos.world.fake_llm.script(item.marker, [Delay(seconds=chaos.rng.uniform(1.0, 3.0))])
    await asyncio.gather(*(chaos.workload.start(item) for item in items))
    await chaos.wait_llm_in_flight(items[0].marker)

    async with chaos.faulted(ServiceCrash(cluster, service)):  # type: ignore[arg-type]
        late = [chaos.workload.plan(k) for k in ("story", "report")]
        starting = [asyncio.create_task(chaos.workload.start(item)) for item in late]
        await chaos.hold(3.0)
    assert all(await asyncio.gather(*starting)), "starts around the crash were refused"

    result = await chaos.finish(timeout=150)
    chaos.assert_exactly_once(result)
    assert result.completed == 8

"""The database under Temporal: restarted mid-run, and history's own link to it cut.

Temporal's state is only as durable as its database: a crash with fsync off still keeps
committed rows (synchronous_commit is on), so every accepted workflow must survive it. A
cut between history and PostgreSQL leaves frontend and matching up while history cannot
persist: work must stall, not be lost or run twice, and resume when the link heals.
"""

from __future__ import annotations

import asyncio

import pytest

from stormproof.chaos import ChaosRun
from stormproof.chaos.nemesis import HISTORY_DB_PROXY, LinkDown, PostgresCrash
from stormproof.diagnosis import BugClass, expect
from stormproof.world import Delay

pytestmark = [pytest.mark.cluster, pytest.mark.local_server, pytest.mark.worker_process]


async def _run_with_activities_in_flight(chaos: ChaosRun) -> None:
    await chaos.start_worker()
    items = [chaos.workload.plan(k) for k in ("story", "report") * 3]
    for item in items:
        chaos.world.fake_llm.script(item.marker, [Delay(seconds=chaos.rng.uniform(1.0, 3.0))])
    await asyncio.gather(*(chaos.workload.start(item) for item in items))
    await chaos.wait_llm_in_flight(items[0].marker)


@pytest.mark.chaos(fault="cluster-temporal-postgres-restart")
async def test_postgres_under_temporal_restarts(chaos: ChaosRun) -> None:
    database = chaos.world.temporal_db
    assert database is not None, "the cluster world keeps Temporal's database"
    await _run_with_activities_in_flight(chaos)
    async with chaos.faulted(PostgresCrash(database)):
        late = [chaos.workload.plan(k) for k in ("story", "report")]
        starting = [asyncio.create_task(chaos.workload.start(item)) for item in late]
        await chaos.hold(3.0)
    refused = not all(await asyncio.gather(*starting))
    expect(not refused, BugClass.UNRESPONSIVE, "starts around the restart were refused")
    result = await chaos.finish(timeout=180)
    chaos.assert_exactly_once(result)
    expect(result.completed == 8, BugClass.LOST_WORKFLOW, result.summary())


@pytest.mark.chaos(fault="cluster-history-db-link-cut")
async def test_history_loses_its_database_link(chaos: ChaosRun) -> None:
    await _run_with_activities_in_flight(chaos)
    async with chaos.faulted(LinkDown(chaos.toxiproxy, HISTORY_DB_PROXY, "history-db-cut")):
        late = [chaos.workload.plan(k) for k in ("story", "report")]
        starting = [asyncio.create_task(chaos.workload.start(item)) for item in late]
        await chaos.hold(10.0)
    refused = not all(await asyncio.gather(*starting))
    expect(not refused, BugClass.UNRESPONSIVE, "starts around the cut were refused")
    result = await chaos.finish(timeout=180)
    chaos.assert_exactly_once(result)
    expect(result.completed == 8, BugClass.LOST_WORKFLOW, result.summary())

"""Fault 7: PostgreSQL is SIGKILLed while a report is inside store_report_metadata.

The insert in flight dies with the database; Temporal retries the activity until the
restarted server (crash recovery included) takes it. Catches a non-idempotent insert whose
first attempt committed before the crash (duplicated) and a store step that gives up
while the database is away (failed, lost).
"""

from __future__ import annotations

import pytest

from stormproof.suites.chaos.nemesis import PostgresCrash
from stormproof.suites.chaos.run import ChaosRun

pytestmark = [
    pytest.mark.chaos_long(seconds=20),
    pytest.mark.chaos(fault="postgres-restart"),
    pytest.mark.local_server,
    pytest.mark.worker_process,
    pytest.mark.toxiproxy,
]
SLOW = "pg-slow-replies"


async def test_postgres_restart_during_store(chaos: ChaosRun) -> None:
    await chaos.start_worker()
    async with chaos.load():
        # Slow replies stretch store_report_metadata to seconds, so the crash lands inside it.
        chaos.toxiproxy.add_toxic(chaos.link("postgres"), "latency", name=SLOW, latency=400)
        reports = await chaos.workload.start_many(["report"] * 4)
        victim = await chaos.wait_step("store_report_metadata", reports)

        async with chaos.faulted(PostgresCrash(chaos.world.postgres)):
            chaos.toxiproxy.remove_toxic(chaos.link("postgres"), SLOW)
            await chaos.hold(3.0)

    result = await chaos.finish(timeout=120)
    chaos.assert_exactly_once(result)
    assert result.completed == result.workflows
    assert chaos.retried(victim.workflow_id, "store_report_metadata"), "crash missed it"

"""Fault 7: PostgreSQL is SIGKILLed while a report is inside store_report_metadata.

The insert on its way dies with the database; Temporal retries the activity until the
restarted server (crash recovery included) takes it. Catches a store step that gives up
while the database is away (failed, lost) and a retry that writes its row twice
(duplicated). An insert that committed just before its reply was lost is fault 3's case
(effect-then-outage:row, with its non-idempotent control).
"""

from __future__ import annotations

import contextlib

import pytest
from temporalio.client import WorkflowQueryFailedError
from temporalio.service import RPCError

from stormproof.chaos import ChaosRun, Planned, assert_all_completed
from stormproof.chaos.nemesis import PostgresCrash
from stormproof.world import wait_for

pytestmark = [
    pytest.mark.chaos_long(seconds=20),
    pytest.mark.chaos(fault="postgres-restart"),
    pytest.mark.local_server,
    pytest.mark.worker_process,
    pytest.mark.toxiproxy,
]
SLOW = "pg-slow-replies"


async def wait_step(chaos: ChaosRun, step: str, items: list[Planned]) -> Planned:
    """Wait until one of `items` (reports) says, by the contract's `progress` query, it is
    at `step`."""

    async def at_step() -> Planned | None:
        for item in items:
            handle = chaos.world.client.get_workflow_handle(item.workflow_id)
            with contextlib.suppress(RPCError, WorkflowQueryFailedError):
                if (await handle.query("progress")).get("step") == step:
                    return item
        return None

    return await wait_for(at_step, what=f"a report at step {step}", timeout=60, logs=chaos.logs())


async def test_postgres_restart_during_store(chaos: ChaosRun) -> None:
    await chaos.start_worker()
    async with chaos.load():
        # Requests to PostgreSQL held 1.5 s on their way: the victim's INSERT (one autocommit
        # round trip) is still in the proxy when the crash comes, so the attempt must fail
        # and be retried. Slowed replies would not do: the row would be committed and its
        # reply delivered, and the crash would miss the step.
        chaos.toxiproxy.add_toxic(
            chaos.link("postgres"), "latency", name=SLOW, stream="upstream", latency=1500
        )
        reports = await chaos.workload.start_many(["report"] * 4)
        victim = await wait_step(chaos, "store_report_metadata", reports)

        async with chaos.faulted(PostgresCrash(chaos.world.postgres)):
            chaos.toxiproxy.remove_toxic(chaos.link("postgres"), SLOW)
            await chaos.hold(3.0)

    result = await chaos.finish(timeout=120)
    await assert_all_completed(chaos, result)
    chaos.expect_fired(victim.workflow_id, "store_report_metadata")

"""Fault 7: PostgreSQL is SIGKILLed while a unit's row is being written.

The insert on its way dies with the database; Temporal retries the activity until the
restarted server (crash recovery included) takes it. Catches a store step that gives up
while the database is away (failed, lost) and a retry that writes its row twice
(duplicated). An insert that committed just before its reply was lost is fault 3's case
(effect-then-outage:row, with its non-idempotent control).

It runs under any adapter whose units declare Rows with the `activities` that write them
(the reference's store_report_metadata): the victims are such units, and the crash comes
when Temporal reports one of those activities running, whatever it is named.
"""

from __future__ import annotations

import pytest
from temporalio.service import RPCError

from stormproof.adapter import Rows
from stormproof.chaos import ChaosRun, Planned, Running, assert_all_completed, needs
from stormproof.chaos.nemesis import PostgresCrash
from stormproof.world import wait_for

pytestmark = [
    pytest.mark.chaos_long(seconds=20),
    pytest.mark.chaos(fault="postgres-restart"),
    pytest.mark.local_server,
    pytest.mark.worker_process,
    pytest.mark.toxiproxy,
    needs(Rows),
]
SLOW = "pg-slow-replies"


def writers(item: Planned) -> set[str]:
    """The activities the unit declares as writing its rows."""
    return {a for e in item.unit.effects if isinstance(e, Rows) for a in e.activities}


async def wait_writing(chaos: ChaosRun, items: list[Planned]) -> Running:
    """Wait until Temporal reports one of `items`' row-writing activities running."""

    async def writing() -> Running | None:
        for item in items:
            for running in await chaos.running(item.workflow_id):
                if running.activity in writers(item):
                    return running
        return None

    return await wait_for(
        writing,
        what="a unit's row-writing activity running (Temporal's pending activities)",
        timeout=60,
        retry_on=(RPCError,),
        logs=chaos.logs(),
    )


async def test_postgres_restart_during_store(chaos: ChaosRun) -> None:
    victims = [chaos.plan_owing(Rows) for _ in range(4)]
    if not writers(victims[0]):
        pytest.skip(
            f"unit {victims[0].unit.name!r} declares Rows without `activities`: the "
            "postgres-restart row needs the activity that writes them, to strike mid-write"
        )
    await chaos.start_worker()
    async with chaos.load():
        # Requests to PostgreSQL held 1.5 s on their way: the victim's INSERT (one autocommit
        # round trip) is still in the proxy when the crash comes, so the attempt must fail
        # and be retried. Slowed replies would not do: the row would be committed and its
        # reply delivered, and the crash would miss the step.
        chaos.toxiproxy.add_toxic(
            chaos.link("postgres"), "latency", name=SLOW, stream="upstream", latency=1500
        )
        for item in victims:
            await chaos.workload.start(item)
        hit = await wait_writing(chaos, victims)

        async with chaos.faulted(PostgresCrash(chaos.world.postgres)):
            chaos.toxiproxy.remove_toxic(chaos.link("postgres"), SLOW)
            await chaos.hold(3.0)

    result = await chaos.finish(timeout=120)
    await assert_all_completed(chaos, result)
    chaos.expect_fired(hit.workflow_id, hit.activity)

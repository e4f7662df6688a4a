"""Scenarios more than one test runs: the fault-3 outage, shared with the negative controls.

`effect_then_outage` forces the classic exactly-once hazard deterministically: the effect
happens, then the worker's completion report cannot reach Temporal. The effect's reply is
slowed (the sink holds its 200, or PostgreSQL's answers crawl through a latency toxic), the
judge watches the effect appear at its source, and in that window cuts the worker's link
to Temporal for longer than the activity's start-to-close timeout. Temporal then times the
attempt out and runs it again after the heal: a correct worker's effect stays single.

The notification runs under any adapter with a unit that declares HttpDeliveries: the
victim is such a unit, and its delivery is found at the sink by the effect's owner_field,
else its workflow id or marker in the body. The row names the contract's table.
"""

from __future__ import annotations

from typing import Literal

import psycopg

from stormproof.adapter import HttpDeliveries
from stormproof.chaos.nemesis import LinkDown
from stormproof.chaos.run import ChaosRun
from stormproof.chaos.workload import Planned
from stormproof.effects import metadata_rows
from stormproof.fixtures.sink import SinkDelay
from stormproof.fixtures.wait import wait_for

Effect = Literal["notification", "row"]
# store_report_metadata and send_notification both have a 15 s start-to-close timeout.
OUTAGE_SECONDS = 20.0
SLOW = "pg-slow-replies"


async def effect_then_outage(
    chaos: ChaosRun, effect: Effect, argv: list[str] | None = None, *, load: bool = False
) -> Planned:
    """Run a workload where one report's `effect` lands just before an outage; with `load`,
    under the continuous generator (the caller stops it: `await chaos.generator.stop()`)."""
    await chaos.start_worker(argv)
    if load:
        await chaos.load().begin()
    others = [chaos.workload.plan(k) for k in ("story", "report")]
    for item in others:
        await chaos.workload.start(item)
    # the notification: any adapter's unit that delivers to the sink; the row: the contract's
    plan = chaos.plan_owing if effect == "notification" else None
    victim = plan(HttpDeliveries) if plan else chaos.workload.plan("report")
    if effect == "notification":
        chaos.world.sink.script(victim.workflow_id, [SinkDelay(seconds=3)])
    else:
        # A worker's first statements open its connection and create its tables: through
        # the slowed link that alone took ten seconds or more. So a row lands on the fast
        # link first, then the replies slow (a helper, not the fault: not recorded as one).
        await wait_for(
            lambda: bool(metadata_rows(chaos.database_url, others[1].workflow_id)),
            what=f"the row of {others[1].workflow_id}, before the link to PostgreSQL slows",
            timeout=60,
            interval=0.05,
            logs=chaos.logs(),
            retry_on=(psycopg.OperationalError,),
        )
        chaos.toxiproxy.add_toxic(chaos.link("postgres"), "latency", name=SLOW, latency=700)
    await chaos.workload.start(victim)

    def landed() -> bool:
        if effect == "notification":
            return bool(chaos.deliveries_of(victim))
        return bool(metadata_rows(chaos.database_url, victim.workflow_id))

    await wait_for(
        landed,
        what=f"the {effect} of {victim.workflow_id} to land",
        timeout=60,
        interval=0.01,
        logs=chaos.logs(),
        retry_on=(psycopg.OperationalError,),
    )
    async with chaos.faulted(LinkDown(chaos.toxiproxy, chaos.link("temporal"), "link-cut")):
        if effect == "row":
            chaos.toxiproxy.remove_toxic(chaos.link("postgres"), SLOW)
        await chaos.hold(OUTAGE_SECONDS)
    return victim

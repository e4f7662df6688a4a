"""Fault 8: a StartWorkflowExecution cut mid-flight (unknown outcome), retried with the same id.

The judge's own client reaches Temporal through a proxy whose replies are black-holed: the
start request arrives and the workflow starts, but the client never hears so and records
`info`. After the heal it retries with the same workflow id and REJECT_DUPLICATE;
WorkflowAlreadyStartedError is the ok outcome. Exactly one run per id must exist. Catches a
client (or a server setup) whose retry creates a second run and a second set of effects.
"""

from __future__ import annotations

import asyncio

import pytest
from temporalio.client import Client

from stormproof.chaos import ChaosRun, assert_all_completed, needs
from stormproof.chaos.nemesis import LinkToxic
from stormproof.diagnosis import BugClass, expect
from stormproof.world import wait_for

pytestmark = [
    needs(),  # nothing beyond units to start: any adapter
    pytest.mark.chaos_long(seconds=17),
    pytest.mark.chaos(fault="start-unknown-outcome"),
    pytest.mark.local_server,
    pytest.mark.worker_process,
    pytest.mark.toxiproxy,
]


async def test_start_cut_mid_flight_then_retried(chaos: ChaosRun) -> None:
    await chaos.start_worker()
    through_proxy = await Client.connect(chaos.proxies["judge"].address, namespace="default")
    async with chaos.load():  # the background load uses the direct client
        cut = [chaos.workload.plan(k) for k in ("report", "story", "report")]
        blackhole = LinkToxic(
            chaos.toxiproxy, chaos.link("judge"), "timeout", label="start-reply-lost", timeout=0
        )
        async with chaos.faulted(blackhole):
            starting = [
                asyncio.create_task(chaos.workload.start(item, client=through_proxy, rpc_timeout=2))
                for item in cut
            ]
            unknown = {i.workflow_id for i in cut}
            await wait_for(
                lambda: (
                    unknown <= {op.workflow_id for op in chaos.history.ops if op.type == "info"}
                ),
                what="every cut start to end with an unknown outcome",
                timeout=30,
                logs=chaos.logs(),
            )
        expect(
            all(await asyncio.gather(*starting)),
            BugClass.UNRESPONSIVE,
            "a retried start was refused",
        )

    result = await chaos.finish(timeout=90)
    await assert_all_completed(chaos, result)
    retried_into_existing = [
        op for op in chaos.history.ops if op.f == "start" and op.value.get("already_started")
    ]
    expect(
        retried_into_existing,
        BugClass.FAULT_MISSED,
        "no cut start reached the server: the unknown case never ran",
    )

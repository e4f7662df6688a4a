"""Fault 12: an operator resets workflows after their effects, under load, as after a bug
fix (`temporal workflow reset` to the first workflow task): every step runs again in a new
run of the same execution, and every effect must still be there exactly once.

Victims are units of any adapter, started under the continuous load and reset once they
have completed, so each effect has landed before its step runs again. Catches idempotency
keys derived from the run (the reference's key_per_run twin: a second notification) or the
attempt, rows inserted again, files written twice, and, on the reference, an LLM reply paid
for again (its ledger is keyed by the workflow). The checker counts a reset's new run as the
same execution (its first run id), and a run started anew under the same id as a duplicate.
"""

from __future__ import annotations

import asyncio

import pytest
from temporalio.client import WorkflowExecutionStatus

from stormproof.chaos import ChaosRun, Planned, assert_all_completed, needs
from stormproof.chaos.nemesis import WorkflowReset
from stormproof.diagnosis import BugClass, expect, rejected_as
from stormproof.world import broken_argv, wait_for

pytestmark = [
    pytest.mark.chaos_long(seconds=40),
    pytest.mark.chaos(fault="workflow-reset"),
    pytest.mark.local_server,
    pytest.mark.worker_process,
    pytest.mark.workflow_reset,
]
VICTIMS = 12


async def _completed(chaos: ChaosRun, item: Planned) -> None:
    handle = chaos.world.client.get_workflow_handle(item.workflow_id)

    async def closed() -> bool:
        return (await handle.describe()).status == WorkflowExecutionStatus.COMPLETED

    await wait_for(
        closed,
        what=f"{item.workflow_id} completed before its reset",
        timeout=90,
        interval=0.25,
        logs=chaos.logs(),
    )


async def reset_after_effects(chaos: ChaosRun, argv: list[str] | None = None) -> list[Planned]:
    await chaos.start_worker(argv)
    units = [u for u in chaos.world.adapter.plain_units if u.drive is None]
    async with chaos.load():
        victims = [chaos.workload.plan(units[i % len(units)].name) for i in range(VICTIMS)]
        await asyncio.gather(*(chaos.workload.start(v) for v in victims))
        await asyncio.gather(*(_completed(chaos, v) for v in victims))
        async with chaos.faulted(
            WorkflowReset(chaos.world.client, [v.workflow_id for v in victims])
        ):
            pass
    return victims


def expect_rerun(chaos: ChaosRun, victims: list[Planned]) -> None:
    """The reset met work: some step of each victim ran in both runs (after check())."""
    for victim in victims:
        found = chaos.activities.get(victim.workflow_id, {})
        expect(
            any(a.executions >= 2 for a in found.values()),
            BugClass.FAULT_MISSED,
            f"{victim.workflow_id} ran no step again after its reset: {sorted(found)}",
        )


@needs()
async def test_reset_after_every_effect(chaos: ChaosRun) -> None:
    victims = await reset_after_effects(chaos)
    result = await chaos.finish(timeout=120)
    await assert_all_completed(chaos, result)
    expect_rerun(chaos, victims)


@pytest.mark.negative_control
@pytest.mark.contract  # the reference's broken twin
async def test_negative_control_key_per_run(chaos: ChaosRun) -> None:
    chaos.fault = "negative-control:key_per_run (must be invalid)"
    victims = await reset_after_effects(chaos, broken_argv("key_per_run"))
    result = await chaos.finish(timeout=120)
    expect_rerun(chaos, victims)
    with rejected_as(BugClass.DUPLICATE_EFFECT):
        chaos.assert_exactly_once(result)

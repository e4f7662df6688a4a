"""The adapter's check_result holds on the happy path: each unit, started as the adapter
says and driven as it says, completes with a result its own check accepts."""

from __future__ import annotations

from stormproof.adapter import Unit
from stormproof.conformance import TeamWorld, start_unit


async def test_check_result_holds(team: TeamWorld, unit: Unit):
    assert team.worker is not None
    run = await start_unit(team, unit, team.worker.task_queue)
    await run.completed("nothing was faulted")

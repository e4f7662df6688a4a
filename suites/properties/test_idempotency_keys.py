"""Idempotency keys identical across attempts and across worker processes, for each unit
owing an effect with an idempotency header (HttpDeliveries to the sink, ServiceCalls to
one of the adapter's services): its first request fails (the sink is down, or the
service's process is killed), and every request of the unit must carry one key, with
one accepted effect. Across processes, the worker is SIGKILLed once Temporal recorded the
failed attempt and a new worker on the same task queue finishes. Negative control: the
reference's `non_idempotent_notify` twin (a fresh key per attempt)."""

from __future__ import annotations

import pytest

from stormproof.adapter import CONTRACT, Unit
from stormproof.conformance import (
    TeamWorld,
    UnitRun,
    attempt_failed,
    check_one_key,
    judgeable,
    start_unit,
    worker_argv_for,
)
from stormproof.diagnosis import BugClass, rejected_as
from stormproof.world import SuiteConfig, new_task_queue


async def test_same_key_across_attempts(team: TeamWorld, unit: Unit):
    if reason := judgeable(unit):
        pytest.skip(reason)
    assert team.worker is not None
    queue = team.worker.task_queue
    await check_one_key(team, unit, lambda: start_unit(team, unit, queue))


async def check_across_processes(team: TeamWorld, unit: Unit, argv: list[str]) -> None:
    queue = new_task_queue("sigkill")
    first = await team.start_worker(argv, queue)

    async def replace_worker(run: UnitRun) -> None:
        await attempt_failed(run)
        first.kill()
        await team.start_worker(argv, queue)

    await check_one_key(team, unit, lambda: start_unit(team, unit, queue), replace_worker)


async def test_same_key_across_worker_processes(
    team: TeamWorld, unit: Unit, suite_config: SuiteConfig
):
    if reason := judgeable(unit):
        pytest.skip(reason)
    await check_across_processes(team, unit, worker_argv_for(team.adapter, suite_config))


@pytest.mark.negative_control
async def test_negative_control_key_per_attempt(team: TeamWorld, twin):
    unit = CONTRACT.unit("report")
    queue = await twin(team, "non_idempotent_notify")
    with rejected_as(BugClass.DUPLICATE_EFFECT):
        await check_one_key(team, unit, lambda: start_unit(team, unit, queue))

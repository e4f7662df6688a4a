"""One LLM attempt per Temporal attempt under a 429 storm: the fake LLM answers the unit's
first STORM calls with 429 (a short retry-after-ms, so the storm costs no real time), and
the calls it saw must equal the attempts Temporal ran of the activities that made them
(LlmCalls.activities); the unit still completes as check_result says. Negative control:
the reference's `sdk_retries` twin, whose SDK retries on top of Temporal's."""

from __future__ import annotations

import pytest

from stormproof.adapter import CONTRACT, Unit
from stormproof.conformance import (
    TeamWorld,
    check_no_wasted_calls,
    llm_effect,
    missing,
    start_unit,
)
from stormproof.diagnosis import BugClass, rejected_as
from stormproof.world import RateLimit

# Two, not more: the contract's LLM budget is three attempts.
STORM = RateLimit(retry_after=None, retry_after_ms=200, times=2)


async def check_storm(team: TeamWorld, unit: Unit, queue: str) -> None:
    effect = llm_effect(unit)
    assert effect is not None
    run = await start_unit(team, unit, queue, [STORM])
    await run.completed("two 429s are retried", BugClass.RETRY_CLASSIFICATION)
    await check_no_wasted_calls(run, effect)


async def test_one_llm_call_per_attempt_under_a_429_storm(team: TeamWorld, unit: Unit):
    if llm_effect(unit) is None:
        pytest.skip(missing(unit, "LlmCalls effect", "the 429-storm property"))
    assert team.worker is not None
    await check_storm(team, unit, team.worker.task_queue)


@pytest.mark.negative_control
async def test_negative_control_sdk_retries(team: TeamWorld, twin):
    queue = await twin(team, "sdk_retries")
    with rejected_as(BugClass.WASTED_LLM_CALL):
        await check_storm(team, CONTRACT.unit("story"), queue)

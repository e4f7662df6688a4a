"""A permanent 4xx from the LLM is not retried: the unit's first call gets a 400; the fake
LLM must see that one call and Temporal no retry of the activity that made it; the unit
fails, or completes with a result its check_result accepts. Negative control: the
reference's `retries_llm_4xx` twin."""

from __future__ import annotations

import pytest

from stormproof.adapter import CONTRACT, Unit
from stormproof.conformance import TeamWorld, check_4xx_is_final, llm_effect, missing, start_unit
from stormproof.diagnosis import BugClass, rejected_as
from stormproof.world import Status

REJECTED = Status(code=400)


async def test_llm_400_is_not_retried(team: TeamWorld, unit: Unit):
    effect = llm_effect(unit)
    if effect is None:
        pytest.skip(missing(unit, "LlmCalls effect", "the permanent-4xx property"))
    assert team.worker is not None
    run = await start_unit(team, unit, team.worker.task_queue, [REJECTED])
    await check_4xx_is_final(run, effect)


@pytest.mark.negative_control
async def test_negative_control_llm_4xx_retried(team: TeamWorld, twin):
    unit = CONTRACT.unit("report")
    effect = llm_effect(unit)
    assert effect is not None
    run = await start_unit(team, unit, await twin(team, "retries_llm_4xx"), [REJECTED])
    with rejected_as(BugClass.RETRY_CLASSIFICATION):
        await check_4xx_is_final(run, effect)

"""Each retry hint honoured within the documented tolerance, in virtual time: one 429 on
the unit's first LLM call, in each form a provider sends (`retry-after` seconds, OpenAI's
`retry-after-ms`, an HTTP date); the one retried activity must start no earlier than the
hint and at most HINT_LATE_SECONDS + HINT_LATE_SHARE of it later (docs/CONFORMANCE.md).
Negative control: the reference's `ignores_retry_after` twin (too early)."""

from __future__ import annotations

import pytest

from stormproof.adapter import CONTRACT, Unit
from stormproof.conformance import TeamWorld, check_hint_honoured, llm_effect, missing, start_unit
from stormproof.diagnosis import BugClass, rejected_as
from stormproof.world import RateLimit

# Far above a policy's first retry intervals, and not round multiples of each other.
HINTS = {
    "retry-after": RateLimit(retry_after=20),
    "retry-after-ms": RateLimit(retry_after=None, retry_after_ms=12_500),
    "retry-after-http-date": RateLimit(retry_after=40, retry_after_date=True),
}


@pytest.mark.parametrize("form", list(HINTS))
async def test_retry_hint_is_honoured(skipping_team: TeamWorld, unit: Unit, form: str):
    if llm_effect(unit) is None:
        pytest.skip(missing(unit, "LlmCalls effect", "the retry-hint property"))
    assert skipping_team.worker is not None
    run = await start_unit(skipping_team, unit, skipping_team.worker.task_queue, [HINTS[form]])
    hint = await check_hint_honoured(run)
    assert hint.header == form.removesuffix("-http-date")


@pytest.mark.negative_control
async def test_negative_control_retry_hint_ignored(skipping_team: TeamWorld, twin):
    queue = await twin(skipping_team, "ignores_retry_after")
    run = await start_unit(skipping_team, CONTRACT.unit("story"), queue, [HINTS["retry-after"]])
    with rejected_as(BugClass.RETRY_HINT_IGNORED) as caught:
        await check_hint_honoured(run)
    assert "too early" in str(caught.value)

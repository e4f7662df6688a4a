"""The world misbehaves around the routing app, as scenarios (stormproof.chaos.Scenario):
the LLM rate-limits with a retry-after hint, and an agent is unreachable for 20 s behind
Toxiproxy. Every unit still completes exactly once: the 429's hint is honoured (Temporal's
next retry, not the SDK's), and the agent call is retried by Temporal until the agent is
back, counted once where it landed.
"""

from __future__ import annotations

import pytest

from examples.routing.tests.helpers import agent_requests, retry_hint_problems
from stormproof.chaos import ChaosRun, CutLink, Scenario, run_scenario
from stormproof.diagnosis import BugClass, expect, rejected_as
from stormproof.world import RateLimit

pytestmark = [pytest.mark.chaos, pytest.mark.local_server, pytest.mark.worker_process]

# Every unit's first LLM answer is a 429 asking for 2 s; the retry is Temporal's.
RATE_LIMIT = Scenario(
    name="llm-429-retry-after",
    units=["simple", "routing"],
    llm=[RateLimit(retry_after=2)],
    timeout=60,
)
# The FAQ agent unreachable from the moment the unit starts, for longer than the app's
# first attempts take.
AGENT_DOWN = Scenario(
    name="agent-down-20s",
    units=["routing"],
    fault=CutLink(link="svc-faq"),
    seconds=20.0,
    timeout=60,
)

# The control of every scenario's proof: a link the app never uses, cut for a moment,
# meets no attempt; a scenario that proves nothing must fail, as `fault-missed`.
MISSES = Scenario(
    name="negative-control:sink-cut (must miss)",
    units=["simple"],
    fault=CutLink(link="sink"),
    seconds=0.5,
    timeout=60,
)


@pytest.mark.chaos(fault=RATE_LIMIT.name)
async def test_llm_rate_limit_with_retry_after(chaos: ChaosRun) -> None:
    played = await run_scenario(chaos, RATE_LIMIT)
    for item in played.victims:
        missed = not chaos.retried(item.workflow_id, "create_response")
        expect(not missed, BugClass.FAULT_MISSED, f"the 429 missed {item.workflow_id}")
        problems = retry_hint_problems(chaos.world.fake_llm.calls_for(item.marker))
        expect(not problems, BugClass.RETRY_HINT_IGNORED, "; ".join(problems))


@pytest.mark.chaos(fault=AGENT_DOWN.name)
@pytest.mark.toxiproxy
async def test_agent_down_for_20_seconds(chaos: ChaosRun) -> None:
    played = await run_scenario(chaos, AGENT_DOWN)
    [item] = played.victims
    missed = not chaos.retried(item.workflow_id, "call_agent")
    expect(not missed, BugClass.FAULT_MISSED, "the outage missed the agent call")
    landed = [r for r in agent_requests(chaos, "faq", item.marker) if r.ok]
    expect(len(landed) == 1, BugClass.DUPLICATE_EFFECT, f"the FAQ agent answered {landed}")


@pytest.mark.negative_control
@pytest.mark.chaos(fault=MISSES.name)
@pytest.mark.toxiproxy
async def test_negative_control_a_fault_that_meets_nothing(chaos: ChaosRun) -> None:
    with rejected_as(BugClass.FAULT_MISSED):
        await run_scenario(chaos, MISSES)

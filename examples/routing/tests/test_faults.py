"""The world misbehaves around the routing app: the LLM rate-limits with a retry-after
hint, and an agent is unreachable for 20 s behind Toxiproxy. Every unit still completes
exactly once: the 429's hint is honoured (Temporal's next retry, not the SDK's), and the
agent call is retried by Temporal until the agent is back, counted once where it landed.
"""

from __future__ import annotations

import pytest

from examples.routing.tests.helpers import (
    agent_link,
    agent_requests,
    assert_all_completed,
    retry_hint_problems,
)
from stormproof.chaos import ChaosRun
from stormproof.chaos.nemesis import LinkDown
from stormproof.diagnosis import BugClass, expect
from stormproof.world import RateLimit

pytestmark = [pytest.mark.chaos, pytest.mark.local_server, pytest.mark.worker_process]
OUTAGE_SECONDS = 20.0


@pytest.mark.chaos(fault="llm-429-retry-after")
async def test_llm_rate_limit_with_retry_after(chaos: ChaosRun) -> None:
    await chaos.start_worker()
    items = [chaos.workload.plan(k) for k in ("simple", "routing")]
    for item in items:
        chaos.world.fake_llm.script(item.marker, [RateLimit(retry_after=2)])
    for item in items:
        await chaos.workload.start(item)
    result = await chaos.finish(timeout=60)
    await assert_all_completed(chaos, result)
    for item in items:
        assert chaos.retried(item.workflow_id, "create_response"), "the 429 missed"
        problems = retry_hint_problems(chaos.world.fake_llm.calls_for(item.marker))
        expect(not problems, BugClass.RETRY_HINT_IGNORED, "; ".join(problems))


@pytest.mark.chaos(fault="agent-down-20s")
@pytest.mark.toxiproxy
async def test_agent_down_for_20_seconds(chaos: ChaosRun) -> None:
    await chaos.start_worker()
    outage = LinkDown(chaos.toxiproxy, agent_link(chaos, "faq"), label="faq-agent-down")
    async with chaos.faulted(outage):
        [item] = await chaos.workload.start_many(["routing"])
        await chaos.hold(OUTAGE_SECONDS)
    result = await chaos.finish(timeout=60)
    await assert_all_completed(chaos, result)
    assert chaos.retried(item.workflow_id, "call_agent"), "the outage missed the agent call"
    landed = [r for r in agent_requests(chaos, "faq", item.marker) if r.ok]
    assert len(landed) == 1, landed  # the refused attempts never reached the agent

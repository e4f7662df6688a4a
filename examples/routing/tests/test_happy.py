"""Happy paths, judged through the adapter: each unit completes with the right reply and
owes exactly what it did: one LLM call for a translation; for a routed question, one
classification call, one call to the chosen agent (whose own LLM call carries the marker)
and nothing at the other agent. The HR agent answers in 8 s, so this also proves the app's
agent client waits for a slow agent (seed 003's lesson; test_lessons.py rejects the twin).
"""

from __future__ import annotations

import pytest

from examples.routing.tests.helpers import agent_requests
from stormproof.chaos import ChaosRun, assert_all_completed

pytestmark = [pytest.mark.chaos, pytest.mark.local_server, pytest.mark.worker_process]
AGENT = {"routing": ("faq", "hr"), "routing_hr": ("hr", "faq")}


@pytest.mark.chaos(fault="routing-happy-path")
async def test_every_unit_once(chaos: ChaosRun) -> None:
    await chaos.start_worker()
    items = await chaos.workload.start_many(["simple", "routing", "routing_hr"])
    result = await chaos.finish(timeout=60)
    await assert_all_completed(chaos, result)

    for item in items:
        answered = [c for c in chaos.world.fake_llm.calls_for(item.marker) if c.status == 200]
        assert len(answered) == (1 if item.kind == "simple" else 2), answered
        if item.kind in AGENT:
            chosen, other = AGENT[item.kind]
            [call] = agent_requests(chaos, chosen, item.marker)
            assert call.ok and call.header("Idempotency-Key"), call
            assert agent_requests(chaos, other, item.marker) == []

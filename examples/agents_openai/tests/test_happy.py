"""The happy path, judged through the adapter: each run plays the agents' four steps (the
lookup, the handoff, the ticket, the last word), each step's request carrying the tool
outputs before it, and files one ticket, under a key made of its workflow id and the model's
tool call id; a run whose customer must confirm files it only after the `confirm` Update."""

from __future__ import annotations

import pytest

from examples.agents_openai.tests.helpers import STEPS, tickets_of
from stormproof.chaos import ChaosRun, assert_all_completed

pytestmark = [pytest.mark.chaos, pytest.mark.local_server, pytest.mark.worker_process]


@pytest.mark.chaos(fault="agents-openai-happy-path")
async def test_every_ticket_once(chaos: ChaosRun) -> None:
    await chaos.start_worker()
    items = await chaos.workload.start_many(["triage", "triage_preconfirmed"] * 2)
    result = await chaos.finish(timeout=90)
    await assert_all_completed(chaos, result)
    for item in items:
        answered = [c for c in chaos.world.fake_llm.calls_for(item.marker) if c.status == 200]
        assert [c.tool_calls for c in answered] == STEPS, answered
        outputs = [c.tool_outputs for c in answered]
        assert outputs == sorted(outputs) and outputs[0] == 0 < outputs[-1], outputs
        [ticket] = tickets_of(chaos, item)
        key = f"support-triage/{item.workflow_id}/call_"  # the run's id, the model's call id
        assert ticket.accepted and (ticket.idempotency_key or "").startswith(key), ticket

"""The happy path, judged through the adapter: each case runs every step of both agents
(five answered model requests, each one Temporal attempt), the person's confirmation files
exactly one ticket, under the key the case and the model's tool call id make, and the
workflow returns the agent's structured triage."""

from __future__ import annotations

import psycopg
import pytest

from stormproof.chaos import ChaosRun, assert_all_completed

pytestmark = [pytest.mark.chaos, pytest.mark.local_server, pytest.mark.worker_process]
TICKETS = "SELECT case_id, ticket_key FROM support_tickets WHERE case_id LIKE %s"


@pytest.mark.chaos(fault="agents-pydantic-happy-path")
async def test_every_case_filed_once(chaos: ChaosRun) -> None:
    await chaos.start_worker()
    items = await chaos.workload.start_many(["support_case"] * 3)
    result = await chaos.finish(timeout=90)
    await assert_all_completed(chaos, result)

    with psycopg.connect(chaos.database_url) as conn:  # the run's own database
        rows = conn.execute(TICKETS, (f"{chaos.tag}%",)).fetchall()
    for item in items:
        calls = chaos.world.fake_llm.calls_for(item.marker)
        assert [c.status for c in calls] == [200] * 5, calls
        assert [c.tool_calls for c in calls] == [
            ["lookup_order"],
            ["ask_billing"],
            [],
            ["file_ticket"],
            ["final_result"],
        ], calls
        [key] = [k for case, k in rows if case == item.workflow_id]
        assert key.startswith(f"{item.workflow_id}/call_"), key

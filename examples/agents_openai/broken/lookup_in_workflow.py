"""Broken twin (workflow code): the order lookup as a plain function tool that reads the
order book inside the workflow, instead of the `lookup_order` activity.

"One activity less per step", and the sandbox's refusal of file I/O silenced with
`sandbox_unrestricted`. New runs even work, but the read is no longer in the history: a
replay reads the file again (whatever it holds by then), and a run in flight, whose history
schedules `lookup_order`, meets code that schedules the next model call instead. Rejected by
examples/agents_openai/tests/test_replay.py as `non-determinism` on the committed histories
(loaded as `examples.agents_openai.broken.lookup_in_workflow:WORKFLOWS`).
"""

from __future__ import annotations

from agents import Runner, function_tool
from temporalio import workflow

from examples.agents_openai import workflows as app
from examples.agents_openai.activities import read_order
from examples.agents_openai.support_agents import triage_agent
from examples.agents_openai.workflows import TriageOutcome, TriageRequest


@function_tool
def lookup_order(order_id: str) -> str:
    """Look up an order by its id (e.g. A-1001): customer, item, delivery status."""
    with workflow.unsafe.sandbox_unrestricted():
        return read_order(order_id)


@workflow.defn(name="SupportTriage")
class SupportTriage(app.SupportTriage):
    @workflow.run
    async def run(self, request: TriageRequest) -> TriageOutcome:
        result = await Runner.run(
            triage_agent(lookup=lookup_order),
            request.message,
            context=self.desk,
            max_turns=app.MAX_TURNS,
            run_config=app.RUN_CONFIG,
        )
        return TriageOutcome(
            status=self.desk.status,
            ticket_id=self.desk.ticket_id,
            reply=str(result.final_output),
            agent=result.last_agent.name,
        )


WORKFLOWS = [SupportTriage, app.SupportSession]

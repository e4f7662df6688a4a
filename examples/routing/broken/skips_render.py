"""Broken twin (workflow code): RoutingWorkflow with the classifier prompt inlined, so the
`render_prompt` activity is gone. Harmless for new runs, fatal for runs already in flight:
their histories schedule `render_prompt` first. Rejected by
examples/routing/tests/test_replay.py as `non-determinism` on the committed histories.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from examples.routing.activities import (
        AgentRequest,
        ResponsesRequest,
        call_agent,
        create_response,
    )
    from examples.routing.workflows import RETRY, SimpleWorkflow

CLASSIFY = "Answer with exactly one word: HR or FAQ."


@workflow.defn(name="RoutingWorkflow")
class RoutingWorkflow:
    @workflow.run
    async def run(self, input: str) -> str:
        classification = await workflow.execute_activity(
            create_response,
            ResponsesRequest(instructions=CLASSIFY, input=input),
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=RETRY,
        )
        agent = "HR" if "HR" in classification.output_text.upper() else "FAQ"
        reply = await workflow.execute_activity(
            call_agent,
            AgentRequest(agent=agent, message=input),
            start_to_close_timeout=timedelta(seconds=60),
            heartbeat_timeout=timedelta(seconds=5),
            retry_policy=RETRY,
        )
        return f"[routed to {agent}] {reply}"


WORKFLOWS = [SimpleWorkflow, RoutingWorkflow]

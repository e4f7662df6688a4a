"""The app's two workflows: pure orchestration, no I/O, no retry code (Temporal retries).

Every activity call states its timeouts and one retry policy: quick first retries, never
more than 5 s apart, so an agent that comes back is used within seconds. The agent call
heartbeats, so when a worker dies mid-call the attempt is retried after the heartbeat
timeout, not after the whole minute an agent may take.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from examples.routing.activities import (
        AgentRequest,
        RenderPromptRequest,
        ResponsesRequest,
        call_agent,
        create_response,
        render_prompt,
    )

RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=5),
)


async def _render(template: str) -> str:
    return await workflow.execute_activity(
        render_prompt,
        RenderPromptRequest(template=template),
        start_to_close_timeout=timedelta(seconds=10),
        retry_policy=RETRY,
    )


async def _ask_llm(instructions: str, text: str) -> str:
    result = await workflow.execute_activity(
        create_response,
        ResponsesRequest(instructions=instructions, input=text),
        start_to_close_timeout=timedelta(seconds=30),
        retry_policy=RETRY,
    )
    return result.output_text


@workflow.defn
class SimpleWorkflow:
    """Translate the input into Japanese: render the prompt, then one LLM call."""

    @workflow.run
    async def run(self, input: str) -> str:
        return await _ask_llm(await _render("simple.jinja2"), input)


@workflow.defn
class RoutingWorkflow:
    """Classify the question as HR or FAQ, then hand it to that agent and return its reply."""

    @workflow.run
    async def run(self, input: str) -> str:
        classification = await _ask_llm(await _render("classify.jinja2"), input)
        agent = "HR" if "HR" in classification.upper() else "FAQ"
        reply = await workflow.execute_activity(
            call_agent,
            AgentRequest(agent=agent, message=input),
            start_to_close_timeout=timedelta(seconds=60),
            heartbeat_timeout=timedelta(seconds=5),
            retry_policy=RETRY,
        )
        return f"[routed to {agent}] {reply}"


WORKFLOWS = [SimpleWorkflow, RoutingWorkflow]

"""Broken twin: the agent call carries no idempotency key.

When a worker dies while the agent is answering, Temporal retries the activity and the
agent, unable to tell the retry from a new question, answers (and spends an LLM call)
twice. Rejected by examples/routing/tests/test_chaos.py as `duplicate-effect`, and by the
default chaos run's row for a death after the agent answered (test_default_rows.py).
"""

from __future__ import annotations

import httpx
from temporalio import activity

from examples.routing.activities import (
    AgentRequest,
    create_response,
    post_to_agent,
    render_prompt,
)
from examples.routing.settings import RoutingSettings
from examples.routing.worker import main


@activity.defn(name="call_agent")
async def call_agent(request: AgentRequest) -> str:
    settings = RoutingSettings()
    return await post_to_agent(
        settings.agent_url(request.agent),
        request.message,
        timeout=httpx.Timeout(settings.agent_timeout_seconds, connect=5.0),
        headers={},
    )


if __name__ == "__main__":
    main([render_prompt, create_response, call_agent])

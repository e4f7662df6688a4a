"""Broken twin: the agent client uses httpx's default 5 s timeout (the A2A client's too).

Seed 003's lesson: an LLM-backed agent can take longer than that; the 8 s HR agent is cut
off on every attempt, so a routed HR question never completes. Rejected by
examples/routing/tests/test_lessons.py as `lost-workflow`, naming the ReadTimeout.
"""

from __future__ import annotations

import httpx
from temporalio import activity

from examples.routing.activities import (
    IDEMPOTENCY_HEADER,
    AgentRequest,
    create_response,
    idempotency_key,
    post_to_agent,
    render_prompt,
)
from examples.routing.settings import RoutingSettings
from examples.routing.worker import main

# What `httpx.AsyncClient()` uses when nobody passes a timeout.
HTTPX_DEFAULT_TIMEOUT = httpx.Timeout(5.0)


@activity.defn(name="call_agent")
async def call_agent(request: AgentRequest) -> str:
    settings = RoutingSettings()
    return await post_to_agent(
        settings.agent_url(request.agent),
        request.message,
        timeout=HTTPX_DEFAULT_TIMEOUT,
        headers={IDEMPOTENCY_HEADER: idempotency_key()},
    )


if __name__ == "__main__":
    main([render_prompt, create_response, call_agent])

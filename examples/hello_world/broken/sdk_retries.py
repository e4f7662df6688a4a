"""Broken twin: the openai client keeps its default `max_retries` (2) under Temporal's.

Every Temporal attempt may make three requests: under a 5xx or 429 storm the provider is
called more often than the history shows, and each hidden retry is a wasted (billed,
rate-limited) call. Rejected as `wasted-llm-call` by the default chaos run's row for the
LLM 429/5xx storm (fault 6), run by examples/hello_world/tests/test_default_rows.py.
"""

from __future__ import annotations

import openai
from temporalio import activity

from examples.hello_world.activities import (
    OpenAIResponsesRequest,
    notify_team,
    respond,
)
from examples.hello_world.settings import Settings
from examples.hello_world.worker import main


@activity.defn(name="create")
async def create(request: OpenAIResponsesRequest) -> str:
    client = openai.AsyncOpenAI(timeout=Settings().llm_timeout_seconds)  # SDK retries left on
    return await respond(client, request)


if __name__ == "__main__":
    main([create, notify_team])

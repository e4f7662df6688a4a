"""Broken twin: the model client keeps the openai SDK's default retries (`max_retries` 2).

The plugin's own default client turns them off; a team that builds its client for its base
URL and key (as this app must) and forgets `max_retries=0` gets up to three requests per
Temporal attempt, each with the SDK's own backoff, none in the history: under a 429 or 5xx
storm the provider is called more often than Temporal ran `invoke_model_activity`, and each
hidden retry is a wasted (billed, rate-limited) call. Rejected as `wasted-llm-call` by the
default chaos run's row for the LLM storm (fault 6, http_storm), run by
examples/agents_openai/tests/test_default_rows.py.
"""

from __future__ import annotations

from openai import AsyncOpenAI

from examples.agents_openai.settings import Settings
from examples.agents_openai.worker import main


def llm_client(settings: Settings) -> AsyncOpenAI:
    return AsyncOpenAI(  # the SDK's retries left on
        base_url=settings.llm_base_url,
        api_key=settings.llm_api_key,
        timeout=settings.llm_timeout_seconds,
    )


if __name__ == "__main__":
    main(client=llm_client)

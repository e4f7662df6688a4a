"""Broken twin (worker): the OpenAI client keeps the SDK's default retries (two, with its own
backoff) under Temporal's.

One activity attempt may then send up to three requests: a 429 or a 5xx is retried inside
the attempt, unseen by Temporal and missing from the history, and each hidden request is a
call the provider bills. Rejected by the default chaos run's fault 6 row
(`test_f6_llm_faults`, its 429/5xx storm) as `wasted-llm-call`
(examples/agents_pydantic/tests/test_default_rows.py).
"""

from __future__ import annotations

from openai import AsyncOpenAI

from examples.agents_pydantic.agents import build_agents, chat_model
from examples.agents_pydantic.settings import SupportSettings
from examples.agents_pydantic.worker import main


def sdk_default_client(settings: SupportSettings) -> AsyncOpenAI:
    """What `AsyncOpenAI()` does when nobody passes `max_retries`."""
    return AsyncOpenAI(
        base_url=settings.llm_base_url,
        api_key=settings.llm_api_key,
        timeout=settings.llm_timeout_seconds,
    )


if __name__ == "__main__":
    settings = SupportSettings()
    main(build_agents(chat_model(settings, sdk_default_client(settings))).all)

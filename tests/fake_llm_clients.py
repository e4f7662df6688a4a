"""The fake LLM and an OpenAI client of it, the fixtures the fake LLM's tests share.

A test module imports them by name (`from tests.fake_llm_clients import KEY, client, llm`):
one server per test, requiring KEY, and a client with the SDK's own retries off, so every
request the fake logs is one the test made.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import openai
import pytest

from stormproof.fixtures.fake_llm import FakeLlm

KEY = "sk-stormproof-test-0123456789"


@pytest.fixture
def llm() -> Iterator[FakeLlm]:
    with FakeLlm(require_api_key=KEY) as server:
        yield server


@pytest.fixture
async def client(llm: FakeLlm) -> AsyncIterator[openai.AsyncOpenAI]:
    async with openai.AsyncOpenAI(base_url=llm.base_url, api_key=KEY, max_retries=0) as c:
        yield c

"""Fixtures several of the project's own tests share (the suites have their own plugins)."""

from tests.fake_llm_clients import client, llm  # noqa: F401 (the fake LLM and its client)

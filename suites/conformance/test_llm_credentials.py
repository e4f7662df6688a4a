"""A worker without LLM credentials fails the LLM step at once, naming the variable, and
never sends an unauthenticated request."""

from __future__ import annotations

import pytest
from temporalio.client import WorkflowFailureError

from stormproof.effects import failure_messages, failure_types
from stormproof.fixtures.world import WorkerFactory
from stormproof.judge import Judge
from stormproof.suites.conformance.checks import assert_llm_calls


@pytest.mark.worker_process
async def test_missing_api_key_is_a_clear_non_retryable_error(
    judge: Judge, worker_factory: WorkerFactory
):
    worker = await worker_factory.start("worker-without-llm-key", llm_api_key=None)
    run = await judge.start_story(worker)
    with pytest.raises(WorkflowFailureError) as failure:
        await run.result()

    assert "LlmCredentialsMissing" in failure_types(failure.value), failure_messages(failure.value)
    assert "OPENAI_API_KEY" in failure_messages(failure.value)
    assert_llm_calls(judge, run, 0, "no request goes out without a key")

"""A worker without LLM credentials fails the LLM step at once, naming the variable, and
never sends an unauthenticated request."""

from __future__ import annotations

import pytest

from stormproof.conformance import Judge
from stormproof.conformance.checks import assert_llm_calls, failure_of
from stormproof.diagnosis import BugClass, expect, rejected_as
from stormproof.effects import failure_messages
from stormproof.world import WorkerFactory, broken_argv


async def check_missing_key(judge: Judge, factory: WorkerFactory, argv: list[str] | None) -> None:
    worker = await factory.start("worker-without-llm-key", argv=argv, llm_api_key=None)
    run = await judge.start_story(worker)
    failure = await failure_of(run, "LlmCredentialsMissing", BugClass.WRONG_ERROR_TYPE)
    expect(
        "OPENAI_API_KEY" in failure_messages(failure),
        BugClass.WRONG_ERROR_TYPE,
        f"the error must name OPENAI_API_KEY: {failure_messages(failure)}",
    )
    assert_llm_calls(
        judge, run, 0, "no request goes out without a key", too_many=BugClass.WRONG_ERROR_TYPE
    )


@pytest.mark.worker_process
async def test_missing_api_key_is_a_clear_non_retryable_error(
    judge: Judge, worker_factory: WorkerFactory
):
    await check_missing_key(judge, worker_factory, None)


@pytest.mark.worker_process
@pytest.mark.negative_control
async def test_negative_control_key_unchecked(judge: Judge, worker_factory: WorkerFactory):
    with rejected_as(BugClass.WRONG_ERROR_TYPE):
        await check_missing_key(judge, worker_factory, broken_argv("llm_key_unchecked"))

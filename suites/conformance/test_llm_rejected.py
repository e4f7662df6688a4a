"""A 400 from the LLM is final: the workflow fails at once with a clear, typed error, and
nothing downstream happens. A worker that retries it is named `retry-classification`."""

from __future__ import annotations

import pytest

from stormproof.conformance import Judge, Run
from stormproof.conformance.checks import (
    assert_llm_calls,
    assert_no_notification,
    assert_no_row,
    failure_of,
)
from stormproof.diagnosis import BugClass, expect, rejected_as
from stormproof.effects import failure_messages
from stormproof.world import BrokenWorker, Status, WorkerProcess


async def check_400_is_final(judge: Judge, run: Run) -> None:
    failure = await failure_of(run, "LlmRequestRejected", BugClass.RETRY_CLASSIFICATION)
    expect(
        "400" in failure_messages(failure),
        BugClass.WRONG_ERROR_TYPE,
        f"the error should name the status: {failure_messages(failure)}",
    )
    assert_llm_calls(judge, run, 1, "a 400 is not retried", too_many=BugClass.RETRY_CLASSIFICATION)
    expect(
        not judge.pdf_path(run).exists(),
        BugClass.UNEXPECTED_EFFECT,
        "a PDF was rendered for a failed LLM step",
    )
    assert_no_row(judge, run)
    assert_no_notification(judge, run)


async def test_llm_400_fails_without_retry_or_side_effects(judge: Judge, worker: WorkerProcess):
    run = await judge.start_report(worker, llm_faults=[Status(code=400)])
    await check_400_is_final(judge, run)


@pytest.mark.worker_process
@pytest.mark.negative_control
async def test_negative_control_llm_4xx_retried(judge: Judge, broken_worker: BrokenWorker):
    run = await judge.start_report(
        await broken_worker("retries_llm_4xx"), llm_faults=[Status(code=400)]
    )
    with rejected_as(BugClass.RETRY_CLASSIFICATION):
        await check_400_is_final(judge, run)

"""A 400 from the LLM is final: the workflow fails at once with a clear, typed error, and
nothing downstream happens."""

from __future__ import annotations

import pytest
from temporalio.client import WorkflowFailureError

from stormproof.effects import failure_messages, failure_types
from stormproof.fixtures.fake_llm import Status
from stormproof.fixtures.worker import WorkerProcess
from stormproof.judge import Judge
from stormproof.suites.conformance.checks import (
    assert_llm_calls,
    assert_no_notification,
    assert_no_row,
)


async def test_llm_400_fails_without_retry_or_side_effects(judge: Judge, worker: WorkerProcess):
    run = await judge.start_report(worker, llm_faults=[Status(code=400)])
    with pytest.raises(WorkflowFailureError) as failure:
        await run.result()

    assert "LlmRequestRejected" in failure_types(failure.value), failure_messages(failure.value)
    assert "400" in failure_messages(failure.value), "the error should name the status"
    assert_llm_calls(judge, run, 1, "a 400 is not retried")
    assert not judge.pdf_path(run).exists(), "a PDF was rendered for a failed LLM step"
    assert_no_row(judge, run)
    assert_no_notification(judge, run)

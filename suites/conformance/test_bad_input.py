"""Bad input is refused by the workflow before any LLM call, with a typed, clear error."""

from __future__ import annotations

import pytest
from temporalio.client import WorkflowFailureError

from stormproof.effects import failure_messages, failure_types
from stormproof.fixtures.worker import WorkerProcess
from stormproof.judge import Judge

CASES = {
    "empty-prompt": {"prompt": ""},
    "oversized-prompt": {"prompt": "x" * 8_001},
    "missing-prompt": {"title": "no prompt at all"},
    "wrong-type": {"prompt": 42},
}


@pytest.mark.parametrize("workflow", ["StoryWorkflow", "ReportWorkflow"])
@pytest.mark.parametrize("case", list(CASES))
async def test_bad_input_is_rejected_before_the_llm(
    judge: Judge, worker: WorkerProcess, workflow: str, case: str
):
    calls_before = len(judge.fake_llm.calls)
    payload = dict(CASES[case])
    if workflow == "ReportWorkflow":
        payload.pop("title", None)
    with pytest.raises(WorkflowFailureError) as failure:
        await judge.client.execute_workflow(
            workflow,
            payload,
            id=f"bad-{case}-{workflow}-{worker.task_queue}",
            task_queue=worker.task_queue,
        )

    assert "InvalidRequest" in failure_types(failure.value), failure_messages(failure.value)
    assert "prompt" in failure_messages(failure.value), "the error should name the field"
    assert len(judge.fake_llm.calls) == calls_before, "the LLM was called for bad input"

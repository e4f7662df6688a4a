"""Bad input is refused by the workflow before any LLM call, with a typed, clear error."""

from __future__ import annotations

import pytest

from stormproof.conformance import Judge, Run
from stormproof.conformance.checks import failure_of
from stormproof.diagnosis import BugClass, expect, rejected_as
from stormproof.effects import failure_messages
from stormproof.world import BrokenWorker, WorkerProcess

CASES = {
    "empty-prompt": {"prompt": ""},
    "oversized-prompt": {"prompt": "x" * 8_001},
    "missing-prompt": {"title": "no prompt at all"},
    "wrong-type": {"prompt": 42},
}


async def check_refused(judge: Judge, worker: WorkerProcess, workflow: str, case: str) -> None:
    calls_before = len(judge.fake_llm.calls)
    payload = dict(CASES[case])
    if workflow == "ReportWorkflow":
        payload.pop("title", None)
    handle = await judge.client.start_workflow(
        workflow,
        payload,
        id=f"bad-{case}-{workflow}-{worker.task_queue}",
        task_queue=worker.task_queue,
    )
    run = Run(handle.id, "", str(payload.get("prompt")), handle, worker)
    failure = await failure_of(run, "InvalidRequest", BugClass.INPUT_VALIDATION)
    expect(
        "prompt" in failure_messages(failure),
        BugClass.WRONG_ERROR_TYPE,
        f"the error should name the field: {failure_messages(failure)}",
    )
    calls = len(judge.fake_llm.calls) - calls_before
    expect(calls == 0, BugClass.INPUT_VALIDATION, f"the LLM was called {calls}x for {case}")


@pytest.mark.parametrize("workflow", ["StoryWorkflow", "ReportWorkflow"])
@pytest.mark.parametrize("case", list(CASES))
async def test_bad_input_is_rejected_before_the_llm(
    judge: Judge, worker: WorkerProcess, workflow: str, case: str
):
    await check_refused(judge, worker, workflow, case)


@pytest.mark.worker_process
@pytest.mark.negative_control
async def test_negative_control_no_input_validation(judge: Judge, broken_worker: BrokenWorker):
    broken = await broken_worker("no_input_validation")
    with rejected_as(BugClass.INPUT_VALIDATION):
        await check_refused(judge, broken, "StoryWorkflow", "empty-prompt")

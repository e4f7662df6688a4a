"""Starting the same workflow id twice gives one run, one LLM call, one of each effect."""

from __future__ import annotations

import pytest
from temporalio.exceptions import WorkflowAlreadyStartedError

from stormproof.conformance import Judge
from stormproof.conformance.checks import (
    assert_llm_calls,
    assert_one_notification,
    assert_one_row,
)
from stormproof.diagnosis import BugClass, expect
from stormproof.world import WorkerProcess


async def test_second_start_with_same_id_is_rejected(judge: Judge, worker: WorkerProcess):
    run = await judge.start_report(worker)
    with pytest.raises(WorkflowAlreadyStartedError):
        await judge.client.start_workflow(
            "ReportWorkflow",
            {"prompt": run.prompt},
            id=run.workflow_id,
            task_queue=worker.task_queue,
        )
    await run.result()

    latest = await judge.client.get_workflow_handle(run.workflow_id).describe()
    expect(
        latest.run_id == run.handle.result_run_id,
        BugClass.DUPLICATE_EFFECT,
        f"the second start made a new run {latest.run_id}; the first was "
        f"{run.handle.result_run_id}",
    )
    assert_llm_calls(judge, run, 1, "one run, one completion")
    assert_one_row(judge, run)
    assert_one_notification(judge, run)

"""The `decide` update (docs/CONTRACT.md, 2): validated before it is accepted.

An update is a request with an answer: a decision that cannot be taken (a missing or empty
reviewer, a second decision, a closed report) must be refused to its sender with the
reason, and never enter the history or change the report; an accepted one decides the
report as the signals do and answers with the decision taken. Update-with-Start starts a
report and decides it in one request (on a dev server of its own: the time-skipping
server has none). The decide_unvalidated twin, whose handler takes whatever it is sent,
is `input-validation`.
"""

from __future__ import annotations

import asyncio

import pytest
from temporalio.client import WithStartWorkflowOperation, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDConflictPolicy

from stormproof.conformance import Judge, Run
from stormproof.conformance.checks import assert_one_notification, assert_one_row, progress_step
from stormproof.conformance.dev_world import DevWorld
from stormproof.diagnosis import BugClass, expect, fail, rejected_as
from stormproof.world import BrokenWorker, SinkDelay, WorkerProcess

GOOD = {"approved": True, "reviewer": "ops@example.com", "comment": "ship it"}
BAD = {
    "empty-reviewer": ({**GOOD, "reviewer": ""}, "reviewer"),
    "no-reviewer": ({"approved": True}, "reviewer"),
    "no-decision": ({"reviewer": "ops@example.com"}, "approved"),
    "extra-field": ({**GOOD, "priority": "high"}, "priority"),
    "not-an-object": ("yes", "decision"),
}


async def refused(run: Run, decision: object, reason: str) -> None:
    """`decide` with `decision` is refused, naming `reason`; the report is unchanged."""
    before = await run.handle.query("progress")
    try:
        reply = await run.handle.execute_update("decide", decision)
    except WorkflowUpdateFailedError as exc:
        said = str(exc.cause)
        expect(
            reason in said,
            BugClass.INPUT_VALIDATION,
            f"{run.workflow_id}: `decide` {decision!r} was refused as {said!r}, "
            f"which does not name {reason!r}",
        )
    else:
        fail(
            BugClass.INPUT_VALIDATION,
            f"{run.workflow_id}: `decide` {decision!r} was accepted ({reply}); it must be "
            f"refused naming {reason!r}",
        )
    after = await run.handle.query("progress")
    waiting = before["step"] == "awaiting_approval"  # else the report moves on by itself
    expect(
        (after["step"] == before["step"] or not waiting)
        and after.get("ignored_decisions") == before.get("ignored_decisions"),
        BugClass.INPUT_VALIDATION,
        f"{run.workflow_id}: a refused `decide` changed the report: {before} -> {after}",
    )


@pytest.mark.parametrize("case", list(BAD))
async def test_a_bad_decision_is_refused_and_never_applied(
    judge: Judge, worker: WorkerProcess, case: str
) -> None:
    run = await judge.start_report(worker, require_approval=True)
    await progress_step(run, "awaiting_approval")
    decision, reason = BAD[case]
    await refused(run, decision, reason)
    reply = await run.handle.execute_update("decide", GOOD)  # the report still waits for one
    expect(
        reply == {"decision": "approved", "reviewer": "ops@example.com"},
        BugClass.APPROVAL_SIGNAL,
        f"{run.workflow_id}: `decide` answered {reply}",
    )
    result = await run.result()
    expect(
        result["status"] == "completed" and result["reviewer"] == "ops@example.com",
        BugClass.APPROVAL_SIGNAL,
        f"{run.workflow_id}: approved by update, the report ended {result}",
    )


async def test_a_second_decision_is_refused(judge: Judge, worker: WorkerProcess) -> None:
    # The webhook held, so the report is still open when the second decision comes.
    run = await judge.start_report(
        worker, require_approval=True, sink_faults=[SinkDelay(seconds=3)]
    )
    await progress_step(run, "awaiting_approval")
    await run.handle.execute_update("decide", GOOD)
    await refused(run, {**GOOD, "approved": False, "reviewer": "legal@example.com"}, "already")
    result = await run.result()
    expect(
        result["status"] == "completed" and result["reviewer"] == "ops@example.com",
        BugClass.APPROVAL_SIGNAL,
        f"{run.workflow_id}: a second decision changed the first: {result}",
    )


@pytest.mark.local_server  # the time-skipping server has no Update-with-Start
@pytest.mark.worker_process
async def test_update_with_start_starts_and_decides_in_one_request(dev_world: DevWorld) -> None:
    judge, worker = dev_world.judge, await dev_world.factory.start("worker")
    marker, prompt = judge.marked_prompt("Summarise the change review.")
    workflow_id = f"report-uws-{marker}"
    start = WithStartWorkflowOperation(
        "ReportWorkflow",
        {"prompt": prompt, "require_approval": True},
        id=workflow_id,
        task_queue=worker.task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
    )
    reply = await judge.client.execute_update_with_start_workflow(
        "decide", GOOD, start_workflow_operation=start
    )
    expect(
        reply == {"decision": "approved", "reviewer": "ops@example.com"},
        BugClass.APPROVAL_SIGNAL,
        f"{workflow_id}: Update-with-Start answered {reply}",
    )
    handle = await start.workflow_handle()
    result = await asyncio.wait_for(handle.result(), timeout=30)
    run = Run(workflow_id, marker, prompt, handle, worker, report_id=workflow_id)
    expect(
        result["status"] == "completed" and result["reviewer"] == "ops@example.com",
        BugClass.APPROVAL_SIGNAL,
        f"{workflow_id}: started and approved in one request, the report ended {result}",
    )
    assert_one_row(judge, run)
    assert_one_notification(judge, run)


@pytest.mark.worker_process
@pytest.mark.negative_control
async def test_negative_control_decide_unvalidated(
    judge: Judge, broken_worker: BrokenWorker
) -> None:
    run = await judge.start_report(await broken_worker("decide_unvalidated"), require_approval=True)
    await progress_step(run, "awaiting_approval")
    with rejected_as(BugClass.INPUT_VALIDATION):
        await refused(run, BAD["empty-reviewer"][0], "reviewer")

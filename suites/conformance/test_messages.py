"""Messages at every stage: a decision counts whenever it arrives (docs/CONTRACT.md, 2).

Production sends an approval when the reviewer decides, not when the workflow happens to
be waiting: right after the start (the reviewer knew), while the LLM answers, or once the
report waits. Each message the report accepts (the `approve` and `reject` signals, and the
`decide` update either way) is sent at each stage, and each must decide the report exactly
once: an approval completes it with its reviewer and one row and one notification, a
rejection ends it with neither. A decision sent after the report closed is refused by
Temporal and changes nothing. The drops_early_decision twin, which takes a decision only while it
waits, is `message-lost`.
"""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.service import RPCError

from stormproof.conformance import Judge, Run
from stormproof.conformance.checks import (
    assert_no_notification,
    assert_no_row,
    assert_one_notification,
    assert_one_row,
    progress_step,
)
from stormproof.conformance.dev_world import DevWorld
from stormproof.diagnosis import BugClass, expect, fail, rejected_as
from stormproof.world import BrokenWorker, Delay, WorkerProcess

STAGES = ("at-start", "during-llm", "waiting")
# message -> (how it is sent, whether it approves)
MESSAGES = {
    "approve": ("signal", True),
    "reject": ("signal", False),
    "decide-approve": ("update", True),
    "decide-reject": ("update", False),
}
# The LLM held this long, so "at start" and "during llm_call" are stages that last.
HOLD = Delay(seconds=1.5)
# From the decision to the report's end: the held LLM, the PDF, a row and a webhook.
DECIDED_WITHIN = 20.0


async def decide_at(run: Run, stage: str, message: str) -> None:
    """Send `message` at `stage`: at once, once `llm_call` runs, or once the report waits."""
    if stage == "during-llm":
        await progress_step(run, "llm_call")
    elif stage == "waiting":
        await progress_step(run, "awaiting_approval")
    how, approved = MESSAGES[message]
    decision = {"reviewer": f"{message}@example.com", "comment": stage}
    if how == "signal":
        await run.handle.signal(message, decision)
        return
    reply = await run.handle.execute_update("decide", {**decision, "approved": approved})
    expected = {"decision": "approved" if approved else "rejected", **decision}
    del expected["comment"]
    expect(
        reply == expected,
        BugClass.APPROVAL_SIGNAL,
        f"{run.workflow_id}: `decide` sent {stage} answered {reply}, expected {expected}",
    )


async def check_decided(judge: Judge, run: Run, stage: str, message: str) -> None:
    """The decision sent at `stage` decided the report, once and as sent."""
    try:
        result = await asyncio.wait_for(run.result(), timeout=DECIDED_WITHIN)
    except TimeoutError:
        progress = await run.handle.query("progress")
        fail(
            BugClass.MESSAGE_LOST,
            f"{run.workflow_id}: `{message}` sent {stage} did not decide the report within "
            f"{DECIDED_WITHIN:.0f} s; progress says {progress}",
        )
    expect(  # under the time-skipping server a dropped decision ends the wait at once
        result["status"] != "timed_out",
        BugClass.MESSAGE_LOST,
        f"{run.workflow_id}: `{message}` sent {stage}, yet the approval wait timed out: {result}",
    )
    approved = MESSAGES[message][1]
    expect(
        result["status"] == ("completed" if approved else "rejected")
        and result["reviewer"] == f"{message}@example.com",
        BugClass.APPROVAL_SIGNAL,
        f"{run.workflow_id}: `{message}` sent {stage}, the report ended {result}",
    )
    if approved:
        assert_one_row(judge, run)
        assert_one_notification(judge, run)
    else:
        assert_no_row(judge, run)
        assert_no_notification(judge, run)


@pytest.mark.parametrize("message", list(MESSAGES))
@pytest.mark.parametrize("stage", STAGES)
async def test_a_decision_counts_at_every_stage(
    judge: Judge, worker: WorkerProcess, stage: str, message: str
) -> None:
    run = await judge.start_report(worker, require_approval=True, llm_faults=[HOLD])
    await decide_at(run, stage, message)
    await check_decided(judge, run, stage, message)


# On a dev server of its own, with a 2 s window: the time-skipping server sometimes never
# answers an update sent to a closed workflow.
@pytest.mark.local_server
@pytest.mark.worker_process
async def test_a_decision_after_the_timeout_is_refused(dev_world: DevWorld) -> None:
    judge, worker = dev_world.judge, await dev_world.factory.start("worker")
    run = await judge.start_report(worker, require_approval=True, approval_timeout_seconds=2)
    assert (await run.result())["status"] == "timed_out"
    late = {"reviewer": "late@example.com", "comment": None}
    with pytest.raises(RPCError):  # the workflow execution is already completed
        await run.handle.signal("approve", late)
    with pytest.raises((RPCError, WorkflowUpdateFailedError)):
        await run.handle.execute_update("decide", {**late, "approved": True})
    final = await run.handle.query("progress")
    expect(
        final["step"] == "timed_out",
        BugClass.APPROVAL_SIGNAL,
        f"{run.workflow_id}: a late approval moved the closed report to {final}",
    )
    assert_no_row(judge, run)
    assert_no_notification(judge, run)


@pytest.mark.worker_process
@pytest.mark.negative_control
async def test_negative_control_early_decision_dropped(
    judge: Judge, broken_worker: BrokenWorker
) -> None:
    broken = await broken_worker("drops_early_decision")
    run = await judge.start_report(broken, require_approval=True, llm_faults=[HOLD])
    await decide_at(run, "at-start", "approve")
    with rejected_as(BugClass.MESSAGE_LOST):
        await check_decided(judge, run, "at-start", "approve")
    with contextlib.suppress(RPCError):  # on the dev server it would wait 24 h
        await run.handle.terminate("negative control done")  # (time skipping: timed out)

"""Messages at every stage: a decision counts whenever it arrives (docs/CONTRACT.md, 2).

Production sends an approval when the reviewer decides, not when the workflow happens to
be waiting: right after the start (the reviewer knew), while the LLM answers, or once the
report waits. Each is sent at each stage, and each must decide the report exactly once:
`approve` completes it with its reviewer and one row and one notification, `reject` ends
it with neither. A decision sent after the report closed is refused by Temporal and
changes nothing. The drops_early_decision twin, which takes a decision only while it
waits, is `message-lost`.
"""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from temporalio.service import RPCError

from stormproof.conformance import Judge, Run
from stormproof.conformance.checks import (
    assert_no_notification,
    assert_no_row,
    assert_one_notification,
    assert_one_row,
    progress_step,
)
from stormproof.diagnosis import BugClass, expect, fail, rejected_as
from stormproof.world import BrokenWorker, Delay, WorkerProcess

STAGES = ("at-start", "during-llm", "waiting")
DECISIONS = {"approve": "completed", "reject": "rejected"}
# The LLM held this long, so "at start" and "during llm_call" are stages that last.
HOLD = Delay(seconds=1.5)
# From the decision to the report's end: the held LLM, the PDF, a row and a webhook.
DECIDED_WITHIN = 20.0


async def decide_at(run: Run, stage: str, signal: str) -> None:
    """Send `signal` at `stage`: at once, once `llm_call` runs, or once the report waits."""
    if stage == "during-llm":
        await progress_step(run, "llm_call")
    elif stage == "waiting":
        await progress_step(run, "awaiting_approval")
    await run.handle.signal(signal, {"reviewer": f"{signal}@example.com", "comment": stage})


async def check_decided(judge: Judge, run: Run, stage: str, signal: str) -> None:
    """The decision sent at `stage` decided the report, once and as sent."""
    try:
        result = await asyncio.wait_for(run.result(), timeout=DECIDED_WITHIN)
    except TimeoutError:
        progress = await run.handle.query("progress")
        fail(
            BugClass.MESSAGE_LOST,
            f"{run.workflow_id}: `{signal}` sent {stage} did not decide the report within "
            f"{DECIDED_WITHIN:.0f} s; progress says {progress}",
        )
    expect(  # under the time-skipping server a dropped decision ends the wait at once
        result["status"] != "timed_out",
        BugClass.MESSAGE_LOST,
        f"{run.workflow_id}: `{signal}` sent {stage}, yet the approval wait timed out: {result}",
    )
    expect(
        result["status"] == DECISIONS[signal] and result["reviewer"] == f"{signal}@example.com",
        BugClass.APPROVAL_SIGNAL,
        f"{run.workflow_id}: `{signal}` sent {stage}, the report ended {result}",
    )
    if signal == "approve":
        assert_one_row(judge, run)
        assert_one_notification(judge, run)
    else:
        assert_no_row(judge, run)
        assert_no_notification(judge, run)


@pytest.mark.parametrize("signal", list(DECISIONS))
@pytest.mark.parametrize("stage", STAGES)
async def test_a_decision_counts_at_every_stage(
    judge: Judge, worker: WorkerProcess, stage: str, signal: str
) -> None:
    run = await judge.start_report(worker, require_approval=True, llm_faults=[HOLD])
    await decide_at(run, stage, signal)
    await check_decided(judge, run, stage, signal)


@pytest.mark.time_skipping
async def test_a_decision_after_the_timeout_is_refused(judge: Judge, worker: WorkerProcess):
    run = await judge.start_report(worker, require_approval=True, approval_timeout_seconds=90)
    assert (await run.result())["status"] == "timed_out"
    with pytest.raises(RPCError):  # "Completed workflow", or the dev server's wording
        await run.handle.signal("approve", {"reviewer": "late@example.com", "comment": None})
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

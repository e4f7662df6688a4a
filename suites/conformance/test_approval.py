"""Human approval: a signal decides, a durable timer bounds the wait, and `progress` tells
where the workflow stands at every step.

The window is an input (`approval_timeout_seconds`), judged at its default (24 h) and at
two non-default values, 10 minutes and 90 seconds, in virtual time: a worker that
hard-codes the default is indistinguishable at the default alone.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from stormproof.conformance import Judge, Run
from stormproof.conformance.checks import (
    assert_llm_calls,
    assert_no_notification,
    assert_no_row,
    assert_one_notification,
    assert_one_row,
    progress_step,
)
from stormproof.conformance.timing import check_approval_window
from stormproof.diagnosis import BugClass, expect, rejected_as
from stormproof.world import BrokenWorker, Delay, SinkDelay, WorkerProcess, wait_for

WINDOWS = {"24-hour": 86_400, "10-minute": 600, "90-second": 90}
APPROVED_STEPS = [
    "llm_call",
    "create_pdf",
    "awaiting_approval",
    "store_report_metadata",
    "send_notification",
]


async def check_progress_at_approval(judge: Judge, run: Run) -> None:
    """Once its PDF exists the report waits for a decision, and progress must say so."""
    await wait_for(judge.pdf_path(run).is_file, what=f"the PDF of {run.workflow_id}", timeout=30)
    waiting = await progress_step(run, "awaiting_approval", timeout=5)
    expect(
        waiting["completed_steps"] == ["llm_call", "create_pdf"],
        BugClass.PROGRESS_QUERY,
        f"{run.workflow_id}: progress says {waiting}",
    )


async def check_rejected(judge: Judge, run: Run) -> None:
    await progress_step(run, "awaiting_approval")
    await run.handle.signal("reject", {"reviewer": "legal@example.com", "comment": "no"})
    result = await run.result()
    expect(
        result["status"] == "rejected" and result["reviewer"] == "legal@example.com",
        BugClass.APPROVAL_SIGNAL,
        f"{run.workflow_id} was rejected but ended {result}",
    )
    await progress_step(run, "rejected", timeout=5)
    assert_no_row(judge, run)
    assert_no_notification(judge, run)


async def test_approved_report_completes(judge: Judge, worker: WorkerProcess):
    run = await judge.start_report(
        worker,
        require_approval=True,
        # Hold the LLM and the webhook long enough to see those steps from outside.
        llm_faults=[Delay(seconds=1.5)],
        sink_faults=[SinkDelay(seconds=1.5)],
    )
    await progress_step(run, "llm_call")
    await check_progress_at_approval(judge, run)
    assert_no_row(judge, run)
    assert_no_notification(judge, run)

    await run.handle.signal("approve", {"reviewer": "ops@example.com", "comment": "ship it"})
    await progress_step(run, "send_notification")
    result = await run.result()

    expect(
        result["status"] == "completed" and result["reviewer"] == "ops@example.com",
        BugClass.APPROVAL_SIGNAL,
        f"{run.workflow_id} was approved but ended {result}",
    )
    final = await progress_step(run, "completed", timeout=5)
    steps = [step for step in final["completed_steps"] if step != "completed"]
    expect(
        steps == APPROVED_STEPS and final["attempts"].get("llm_call") == 1,
        BugClass.PROGRESS_QUERY,
        f"{run.workflow_id}: the final progress is {final}",
    )
    assert_llm_calls(judge, run, 1, "approval does not re-run the LLM")
    assert_one_row(judge, run)
    assert_one_notification(judge, run)


async def test_rejected_report_stops_before_side_effects(judge: Judge, worker: WorkerProcess):
    run = await judge.start_report(worker, require_approval=True)
    await check_rejected(judge, run)


@pytest.mark.time_skipping
@pytest.mark.parametrize("window", list(WINDOWS))
async def test_unanswered_approval_times_out_with_its_window(
    judge: Judge, worker: WorkerProcess, window: str
):
    seconds = WINDOWS[window]
    run = await judge.start_report(worker, require_approval=True, approval_timeout_seconds=seconds)
    await check_approval_window(run, timedelta(seconds=seconds))
    assert (await run.handle.query("progress"))["step"] == "timed_out"
    assert_no_row(judge, run)
    assert_no_notification(judge, run)


@pytest.mark.time_skipping
@pytest.mark.worker_process
@pytest.mark.negative_control
async def test_negative_control_window_ignored(judge: Judge, broken_worker: BrokenWorker):
    broken = await broken_worker("ignores_approval_timeout")
    for window in ("10-minute", "90-second"):
        seconds = WINDOWS[window]
        run = await judge.start_report(
            broken, require_approval=True, approval_timeout_seconds=seconds
        )
        with rejected_as(BugClass.INPUT_IGNORED):
            await check_approval_window(run, timedelta(seconds=seconds))


@pytest.mark.time_skipping
@pytest.mark.worker_process
@pytest.mark.negative_control
async def test_negative_control_approval_skipped(judge: Judge, broken_worker: BrokenWorker):
    run = await judge.start_report(await broken_worker("skips_approval"), require_approval=True)
    with rejected_as(BugClass.INPUT_IGNORED):
        await check_approval_window(run, timedelta(hours=24))


@pytest.mark.worker_process
@pytest.mark.negative_control
async def test_negative_control_reject_means_approve(judge: Judge, broken_worker: BrokenWorker):
    run = await judge.start_report(
        await broken_worker("reject_means_approve"), require_approval=True
    )
    with rejected_as(BugClass.APPROVAL_SIGNAL):
        await check_rejected(judge, run)


@pytest.mark.worker_process
@pytest.mark.negative_control
async def test_negative_control_stale_progress(judge: Judge, broken_worker: BrokenWorker):
    run = await judge.start_report(await broken_worker("stale_progress"), require_approval=True)
    with rejected_as(BugClass.PROGRESS_QUERY):
        await check_progress_at_approval(judge, run)

"""Human approval: a signal decides, a durable timer bounds the wait, and `progress` tells
where the workflow stands at every step."""

from __future__ import annotations

from datetime import timedelta

import pytest

from stormproof.fixtures.fake_llm import Delay
from stormproof.fixtures.sink import SinkDelay
from stormproof.fixtures.wait import eventually
from stormproof.fixtures.worker import WorkerProcess
from stormproof.judge import Judge
from stormproof.suites.conformance.checks import (
    assert_llm_calls,
    assert_no_notification,
    assert_no_row,
    assert_one_notification,
    assert_one_row,
    workflow_span,
)


async def progress_step(judge: Judge, run, expected: str) -> dict:
    async def check() -> dict:
        progress = await run.handle.query("progress")
        assert progress["step"] == expected, progress
        return progress

    return await eventually(check, timeout=20)


async def test_approved_report_completes(judge: Judge, worker: WorkerProcess):
    run = await judge.start_report(
        worker,
        require_approval=True,
        # Hold the LLM and the webhook long enough to see those steps from outside.
        llm_faults=[Delay(seconds=1.5)],
        sink_faults=[SinkDelay(seconds=1.5)],
    )
    await progress_step(judge, run, "llm_call")
    waiting = await progress_step(judge, run, "awaiting_approval")
    assert waiting["completed_steps"] == ["llm_call", "create_pdf"], waiting
    assert_no_row(judge, run)
    assert_no_notification(judge, run)

    await run.handle.signal("approve", {"reviewer": "ops@example.com", "comment": "ship it"})
    await progress_step(judge, run, "send_notification")
    result = await run.result()

    assert result["status"] == "completed" and result["reviewer"] == "ops@example.com", result
    final = await run.handle.query("progress")
    assert final["step"] == "completed", final
    steps = [step for step in final["completed_steps"] if step != "completed"]
    assert steps == [
        "llm_call",
        "create_pdf",
        "awaiting_approval",
        "store_report_metadata",
        "send_notification",
    ], final
    assert final["attempts"].get("llm_call") == 1, final
    assert_llm_calls(judge, run, 1, "approval does not re-run the LLM")
    assert_one_row(judge, run)
    assert_one_notification(judge, run)


async def test_rejected_report_stops_before_side_effects(judge: Judge, worker: WorkerProcess):
    run = await judge.start_report(worker, require_approval=True)
    await progress_step(judge, run, "awaiting_approval")
    await run.handle.signal("reject", {"reviewer": "legal@example.com", "comment": "no"})
    result = await run.result()

    assert result["status"] == "rejected" and result["reviewer"] == "legal@example.com", result
    assert (await run.handle.query("progress"))["step"] == "rejected"
    assert_no_row(judge, run)
    assert_no_notification(judge, run)


@pytest.mark.time_skipping
async def test_unanswered_approval_times_out_after_24h(judge: Judge, worker: WorkerProcess):
    run = await judge.start_report(worker, require_approval=True)
    result = await run.result()  # the time-skipping server jumps the durable timer

    assert result["status"] == "timed_out", result
    span = await workflow_span(run.handle)
    assert span >= timedelta(hours=24), f"timed out after {span} of server time, not 24 h"
    assert span < timedelta(hours=25), f"the timer ran {span}, far past its 24 h"
    assert (await run.handle.query("progress"))["step"] == "timed_out"
    assert_no_row(judge, run)
    assert_no_notification(judge, run)

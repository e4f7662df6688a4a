"""429 twice, then success: Temporal retries, honouring the server's retry hint in
virtual time, and nothing downstream happens twice."""

from __future__ import annotations

from datetime import timedelta

import pytest

from stormproof.fixtures.fake_llm import RateLimit
from stormproof.fixtures.worker import WorkerProcess
from stormproof.fixtures.world import BrokenWorker
from stormproof.judge import Judge, Run
from stormproof.suites.conformance.checks import (
    activity_span,
    assert_llm_calls,
    assert_one_notification,
    assert_one_row,
)

pytestmark = pytest.mark.time_skipping

# Far above the SDK's default first retry intervals (1 s, then 2 s), so only a worker that
# honours the hint can account for this much virtual time.
RETRY_AFTER_SECONDS = 30


async def check_retry_hint_honoured(run: Run) -> None:
    waited = await activity_span(run.handle, "llm_call")
    assert waited >= timedelta(seconds=2 * RETRY_AFTER_SECONDS), (
        f"llm_call closed {waited} after it was scheduled; two retry hints of "
        f"{RETRY_AFTER_SECONDS}s each were not honoured"
    )


@pytest.mark.parametrize(
    "fault",
    [
        RateLimit(retry_after=RETRY_AFTER_SECONDS, times=2),
        RateLimit(retry_after=None, retry_after_ms=RETRY_AFTER_SECONDS * 1000, times=2),
    ],
    ids=["retry-after", "retry-after-ms"],
)
async def test_rate_limited_twice_then_succeeds(judge: Judge, worker: WorkerProcess, fault):
    run = await judge.start_report(worker, llm_faults=[fault])
    result = await run.result()

    assert result["status"] == "completed"
    assert_llm_calls(judge, run, 3, "two 429s and one success, no SDK retries on top")
    assert [c.status for c in judge.llm_calls(run)] == [429, 429, 200]
    await check_retry_hint_honoured(run)
    assert_one_row(judge, run)
    assert_one_notification(judge, run)


@pytest.mark.worker_process
@pytest.mark.negative_control
async def test_negative_control_worker_ignoring_retry_after(
    judge: Judge, broken_worker: BrokenWorker
):
    broken = await broken_worker("ignores_retry_after")
    run = await judge.start_report(
        broken, llm_faults=[RateLimit(retry_after=RETRY_AFTER_SECONDS, times=2)]
    )
    await run.result()
    with pytest.raises(AssertionError, match="retry hints"):
        await check_retry_hint_honoured(run)

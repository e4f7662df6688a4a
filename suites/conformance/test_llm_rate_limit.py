"""429s: Temporal retries, honouring the server's retry hint exactly, in virtual time, and
nothing downstream happens twice.

Each of the three forms a provider sends (`retry-after` in seconds, OpenAI's
`retry-after-ms`, and `retry-after` as an HTTP date) is judged on its own: the one retry
after one 429 must start no earlier than the hint and at most the documented tolerance
later (timing.py, CONTRACT.md section 3). Too early and too late both fail as
`retry-hint-ignored`, naming the header and the two times; the twins are a worker that
drops the hint (too early) and one that reads milliseconds as seconds (too late).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from stormproof.conformance import Judge
from stormproof.conformance.checks import (
    assert_llm_calls,
    assert_one_notification,
    assert_one_row,
)
from stormproof.conformance.timing import activity_span, check_retry_hint
from stormproof.diagnosis import BugClass, rejected_as
from stormproof.world import BrokenWorker, RateLimit, WorkerProcess

pytestmark = pytest.mark.time_skipping

# Far above the policy's own first retry intervals (1 s, then 2 s), so only the hint can
# account for the wait, and not round numbers of each other, so no unit slip can hide.
HINTS = {
    "retry-after": RateLimit(retry_after=20),
    "retry-after-ms": RateLimit(retry_after=None, retry_after_ms=12_500),
    "retry-after-http-date": RateLimit(retry_after=40, retry_after_date=True),
}


@pytest.mark.parametrize("form", list(HINTS))
async def test_retry_hint_is_honoured_exactly(judge: Judge, worker: WorkerProcess, form: str):
    run = await judge.start_story(worker, llm_faults=[HINTS[form]])
    await run.result()
    assert_llm_calls(judge, run, 2, "one 429 and one success, no SDK retries on top")
    hint = await check_retry_hint(judge, run)
    assert hint.header == form.removesuffix("-http-date")


async def test_rate_limited_twice_then_report_completes_once(judge: Judge, worker: WorkerProcess):
    run = await judge.start_report(worker, llm_faults=[RateLimit(retry_after=30, times=2)])
    result = await run.result()

    assert result["status"] == "completed"
    assert_llm_calls(judge, run, 3, "two 429s and one success, no SDK retries on top")
    waited = await activity_span(run.handle, "llm_call")
    assert waited >= timedelta(seconds=60), f"two 30 s hints, yet llm_call took {waited}"
    assert_one_row(judge, run)
    assert_one_notification(judge, run)


@pytest.mark.worker_process
@pytest.mark.negative_control
@pytest.mark.parametrize(
    ("twin", "form", "verdict"),
    [
        ("ignores_retry_after", "retry-after", "too early"),
        ("retry_after_ms_as_seconds", "retry-after-ms", "too late"),
    ],
)
async def test_negative_control_retry_hint(
    judge: Judge, broken_worker: BrokenWorker, twin: str, form: str, verdict: str
):
    broken = await broken_worker(twin)
    run = await judge.start_story(broken, llm_faults=[HINTS[form]])
    await run.result()
    with rejected_as(BugClass.RETRY_HINT_IGNORED) as caught:
        await check_retry_hint(judge, run)
    assert verdict in str(caught.value) and form.split("-http")[0] in str(caught.value)

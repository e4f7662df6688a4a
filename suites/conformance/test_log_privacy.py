"""Prompts and LLM replies never reach the worker's log lines (CONTRACT.md section 6).

The judge scans the worker's whole log for the run's prompt and the reply the fake LLM
sent (stormproof/log_privacy.py). A report is the richer run: the prompt and the reply
travel through the LLM, PDF, storage and webhook steps, so a debugging line in any of
them would show. The negative control is a twin that logs the prompt and the reply at
INFO, as a debugging line left in; the chaos suite applies the same scan after every
fault, when error paths (the ones that log most) have run.
"""

from __future__ import annotations

import pytest

from stormproof.conformance import Judge, Run
from stormproof.diagnosis import BugClass, rejected_as
from stormproof.log_privacy import assert_no_prompts_in_logs
from stormproof.world import BrokenWorker, RateLimit, WorkerProcess


def check_logs(judge: Judge, run: Run, worker: WorkerProcess) -> None:
    process = getattr(worker, "process", None)
    if process is None:
        pytest.skip("an external worker's logs are not ours to read")
    assert_no_prompts_in_logs({"worker": process.log_path}, judge.llm_calls(run))


async def test_no_prompt_or_reply_in_the_worker_log(judge: Judge, worker: WorkerProcess):
    # A 429 first, so the error path's log lines are scanned as well as the happy path's.
    run = await judge.start_report(worker, llm_faults=[RateLimit(retry_after=1)])
    assert (await run.result())["status"] == "completed"
    check_logs(judge, run, worker)


@pytest.mark.worker_process
@pytest.mark.negative_control
async def test_negative_control_logs_prompts(judge: Judge, broken_worker: BrokenWorker):
    broken = await broken_worker("logs_prompts")
    run = await judge.start_report(broken)
    await run.result()
    with rejected_as(BugClass.PROMPT_IN_LOGS) as caught:
        check_logs(judge, run, broken)
    assert "LLM prompt:" in str(caught.value) and "(reply" in str(caught.value)

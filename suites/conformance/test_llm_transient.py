"""Transient LLM failures (a malformed body, a dropped connection, a 503, an answer slower
than the client's timeout) cost exactly one more attempt each, and the report still
completes with every downstream effect once."""

from __future__ import annotations

import pytest

from stormproof.fixtures.fake_llm import Delay, DropConnection, MalformedJson, ServerError
from stormproof.fixtures.worker import WorkerProcess
from stormproof.fixtures.world import WorkerFactory
from stormproof.judge import Judge
from stormproof.suites.conformance.checks import (
    assert_llm_calls,
    assert_one_notification,
    assert_one_row,
)


@pytest.mark.parametrize(
    "fault",
    [MalformedJson(), DropConnection(), ServerError(status=503)],
    ids=["malformed-json", "dropped-connection", "503"],
)
async def test_transient_llm_failure_costs_one_retry(judge: Judge, worker: WorkerProcess, fault):
    run = await judge.start_report(worker, llm_faults=[fault])
    result = await run.result()

    assert result["status"] == "completed", result
    assert_llm_calls(judge, run, 2, f"one {fault.kind} and one success")
    assert judge.llm_calls(run)[-1].status == 200
    assert_one_row(judge, run)
    assert_one_notification(judge, run)


@pytest.mark.worker_process
async def test_answer_slower_than_the_client_timeout_is_retried(
    judge: Judge, worker_factory: WorkerFactory
):
    worker = await worker_factory.start("worker-short-llm-timeout", llm_timeout_seconds=1.0)
    run = await judge.start_story(worker, llm_faults=[Delay(seconds=3)])
    result = await run.result()

    assert_llm_calls(judge, run, 2, "the first request timed out client-side, one retry")
    assert result["characters"] == len(judge.expected_reply(run))

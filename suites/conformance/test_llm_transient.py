"""Transient LLM failures (a malformed body, a dropped connection, a 503, an answer slower
than the client's timeout) cost exactly one more attempt each, and the report still
completes with every downstream effect once. The client's timeout is the worker's
STORMPROOF_LLM_TIMEOUT_SECONDS, judged at a non-default 1 s."""

from __future__ import annotations

import pytest

from stormproof.conformance import Judge, Run
from stormproof.conformance.checks import (
    assert_llm_calls,
    assert_one_notification,
    assert_one_row,
    completed,
)
from stormproof.diagnosis import BugClass, expect, rejected_as
from stormproof.world import (
    BrokenWorker,
    Delay,
    DropConnection,
    Fault,
    MalformedJson,
    ServerError,
    WorkerFactory,
    WorkerProcess,
    broken_argv,
)

CLIENT_TIMEOUT = 1.0


async def check_transient_costs_one_retry(judge: Judge, run: Run, fault: Fault) -> None:
    """One `fault`, then success: completed, two LLM calls, every effect once."""
    await completed(run, BugClass.RETRY_CLASSIFICATION, f"a {fault.kind} is retried")
    assert_llm_calls(
        judge, run, 2, f"one {fault.kind} and one success", too_few=BugClass.RETRY_CLASSIFICATION
    )
    last = judge.llm_calls(run)[-1].status
    expect(last == 200, BugClass.RETRY_CLASSIFICATION, f"the last call got {last}")
    assert_one_row(judge, run)
    assert_one_notification(judge, run)


@pytest.mark.parametrize(
    "fault",
    [MalformedJson(), DropConnection(), ServerError(status=503)],
    ids=["malformed-json", "dropped-connection", "503"],
)
async def test_transient_llm_failure_costs_one_retry(judge: Judge, worker: WorkerProcess, fault):
    run = await judge.start_report(worker, llm_faults=[fault])
    await check_transient_costs_one_retry(judge, run, fault)


@pytest.mark.worker_process
@pytest.mark.negative_control
async def test_negative_control_llm_malformed_final(judge: Judge, broken_worker: BrokenWorker):
    fault = MalformedJson()
    run = await judge.start_report(
        await broken_worker("gives_up_on_llm_malformed"), llm_faults=[fault]
    )
    with rejected_as(BugClass.RETRY_CLASSIFICATION):
        await check_transient_costs_one_retry(judge, run, fault)


@pytest.mark.worker_process
@pytest.mark.negative_control
async def test_negative_control_llm_5xx_not_retried(judge: Judge, broken_worker: BrokenWorker):
    run = await judge.start_report(
        await broken_worker("gives_up_on_llm_5xx"), llm_faults=[ServerError(status=503)]
    )
    with rejected_as(BugClass.RETRY_CLASSIFICATION):
        await completed(run, BugClass.RETRY_CLASSIFICATION, "a 503 is retried")


async def check_client_timeout(judge: Judge, factory: WorkerFactory, argv: list[str] | None):
    """An answer 3 s late, to a worker told to wait 1 s: one timed-out call, one retry."""
    worker = await factory.start(
        "worker-short-llm-timeout", argv=argv, llm_timeout_seconds=CLIENT_TIMEOUT
    )
    run = await judge.start_story(worker, llm_faults=[Delay(seconds=3)])
    result = await completed(run, BugClass.RETRY_CLASSIFICATION, "a timed-out call is retried")
    assert_llm_calls(
        judge,
        run,
        2,
        f"STORMPROOF_LLM_TIMEOUT_SECONDS={CLIENT_TIMEOUT:g}: the first request times out "
        "client-side, one retry",
        too_few=BugClass.INPUT_IGNORED,
    )
    expect(
        result["characters"] == len(judge.expected_reply(run)),
        BugClass.WRONG_EFFECT,
        f"characters {result['characters']} do not count the reply",
    )


@pytest.mark.worker_process
async def test_answer_slower_than_the_client_timeout_is_retried(
    judge: Judge, worker_factory: WorkerFactory
):
    await check_client_timeout(judge, worker_factory, None)


@pytest.mark.worker_process
@pytest.mark.negative_control
async def test_negative_control_llm_timeout_ignored(judge: Judge, worker_factory: WorkerFactory):
    with rejected_as(BugClass.INPUT_IGNORED):
        await check_client_timeout(judge, worker_factory, broken_argv("ignores_llm_timeout"))

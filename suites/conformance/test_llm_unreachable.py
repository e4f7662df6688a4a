"""An LLM endpoint the worker cannot reach is a transient failure, however it fails to
answer: a refused connection (nothing listens there yet) or one reset mid-request is
retried by Temporal up to the llm_call policy's attempts, each attempt one request, and
never turned into a final error that fails the report at once.

The refused case points one worker at a loopback port nothing listens on (the world's own
free port, checked closed), so every attempt is refused and the report fails only when the
policy is spent: three attempts. The reset case is the fake LLM's DropConnection. The
gives_up_on_llm_unreachable twin, which makes either final, is rejected by both.
"""

from __future__ import annotations

import pytest
from temporalio.client import WorkflowFailureError

from stormproof.conformance import Judge, Run
from stormproof.conformance.checks import assert_no_notification, assert_no_row, completed
from stormproof.diagnosis import BugClass, Finding, expect, rejected_as
from stormproof.effects import failure_messages
from stormproof.world import (
    BrokenWorker,
    DropConnection,
    WorkerFactory,
    WorkerProcess,
    broken_argv,
    free_port,
)

LLM_MAX_ATTEMPTS = 3  # the llm_call policy's (docs/CONTRACT.md section 3)


async def check_refused_is_retried(
    judge: Judge, factory: WorkerFactory, argv: list[str] | None
) -> None:
    closed = f"http://127.0.0.1:{free_port()}/v1"
    worker = await factory.start("worker-llm-refused", argv=argv, llm_base_url=closed)
    run = await judge.start_report(worker)
    try:
        result = await run.result()
    except WorkflowFailureError as failure:
        why = failure_messages(failure)
    else:
        raise Finding(BugClass.WRONG_EFFECT, f"{run.workflow_id} completed with no LLM: {result}")
    llm = await judge.attempts(run, "llm_call")
    expect(
        llm.attempts == LLM_MAX_ATTEMPTS,
        BugClass.RETRY_CLASSIFICATION,
        f"{run.workflow_id}: llm_call ran {llm.attempts} attempt(s) against {closed}, where "
        f"nothing listens; a refused connection is transient, retried to the policy's "
        f"{LLM_MAX_ATTEMPTS} ({why})",
    )
    assert_no_row(judge, run)
    assert_no_notification(judge, run)


async def check_reset_is_retried(judge: Judge, run: Run) -> None:
    await completed(run, BugClass.RETRY_CLASSIFICATION, "an LLM connection reset is retried")


@pytest.mark.time_skipping
@pytest.mark.worker_process
async def test_refused_llm_connection_is_retried_to_the_policy(
    judge: Judge, worker_factory: WorkerFactory
):
    await check_refused_is_retried(judge, worker_factory, None)


async def test_llm_connection_reset_mid_request_is_retried(judge: Judge, worker: WorkerProcess):
    run = await judge.start_report(worker, llm_faults=[DropConnection()])
    await check_reset_is_retried(judge, run)


@pytest.mark.time_skipping
@pytest.mark.worker_process
@pytest.mark.negative_control
async def test_negative_control_refused_llm_is_final(judge: Judge, worker_factory: WorkerFactory):
    with rejected_as(BugClass.RETRY_CLASSIFICATION):
        await check_refused_is_retried(
            judge, worker_factory, broken_argv("gives_up_on_llm_unreachable")
        )


@pytest.mark.worker_process
@pytest.mark.negative_control
async def test_negative_control_reset_llm_is_final(judge: Judge, broken_worker: BrokenWorker):
    broken = await broken_worker("gives_up_on_llm_unreachable")
    run = await judge.start_report(broken, llm_faults=[DropConnection()])
    with rejected_as(BugClass.RETRY_CLASSIFICATION):
        await check_reset_is_retried(judge, run)

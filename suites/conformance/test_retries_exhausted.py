"""Retry budgets are Temporal's, and only Temporal's: an LLM that always fails is called
exactly as often as the policy allows (3), and a PDF step that always fails is attempted
exactly twice. A worker whose LLM SDK retries on its own multiplies the calls
(`wasted-llm-call`); one whose PDF policy allows more attempts is `retry-budget`."""

from __future__ import annotations

import pytest
from temporalio.client import WorkflowFailureError

from stormproof.conformance import Judge, Run
from stormproof.conformance.checks import (
    assert_llm_calls,
    assert_no_notification,
    assert_no_row,
)
from stormproof.diagnosis import BugClass, Finding, expect, rejected_as
from stormproof.effects import failure_messages
from stormproof.world import BrokenWorker, ServerError, WorkerFactory, WorkerProcess, broken_argv

LLM_MAX_ATTEMPTS = 3
PDF_MAX_ATTEMPTS = 2


async def run_report_against_broken_llm(judge: Judge, worker: WorkerProcess) -> Run:
    run = await judge.start_report(worker, llm_faults=[ServerError(times=50)])
    try:
        result = await run.result()
    except WorkflowFailureError:
        return run
    raise Finding(
        BugClass.RETRY_BUDGET, f"{run.workflow_id} completed against a dead LLM: {result}"
    )


def check_llm_budget(judge: Judge, run: Run) -> None:
    assert_llm_calls(
        judge,
        run,
        LLM_MAX_ATTEMPTS,
        "three Temporal attempts, each exactly one HTTP request",
        too_few=BugClass.RETRY_BUDGET,
    )


async def check_pdf_budget(judge: Judge, factory: WorkerFactory, argv: list[str] | None) -> None:
    worker = await factory.start("worker-unwritable-reports", argv=argv)
    # The world refuses PDFs: `reports` is a file where the worker needs a folder.
    (worker.artifact_dir / "reports").write_text("not a folder")
    run = await judge.start_report(worker)
    try:
        await run.result()
    except WorkflowFailureError as failure:
        why = failure_messages(failure)
    else:
        raise Finding(BugClass.LOST_EFFECT, "a PDF was written to a file")
    pdf = await judge.attempts(run, "create_pdf")
    expect(
        (pdf.executions, pdf.attempts) == (1, PDF_MAX_ATTEMPTS),
        BugClass.RETRY_BUDGET,
        f"{run.workflow_id}: create_pdf ran {pdf.attempts} attempt(s) in {pdf.executions} "
        f"execution(s); the contract allows {PDF_MAX_ATTEMPTS} ({why})",
    )
    assert_llm_calls(judge, run, 1, "the LLM step succeeded once and is not repeated")
    assert_no_row(judge, run)
    assert_no_notification(judge, run)


@pytest.mark.time_skipping
async def test_llm_retries_stop_at_the_policy(judge: Judge, worker: WorkerProcess):
    run = await run_report_against_broken_llm(judge, worker)
    check_llm_budget(judge, run)
    llm = await judge.attempts(run, "llm_call")
    expect(
        (llm.executions, llm.attempts) == (1, LLM_MAX_ATTEMPTS),
        BugClass.RETRY_BUDGET,
        f"{run.workflow_id}: {llm}",
    )
    assert_no_row(judge, run)
    assert_no_notification(judge, run)


@pytest.mark.time_skipping
@pytest.mark.worker_process
async def test_pdf_retries_stop_at_the_policy(judge: Judge, worker_factory: WorkerFactory):
    await check_pdf_budget(judge, worker_factory, None)


@pytest.mark.time_skipping
@pytest.mark.worker_process
@pytest.mark.negative_control
async def test_negative_control_sdk_retries_stacked_on_temporal(
    judge: Judge, broken_worker: BrokenWorker
):
    broken = await broken_worker("sdk_retries")
    run = await run_report_against_broken_llm(judge, broken)
    with rejected_as(BugClass.WASTED_LLM_CALL):
        check_llm_budget(judge, run)


@pytest.mark.time_skipping
@pytest.mark.worker_process
@pytest.mark.negative_control
async def test_negative_control_pdf_retried_too_often(judge: Judge, worker_factory: WorkerFactory):
    with rejected_as(BugClass.RETRY_BUDGET):
        await check_pdf_budget(judge, worker_factory, broken_argv("pdf_retried_too_often"))

"""ReportWorkflow: every effect exactly once, where the contract and the input say.

The happy path runs on both metadata stores. A custom `report_id` (a non-default input)
must key every effect, the PDF's name, the row and the notification, and the result; a
worker that keys them by the workflow id instead looks correct until someone passes an id.
"""

from __future__ import annotations

import pytest

from stormproof.conformance import Judge, Run
from stormproof.conformance.checks import (
    assert_llm_calls,
    assert_one_notification,
    assert_one_row,
    assert_pdf_has_reply,
    assert_report_completed,
)
from stormproof.diagnosis import BugClass, expect, rejected_as
from stormproof.world import BrokenWorker, WorkerProcess


async def check_report(judge: Judge, run: Run) -> None:
    """Completed, one LLM call, a PDF with the reply, one row, one notification."""
    result = await run.result()
    assert_report_completed(result, run)
    assert_llm_calls(judge, run, 1, "one successful completion")
    assert_pdf_has_reply(judge, run)
    assert_one_row(judge, run)
    row = judge.rows(run)[0]
    expect(
        row.workflow_id == run.workflow_id and row.attempt == 1,
        BugClass.WRONG_EFFECT,
        f"{run.workflow_id}: the row says {row}",
    )
    assert_one_notification(judge, run)
    delivery = judge.deliveries(run)[0]
    body = delivery.body or {}
    expect(
        body.get("event") == "report.ready" and body.get("attempt") == 1,
        BugClass.WRONG_EFFECT,
        f"{run.workflow_id}: the notification body is {body}",
    )
    expect(
        result["notification_key"] == delivery.idempotency_key,
        BugClass.WRONG_EFFECT,
        f"the result's notification_key {result['notification_key']!r} is not the key the "
        f"sink got, {delivery.idempotency_key!r}",
    )


async def start_with_report_id(judge: Judge, worker: WorkerProcess) -> Run:
    return await judge.start_report(worker, report_id=f"rpt-{worker.task_queue}-custom")


async def check_report_id_keys_the_effects(judge: Judge, run: Run) -> None:
    """Every effect of a report with a custom `report_id` is keyed by it."""
    result = await run.result()
    custom = run.report_id
    keyed = {
        "the result": result.get("report_id"),
        "the PDF": result.get("pdf_path", "").rsplit("/", 1)[-1].removesuffix(".pdf"),
    }
    wrong = {what: found for what, found in keyed.items() if found != custom}
    expect(
        not wrong,
        BugClass.INPUT_IGNORED,
        f"{run.workflow_id}: report_id={custom!r} was asked for, but {wrong} (keyed by the "
        "workflow id instead?)",
    )
    expect(
        judge.pdf_path(run).is_file(),
        BugClass.INPUT_IGNORED,
        f"no PDF at {judge.pdf_path(run)} for report_id={custom!r}",
    )
    assert_one_row(judge, run)
    assert_one_notification(judge, run)


async def test_report_completes_with_each_effect_once(judge: Judge, storage_worker: WorkerProcess):
    run = await judge.start_report(storage_worker)
    await check_report(judge, run)


async def test_explicit_report_id_keys_the_effects(judge: Judge, worker: WorkerProcess):
    run = await start_with_report_id(judge, worker)
    await check_report_id_keys_the_effects(judge, run)


@pytest.mark.worker_process
@pytest.mark.negative_control
async def test_negative_control_report_id_ignored(judge: Judge, broken_worker: BrokenWorker):
    run = await start_with_report_id(judge, await broken_worker("ignores_report_id"))
    with rejected_as(BugClass.INPUT_IGNORED):
        await check_report_id_keys_the_effects(judge, run)


@pytest.mark.worker_process
@pytest.mark.negative_control
@pytest.mark.parametrize(
    ("twin", "bug"),
    [("ignores_database_url", BugClass.LOST_EFFECT), ("text_not_pdf", BugClass.WRONG_EFFECT)],
)
async def test_negative_control_report_effects(
    judge: Judge, broken_worker: BrokenWorker, twin: str, bug: BugClass
):
    run = await judge.start_report(await broken_worker(twin))
    with rejected_as(bug):
        await check_report(judge, run)

"""ReportWorkflow happy path, on both metadata stores: every effect exactly once."""

from __future__ import annotations

from stormproof.fixtures.worker import WorkerProcess
from stormproof.judge import Judge
from stormproof.suites.conformance.checks import (
    assert_llm_calls,
    assert_one_notification,
    assert_one_row,
    assert_pdf_has_reply,
    assert_report_completed,
)


async def test_report_completes_with_each_effect_once(judge: Judge, storage_worker: WorkerProcess):
    run = await judge.start_report(storage_worker)
    result = await run.result()

    assert_report_completed(result, run)
    assert_llm_calls(judge, run, 1, "one successful completion")
    assert_pdf_has_reply(judge, run)
    assert_one_row(judge, run)
    row = judge.rows(run)[0]
    assert row.workflow_id == run.workflow_id and row.attempt == 1, row
    assert_one_notification(judge, run)
    delivery = judge.deliveries(run)[0]
    assert delivery.body is not None and delivery.body["event"] == "report.ready", delivery
    assert delivery.body["attempt"] == 1, delivery.body
    assert result["notification_key"] == delivery.idempotency_key, (result, delivery)


async def test_explicit_report_id_keys_the_effects(judge: Judge, worker: WorkerProcess):
    run = await judge.start_report(worker, report_id=f"rpt-{worker.task_queue}-explicit")
    result = await run.result()

    assert result["report_id"] == run.report_id
    assert_one_row(judge, run)
    assert_one_notification(judge, run)
    assert judge.pdf_path(run).name == f"{run.report_id}.pdf"

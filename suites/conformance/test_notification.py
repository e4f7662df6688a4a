"""The webhook step: 5xx is retried with one Idempotency-Key, 4xx fails the workflow, and
an attempt that delivered but never heard back leaves exactly one business effect."""

from __future__ import annotations

import pytest
from temporalio.client import WorkflowFailureError

from stormproof.effects import failure_messages, failure_types
from stormproof.fixtures.sink import AcceptThenDrop, AcceptThenStatus, SinkStatus
from stormproof.fixtures.worker import WorkerProcess
from stormproof.fixtures.world import BrokenWorker
from stormproof.judge import Judge, Run
from stormproof.suites.conformance.checks import assert_one_notification, assert_one_row


async def test_notification_5xx_then_success(judge: Judge, worker: WorkerProcess):
    run = await judge.start_report(worker, sink_faults=[SinkStatus(code=503, times=2)])
    result = await run.result()

    assert result["status"] == "completed"
    deliveries = judge.deliveries(run)
    assert [d.status for d in deliveries] == [503, 503, 200], judge.sink.describe()
    assert len({d.idempotency_key for d in deliveries}) == 1, "retries changed the key"
    assert [d.body["attempt"] for d in deliveries if d.body] == [1, 2, 3]
    assert_one_notification(judge, run)
    assert_one_row(judge, run)


async def test_notification_4xx_fails_the_workflow(judge: Judge, worker: WorkerProcess):
    run = await judge.start_report(worker, sink_faults=[SinkStatus(code=422)])
    with pytest.raises(WorkflowFailureError) as failure:
        await run.result()

    assert "NotificationRejected" in failure_types(failure.value), failure_messages(failure.value)
    assert len(judge.deliveries(run)) == 1, "a 4xx must not be retried"
    assert_one_row(judge, run)


async def deliver_then_fail(judge: Judge, worker: WorkerProcess) -> Run:
    """The sink applies the notification, then answers 500 (and once drops the reply), so
    the worker must retry a side effect that already happened."""
    run = await judge.start_report(
        worker, sink_faults=[AcceptThenStatus(code=500), AcceptThenDrop()]
    )
    result = await run.result()
    assert result["status"] == "completed"
    assert len(judge.deliveries(run)) == 3, judge.sink.describe()
    return run


async def test_retry_after_delivered_effect_stays_single(judge: Judge, worker: WorkerProcess):
    run = await deliver_then_fail(judge, worker)
    assert_one_notification(judge, run)


@pytest.mark.worker_process
@pytest.mark.negative_control
async def test_negative_control_fresh_key_per_attempt(judge: Judge, broken_worker: BrokenWorker):
    broken = await broken_worker("non_idempotent_notify")
    run = await deliver_then_fail(judge, broken)
    with pytest.raises(AssertionError, match="expected one notification effect"):
        assert_one_notification(judge, run)

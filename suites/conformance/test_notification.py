"""The webhook step: 5xx is retried with one Idempotency-Key, 4xx fails the workflow, and
an attempt that delivered but never heard back leaves exactly one business effect.

A worker that retries a 4xx is named `retry-classification` (not pytest's "DID NOT
RAISE"), as is one that gives up on a 5xx, a 429, a reset, a read timeout or a refused
connection (nothing listening at the URL: a Toxiproxy of the test's own, disabled until
Temporal retries the step); one that has no webhook at all loses the effect.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from stormproof.conformance import Judge, Run
from stormproof.conformance.checks import (
    assert_one_notification,
    assert_one_row,
    completed,
    failure_of,
    step_retried,
)
from stormproof.diagnosis import BugClass, expect, rejected_as
from stormproof.world import (
    AcceptThenDrop,
    AcceptThenStatus,
    BrokenWorker,
    NotificationSink,
    SinkDelay,
    SinkDrop,
    SinkStatus,
    ToxiproxyClient,
    ToxiproxyServer,
    WorkerFactory,
    WorkerProcess,
    broken_argv,
)


async def check_5xx_is_retried(judge: Judge, run: Run) -> None:
    """Two 503s then 200: three deliveries with one key, attempts 1..3, one effect."""
    await completed(run, BugClass.RETRY_CLASSIFICATION, "a webhook 503 is retried")
    deliveries = judge.deliveries(run)
    statuses = [d.status for d in deliveries]
    expect(
        statuses == [503, 503, 200],
        BugClass.RETRY_CLASSIFICATION,
        f"{run.workflow_id}: the sink answered {statuses}, expected [503, 503, 200]",
    )
    keys = {d.idempotency_key for d in deliveries}
    expect(len(keys) == 1, BugClass.DUPLICATE_EFFECT, f"retries changed the key: {keys}")
    attempts = [d.body["attempt"] for d in deliveries if d.body]
    expect(
        attempts == [1, 2, 3],
        BugClass.WRONG_EFFECT,
        f"the bodies' attempt fields are {attempts}, not [1, 2, 3]",
    )
    assert_one_notification(judge, run)
    assert_one_row(judge, run)


async def check_4xx_fails_the_workflow(judge: Judge, run: Run) -> None:
    """A 422 is final: the workflow fails with NotificationRejected after one delivery."""
    await failure_of(run, "NotificationRejected", BugClass.RETRY_CLASSIFICATION)
    deliveries = judge.deliveries(run)
    expect(
        len(deliveries) == 1,
        BugClass.RETRY_CLASSIFICATION,
        f"{run.workflow_id}: a 422 must not be retried, the sink got {len(deliveries)} "
        f"deliveries: {[d.status for d in deliveries]}",
    )
    assert_one_row(judge, run)


async def check_notified(judge: Judge, run: Run) -> None:
    """The report completes and its one notification reaches the sink."""
    await completed(run, BugClass.LOST_EFFECT, "a report notifies STORMPROOF_NOTIFY_URL")
    assert_one_notification(judge, run)


async def test_report_notifies_the_configured_url(judge: Judge, worker: WorkerProcess):
    await check_notified(judge, await judge.start_report(worker))


async def test_notification_5xx_then_success(judge: Judge, worker: WorkerProcess):
    run = await judge.start_report(worker, sink_faults=[SinkStatus(code=503, times=2)])
    await check_5xx_is_retried(judge, run)


# Every way the webhook can fail for a moment: each is retried, with one key, one effect.
TRANSIENT = {
    "503": SinkStatus(code=503),
    "429": SinkStatus(code=429),
    "408": SinkStatus(code=408),
    "reset-mid-request": SinkDrop(),
    # No answer past the worker's read timeout (the reference's is 10 s; a worker with none
    # is timed out by its activity's start_to_close): the POST landed, its answer never came.
    "read-timeout": SinkDelay(seconds=12),
    "reset-after-landing": AcceptThenDrop(),
    "500-after-landing": AcceptThenStatus(code=500),
}


async def check_transient_is_retried(judge: Judge, run: Run, mode: str) -> None:
    """One failed delivery (`mode`), then success: completed, two deliveries, one key."""
    await completed(run, BugClass.RETRY_CLASSIFICATION, f"a webhook {mode} is transient")
    deliveries = judge.deliveries(run)
    expect(
        len(deliveries) == 2,
        BugClass.RETRY_CLASSIFICATION,
        f"{run.workflow_id}: after a {mode} the sink got {len(deliveries)} deliveries: "
        f"{judge.sink.describe()}",
    )
    assert_one_notification(judge, run)


@pytest.mark.parametrize("mode", list(TRANSIENT))
async def test_every_transient_webhook_failure_is_retried(
    judge: Judge, worker: WorkerProcess, mode: str
):
    run = await judge.start_report(worker, sink_faults=[TRANSIENT[mode]])
    await check_transient_is_retried(judge, run, mode)


# The twins that take a transient webhook failure for a final one, with the modes each
# gets wrong: the check that passes the reference rejects every pair.
GIVES_UP = [
    ("gives_up_on_webhook_reset", "reset-mid-request"),
    ("gives_up_on_webhook_reset", "read-timeout"),
    ("gives_up_on_webhook_429", "429"),
]


@pytest.mark.worker_process
@pytest.mark.negative_control
@pytest.mark.parametrize(("twin", "mode"), GIVES_UP, ids=[f"{t}-{m}" for t, m in GIVES_UP])
async def test_negative_control_transient_webhook_failure_final(
    judge: Judge, broken_worker: BrokenWorker, twin: str, mode: str
):
    broken = await broken_worker(twin)
    run = await judge.start_report(broken, sink_faults=[TRANSIENT[mode]])
    with rejected_as(BugClass.RETRY_CLASSIFICATION):
        await check_transient_is_retried(judge, run, mode)


@dataclass
class SinkLink:
    """The sink, reached through a Toxiproxy of the test's own that the test disables."""

    toxiproxy: ToxiproxyClient
    proxy: str
    url: str


@pytest.fixture
def sink_link(sink: NotificationSink, tmp_path: Path) -> Iterator[SinkLink]:
    server = ToxiproxyServer(tmp_path / "toxiproxy").start()
    try:
        upstream = urlsplit(sink.url)
        proxy = server.client.create("sink", upstream.netloc)
        yield SinkLink(server.client, proxy.name, f"http://{proxy.address}{upstream.path}")
    finally:
        server.stop()


async def check_refused_is_retried(
    judge: Judge, factory: WorkerFactory, link: SinkLink, argv: list[str] | None
) -> None:
    """Nothing listens at STORMPROOF_NOTIFY_URL until Temporal retries the step; then the
    receiver is back: completed, one notification under one key."""
    link.toxiproxy.set_enabled(link.proxy, False)  # the listener closed: connections refused
    env = {"STORMPROOF_NOTIFY_URL": link.url}
    worker = await factory.start("worker-webhook-refused", argv=argv, extra_env=env)
    run = await judge.start_report(worker)
    await step_retried(run, "the webhook refuses every connection")
    link.toxiproxy.set_enabled(link.proxy, True)
    await completed(run, BugClass.RETRY_CLASSIFICATION, "a refused webhook connection is retried")
    assert_one_notification(judge, run)
    assert_one_row(judge, run)


@pytest.mark.failure_modes
@pytest.mark.toxiproxy
@pytest.mark.worker_process
async def test_refused_webhook_connection_is_retried(
    judge: Judge, worker_factory: WorkerFactory, sink_link: SinkLink
):
    await check_refused_is_retried(judge, worker_factory, sink_link, None)


@pytest.mark.failure_modes
@pytest.mark.toxiproxy
@pytest.mark.worker_process
@pytest.mark.negative_control
async def test_negative_control_refused_webhook_final(
    judge: Judge, worker_factory: WorkerFactory, sink_link: SinkLink
):
    argv = broken_argv("gives_up_on_webhook_refused")
    with rejected_as(BugClass.RETRY_CLASSIFICATION):
        await check_refused_is_retried(judge, worker_factory, sink_link, argv)


async def test_notification_4xx_fails_the_workflow(judge: Judge, worker: WorkerProcess):
    run = await judge.start_report(worker, sink_faults=[SinkStatus(code=422)])
    await check_4xx_fails_the_workflow(judge, run)


async def deliver_then_fail(judge: Judge, worker: WorkerProcess) -> Run:
    """The sink applies the notification, then answers 500 (and once drops the reply), so
    the worker must retry a side effect that already happened."""
    run = await judge.start_report(
        worker, sink_faults=[AcceptThenStatus(code=500), AcceptThenDrop()]
    )
    await completed(run, BugClass.RETRY_CLASSIFICATION, "500 and a dropped reply are retried")
    deliveries = judge.deliveries(run)
    expect(
        len(deliveries) == 3,
        BugClass.RETRY_CLASSIFICATION,
        f"expected 3 deliveries: {judge.sink.describe()}",
    )
    return run


async def test_retry_after_delivered_effect_stays_single(judge: Judge, worker: WorkerProcess):
    run = await deliver_then_fail(judge, worker)
    assert_one_notification(judge, run)


@pytest.mark.worker_process
@pytest.mark.negative_control
async def test_negative_control_fresh_key_per_attempt(judge: Judge, broken_worker: BrokenWorker):
    broken = await broken_worker("non_idempotent_notify")
    run = await deliver_then_fail(judge, broken)
    with rejected_as(BugClass.DUPLICATE_EFFECT):
        assert_one_notification(judge, run)


@pytest.mark.worker_process
@pytest.mark.negative_control
async def test_negative_control_webhook_4xx_retried(judge: Judge, broken_worker: BrokenWorker):
    broken = await broken_worker("retries_webhook_4xx")
    run = await judge.start_report(broken, sink_faults=[SinkStatus(code=422)])
    with rejected_as(BugClass.RETRY_CLASSIFICATION):
        await check_4xx_fails_the_workflow(judge, run)


@pytest.mark.worker_process
@pytest.mark.negative_control
async def test_negative_control_webhook_5xx_not_retried(judge: Judge, broken_worker: BrokenWorker):
    broken = await broken_worker("gives_up_on_webhook_5xx")
    run = await judge.start_report(broken, sink_faults=[SinkStatus(code=503, times=2)])
    with rejected_as(BugClass.RETRY_CLASSIFICATION):
        await check_5xx_is_retried(judge, run)


@pytest.mark.worker_process
@pytest.mark.negative_control
async def test_negative_control_notify_url_ignored(judge: Judge, broken_worker: BrokenWorker):
    run = await judge.start_report(await broken_worker("ignores_notify_url"))
    with rejected_as(BugClass.LOST_EFFECT):
        await check_notified(judge, run)

"""The notifier's HTTP status table, checked in-process with respx.

Why an in-process mock here: the question is a pure mapping, "this HTTP answer becomes that
Temporal error", over a long table of statuses and transport failures. respx intercepts the
`httpx.AsyncClient` that `send_notification` opens, so every row runs in milliseconds with
no server, no port and no Temporal. It says nothing about delivery end to end: the webhook
sink and the chaos suites stay the judge of that; this only pins each row of the table.

The activity runs in `temporalio.testing.ActivityEnvironment` because it reads
`activity.info().attempt`.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
import respx
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from stormproof.reference.activities.notify import NotifyActivities, idempotency_key
from stormproof.reference.models import NotificationInput, NotificationOutput, ReportStatus
from stormproof.reference.settings import WorkerSettings

URL = "http://webhook.test/hooks/report"
REQUEST = NotificationInput(
    report_id="rpt-42",
    workflow_id="wf-42",
    pdf_path="/tmp/rpt-42.pdf",
    status=ReportStatus.COMPLETED,
)


@pytest.fixture
def webhook() -> Iterator[respx.Route]:
    """The webhook's one route; any other request fails the test (assert_all_mocked)."""
    with respx.mock(assert_all_mocked=True, assert_all_called=False) as router:
        yield router.post(URL)


def notifier(url: str | None = URL) -> NotifyActivities:
    return NotifyActivities(WorkerSettings(notify_url=url))


async def send(
    request: NotificationInput = REQUEST, *, attempt: int = 1, url: str | None = URL
) -> NotificationOutput:
    env = ActivityEnvironment()
    env.info = dataclasses.replace(env.info, attempt=attempt)
    return await env.run(notifier(url).send_notification, request)


async def failure(**kwargs: object) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        await send(**kwargs)  # type: ignore[arg-type]
    return caught.value


@pytest.mark.parametrize("status", [200, 201, 202, 204])
async def test_2xx_is_success(webhook: respx.Route, status: int):
    webhook.respond(status)
    result = await send(attempt=3)
    assert result == NotificationOutput(
        idempotency_key=idempotency_key(REQUEST.report_id), status_code=status, attempt=3
    )
    assert webhook.call_count == 1
    body = json.loads(webhook.calls.last.request.content)
    assert body == {
        "event": "report.ready",
        "report_id": "rpt-42",
        "workflow_id": "wf-42",
        "pdf_path": "/tmp/rpt-42.pdf",
        "status": "completed",
        "attempt": 3,
    }


# 3xx lands here too: httpx does not follow redirects, and a redirecting webhook URL is a
# configuration mistake another attempt cannot fix.
@pytest.mark.parametrize("status", [301, 307, 400, 401, 403, 404, 409, 410, 413, 422])
async def test_4xx_is_rejected_without_retry(webhook: respx.Route, status: int):
    webhook.respond(status, text="nope")
    error = await failure()
    assert error.type == "NotificationRejected"
    assert error.non_retryable is True
    assert f"HTTP {status}" in error.message
    assert webhook.call_count == 1


# 408 (request timeout) and 429 (throttled) are the 4xx the receiver means as "later".
@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504, 599])
async def test_5xx_408_and_429_are_retryable(webhook: respx.Route, status: int):
    webhook.respond(status)
    error = await failure()
    assert error.type == "NotificationFailed"
    assert error.non_retryable is False
    assert error.next_retry_delay is None
    assert f"HTTP {status}" in error.message


@pytest.mark.parametrize(
    ("status", "headers", "delay"),
    [
        (503, {"Retry-After": "7"}, timedelta(seconds=7)),
        (429, {"Retry-After": "2.5"}, timedelta(seconds=2.5)),
        (429, {"retry-after-ms": "750"}, timedelta(milliseconds=750)),
        (429, {"Retry-After": "3600"}, timedelta(minutes=5)),  # clamped
        (503, {"Retry-After": "soon"}, None),  # unparseable: ignored
    ],
)
async def test_retryable_answer_hands_retry_after_to_temporal(
    webhook: respx.Route, status: int, headers: dict[str, str], delay: timedelta | None
):
    webhook.respond(status, headers=headers)
    error = await failure()
    assert error.non_retryable is False
    assert error.next_retry_delay == delay


@pytest.mark.parametrize(
    "exc",
    [
        httpx.ConnectError("connection refused"),
        httpx.ConnectTimeout("connect timed out"),
        httpx.ReadTimeout("read timed out"),
        httpx.RemoteProtocolError("server hung up"),
    ],
    ids=lambda exc: type(exc).__name__,
)
async def test_transport_errors_are_retryable(webhook: respx.Route, exc: httpx.TransportError):
    webhook.mock(side_effect=exc)
    error = await failure()
    assert error.type == "NotificationUnreachable"
    assert error.non_retryable is False
    assert isinstance(error.__cause__, type(exc))


async def test_idempotency_key_is_identical_on_every_attempt(webhook: respx.Route):
    webhook.mock(
        side_effect=[httpx.ConnectError("refused"), httpx.Response(503), httpx.Response(200)]
    )
    for attempt in (1, 2):
        with pytest.raises(ApplicationError):
            await send(attempt=attempt)
    result = await send(attempt=3)

    keys = [call.request.headers.get("Idempotency-Key") for call in webhook.calls]
    attempts = [json.loads(call.request.content)["attempt"] for call in webhook.calls]
    assert keys == [idempotency_key("rpt-42")] * 3
    assert attempts == [1, 2, 3]
    assert result.idempotency_key == idempotency_key("rpt-42")


async def test_idempotency_key_differs_between_reports(webhook: respx.Route):
    webhook.respond(200)
    other = REQUEST.model_copy(update={"report_id": "rpt-43"})
    first, second = await send(REQUEST), await send(other)
    assert first.idempotency_key != second.idempotency_key
    sent = [call.request.headers["Idempotency-Key"] for call in webhook.calls]
    assert sent == [first.idempotency_key, second.idempotency_key]


async def test_missing_url_fails_without_retry_and_sends_nothing(webhook: respx.Route):
    error = await failure(url=None)
    assert error.type == "NotificationNotConfigured"
    assert error.non_retryable is True
    assert webhook.call_count == 0

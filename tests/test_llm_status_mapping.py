"""The LLM activity's HTTP status table, checked in-process with respx.

Why an in-process mock here: the question is a pure mapping, "this HTTP answer from the
provider becomes that Temporal error, with that retry delay", over every status and header
form worth a row. respx answers inside the test process, so the whole table runs in well
under a second with no server and no port. The real fake-LLM server (fixtures/fake_llm)
stays the judge end to end: it alone shows what a worker under Temporal really sends and
how many attempts it really makes.

openai 3.x sends through httpx2, which respx does not patch, so the activity is given an
explicit `httpx.AsyncClient` through `LlmActivities(http_client=...)`; the SDK still builds
every request and raises every exception itself. The activity runs in
`temporalio.testing.ActivityEnvironment` because it heartbeats and reads its attempt.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
import respx
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from stormproof.reference.activities.llm import SYSTEM_PROMPTS, LlmActivities
from stormproof.reference.models import LlmCallInput, LlmCallOutput
from stormproof.reference.settings import WorkerSettings

BASE_URL = "http://llm.test/v1"
SETTINGS = WorkerSettings(openai_base_url=BASE_URL, openai_api_key="sk-unit", llm_model="gpt-x")
REQUEST = LlmCallInput(prompt="Tell a story [m-1]", purpose="story", workflow_id="wf-1")


def completion(text: str = "Once upon a time.", model: str = "gpt-x-2024") -> dict[str, object]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [
            {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}
        ],
    }


def error_body(status: int) -> dict[str, object]:
    return {"error": {"message": f"status {status}", "type": "test", "code": None}}


@pytest.fixture
def chat() -> Iterator[respx.Route]:
    """POST /chat/completions; any other request fails the test (assert_all_mocked)."""
    with respx.mock(base_url=BASE_URL, assert_all_mocked=True, assert_all_called=False) as r:
        yield r.post("/chat/completions")


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


async def call(activities: LlmActivities, *, attempt: int = 1) -> LlmCallOutput:
    env = ActivityEnvironment()
    env.info = dataclasses.replace(env.info, attempt=attempt)
    return await env.run(activities.llm_call, REQUEST)


async def failure(activities: LlmActivities) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        await call(activities)
    return caught.value


async def test_200_returns_the_text_model_and_attempt(chat: respx.Route, http: httpx.AsyncClient):
    chat.respond(200, json=completion())
    result = await call(LlmActivities(SETTINGS, ledger=None, http_client=http), attempt=2)
    assert result == LlmCallOutput(text="Once upon a time.", model="gpt-x-2024", attempt=2)

    sent = chat.calls.last.request
    assert sent.headers["Authorization"] == "Bearer sk-unit"
    assert json.loads(sent.content)["messages"] == [
        {"role": "system", "content": SYSTEM_PROMPTS["story"]},
        {"role": "user", "content": "Tell a story [m-1]"},
    ]


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504])
async def test_408_409_429_and_5xx_are_retryable(
    chat: respx.Route, http: httpx.AsyncClient, status: int
):
    chat.respond(status, json=error_body(status))
    error = await failure(LlmActivities(SETTINGS, ledger=None, http_client=http))
    assert error.type == "LlmRetryable"
    assert error.non_retryable is False
    assert error.next_retry_delay is None
    assert f"HTTP {status}" in error.message
    # max_retries=0: one Temporal attempt is exactly one request, even for a retryable status.
    assert chat.call_count == 1


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
async def test_other_4xx_are_not_retryable(chat: respx.Route, http: httpx.AsyncClient, status: int):
    chat.respond(status, json=error_body(status))
    error = await failure(LlmActivities(SETTINGS, ledger=None, http_client=http))
    assert error.type == "LlmRequestRejected"
    assert error.non_retryable is True
    assert f"HTTP {status}" in error.message
    assert chat.call_count == 1


@pytest.mark.parametrize(
    ("headers", "delay"),
    [
        ({"retry-after": "7"}, timedelta(seconds=7)),
        ({"retry-after": "1.5"}, timedelta(seconds=1.5)),
        ({"retry-after-ms": "250"}, timedelta(milliseconds=250)),
        # The millisecond form is more precise, so it wins over the seconds form.
        ({"retry-after-ms": "250", "retry-after": "9"}, timedelta(milliseconds=250)),
        ({"retry-after": "3600"}, timedelta(minutes=5)),  # clamped to MAX_HONOURED_DELAY
        ({"retry-after": "-3"}, None),  # negative: ignored
        ({"retry-after": "whenever"}, None),  # unparseable: ignored
        ({}, None),
    ],
    ids=["seconds", "fractional", "ms", "ms-wins", "clamped", "negative", "garbage", "none"],
)
async def test_429_retry_after_becomes_next_retry_delay(
    chat: respx.Route, http: httpx.AsyncClient, headers: dict[str, str], delay: timedelta | None
):
    chat.respond(429, headers=headers, json=error_body(429))
    error = await failure(LlmActivities(SETTINGS, ledger=None, http_client=http))
    assert error.type == "LlmRetryable"
    assert error.non_retryable is False
    assert error.next_retry_delay == delay


async def test_429_retry_after_as_http_date(chat: respx.Route, http: httpx.AsyncClient):
    when = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=120)
    chat.respond(429, headers={"retry-after": format_datetime(when, usegmt=True)})
    error = await failure(LlmActivities(SETTINGS, ledger=None, http_client=http))
    assert error.non_retryable is False
    assert error.next_retry_delay is not None
    assert timedelta(seconds=110) < error.next_retry_delay <= timedelta(seconds=120)


async def test_503_retry_after_is_honoured_too(chat: respx.Route, http: httpx.AsyncClient):
    chat.respond(503, headers={"retry-after": "4"}, json=error_body(503))
    error = await failure(LlmActivities(SETTINGS, ledger=None, http_client=http))
    assert error.next_retry_delay == timedelta(seconds=4)


async def test_client_is_built_with_max_retries_0(http: httpx.AsyncClient):
    activities = LlmActivities(SETTINGS, ledger=None, http_client=http)
    assert activities._get_client().max_retries == 0
    # The worker's case: the SDK's own transport.
    own = LlmActivities(SETTINGS, ledger=None)._get_client()
    assert own.max_retries == 0
    await own.close()


async def test_sdk_retries_would_show_as_extra_requests(chat: respx.Route, http: httpx.AsyncClient):
    """Negative control for the one-request assertions above: they can fail."""
    chat.respond(503, headers={"retry-after-ms": "1"}, json=error_body(503))
    await failure(LlmActivities(SETTINGS, ledger=None, http_client=http, max_retries=2))
    assert chat.call_count == 3


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (httpx.ConnectError("refused"), "LlmUnreachable"),
        (httpx.RemoteProtocolError("hung up"), "LlmUnreachable"),
        (httpx.ReadTimeout("slow"), "LlmTimeout"),
    ],
    ids=["connect", "protocol", "timeout"],
)
async def test_transport_errors_are_retryable(
    chat: respx.Route, http: httpx.AsyncClient, exc: httpx.TransportError, kind: str
):
    chat.mock(side_effect=exc)
    error = await failure(LlmActivities(SETTINGS, ledger=None, http_client=http))
    assert error.type == kind
    assert error.non_retryable is False
    assert chat.call_count == 1


@pytest.mark.parametrize(
    "body", [{"choices": []}, completion(text="   ")], ids=["no-choices", "blank-text"]
)
async def test_200_without_text_is_a_retryable_bad_response(
    chat: respx.Route, http: httpx.AsyncClient, body: dict[str, object]
):
    chat.respond(200, json=body)
    error = await failure(LlmActivities(SETTINGS, ledger=None, http_client=http))
    assert error.type == "LlmBadResponse"
    assert error.non_retryable is False


async def test_missing_key_fails_without_retry_and_sends_nothing(
    chat: respx.Route, http: httpx.AsyncClient
):
    settings = SETTINGS.model_copy(update={"openai_api_key": None})
    error = await failure(LlmActivities(settings, ledger=None, http_client=http))
    assert error.type == "LlmCredentialsMissing"
    assert error.non_retryable is True
    assert chat.call_count == 0


# --- bodies and hints that once broke the mapping (a bare JSONDecodeError, an overflow) ---


async def test_200_with_malformed_json_is_a_bad_response(
    chat: respx.Route, http: httpx.AsyncClient
):
    chat.respond(200, content=b'{"choices": [', headers={"content-type": "application/json"})
    error = await failure(LlmActivities(SETTINGS, ledger=None, http_client=http))
    assert error.type == "LlmBadResponse"


@pytest.mark.parametrize("value", ["inf", "1e15"])
async def test_429_with_an_absurd_retry_after_stays_retryable(
    chat: respx.Route, http: httpx.AsyncClient, value: str
):
    chat.respond(429, headers={"retry-after": value}, json=error_body(429))
    error = await failure(LlmActivities(SETTINGS, ledger=None, http_client=http))
    assert error.type == "LlmRetryable"

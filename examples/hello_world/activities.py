"""The app's activities: the LLM call of the sample, and the webhook the team added.

The openai client is built with `max_retries=0`, as the sample advises: Temporal owns the
retry policy, so each attempt is one request, recorded in the history. A 429's hint
becomes the next retry's delay; a request the provider refuses for good is not retried.

The webhook carries an idempotency key derived from the workflow id: every attempt of
the notification, in any worker process, sends the same key, so the team's receiver
keeps one notification per haiku however often Temporal retries the POST.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import httpx
import openai
from temporalio import activity
from temporalio.exceptions import ApplicationError

from examples.hello_world.settings import Settings

IDEMPOTENCY_HEADER = "Idempotency-Key"


@dataclass
class OpenAIResponsesRequest:
    """The parameters of one Responses API call (the sample's request shape)."""

    model: str
    instructions: str
    input: str


@dataclass
class NotifyRequest:
    """The team's notification: which run wrote which haiku."""

    workflow_id: str
    haiku: str


def llm_client(max_retries: int = 0) -> openai.AsyncOpenAI:
    """The client of OPENAI_BASE_URL/OPENAI_API_KEY; Temporal retries, not the SDK."""
    settings = Settings()
    return openai.AsyncOpenAI(max_retries=max_retries, timeout=settings.llm_timeout_seconds)


async def respond(client: openai.AsyncOpenAI, request: OpenAIResponsesRequest) -> str:
    """One Responses call; its errors mapped to Temporal's retry semantics."""
    try:
        response = await client.responses.create(
            model=request.model, instructions=request.instructions, input=request.input
        )
    except openai.RateLimitError as exc:
        delay = _retry_after(exc.response.headers)
        raise ApplicationError(
            f"LLM rate limited (429), retry after {delay}",
            type="RateLimited",
            next_retry_delay=delay,
        ) from exc
    except openai.APIStatusError as exc:
        final = exc.status_code < 500 and exc.status_code not in (408, 409)
        raise ApplicationError(
            f"LLM answered {exc.status_code}", type="LlmError", non_retryable=final
        ) from exc
    finally:
        await client.close()
    return response.output_text


def _retry_after(headers: httpx.Headers) -> timedelta | None:
    """The provider's hint: `retry-after-ms`, else `retry-after` in seconds or as an HTTP
    date (RFC 9110 allows both), else None."""
    if (ms := headers.get("retry-after-ms")) and ms.isdigit():
        return timedelta(milliseconds=int(ms))
    value = headers.get("retry-after", "").strip()
    try:
        return timedelta(seconds=float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # "-0000": UTC by RFC 5322
        when = when.replace(tzinfo=UTC)
    return max(when - datetime.now(UTC), timedelta(0))


@activity.defn
async def create(request: OpenAIResponsesRequest) -> str:
    """The sample's activity: the haiku's text from the Responses API."""
    return await respond(llm_client(), request)


def notification_key(workflow_id: str) -> str:
    """The same for every attempt and every worker: one haiku, one notification."""
    return f"hello-world/{workflow_id}/notify-team"


async def post_webhook(request: NotifyRequest, headers: dict[str, str]) -> None:
    """POST the notification; a busy or unreachable receiver is retried by Temporal."""
    settings = Settings()
    body = {"workflow_id": request.workflow_id, "haiku": request.haiku}
    try:
        async with httpx.AsyncClient(timeout=settings.webhook_timeout_seconds) as http:
            response = await http.post(settings.webhook_url, json=body, headers=headers)
    except httpx.TransportError as exc:
        name = type(exc).__name__
        raise ApplicationError(f"webhook unreachable: {name}", type=name) from None
    if response.status_code >= 500 or response.status_code in (408, 429):
        raise ApplicationError(f"webhook answered {response.status_code}", type="WebhookBusy")
    if response.status_code >= 400:
        raise ApplicationError(
            f"webhook refused the notification: {response.status_code}",
            type="WebhookRefused",
            non_retryable=True,
        )


@activity.defn
async def notify_team(request: NotifyRequest) -> None:
    """Tell the team a haiku was written, once per workflow whatever the retries."""
    await post_webhook(request, {IDEMPOTENCY_HEADER: notification_key(request.workflow_id)})


ACTIVITIES = [create, notify_team]

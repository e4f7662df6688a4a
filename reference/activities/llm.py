"""`llm_call`: one chat completion against an OpenAI-compatible endpoint.

Temporal owns retries. The SDK's own retries are turned off (`max_retries=0`) so every
request the LLM server sees is one Temporal attempt: stacked retries multiply the load on
a struggling provider and make "at most 3 attempts" a lie. Every failure is therefore
classified here into retryable (rate limits, server errors, timeouts, bad replies) or not
(credentials missing, other 4xx), and the server's Retry-After hint becomes Temporal's
`next_retry_delay`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx
import openai
from openai import AsyncOpenAI
from openai.types.chat import ChatCompletion
from temporalio import activity
from temporalio.exceptions import ApplicationError

from stormproof.reference.activities.retry_after import parse_retry_after
from stormproof.reference.models import LlmCallInput, LlmCallOutput
from stormproof.reference.settings import WorkerSettings

# What the text is for decides the tone; the user's prompt always travels verbatim in
# the user message so the judge can find its marker in the LLM's call log.
SYSTEM_PROMPTS: dict[str, str] = {
    "story": "You are a concise storyteller. Write a short story for the request.",
    "report": "You write short, factual business reports in plain text.",
}
DEFAULT_SYSTEM_PROMPT = "You are a helpful assistant."

# Heartbeat well inside the 15 s heartbeat timeout (policies.py) so a worker killed
# mid-request is noticed in seconds, not after the 60 s start_to_close.
HEARTBEAT_INTERVAL_SECONDS = 5.0

# Status codes worth another attempt: throttling, request timeout, conflict, and 5xx.
RETRYABLE_STATUS = frozenset({408, 409, 429})


@contextlib.asynccontextmanager
async def heartbeating(interval: float = HEARTBEAT_INTERVAL_SECONDS) -> AsyncIterator[None]:
    """Heartbeat in the background while the body awaits something slow."""

    async def beat() -> None:
        while True:
            activity.heartbeat()
            await asyncio.sleep(interval)

    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


class LlmActivities:
    """Holds the settings and one lazily created client shared by every attempt.

    `max_retries` and `honour_retry_after` exist only so reference/broken/ can build
    the deliberately broken negative controls from this same code. `http_client` exists only
    so unit tests can hand the SDK an `httpx.AsyncClient` that respx intercepts; None (the
    worker's case) leaves the SDK to build its own transport.
    """

    def __init__(
        self,
        settings: WorkerSettings,
        *,
        max_retries: int = 0,
        honour_retry_after: bool = True,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        self._settings = settings
        self._max_retries = max_retries
        self._honour_retry_after = honour_retry_after
        self._http_client = http_client
        self._client: AsyncOpenAI | None = None

    def _get_client(self) -> AsyncOpenAI:
        key = self._settings.openai_api_key
        if key is None:
            raise ApplicationError(
                "OPENAI_API_KEY is not set, so the worker cannot call the LLM. Set it in the "
                "worker's environment (export OPENAI_API_KEY=<your key>) and restart the worker.",
                type="LlmCredentialsMissing",
                non_retryable=True,
            )
        if self._client is None:
            self._client = AsyncOpenAI(
                base_url=self._settings.openai_base_url,
                api_key=key.get_secret_value(),
                max_retries=self._max_retries,
                timeout=self._settings.llm_timeout_seconds,
                http_client=self._http_client,
            )
        return self._client

    @activity.defn(name="llm_call")
    async def llm_call(self, request: LlmCallInput) -> LlmCallOutput:
        client = self._get_client()
        system = SYSTEM_PROMPTS.get(request.purpose, DEFAULT_SYSTEM_PROMPT)
        try:
            async with heartbeating():
                response = await client.chat.completions.create(
                    model=self._settings.llm_model,
                    messages=[
                        {"role": "system", "content": system},
                        {"role": "user", "content": request.prompt},
                    ],
                )
        except openai.APIStatusError as exc:
            raise self._status_error(exc) from exc
        except openai.APITimeoutError as exc:
            raise ApplicationError(
                f"LLM request timed out after {self._settings.llm_timeout_seconds:g}s",
                type="LlmTimeout",
            ) from exc
        except openai.APIConnectionError as exc:
            raise ApplicationError(
                f"LLM endpoint unreachable: {exc}", type="LlmUnreachable"
            ) from exc
        except (openai.APIError, ValueError) as exc:
            # A 200 whose body is not a chat completion at all: the SDK raises a bare
            # JSONDecodeError (a ValueError) for a body that is not JSON.
            raise ApplicationError(f"LLM reply unusable: {exc}", type="LlmBadResponse") from exc
        if not isinstance(response, ChatCompletion):  # JSON, but not a completion object
            raise ApplicationError(
                f"LLM reply is not a chat completion: {type(response).__name__}",
                type="LlmBadResponse",
            )

        choices = response.choices or []
        text = choices[0].message.content if choices else None
        if not text or not text.strip():
            raise ApplicationError("LLM reply had no text content", type="LlmBadResponse")
        return LlmCallOutput(
            text=text,
            model=response.model or self._settings.llm_model,
            attempt=activity.info().attempt,
        )

    def _status_error(self, exc: openai.APIStatusError) -> ApplicationError:
        status = exc.status_code
        detail = f"LLM answered HTTP {status}: {exc.message}"
        if status in RETRYABLE_STATUS or status >= 500:
            delay = parse_retry_after(exc.response.headers) if self._honour_retry_after else None
            return ApplicationError(detail, type="LlmRetryable", next_retry_delay=delay)
        return ApplicationError(detail, type="LlmRequestRejected", non_retryable=True)

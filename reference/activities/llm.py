"""`llm_call`: one chat completion against an OpenAI-compatible endpoint.

Temporal owns retries. The SDK's own retries are turned off (`max_retries=0`) so every
request the LLM server sees is one Temporal attempt: stacked retries multiply the load on
a struggling provider and make "at most 3 attempts" a lie. Every failure is therefore
classified here into retryable (rate limits, server errors, timeouts, bad replies) or not
(credentials missing, other 4xx), and the server's Retry-After hint becomes Temporal's
`next_retry_delay`. A reply is kept in the ledger (ledger.py) before the step completes, so
an attempt retried after the worker died reuses it instead of paying for it again.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Mapping
from datetime import timedelta
from typing import Literal, Protocol

import httpx
import openai
from openai import AsyncOpenAI
from openai.types.chat import ChatCompletion
from temporalio import activity
from temporalio.exceptions import ApplicationError

from stormproof.reference.activities.ledger import LlmLedger, Recorded, StepKey
from stormproof.reference.activities.retry_after import parse_retry_after
from stormproof.reference.models import LlmCallInput, LlmCallOutput
from stormproof.reference.settings import WorkerSettings

# What the text is for decides the tone; the user's prompt always travels verbatim in
# the user message so the judge can find its marker in the LLM's call log.
SYSTEM_PROMPTS: dict[str, str] = {
    "story": "You are a concise storyteller. Write a short story for the request.",
    "report": "You write short, factual business reports in plain text.",
    "chat": "You are a helpful assistant in a conversation; answer the last message.",
}
DEFAULT_SYSTEM_PROMPT = "You are a helpful assistant."

# Heartbeat well inside the 15 s heartbeat timeout (policies.py) so a worker killed
# mid-request is noticed in seconds, not after the 60 s start_to_close.
HEARTBEAT_INTERVAL_SECONDS = 5.0

# Reads a 429/5xx answer's headers into the delay Temporal waits before the next attempt.
RetryHint = Callable[[Mapping[str, str]], timedelta | None]

# Status codes worth another attempt: throttling, request timeout, conflict, and 5xx.
RETRYABLE_STATUS = frozenset({408, 409, 429})


def retryable_status(status: int) -> bool:
    """Throttling, a timeout, a conflict or a server error may pass; other 4xx will not."""
    return status in RETRYABLE_STATUS or status >= 500


@contextlib.asynccontextmanager
async def heartbeating(interval: float = HEARTBEAT_INTERVAL_SECONDS) -> AsyncIterator[None]:
    """Heartbeat in the background while the body awaits something slow.

    The first beat comes after one interval, not at once: a call that answers within it
    (nearly all) costs Temporal no heartbeat RPC and no mutable-state write, and one that
    hangs still beats well inside the 15 s heartbeat timeout. A cancel arrives with the
    reply to a beat, as before; a call that ends before its first beat needs none."""

    async def beat() -> None:
        while True:
            await asyncio.sleep(interval)  # wait-ok: the heartbeat period
            activity.heartbeat()

    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


class Ledger(Protocol):
    """Where replies are kept by step (ledger.LlmLedger; a twin keeps them in memory)."""

    async def recall(self, key: StepKey) -> Recorded | None: ...

    async def record(self, key: StepKey, reply: str, model: str) -> None: ...


class LlmActivities:
    """Holds the settings and one lazily created client shared by every attempt.

    `max_retries`, `retry_hint`, `retry_status` and `ledger` exist so reference/broken/ can
    build the deliberately broken negative controls from this same code; `ledger=None`
    (unit tests) keeps no ledger at all. `http_client` exists only so unit tests can hand the SDK an
    `httpx.AsyncClient` that respx intercepts; None (the worker's case) leaves the SDK to
    build its own transport.
    """

    def __init__(
        self,
        settings: WorkerSettings,
        *,
        max_retries: int = 0,
        retry_hint: RetryHint = parse_retry_after,
        retry_status: Callable[[int], bool] = retryable_status,
        ledger: Ledger | Literal["database"] | None = "database",
        http_client: httpx.AsyncClient | None = None,
        unreachable_is_final: bool = False,
    ) -> None:
        self._settings = settings
        self._unreachable_is_final = unreachable_is_final  # True only in a broken twin
        self._max_retries = max_retries
        self._retry_hint = retry_hint
        self._retry_status = retry_status
        self._ledger: Ledger | None = (
            LlmLedger(settings.database_url) if ledger == "database" else ledger
        )
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
        key = StepKey.current(request)
        attempt = activity.info().attempt
        async with heartbeating():
            recorded = await self._ledger.recall(key) if self._ledger else None
            if recorded is not None:
                activity.logger.info("LLM reply for %s taken from the ledger", key.step)
                return LlmCallOutput(text=recorded.reply, model=recorded.model, attempt=attempt)
            output = await self._request(client, request, attempt)
            if self._ledger:
                await self._ledger.record(key, output.text, output.model)
        return output

    async def _request(
        self, client: AsyncOpenAI, request: LlmCallInput, attempt: int
    ) -> LlmCallOutput:
        """One chat completion; every failure classified as Temporal should retry it."""
        system = SYSTEM_PROMPTS.get(request.purpose, DEFAULT_SYSTEM_PROMPT)
        try:
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
                f"LLM endpoint unreachable: {exc}",
                type="LlmUnreachable",
                non_retryable=self._unreachable_is_final,
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
            text=text, model=response.model or self._settings.llm_model, attempt=attempt
        )

    def _status_error(self, exc: openai.APIStatusError) -> ApplicationError:
        status = exc.status_code
        detail = f"LLM answered HTTP {status}: {exc.message}"
        if self._retry_status(status):
            delay = self._retry_hint(exc.response.headers)
            return ApplicationError(detail, type="LlmRetryable", next_retry_delay=delay)
        return ApplicationError(detail, type="LlmRequestRejected", non_retryable=True)

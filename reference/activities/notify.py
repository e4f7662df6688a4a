"""`send_notification`: POST `report.ready` to the webhook, at least once, deduplicable.

A webhook call can succeed on the receiver and still look failed to us (timeout, worker
killed before completing), so retries may deliver twice. That is unavoidable; what makes
it harmless is the `Idempotency-Key` header, which is derived from the report alone and is
therefore identical on every attempt, letting the receiver drop the repeat.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
from temporalio import activity
from temporalio.exceptions import ApplicationError

from stormproof.reference.activities.retry_after import parse_retry_after
from stormproof.reference.models import ChatToolInput, NotificationInput, NotificationOutput
from stormproof.reference.settings import WorkerSettings

# Short enough that a hung receiver costs one attempt, not the activity's whole 15 s budget.
REQUEST_TIMEOUT_SECONDS = 10.0


def retryable_status(status: int) -> bool:
    """A receiver's 5xx, 408 and 429 may pass; any other 4xx will answer the same again."""
    return status >= 500 or status in {408, 429}


def idempotency_key(report_id: str) -> str:
    """Stable per business entity: the same report always yields the same key."""
    return f"report-ready:{report_id}"


def tool_key(workflow_id: str, turn: int) -> str:
    """The chat tool's key: one per turn of one session, whichever run answers it."""
    return f"chat-tool:{workflow_id}:{turn}"


class NotifyActivities:
    """`key_for`, `retry_status` and `unreachable_is_final` are swappable only so
    reference/broken/ can build its negative controls."""

    def __init__(
        self,
        settings: WorkerSettings,
        *,
        key_for: Callable[[str], str] = idempotency_key,
        retry_status: Callable[[int], bool] = retryable_status,
        unreachable_is_final: bool = False,
    ) -> None:
        self._url = settings.notify_url
        self._key_for = key_for
        self._retry_status = retry_status
        self._unreachable_is_final = unreachable_is_final
        self._client: httpx.AsyncClient | None = None
        self._client_loop: asyncio.AbstractEventLoop | None = None

    def _http(self) -> httpx.AsyncClient:
        """One client for every attempt: building one (its TLS context above all) costs
        more CPU than the POST. Each request still gets REQUEST_TIMEOUT_SECONDS; a pooled
        connection the receiver closed is noticed by httpx before reuse, and a failed
        request drops its connection. A new event loop (unit tests) gets a new client."""
        loop = asyncio.get_running_loop()
        if self._client is None or self._client_loop is not loop:
            # No cap on connections, as with a client per attempt: never wait for a slot.
            limits = httpx.Limits(max_connections=None, max_keepalive_connections=20)
            self._client = httpx.AsyncClient(timeout=REQUEST_TIMEOUT_SECONDS, limits=limits)
            self._client_loop = loop
        return self._client

    @activity.defn(name="send_notification")
    async def send_notification(self, request: NotificationInput) -> NotificationOutput:
        key = self._key_for(request.report_id)
        body = {
            "event": "report.ready",
            "report_id": request.report_id,
            "workflow_id": request.workflow_id,
            "pdf_path": request.pdf_path,
            "status": str(request.status),
            "attempt": activity.info().attempt,
        }
        return await self._post(body, key)

    async def _post(self, body: dict[str, object], key: str) -> NotificationOutput:
        """POST `body` with `key`; 2xx is done, the rest classified for Temporal's retry."""
        if not self._url:
            raise ApplicationError(
                f"STORMPROOF_NOTIFY_URL is not set, so the {body['event']} notification has "
                "nowhere to go. Set it in the worker's environment (export "
                "STORMPROOF_NOTIFY_URL=http://host:port/path) and restart the worker.",
                type="NotificationNotConfigured",
                non_retryable=True,
            )
        attempt = activity.info().attempt
        try:
            response = await self._http().post(
                self._url, json=body, headers={"Idempotency-Key": key}
            )
        except httpx.TransportError as exc:  # connect errors, timeouts, resets
            raise ApplicationError(
                f"webhook {self._url} unreachable: {type(exc).__name__}: {exc}",
                type="NotificationUnreachable",
                non_retryable=self._unreachable_is_final,
            ) from exc

        status = response.status_code
        if 200 <= status < 300:
            return NotificationOutput(idempotency_key=key, status_code=status, attempt=attempt)
        detail = f"webhook {self._url} answered HTTP {status}: {response.text[:200]}"
        if self._retry_status(status):
            raise ApplicationError(
                detail,
                type="NotificationFailed",
                next_retry_delay=parse_retry_after(response.headers),
            )
        raise ApplicationError(detail, type="NotificationRejected", non_retryable=True)

    @activity.defn(name="post_chat_tool")
    async def post_chat_tool(self, request: ChatToolInput) -> NotificationOutput:
        """The chat session's side-effecting tool: tell the team about a turn, once."""
        key = tool_key(request.workflow_id, request.turn)
        body = {
            "event": "chat.tool",
            "workflow_id": request.workflow_id,
            "turn": request.turn,
            "text": request.text,
            "attempt": activity.info().attempt,
        }
        return await self._post(body, key)

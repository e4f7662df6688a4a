"""The reference worker's own metrics: what an AI workflow's operator asks that the SDK's
exporter cannot answer (how many LLM calls were throttled, how many webhooks bounced).

The SDK's Prometheus exporter (the Temporal runtime's, in Rust) counts tasks, polls and
latencies but knows nothing of HTTP status codes inside an activity. These counters come
from one activity interceptor, so every activity (and every broken twin built from them)
is counted the same way without touching their code, and a failure is classified from the
exception the activity raised, exactly what Temporal saw.

Metric names (docs/METRICS.md): `stormproof_llm_calls_total{status}`,
`stormproof_notify_deliveries_total{status}`, `stormproof_rows_written_total{table}`,
`stormproof_activity_completions_total{activity,outcome}`, `stormproof_payload_codec_enabled`.
`status` is `ok`, the HTTP code the service answered (`429`, `503`, ...), `timeout`,
`unreachable` or `error`: a bounded set, so it is safe as a label.
"""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge
from temporalio import activity
from temporalio.exceptions import ApplicationError
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
)

_HTTP_STATUS = re.compile(r"HTTP (\d{3})")
# ApplicationError types (activities/llm.py, activities/notify.py) -> status label.
_TYPE_STATUS = {
    "LlmTimeout": "timeout",
    "LlmUnreachable": "unreachable",
    "NotificationUnreachable": "unreachable",
    "LlmBadResponse": "bad_reply",
    "LlmCredentialsMissing": "no_credentials",
    "NotificationNotConfigured": "not_configured",
}
TABLE_FOR_ACTIVITY = {"store_report_metadata": "report_metadata"}


class WorkerMetrics:
    """One registry per process (not prometheus-client's global one, so the process and
    GC collectors do not mix into a scrape that is merged with the SDK's text)."""

    def __init__(self, *, codec_enabled: bool = False) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.llm_calls = Counter(
            "stormproof_llm_calls",
            "LLM chat-completion attempts by outcome (ok, HTTP code, timeout, unreachable)",
            ["status"],
            registry=self.registry,
        )
        self.notify_deliveries = Counter(
            "stormproof_notify_deliveries",
            "Webhook delivery attempts by outcome (ok, HTTP code, unreachable)",
            ["status"],
            registry=self.registry,
        )
        self.rows_written = Counter(
            "stormproof_rows_written",
            "Rows inserted by the worker (an idempotent repeat inserts none)",
            ["table"],
            registry=self.registry,
        )
        self.completions = Counter(
            "stormproof_activity_completions",
            "Activity attempts by type and outcome (completed, failed, cancelled)",
            ["activity", "outcome"],
            registry=self.registry,
        )
        self.codec = Gauge(
            "stormproof_payload_codec_enabled",
            "1 when payloads are encrypted client-side (STORMPROOF_PAYLOAD_KEY set)",
            registry=self.registry,
        )
        self.codec.set(1 if codec_enabled else 0)
        # Monotonic time of the last activity attempt that finished (any outcome): the
        # liveness check's passive evidence of progress (reference/health.py).
        self.last_progress: float | None = None

    def interceptor(self) -> Interceptor:
        return _MetricsInterceptor(self)

    def observe(self, activity_type: str, result: Any, error: BaseException | None) -> None:
        self.last_progress = time.monotonic()
        outcome = "completed" if error is None else _outcome(error)
        self.completions.labels(activity_type, outcome).inc()
        if activity_type == "llm_call":
            self.llm_calls.labels(status_of(error)).inc()
        elif activity_type == "send_notification":
            self.notify_deliveries.labels(status_of(error)).inc()
        elif activity_type in TABLE_FOR_ACTIVITY and error is None and _inserted(result):
            self.rows_written.labels(TABLE_FOR_ACTIVITY[activity_type]).inc()


def _inserted(result: Any) -> bool:
    return bool(getattr(result, "inserted", True))


def _outcome(error: BaseException) -> str:
    return "cancelled" if isinstance(error, asyncio.CancelledError) else "failed"


def status_of(error: BaseException | None) -> str:
    """The status label for one attempt: `ok`, the HTTP code, or the failure's kind."""
    if error is None:
        return "ok"
    cause = error.__cause__
    code = getattr(cause, "status_code", None)  # openai.APIStatusError
    if isinstance(code, int):
        return str(code)
    match = _HTTP_STATUS.search(str(error))
    if match:
        return match.group(1)
    if isinstance(error, ApplicationError) and error.type in _TYPE_STATUS:
        return _TYPE_STATUS[error.type]
    return "error"


class _MetricsInterceptor(Interceptor):
    def __init__(self, metrics: WorkerMetrics) -> None:
        self._metrics = metrics

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _Inbound(next, self._metrics)


class _Inbound(ActivityInboundInterceptor):
    def __init__(self, next: ActivityInboundInterceptor, metrics: WorkerMetrics) -> None:
        super().__init__(next)
        self._metrics = metrics

    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        activity_type = activity.info().activity_type
        try:
            result = await super().execute_activity(input)
        except BaseException as exc:
            self._metrics.observe(activity_type, None, exc)
            raise
        self._metrics.observe(activity_type, result, None)
        return result

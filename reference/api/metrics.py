"""The reference API's `/metrics`: what it answered, why it refused, and whether it can
reach Temporal now.

- `stormproof_api_requests_total{method,route,status}`: `route` is the path template
  (`/api/workflows/{workflow_id}`), never the raw path, so ids cannot explode the series.
- `stormproof_api_unavailable_total{reason}`: every 503 by the reason its body gives
  (`unreachable`, `connecting`, `namespace_missing`, `temporal_unavailable`, ...): the
  line an on-call person wants when submissions start bouncing.
- `stormproof_api_temporal_state{state}`: 1 for the link's current state, 0 for the rest.
- `stormproof_api_temporal_reconnects_total`: times the link came back to ready after
  losing it.

Counted by a plain ASGI middleware (not BaseHTTPMiddleware), which sees every response,
the guard's 413/422 and the twins' routes included, and reads a 503's small JSON body
for its reason without buffering any other response. One registry per app, so two apps
in one test process never share counts.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI, Response
from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from stormproof.reference.temporal.link import LinkState

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# A 503 body is a few hundred bytes; anything longer is not ours to parse.
MAX_REASON_BODY = 8192


class ApiMetrics:
    def __init__(self, backend: Any) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "stormproof_api_requests",
            "HTTP requests by method, route template and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.unavailable = Counter(
            "stormproof_api_unavailable",
            "503 answers by reason (the body's state or error field)",
            ["reason"],
            registry=self.registry,
        )
        self.registry.register(_LinkCollector(backend))

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class _LinkCollector(Collector):
    """Reads the backend's TemporalLink at scrape time (a twin without one reports none)."""

    def __init__(self, backend: Any) -> None:
        self.backend = backend

    def collect(self) -> Iterator[Any]:
        link = getattr(self.backend, "link", None)
        if link is None:
            return
        state = GaugeMetricFamily(
            "stormproof_api_temporal_state",
            "1 for the API's current Temporal link state, 0 for the others",
            labels=["state"],
        )
        for candidate in LinkState:
            state.add_metric([candidate.value], 1.0 if link.state is candidate else 0.0)
        yield state
        reconnects = CounterMetricFamily(
            "stormproof_api_temporal_reconnects",
            "Times the Temporal link became ready again after losing it",
        )
        reconnects.add_metric([], float(getattr(link, "reconnects", 0)))
        yield reconnects


def instrument(app: FastAPI, backend: Any) -> ApiMetrics:
    """Add the counting middleware and the /metrics route to `app`."""
    metrics = ApiMetrics(backend)
    app.state.metrics = metrics
    app.add_middleware(_Counting, metrics=metrics)

    @app.get("/metrics", include_in_schema=False)
    async def exposition() -> Response:
        return Response(metrics.exposition(), media_type=CONTENT_TYPE)

    return metrics


class _Counting:
    def __init__(self, app: Any, metrics: ApiMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        seen: dict[str, Any] = {"status": 500, "body": b""}

        async def counting_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
            elif message["type"] == "http.response.body" and _keep(seen):
                seen["body"] += message.get("body", b"")
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            status = seen["status"]
            self.metrics.requests.labels(scope["method"], route, str(status)).inc()
            if status == 503:
                self.metrics.unavailable.labels(_reason(seen["body"])).inc()


def _keep(seen: dict[str, Any]) -> bool:
    return seen["status"] == 503 and len(seen["body"]) < MAX_REASON_BODY


def _reason(body: bytes) -> str:
    try:
        parsed = json.loads(body)
    except ValueError:
        return "unknown"
    if not isinstance(parsed, dict):
        return "unknown"
    reason = parsed.get("state") or parsed.get("error") or "unknown"
    return str(reason)[:64]

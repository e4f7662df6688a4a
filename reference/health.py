"""The worker's metrics and health endpoint, on `STORMPROOF_METRICS_ADDRESS` (host:port).

One address serves everything, on purpose: `/metrics` is the SDK exporter's text (the
Temporal runtime's PrometheusConfig, bound to a private loopback port) followed by the
worker's own prometheus-client registry (reference/observability.py). A second public
port would need a second scrape target, a second Service port and a second firewall rule
for what an operator sees as one worker; the names cannot clash (`temporal_*` against
`stormproof_*`), so concatenating the two texts is a valid exposition.

Health, for Kubernetes probes, tells the two questions apart:
- `/health/alive` answers 200 while the process runs (the HTTP thread is up);
- `/health` answers 200 while the worker polls and makes progress, 503 once it is stalled.
  Progress is passive (an activity attempt finished recently) or, when the worker has
  been idle, a canary: the supervisor's idea (reference/supervisor.py) run in-process,
  a PingWorkflow on the worker's own task queue. Two canaries in a row that Temporal
  accepted but nobody completed mean "alive but useless": 503, and a liveness probe
  restarts the pod. Temporal being unreachable is not the worker's fault and a restart
  cannot fix it, so it stays 200 (`temporal-unreachable` in the body).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import threading
import time
import urllib.request
import uuid
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import generate_latest
from temporalio.client import Client
from temporalio.runtime import LoggingConfig, PrometheusConfig, Runtime, TelemetryConfig

from stormproof.reference.observability import WorkerMetrics

log = logging.getLogger("stormproof.health")

METRICS_VARIABLE = "STORMPROOF_METRICS_ADDRESS"
# Idle this long, the worker pings itself; a ping not done in CANARY_TIMEOUT is a miss.
CANARY_INTERVAL_SECONDS = float(os.environ.get("STORMPROOF_HEALTH_CANARY_SECONDS", "30"))
CANARY_TIMEOUT_SECONDS = 10.0
STALLED_AFTER_MISSES = 2


class MetricsAddressError(ValueError):
    """STORMPROOF_METRICS_ADDRESS is not host:port; the message names the fix."""


def parse_address(raw: str) -> tuple[str, int]:
    host, sep, port = raw.strip().rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise MetricsAddressError(
            f"{METRICS_VARIABLE}={raw!r} is not host:port; fix: e.g. "
            f"{METRICS_VARIABLE}=0.0.0.0:9464, or unset it to turn metrics off"
        )
    return host.strip("[]"), int(port)


def _private_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def sdk_runtime(core_logging: LoggingConfig = LoggingConfig.default) -> tuple[Runtime, str]:
    """A runtime whose Prometheus exporter listens on a private loopback port, and its URL."""
    port = _private_port()
    telemetry = TelemetryConfig(
        logging=core_logging, metrics=PrometheusConfig(bind_address=f"127.0.0.1:{port}")
    )
    return Runtime(telemetry=telemetry), f"http://127.0.0.1:{port}/metrics"


class Liveness:
    """What /health reports; written by the event loop, read by the HTTP thread."""

    def __init__(self, metrics: WorkerMetrics) -> None:
        self.metrics = metrics
        self.polling = False
        self.temporal_reachable = True
        self.canary_misses = 0
        self.last_canary: float | None = None

    def last_progress(self) -> float | None:
        seen = [t for t in (self.metrics.last_progress, self.last_canary) if t is not None]
        return max(seen) if seen else None

    def verdict(self) -> tuple[int, dict[str, Any]]:
        last = self.last_progress()
        body: dict[str, Any] = {
            "alive": True,
            "polling": self.polling,
            "canary_misses": self.canary_misses,
            "seconds_since_progress": None if last is None else time.monotonic() - last,
        }
        if not self.polling:
            return 200, {**body, "status": "starting"}
        if self.canary_misses >= STALLED_AFTER_MISSES:
            return 503, {**body, "status": "stalled"}
        if not self.temporal_reachable:
            return 200, {**body, "status": "temporal-unreachable"}
        return 200, {**body, "status": "ok"}

    async def canary(self, client: Client, task_queue: str, stop: asyncio.Event) -> None:
        """Ping ourselves whenever idle for CANARY_INTERVAL_SECONDS."""
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), CANARY_INTERVAL_SECONDS)
                return
            except TimeoutError:
                pass
            last = self.last_progress()
            if last is not None and time.monotonic() - last < CANARY_INTERVAL_SECONDS:
                continue  # real work finished recently: that is progress enough
            await self.ping(client, task_queue)

    async def ping(self, client: Client, task_queue: str) -> None:
        try:
            handle = await client.start_workflow(
                "PingWorkflow",
                id=f"health-canary-{uuid.uuid4().hex[:12]}",
                task_queue=task_queue,
                execution_timeout=timedelta(seconds=CANARY_TIMEOUT_SECONDS * 2),
                rpc_timeout=timedelta(seconds=5),
            )
        except Exception:
            self.temporal_reachable = False
            return
        self.temporal_reachable = True
        try:
            await asyncio.wait_for(handle.result(), CANARY_TIMEOUT_SECONDS)
        except Exception:
            try:
                await handle.describe(rpc_timeout=timedelta(seconds=3))
            except Exception:
                self.temporal_reachable = False  # no verdict on the worker
                return
            self.canary_misses += 1
            log.warning(
                "health: canary PingWorkflow %s on %r not completed within %gs (%d in a row)",
                handle.id,
                task_queue,
                CANARY_TIMEOUT_SECONDS,
                self.canary_misses,
            )
            return
        self.canary_misses = 0
        self.last_canary = time.monotonic()


class MetricsServer:
    """The HTTP endpoint, in a daemon thread so a busy event loop cannot delay a probe."""

    def __init__(self, address: str, metrics: WorkerMetrics, liveness: Liveness, sdk_url: str):
        self.metrics, self.liveness, self.sdk_url = metrics, liveness, sdk_url
        self.server = ThreadingHTTPServer(parse_address(address), _handler(self))
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> MetricsServer:
        self.thread.start()
        return self

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def exposition(self) -> bytes:
        try:
            with urllib.request.urlopen(self.sdk_url, timeout=2) as response:
                sdk = response.read()
        except OSError:
            sdk = b""  # the runtime's exporter starts with the first client
        return sdk.rstrip(b"\n") + b"\n" + generate_latest(self.metrics.registry)


class Observed:
    """Metrics, liveness and their endpoint for one worker process, or None when off."""

    def __init__(
        self,
        address: str,
        *,
        codec_enabled: bool,
        core_logging: LoggingConfig = LoggingConfig.default,
    ) -> None:
        parse_address(address)  # a malformed value fails before anything starts
        self.runtime, sdk_url = sdk_runtime(core_logging)
        # Every Client.connect in this process (the worker's, the canary's) reports here.
        Runtime.set_default(self.runtime, error_if_already_set=False)
        self.metrics = WorkerMetrics(codec_enabled=codec_enabled)
        self.liveness = Liveness(self.metrics)
        try:
            self.server = MetricsServer(address, self.metrics, self.liveness, sdk_url).start()
        except OSError as exc:
            raise MetricsAddressError(
                f"{METRICS_VARIABLE}={address!r} cannot be served: {exc}; fix: choose a free "
                "port, or unset it to turn metrics off"
            ) from None

    @classmethod
    def from_env(
        cls, *, codec_enabled: bool, core_logging: LoggingConfig = LoggingConfig.default
    ) -> Observed | None:
        """Metrics on when STORMPROOF_METRICS_ADDRESS is set; otherwise only the runtime's
        logging is set (when it differs from the SDK's default)."""
        address = os.environ.get(METRICS_VARIABLE, "").strip()
        if address:
            return cls(address, codec_enabled=codec_enabled, core_logging=core_logging)
        if core_logging is not LoggingConfig.default:
            runtime = Runtime(telemetry=TelemetryConfig(logging=core_logging))
            Runtime.set_default(runtime, error_if_already_set=False)
        return None

    def close(self) -> None:
        self.server.close()


def _handler(owner: MetricsServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?")[0].rstrip("/")
            if path == "/metrics":
                self._send(200, owner.exposition(), "text/plain; version=0.0.4; charset=utf-8")
            elif path in ("/health", "/healthz", "/health/progress"):
                code, body = owner.liveness.verdict()
                self._send(code, json.dumps(body).encode(), "application/json")
            elif path == "/health/alive":
                self._send(200, b'{"alive": true}', "application/json")
            else:
                self._send(404, b"not found: try /metrics, /health, /health/alive", "text/plain")

        def _send(self, code: int, body: bytes, content_type: str) -> None:
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass  # a probe every few seconds would drown the worker's own log

    return Handler

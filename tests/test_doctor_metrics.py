"""`stormproof doctor --metrics-url`: a real Prometheus endpoint passes, a closed port and
a page that is not Prometheus text fail with their own codes, and the check runs even when
the Temporal stages failed (the two are independent)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from prometheus_client import CollectorRegistry, Counter, start_http_server

from stormproof.doctor.cli import diagnose
from stormproof.doctor.metrics_check import check_metrics
from stormproof.doctor.models import Status
from stormproof.fixtures.ports import LOOPBACK, free_port


@pytest.fixture
def endpoint() -> Iterator[str]:
    """prometheus-client's own exposition server: a real endpoint, with one counter."""
    registry = CollectorRegistry()
    Counter("temporal_activity_execution_failed", "x", registry=registry).inc(3)
    port = free_port()
    server, thread = start_http_server(port, addr=LOOPBACK, registry=registry)
    try:
        yield f"http://{LOOPBACK}:{port}/metrics"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


class _Html(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<html><body>{not metrics}</body></html>"
        self.send_response(200)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


async def test_a_real_endpoint_passes(endpoint: str) -> None:
    result = await check_metrics(endpoint, timeout=2)
    assert result.status is Status.PASS, result
    assert result.code == "metrics_ok" and result.details["temporal_sdk"] is True


async def test_a_closed_port_fails_unreachable() -> None:
    result = await check_metrics(f"http://{LOOPBACK}:{free_port()}/metrics", timeout=1)
    assert result.status is Status.FAIL and result.code == "metrics_unreachable", result
    assert "STORMPROOF_METRICS_ADDRESS" in (result.fix or "")


async def test_a_page_that_is_not_metrics_fails() -> None:
    server = ThreadingHTTPServer((LOOPBACK, 0), _Html)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://{LOOPBACK}:{server.server_address[1]}/"
        result = await check_metrics(url, timeout=2)
    finally:
        server.shutdown()
        server.server_close()
    assert result.status is Status.FAIL and result.code == "metrics_unparsable", result


def test_the_option_is_repeatable_and_independent_of_temporal(endpoint: str) -> None:
    closed = f"http://{LOOPBACK}:{free_port()}/metrics"
    report = diagnose(
        [
            "--address",
            f"{LOOPBACK}:{free_port()}",  # nothing listens: the Temporal stages fail
            "--timeout",
            "0.5",
            "--alternate-port",
            str(free_port()),
            "--metrics-url",
            endpoint,
            "--metrics-url",
            closed,
        ]
    )
    metrics = [c for c in report.checks if c.name == "metrics"]
    assert [c.code for c in metrics] == ["metrics_ok", "metrics_unreachable"], report.checks
    assert report.exit_code == 1

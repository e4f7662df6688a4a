"""The worker's /health tells "polling and making progress" from "process alive".

The canary (reference/health.py) is driven here with stand-in clients, so each verdict is
reached in milliseconds: a canary Temporal accepted but nobody completed, twice, is
`stalled` (503, a liveness probe restarts the pod); Temporal itself unreachable stays 200
(a restart cannot fix it); a completed canary or a finished activity is progress. The
HTTP endpoint is then read for real: /health/alive, /health and the merged /metrics.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from stormproof.fixtures.ports import LOOPBACK, free_port
from stormproof.reference.health import (
    Liveness,
    MetricsAddressError,
    MetricsServer,
    parse_address,
)
from stormproof.reference.observability import WorkerMetrics


class Handle:
    id = "health-canary-test"

    def __init__(self, completes: bool) -> None:
        self.completes = completes

    async def result(self) -> None:
        if not self.completes:
            raise TimeoutError  # as asyncio.wait_for reports a canary nobody ran

    async def describe(self, **_: Any) -> None:
        return None  # Temporal answers


class Client:
    def __init__(self, *, reachable: bool = True, completes: bool = True) -> None:
        self.reachable, self.completes = reachable, completes

    async def start_workflow(self, *_: Any, **__: Any) -> Handle:
        if not self.reachable:
            raise ConnectionError("refused")
        return Handle(self.completes)


@pytest.fixture
def liveness() -> Liveness:
    live = Liveness(WorkerMetrics())
    live.polling = True
    return live


def test_starting_until_polling() -> None:
    code, body = Liveness(WorkerMetrics()).verdict()
    assert (code, body["status"]) == (200, "starting")


async def test_two_missed_canaries_are_stalled(liveness: Liveness) -> None:
    await liveness.ping(Client(completes=False), "q")  # type: ignore[arg-type]
    assert liveness.verdict()[0] == 200  # one miss may be a slow task
    await liveness.ping(Client(completes=False), "q")  # type: ignore[arg-type]
    code, body = liveness.verdict()
    assert (code, body["status"], body["canary_misses"]) == (503, "stalled", 2)
    await liveness.ping(Client(), "q")  # type: ignore[arg-type]
    assert liveness.verdict()[0] == 200 and liveness.last_progress() is not None


async def test_temporal_unreachable_is_not_the_workers_fault(liveness: Liveness) -> None:
    for _ in range(3):
        await liveness.ping(Client(reachable=False), "q")  # type: ignore[arg-type]
    code, body = liveness.verdict()
    assert (code, body["status"]) == (200, "temporal-unreachable")


def test_a_finished_activity_is_progress(liveness: Liveness) -> None:
    liveness.metrics.observe("llm_call", None, None)
    assert liveness.last_progress() is not None
    assert liveness.verdict()[1]["seconds_since_progress"] >= 0


@pytest.mark.parametrize("raw", ["9464", "host:", ":9464", "host:99999", "host:port"])
def test_a_bad_address_names_the_variable(raw: str) -> None:
    with pytest.raises(MetricsAddressError, match="STORMPROOF_METRICS_ADDRESS"):
        parse_address(raw)


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


async def test_the_endpoint(liveness: Liveness) -> None:
    metrics = liveness.metrics
    metrics.observe("send_notification", None, RuntimeError("webhook answered HTTP 503: x"))
    address = f"{LOOPBACK}:{free_port()}"
    # The SDK exporter's port is closed here: /metrics still serves the worker's own.
    server = MetricsServer(address, metrics, liveness, f"http://{LOOPBACK}:{free_port()}/m")
    server.start()
    try:
        assert get(f"http://{address}/health/alive") == (200, b'{"alive": true}')
        code, body = get(f"http://{address}/health")
        assert code == 200 and json.loads(body)["status"] == "ok"
        code, body = get(f"http://{address}/metrics")
        assert code == 200
        assert b'stormproof_notify_deliveries_total{status="503"} 1.0' in body
        await liveness.ping(Client(completes=False), "q")  # type: ignore[arg-type]
        await liveness.ping(Client(completes=False), "q")  # type: ignore[arg-type]
        code, body = get(f"http://{address}/health")
        assert code == 503 and json.loads(body)["status"] == "stalled"
        assert get(f"http://{address}/health/alive")[0] == 200  # alive, but not progressing
    finally:
        server.close()


def test_the_worker_refuses_a_bad_address_with_exit_2(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STORMPROOF_", "TEMPORAL_"))}
    env.update(
        STORMPROOF_TASK_QUEUE="q",
        STORMPROOF_ARTIFACT_DIR=str(tmp_path / "a"),
        STORMPROOF_DATABASE_URL=f"sqlite:///{tmp_path / 'm.db'}",
        TEMPORAL_ADDRESS="127.0.0.1:1",  # never reached: the address is refused first
        STORMPROOF_METRICS_ADDRESS="nonsense",
    )
    done = subprocess.run(
        [sys.executable, "-m", "stormproof.reference.worker"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "STORMPROOF_METRICS_ADDRESS='nonsense' is not host:port; fix:" in done.stderr

"""Issue 14's "done when": the reference worker and API run as processes with metrics on,
a report goes through a 429 from the LLM and a 503 from the webhook, and /metrics shows
exactly those counts, with the SDK's own counters beside ours on the worker's endpoint.

A fresh worker per test, so every counter starts at zero and its value is exact. The
values are read with the judge's parser (stormproof/metrics.py), the one the chaos report
uses, so a renamed metric fails here rather than as an empty column in a report.
"""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from temporalio.client import Client

from stormproof.conformance.judge import Judge
from stormproof.fixtures.endpoints import build_endpoints
from stormproof.fixtures.fake_llm import FakeLlm, RateLimit
from stormproof.fixtures.sink import NotificationSink, SinkStatus
from stormproof.fixtures.temporal import DevServer
from stormproof.fixtures.worker import WorkerProcess
from stormproof.metrics import MetricsSnapshot, fault_deltas, scrape
from stormproof.reconnect.harness import API_ARGV, ApiProcess

pytestmark = pytest.mark.worker_process

WORKER_ARGV = [sys.executable, "-m", "stormproof.reference.worker"]


@pytest.fixture
async def observed_worker(
    dev_server: DevServer, fake_llm: FakeLlm, sink: NotificationSink, tmp_path: Path
) -> AsyncIterator[tuple[WorkerProcess, Judge]]:
    """A reference worker with metrics and JSON logs on, against a dev server of its own
    (the API's readiness asks DescribeTaskQueue, which the time-skipping server lacks)."""
    world = build_endpoints(
        tmp_path / "worker",
        temporal_address=dev_server.address,
        llm_base_url=fake_llm.base_url,
        notify_url=sink.url,
        metrics=True,
        extra_env={"STORMPROOF_LOG_FORMAT": "json"},
    )
    worker = WorkerProcess(WORKER_ARGV, world, log_dir=tmp_path).start()
    client = await Client.connect(dev_server.address)
    judge = Judge(client, fake_llm, sink)
    try:
        await worker.wait_ready(client)
        yield worker, judge
    finally:
        await judge.close()
        worker.stop()


def total(snapshot: MetricsSnapshot, prefix: str, *needles: str) -> float:
    """Sum of the samples whose key starts with `prefix` and contains every needle."""
    return sum(
        v
        for k, v in snapshot.samples.items()
        if k.startswith(prefix) and all(n in k for n in needles)
    )


async def test_worker_and_api_count_a_429_and_a_webhook_503(
    observed_worker: tuple[WorkerProcess, Judge], dev_server: DevServer, tmp_path: Path
) -> None:
    worker, judge = observed_worker
    assert worker.metrics_url and worker.health_url
    api = ApiProcess(API_ARGV, worker.world.environment(worker.task_queue), tmp_path, "api")
    api.start()
    try:
        await api.wait_ready(timeout=30)
        marker, prompt = judge.marked_prompt("Summarise the metrics review.")
        report_id = f"metrics-{marker}"
        judge.fake_llm.script(marker, [RateLimit(retry_after=1)])
        judge.sink.script(report_id, [SinkStatus(code=503)])
        response = await api.http.post(
            "/api/reports", json={"prompt": prompt, "report_id": report_id}
        )
        assert response.status_code == 202, response.text
        workflow_id = response.json()["workflow_id"]
        result = await judge.client.get_workflow_handle(workflow_id).result()
        assert result["status"] == "completed", result

        before_nothing = await scrape(worker.metrics_url)
        assert before_nothing is not None, worker.log()
        w = before_nothing
        assert total(w, "stormproof_llm_calls_total", 'status="429"') == 1
        assert total(w, "stormproof_llm_calls_total", 'status="ok"') == 1
        assert total(w, "stormproof_notify_deliveries_total", 'status="503"') == 1
        assert total(w, "stormproof_notify_deliveries_total", 'status="ok"') == 1
        assert total(w, "stormproof_rows_written_total", 'table="report_metadata"') == 1
        assert w.samples["stormproof_payload_codec_enabled"] == 0
        # The SDK's exporter, on the same endpoint: the two failed attempts it retried.
        failed = "temporal_activity_execution_failed"
        assert total(w, failed, 'activity_type="llm_call"') == 1, sorted(w.samples)[:40]
        assert total(w, failed, 'activity_type="send_notification"') == 1
        assert total(w, "temporal_workflow_completed", 'workflow_type="ReportWorkflow"') == 1
        deltas = fault_deltas(None, w)
        assert deltas["activity_failures"] == 2 and deltas["llm_errors"] == 1
        assert deltas["notify_failures"] == 1

        async with httpx.AsyncClient(timeout=5) as http:
            health = await http.get(worker.health_url)
        assert health.status_code == 200 and health.json()["status"] == "ok", health.text

        server = await scrape(dev_server.metrics_url)
        assert server is not None
        assert fault_deltas(None, server)["server_activity_task_failures"] >= 2

        a = await scrape(f"{api.base_url}/metrics")
        assert a is not None, api.log()
        reports = 'method="POST",route="/api/reports",status="202"'
        assert a.samples[f"stormproof_api_requests_total{{{reports}}}"] == 1
        assert a.samples['stormproof_api_temporal_state{state="ready"}'] == 1
        assert a.samples["stormproof_api_temporal_reconnects_total"] == 0
    finally:
        await api.close()

    # JSON logs: every line the logging module wrote is one object; activity lines name
    # the workflow. (The ready line is a plain print on stdout, by contract.)
    lines = worker.process.log_path.read_text().splitlines()
    entries = [json.loads(line) for line in lines if line.startswith("{")]
    assert entries and all({"time", "level", "logger", "message"} <= e.keys() for e in entries)
    assert any(e.get("workflow_id") == workflow_id for e in entries), lines[-20:]
    assert not any(line.startswith(("INFO ", "WARNING ")) for line in lines)

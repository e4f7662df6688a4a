"""`python -m stormproof.fixtures.serve` runs a fake service on its own, as compose.yaml does.

It must bind the address it is given, answer like the in-process fake (the sink takes a
notification and counts it once), and stop cleanly on SIGTERM, as a container is stopped.
"""

from __future__ import annotations

import sys
from pathlib import Path

import httpx

from stormproof.fixtures.ports import LOOPBACK, free_port
from stormproof.fixtures.processes import ManagedProcess
from stormproof.fixtures.readiness import http_probe, wait_ready
from stormproof.fixtures.sink import SINK_PATH


async def test_the_sink_serves_on_the_given_port_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    argv = [sys.executable, "-m", "stormproof.fixtures.serve", "sink", "--port", str(port)]
    process = ManagedProcess("sink", argv, log_path=tmp_path / "sink.log").start()
    try:
        base = f"http://{LOOPBACK}:{port}"
        # The sink answers any GET with 405 (notifications are POSTed): it is serving.
        await wait_ready(process, http_probe(base + SINK_PATH, status=405), timeout=30)
        body = {"report_id": "r-serve", "status": "approved", "pdf_path": "/x.pdf"}
        async with httpx.AsyncClient(timeout=5) as http:
            answer = await http.post(
                base + SINK_PATH, json=body, headers={"Idempotency-Key": "k-1"}
            )
        assert answer.status_code < 300, answer.text
    finally:
        code = process.stop(grace=10)
    assert code == 0, process.log()
    assert f"serving on 127.0.0.1:{port}" in process.log()

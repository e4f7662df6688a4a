"""reference/supervisor.py: a worker that exits is restarted with the reason logged, a worker
that is alive but makes no progress is restarted on the canary's evidence, and SIGTERM
drains the supervised worker and exits 0."""

from __future__ import annotations

import sys

import pytest

from stormproof.diagnosis import BugClass
from stormproof.reconnect import SUPERVISOR_ARGV, ReconnectWorld
from stormproof.world import ping, wait_for

pytestmark = [
    pytest.mark.bug_class(BugClass.WORKER_EXITED),  # a plain assert here is this class
    pytest.mark.worker_process,
]

CRASHING_CHILD = [
    sys.executable,
    "-c",
    "import sys; print('fatal poll error: namespace gone', flush=True); sys.exit(3)",
]
# Alive, quiet, polling nothing: what "judged by progress" exists to catch.
IDLE_CHILD = [sys.executable, "-c", "import signal; print('idle', flush=True); signal.pause()"]


async def test_supervisor_restarts_an_exiting_worker_with_the_reason(
    reconnect_world: ReconnectWorld,
):
    supervisor = reconnect_world.start_process(
        "supervisor",
        [
            *SUPERVISOR_ARGV,
            "--initial-backoff",
            "0.2",
            "--canary-interval",
            "0",
            "--",
            *CRASHING_CHILD,
        ],
    )
    reason = "exited with code 3; last output: fatal poll error: namespace gone"
    await wait_for(
        lambda: supervisor.log(200).count(reason) >= 3,
        what="three restarts, each logging the exit code and the child's last words",
        timeout=20,
        logs={"supervisor": supervisor.log_path},
    )
    assert "restart 1)" in supervisor.log(200) and "restart 3)" in supervisor.log(200)
    assert supervisor.stop(grace=10) == 0, supervisor.log()


@pytest.mark.local_server
async def test_supervisor_restarts_a_worker_that_makes_no_progress(
    reconnect_world: ReconnectWorld,
):
    await reconnect_world.start_temporal()
    supervisor = reconnect_world.start_process(
        "supervisor",
        [
            *SUPERVISOR_ARGV,
            "--canary-interval",
            "0.5",
            "--canary-timeout",
            "1.5",
            "--initial-backoff",
            "0.2",
            "--",
            *IDLE_CHILD,
        ],
    )
    await wait_for(
        lambda: "no progress: 2 canary PingWorkflows" in supervisor.log(200),
        what="the canary to find the idle worker and restart it",
        timeout=30,
        logs={"supervisor": supervisor.log_path},
    )
    assert supervisor.log(200).count("idle") >= 2 or "restart 1)" in supervisor.log(200)
    assert supervisor.stop(grace=20) == 0, supervisor.log()


@pytest.mark.local_server
async def test_supervised_reference_worker_polls_and_drains_on_sigterm(
    reconnect_world: ReconnectWorld,
):
    world = reconnect_world
    await world.start_temporal()
    supervisor = world.start_process("supervisor", [*SUPERVISOR_ARGV, "--canary-interval", "2"])
    client = await world.client()
    await ping(client, world.task_queue, timeout=30, process=supervisor)
    assert supervisor.stop(grace=20) == 0, supervisor.log()
    assert "restarting worker" not in supervisor.log(200), supervisor.log()

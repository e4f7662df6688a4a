"""The one readiness wait: an exit is reported at once, a probe that never holds times out
naming what was awaited, and a probe that holds returns. Tiny `python -c` children stand in
for the real servers, so the mechanism is proven without starting any of them."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from stormproof.fixtures.errors import ProcessExited, WaitTimeout, describe_exit
from stormproof.fixtures.ports import LOOPBACK, free_port
from stormproof.fixtures.processes import ManagedProcess
from stormproof.fixtures.readiness import (
    Probe,
    http_probe,
    log_probe,
    tcp_probe,
    wait_ready,
    wait_ready_sync,
)

CRASHES = "import sys; print('fatal: address already in use', flush=True); sys.exit(3)"
BOOTS_FOREVER = "import time; print('still booting', flush=True); time.sleep(600)"
LISTENS = (
    "import socket, sys, time\n"
    "s = socket.socket(); s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen()\n"
    "print('listening on', sys.argv[1], flush=True)\n"
    "time.sleep(600)\n"
)
DEADLINE = 60.0


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator:
    started: list[ManagedProcess] = []

    def start(name: str, code: str, *args: str) -> ManagedProcess:
        argv = [sys.executable, "-c", code, *args]
        process = ManagedProcess(name, argv, log_path=tmp_path / f"{name}.log").start()
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop(grace=2)


async def test_an_exit_is_reported_at_once_with_its_code_and_log(spawn, tmp_path: Path):
    crasher = spawn("crasher", CRASHES)
    side_log = tmp_path / "side.log"
    side_log.write_text("a line from the side log\n")
    started = time.monotonic()
    with pytest.raises(ProcessExited) as caught:
        await wait_ready(
            crasher,
            tcp_probe(LOOPBACK, free_port(), what="the crasher to listen"),
            timeout=DEADLINE,
            fix="free the port",
            logs={"side": side_log},
        )
    assert time.monotonic() - started < 10, "the exit, not the deadline, must end the wait"
    error = caught.value
    assert (error.name, error.returncode, error.awaited) == ("crasher", 3, "the crasher to listen")
    message = str(error)
    assert "crasher exited with code 3" in message
    assert "fatal: address already in use" in message  # its own last words
    assert "a line from the side log" in message
    assert "fix: free the port" in message


def test_the_sync_wait_reports_an_exit_at_once_too(spawn):
    crasher = spawn("crasher", CRASHES)
    started = time.monotonic()
    with pytest.raises(ProcessExited, match="address already in use"):
        wait_ready_sync(crasher, Probe("never", lambda: False), timeout=DEADLINE)
    assert time.monotonic() - started < 10


async def test_a_probe_that_never_holds_times_out_naming_what_was_awaited(spawn):
    booter = spawn("booter", BOOTS_FOREVER)
    await wait_ready(booter, log_probe(booter, "still booting"), timeout=10)
    with pytest.raises(WaitTimeout) as caught:
        await wait_ready(booter, Probe("the moon to rise", lambda: False), timeout=0.5)
    message = str(caught.value)
    assert "timed out after 0.5s waiting for the moon to rise" in message
    assert "--- booter (last lines) ---" in message and "still booting" in message
    assert booter.running()


def test_a_failing_probe_times_out_with_its_last_error():
    def refuses() -> bool:
        raise ConnectionRefusedError("nobody home")

    probe = Probe("an external server", refuses, retry_on=(OSError,))
    with pytest.raises(WaitTimeout, match="ConnectionRefusedError: nobody home"):
        wait_ready_sync(None, probe, timeout=0.3)


async def test_probes_that_hold_return(spawn, tmp_path: Path):
    port = free_port()
    listener = spawn("listener", LISTENS, str(port))
    assert await wait_ready(listener, tcp_probe(LOOPBACK, port), timeout=DEADLINE)
    match = wait_ready_sync(listener, log_probe(listener, r"listening on (\d+)"), timeout=DEADLINE)
    assert match is not None and match.group(1) == str(port)
    assert await wait_ready(listener, Probe("a value", lambda: 42), timeout=1) == 42

    web_port = free_port()
    server = ManagedProcess(
        "http",
        [sys.executable, "-m", "http.server", "--bind", LOOPBACK, str(web_port)],
        log_path=tmp_path / "http.log",
        cwd=tmp_path,
    ).start()
    try:
        assert await wait_ready(
            server, http_probe(f"http://{LOOPBACK}:{web_port}/"), timeout=DEADLINE
        )
    finally:
        server.stop(grace=2)


def test_a_log_probe_ignores_the_command_echo_and_earlier_runs(spawn):
    booter = spawn("echoer", BOOTS_FOREVER)
    # The header line of the run echoes the command, which contains "time.sleep".
    with pytest.raises(WaitTimeout):
        wait_ready_sync(booter, log_probe(booter, "time.sleep"), timeout=0.5)
    wait_ready_sync(booter, log_probe(booter, "still booting"), timeout=DEADLINE)
    booter.stop(grace=2)
    booter.argv = [sys.executable, "-c", "import time; time.sleep(600)"]
    booter.start()
    with pytest.raises(WaitTimeout):
        wait_ready_sync(booter, log_probe(booter, "still booting"), timeout=0.5)


def test_a_probe_may_not_retry_on_the_exit_itself():
    with pytest.raises(ValueError, match="would hide an exit"):
        wait_ready_sync(None, Probe("x", lambda: True, retry_on=(Exception,)), timeout=1)


def test_exit_descriptions():
    assert describe_exit(3) == "exited with code 3"
    assert describe_exit(-9) == "was killed by SIGKILL (exit code -9)"
    assert describe_exit(None) == "was never started"

"""Nothing is left behind when pytest is interrupted, terminated or killed.

A pytest subprocess holds a world (PostgreSQL as the `postgres` user, a Temporal dev
server, the SDK's time-skipping server), writes down what it started, and blocks. The test
then signals it the way a terminal (SIGINT, to its group), a supervisor (SIGTERM) or a CI
timeout (SIGKILL) would, and requires, within a deadline, that every one of those processes
is gone and PostgreSQL's data directory with them.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from stormproof.fixtures.errors import WaitTimeout
from stormproof.fixtures.processes import AS_FROM_A_TERMINAL
from stormproof.fixtures.reaper import alive, process_tree, start_time
from stormproof.fixtures.wait import wait_for_sync

HOLD_THE_WORLD = """
import json
import os
import signal
from pathlib import Path

from stormproof.fixtures.reaper import descendants, reaper, start_time


def test_hold_the_world(postgres, dev_server, temporal_env):
    pids = [os.getpid(), *descendants(os.getpid()), *descendants(postgres.pid)]
    pids += [reaper().pid] if reaper().pid else []
    info = {
        "pg_root": str(postgres.root),
        "dev_server_db": str(dev_server.db_file),
        "processes": {str(pid): start_time(pid) for pid in set(pids)},
    }
    partial = Path(os.environ["HOLD_INFO"] + ".partial")
    partial.write_text(json.dumps(info))
    partial.rename(os.environ["HOLD_INFO"])  # atomic: the outside never reads half a file
    signal.pause()  # until the test outside signals us
"""
START_DEADLINE = 90.0
GONE_DEADLINE = 20.0


def leftovers(info: dict[str, object]) -> list[str]:
    """What is still there: live recorded processes, the data directory, and any process
    whose command line names the data directory or the dev server's database."""
    found = [
        f"pid {pid}: {Path(f'/proc/{pid}/cmdline').read_bytes()[:120]!r}"
        for pid, started in info["processes"].items()  # type: ignore[attr-defined]
        if alive(int(pid), started)
    ]
    markers = [str(info["pg_root"]).encode(), str(info["dev_server_db"]).encode()]
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes()
            pid = int(cmdline.parent.name)
        except (OSError, ValueError):
            continue
        if any(m in text for m in markers) and alive(pid, start_time(pid)):
            found.append(f"pid {pid} (by its command line): {text[:120]!r}")
    if Path(str(info["pg_root"])).exists():
        found.append(f"data directory {info['pg_root']}")
    return found


@pytest.mark.parametrize(
    "sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=lambda s: s.name
)
def test_nothing_is_left_after_pytest_is_stopped(tmp_path: Path, sig: signal.Signals) -> None:
    (tmp_path / "test_hold.py").write_text(HOLD_THE_WORLD)
    info_file = tmp_path / "held.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEMPORAL_", "STORMPROOF_"))}
    env["HOLD_INFO"] = str(info_file)
    argv = [*AS_FROM_A_TERMINAL, sys.executable, "-m", "pytest", "-p", "no:cacheprovider"]
    argv += ["-p", "no:xdist"]
    argv += ["-o", "timeout=0", f"--basetemp={tmp_path / 'base'}", "test_hold.py"]
    log = tmp_path / "inner.log"
    with open(log, "wb") as out:
        inner = subprocess.Popen(
            argv,
            cwd=tmp_path,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group, as a terminal or CI job would signal
        )
    try:
        wait_for_sync(
            lambda: info_file.exists() or inner.poll() is not None,
            what="the inner pytest to start its world",
            timeout=START_DEADLINE,
            interval=0.1,
            logs={"inner pytest": log},
        )
        assert info_file.exists(), f"the inner pytest ended early:\n{log.read_text()[-3000:]}"
        info = json.loads(info_file.read_text())
        before = leftovers(info)  # the check sees the world while it stands
        assert f"data directory {info['pg_root']}" in before, before
        assert len(before) > len(info["processes"]), before
        # A terminal's Ctrl-C reaches the whole group; supervisors and CI timeouts signal
        # the pid alone, which spares the children in its group: the harder case.
        if sig == signal.SIGINT:
            os.killpg(inner.pid, sig)
        else:
            os.kill(inner.pid, sig)
        try:
            inner.wait(timeout=60)
        except subprocess.TimeoutExpired:
            pytest.fail(
                f"pytest did not exit within 60 s of {sig.name}; still running:\n"
                f"{process_tree(inner.pid)}\ninner pytest:\n{log.read_text()[-3000:]}",
                pytrace=False,
            )
    finally:
        if inner.poll() is None:
            os.killpg(inner.pid, signal.SIGKILL)
            inner.wait(timeout=10)
    try:
        wait_for_sync(
            lambda: not leftovers(info), what="nothing left", timeout=GONE_DEADLINE, interval=0.2
        )
    except WaitTimeout:
        pytest.fail(
            f"left behind {GONE_DEADLINE:.0f}s after {sig.name} of pytest: {leftovers(info)}\n"
            f"inner pytest:\n{log.read_text()[-2000:]}",
            pytrace=False,
        )


SPAWN_AS_POSTGRES = """
import subprocess, sys
from stormproof.fixtures.pg_install import run_as_prefix, service_user
child = subprocess.Popen([*run_as_prefix(service_user()), "sleep", "300"])
print(child.pid, flush=True)
sys.stdin.read()  # until the test kills us
"""


@pytest.mark.skipif(os.geteuid() != 0, reason="PostgreSQL changes user only when run as root")
def test_the_change_to_the_postgres_user_keeps_a_parent_death_signal() -> None:
    """The kernel clears the parent-death signal when the uid changes; setpriv must set it
    again after the change, or a SIGKILLed pytest orphans PostgreSQL."""
    parent = subprocess.Popen(
        [sys.executable, "-c", SPAWN_AS_POSTGRES],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    started = start_time(child)
    # setpriv arms the signal just before it execs: a parent dying earlier is a race that
    # the reaper covers, not what this test is about.
    cmdline = Path(f"/proc/{child}/cmdline")
    wait_for_sync(lambda: cmdline.read_bytes().startswith(b"sleep"), what="exec", timeout=10)
    assert alive(child, started)
    parent.kill()
    parent.wait(timeout=10)
    try:
        wait_for_sync(lambda: not alive(child, started), what="gone", timeout=10, interval=0.05)
    except WaitTimeout:
        os.kill(child, signal.SIGKILL)
        pytest.fail("the process run as `postgres` outlived its SIGKILLed parent", pytrace=False)

"""Process hygiene: a whole process group dies with its owner, grandchildren included."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from fixtures.processes import ManagedProcess, stop_all
from fixtures.wait import wait_for_sync

# A child that starts a grandchild, prints its pid, and waits forever.
SPAWNER = (
    "import subprocess, sys, time\n"
    "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
    "print(p.pid, flush=True)\n"
    "time.sleep(600)\n"
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except (ProcessLookupError, FileNotFoundError):
        return False
    return state != "Z"


def _grandchild(proc: ManagedProcess) -> int:
    line = wait_for_sync(
        lambda: [ln for ln in proc.log_path.read_text().splitlines() if ln.isdigit()],
        what="the grandchild pid",
        timeout=10,
        retry_on=(FileNotFoundError,),
    )
    return int(line[0])


def test_stop_kills_grandchildren(tmp_path: Path):
    proc = ManagedProcess(
        "spawner", [sys.executable, "-c", SPAWNER], log_path=tmp_path / "spawner.log"
    ).start()
    grandchild = _grandchild(proc)
    proc.stop(grace=2)
    wait_for_sync(lambda: not _alive(grandchild), what="the grandchild to die", timeout=10)


def test_stop_all_reaps_everything_left(tmp_path: Path):
    procs = [
        ManagedProcess(
            f"p{i}", [sys.executable, "-c", SPAWNER], log_path=tmp_path / f"p{i}.log"
        ).start()
        for i in range(2)
    ]
    grandchildren = [_grandchild(p) for p in procs]
    stop_all()
    assert all(not p.running() for p in procs)
    wait_for_sync(
        lambda: not any(_alive(pid) for pid in grandchildren),
        what="all grandchildren to die",
        timeout=10,
    )

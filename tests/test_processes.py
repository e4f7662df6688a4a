"""Process hygiene: a whole process group dies with its owner, grandchildren included."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from stormproof.fixtures.processes import ManagedProcess, stop_all
from stormproof.fixtures.wait import wait_for_sync

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


# A parent that starts a managed grandchild, prints its pid, and waits to be killed.
OWNER = (
    "import sys, time, pathlib\n"
    "from stormproof.fixtures.processes import ManagedProcess\n"
    "p = ManagedProcess('orphan', [sys.executable, '-c', 'import time; time.sleep(600)'],\n"
    "                   log_path=pathlib.Path(sys.argv[1])).start()\n"
    "print(p.pid, flush=True)\n"
    "time.sleep(600)\n"
)


def test_sigkilled_owner_leaves_no_orphan(tmp_path: Path):
    owner = ManagedProcess(
        "owner",
        [sys.executable, "-c", OWNER, str(tmp_path / "orphan.log")],
        log_path=tmp_path / "owner.log",
        cwd=Path(__file__).resolve().parent.parent,
    ).start()
    child = _grandchild(owner)
    # SIGKILL the owner alone (not its group): no handler, no atexit can run.
    os.kill(owner.pid, 9)
    wait_for_sync(lambda: not _alive(child), what="the orphan to die with its owner", timeout=10)
    owner.stop()


def test_sigterm_ends_a_process_whose_loop_swallows_system_exit(tmp_path: Path):
    swallower = (
        "import sys, time\n"
        "from stormproof.fixtures.processes import install_teardown_handlers\n"
        "install_teardown_handlers()\n"
        "print('ready', flush=True)\n"
        "while True:\n"
        "    try:\n"
        "        time.sleep(600)\n"
        "    except SystemExit:\n"
        "        pass  # as execnet's worker loop does\n"
    )
    proc = ManagedProcess(
        "swallower",
        [sys.executable, "-c", swallower],
        log_path=tmp_path / "s.log",
        cwd=Path(__file__).resolve().parent.parent,
    ).start()
    # The exact line: the log's header echoes the command, which contains the word too.
    wait_for_sync(
        lambda: "ready" in proc.log_path.read_text().splitlines(), what="ready", timeout=10
    )
    os.kill(proc.pid, 15)
    wait_for_sync(lambda: not proc.running(), what="SIGTERM to end it", timeout=10)
    assert proc.returncode() == -15

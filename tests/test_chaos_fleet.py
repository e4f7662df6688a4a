"""The fleet's replicas are told apart by the SDK's default worker identity (`<pid>@<host>`):
the pid names the replica whose process, or whose process group (a wrapper's child), has it;
an identity a worker chose itself names none. STORMPROOF_FLEET_SIZE is 2 or more."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from stormproof.chaos.fleet import (
    DEFAULT_FLEET_SIZE,
    FLEET_SIZE_VARIABLE,
    fleet_size,
    identity_pid,
    replica_with,
)
from stormproof.fixtures.processes import ManagedProcess
from stormproof.fixtures.wait import wait_for_sync

# A wrapper that starts the real worker as its child and prints the child's pid.
WRAPPER = (
    "import subprocess, sys, time\n"
    "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
    "print(p.pid, flush=True)\n"
    "time.sleep(600)\n"
)


def replica(tmp_path: Path, name: str, code: str) -> Any:
    """A stand-in for a WorkerProcess: what replica_with reads is its process."""
    argv = [sys.executable, "-c", code]
    return SimpleNamespace(process=ManagedProcess(name, argv, log_path=tmp_path / f"{name}.log"))


def test_identity_pid_reads_the_sdk_default_only() -> None:
    assert identity_pid("4242@worker-7f9c") == 4242
    assert identity_pid("checkout-worker-1") is None
    assert identity_pid("@host") is None


def test_a_replica_is_found_by_its_pid_or_its_group(tmp_path: Path) -> None:
    plain = replica(tmp_path, "plain", "import time; time.sleep(600)")
    wrapped = replica(tmp_path, "wrapped", WRAPPER)
    never = replica(tmp_path, "never", "pass")  # not started: no pid to match
    plain.process.start()
    wrapped.process.start()
    fleet = [never, plain, wrapped]
    try:
        child = wait_for_sync(
            lambda: [
                ln for ln in wrapped.process.log_path.read_text().splitlines() if ln.isdigit()
            ],
            what="the wrapped worker's pid",
            timeout=10,
            retry_on=(FileNotFoundError,),
        )
        assert replica_with(fleet, f"{plain.process.pid}@host") is plain
        assert replica_with(fleet, f"{child[0]}@host") is wrapped  # the wrapper's child
        assert replica_with(fleet, "worker-a@host") is None
        assert replica_with(fleet, f"{2**22 + 7}@host") is None  # no such process
    finally:
        plain.process.kill()
        wrapped.process.kill()


def test_fleet_size_is_two_or_more(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(FLEET_SIZE_VARIABLE, raising=False)
    assert fleet_size() == DEFAULT_FLEET_SIZE
    monkeypatch.setenv(FLEET_SIZE_VARIABLE, "5")
    assert fleet_size() == 5
    for bad in ("1", "three", "-2"):
        monkeypatch.setenv(FLEET_SIZE_VARIABLE, bad)
        with pytest.raises(ValueError, match=FLEET_SIZE_VARIABLE):
            fleet_size()

"""The routing app's no_idempotency twin fails the default chaos run's own row.

The worker SIGKILLed after an agent answered and before Temporal heard of it (fault 10's
service kind) makes a new worker ask the agent again; without an idempotency key the
agent cannot tell, and the recording proxy counts two calls: `duplicate-effect`. Run as a
team runs the default table (stormproof.chaos.run_rows), at a small load; the app itself
passes the row at full size in `make chaos-examples`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from examples.routing.tests.helpers import ADAPTER, twin_argv
from stormproof.chaos import run_rows
from stormproof.diagnosis import BugClass

pytestmark = [pytest.mark.local_server, pytest.mark.worker_process, pytest.mark.timeout(400)]
ROOT = Path(__file__).resolve().parents[3]


def test_the_death_after_an_agent_call_rejects_no_idempotency(tmp_path: Path) -> None:
    run = run_rows(
        "test_f10_effect_then_death",
        "service",
        adapter=ADAPTER,
        worker_cmd=twin_argv("no_idempotency"),
        folder=tmp_path,
        cwd=ROOT,
    )
    assert run.returncode == 1, f"the service row did not fail on no_idempotency:\n{run.output}"
    assert run.failed_as() == {BugClass.DUPLICATE_EFFECT}, (run.tests, run.output)

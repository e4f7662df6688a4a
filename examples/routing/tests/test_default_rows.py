"""The routing app's no_idempotency twin fails a row of the default chaos run.

Its agent call carries no key: the worker SIGKILLed after an agent answered and before
Temporal heard of it (fault 10's service kind) makes a new worker ask again, and the
recording proxy counts two calls: `duplicate-effect`. Run as a team runs the default table
(stormproof.chaos.run_rows), at a small load, by `make chaos-examples`; the app itself
passes the row at full size there. (short_timeout, whose HR units never complete, is
rejected by test_lessons.py: a default row would only say so after its whole finish
timeout, past pytest's.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from examples.routing.tests.helpers import ADAPTER, twin_argv
from stormproof.chaos import run_rows
from stormproof.diagnosis import BugClass

pytestmark = [pytest.mark.local_server, pytest.mark.worker_process, pytest.mark.timeout(400)]
ROOT = Path(__file__).resolve().parents[3]
ROWS = [
    pytest.param(
        "no_idempotency",
        "test_f10_effect_then_death",
        "effect_then_worker_death",
        BugClass.DUPLICATE_EFFECT,
        id="no_idempotency",
    ),
]


@pytest.mark.parametrize(("twin", "module", "row", "bug"), ROWS)
def test_the_default_row_rejects_the_twin(
    tmp_path: Path, twin: str, module: str, row: str, bug: BugClass
) -> None:
    worker = twin_argv(twin)
    run = run_rows(module, row, adapter=ADAPTER, worker_cmd=worker, folder=tmp_path, cwd=ROOT)
    assert run.returncode == 1, f"the {row} row did not fail on {twin}:\n{run.output}"
    assert run.failed_as() == {bug}, (run.tests, run.output)

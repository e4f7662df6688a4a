"""Each hello-world twin fails the default chaos run, on the row that exposes its bug.

The twin is judged exactly as a team's worker is: `pytest --pyargs stormproof.suites.chaos`
with the app's adapter and the twin's command (`--worker-cmd`), on that one row of the
default table, at a small load so it fits `make test` (stormproof.chaos.run_rows). The row
must fail, and the run's JSON report must name the twin's bug class. The app itself
passes every row at full size in `make chaos-examples`.

- key_per_attempt, whose idempotency key carries the attempt number: the outage after the
  notification landed (fault 3) makes Temporal retry the POST under a new key:
  `duplicate-effect`.
- sdk_retries, whose openai client retries under Temporal's: the LLM 429/5xx storm (fault
  6) sees more calls than attempts: `wasted-llm-call`.
- memory_dedup, whose "already sent" lives in the process: the worker SIGKILLed after the
  POST landed (fault 10) leaves a new process that sends it again: `duplicate-effect`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from examples.hello_world.tests.helpers import ADAPTER
from stormproof.chaos import run_rows
from stormproof.diagnosis import BugClass

pytestmark = [pytest.mark.local_server, pytest.mark.worker_process, pytest.mark.timeout(400)]
ROOT = Path(__file__).resolve().parents[3]
ROWS = [
    pytest.param(
        "key_per_attempt",
        "test_f3_effect_then_outage",
        "notification",
        BugClass.DUPLICATE_EFFECT,
        id="key_per_attempt",
    ),
    pytest.param(
        "sdk_retries", "test_f6_llm_faults", "http_storm", BugClass.WASTED_LLM_CALL, id="sdk"
    ),
    pytest.param(
        "memory_dedup",
        "test_f10_effect_then_death",
        "effect_then_worker_death",
        BugClass.DUPLICATE_EFFECT,
        id="memory_dedup",
    ),
]


@pytest.mark.parametrize(("twin", "module", "row", "bug"), ROWS)
def test_the_default_row_rejects_the_twin(
    tmp_path: Path, twin: str, module: str, row: str, bug: BugClass
) -> None:
    worker = [sys.executable, "-m", f"examples.hello_world.broken.{twin}"]
    run = run_rows(module, row, adapter=ADAPTER, worker_cmd=worker, folder=tmp_path, cwd=ROOT)
    assert run.returncode == 1, f"the {row} row did not fail on {twin}:\n{run.output}"
    assert run.failed_as() == {bug}, (run.tests, run.output)

"""Each worker twin of the support-triage app fails a row of the default chaos run.

The twin is judged exactly as a team's worker is: `pytest --pyargs stormproof.suites.chaos`
with the app's adapter and the twin's command (`--worker-cmd`), on the one row of the
default table that exposes its bug, at a small load (stormproof.chaos.run_rows). The row
must fail, and the run's JSON report must name the twin's bug class. Chaos runs, so
`make chaos-examples` runs this, not `make test`; the app itself passes every row at full
size there.

- no_ticket_key, whose ticket row gets a fresh key per insert: the worker SIGKILLed after
  the row was committed and before Temporal heard of it (fault 10's row death) makes a new
  worker file the ticket again: `duplicate-effect`.
- sdk_retries, whose OpenAI client retries under Temporal's: the LLM 429/5xx storm (fault
  6) sees more requests than Temporal ran attempts of the model-request activities:
  `wasted-llm-call`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from examples.agents_pydantic.tests.helpers import ADAPTER, twin_argv
from stormproof.chaos import run_rows
from stormproof.diagnosis import BugClass

pytestmark = [pytest.mark.local_server, pytest.mark.worker_process, pytest.mark.timeout(400)]
ROOT = Path(__file__).resolve().parents[3]
ROWS = [
    pytest.param(
        "no_ticket_key",
        "test_f10_effect_then_death",
        "effect_then_worker_death",
        BugClass.DUPLICATE_EFFECT,
        id="no_ticket_key",
    ),
    pytest.param(
        "sdk_retries",
        "test_f6_llm_faults",
        "http_storm",
        BugClass.WASTED_LLM_CALL,
        id="sdk_retries",
    ),
]


@pytest.mark.parametrize(("twin", "module", "row", "bug"), ROWS)
def test_the_default_row_rejects_the_twin(
    tmp_path: Path, twin: str, module: str, row: str, bug: BugClass
) -> None:
    run = run_rows(
        module, row, adapter=ADAPTER, worker_cmd=twin_argv(twin), folder=tmp_path, cwd=ROOT
    )
    assert run.returncode == 1, f"the {row} row did not fail on {twin}:\n{run.output}"
    assert run.failed_as() == {bug}, (run.tests, run.output)

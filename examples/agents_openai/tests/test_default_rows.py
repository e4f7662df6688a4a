"""Each of the support app's twins that a chaos fault exposes fails the default chaos run,
on the row that exposes its bug.

The twin is judged exactly as a team's worker is: `pytest --pyargs stormproof.suites.chaos`
with the app's adapter and the twin's command (`--worker-cmd`), on that one row of the
default table, at a small load (stormproof.chaos.run_rows). The row must fail, and the
run's JSON report must name the twin's bug class. The app itself passes every row at full
size in `make chaos-examples`, which runs this file too (`make test` leaves it out).

- new_key_per_attempt, whose ticket key is a fresh uuid4 per attempt: the worker SIGKILLed
  after the ticket landed and before Temporal heard of it (fault 10) leaves a new process
  whose retry files it under another key: `duplicate-effect`.
- sdk_retries, whose model client retries under Temporal's: the LLM 429/5xx storm (fault
  6) sees more model calls than Temporal ran `invoke_model_activity`: `wasted-llm-call`.
- unbounded_session, whose session never continues as new: fault 13's Temporal SIGKILL
  row (`-m updates`) finds sessions that stayed in one run although the unit says it
  continues as new (two messages a run, its input's bound). Temporal never suggested it in
  four messages, so the row cannot tell a worker that ignores its bound from an adapter
  that declares one the worker lacks: `fault-missed`, the row crossed no run. (Its
  `lost-workflow`, the server terminating the session at its history limit, is
  test_session.py's, on a server whose limits are low.)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from examples.agents_openai.tests.helpers import ADAPTER, twin_argv
from stormproof.chaos import RowsRun, run_rows
from stormproof.diagnosis import BugClass

pytestmark = [pytest.mark.local_server, pytest.mark.worker_process, pytest.mark.timeout(400)]
ROOT = Path(__file__).resolve().parents[3]
ROWS = [
    pytest.param(
        "new_key_per_attempt",
        "test_f10_effect_then_death",
        "effect_then_worker_death",
        BugClass.DUPLICATE_EFFECT,
        None,
        id="new_key_per_attempt",
    ),
    pytest.param(
        "sdk_retries",
        "test_f6_llm_faults",
        "http_storm",
        BugClass.WASTED_LLM_CALL,
        None,
        id="sdk_retries",
    ),
    pytest.param(
        "unbounded_session",
        "test_f13_updates",
        "test_updates_through_temporal_sigkill",
        BugClass.FAULT_MISSED,
        "updates",
        id="unbounded_session",
    ),
]


def _sessions(run: RowsRun) -> dict[str, int]:
    """The Update verdict's counts of the run's test (its updates.json), if it wrote one."""
    for test in run.tests:
        found = Path(test["history_source"]).parent / "updates.json"
        if found.is_file():
            return json.loads(found.read_text())["counts"]
    return {}


@pytest.mark.parametrize(("twin", "module", "row", "bug", "marks"), ROWS)
def test_the_default_row_rejects_the_twin(
    tmp_path: Path, twin: str, module: str, row: str, bug: BugClass, marks: str | None
) -> None:
    worker = twin_argv(twin)
    run = run_rows(
        module, row, adapter=ADAPTER, worker_cmd=worker, folder=tmp_path, cwd=ROOT, marks=marks
    )
    assert run.returncode == 1, f"the {row} row did not fail on {twin}:\n{run.output}"
    assert run.failed_as() == {bug}, (run.tests, run.output)
    if twin == "unbounded_session":  # failed by the continue-as-new check, not another
        counts = _sessions(run)
        assert counts.get("sessions_continued") == 0 < counts["sessions_in_one_run"], counts

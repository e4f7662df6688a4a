"""The support-triage app's replay guard, like the routing example's: its committed histories
(examples/agents_pydantic/histories/) replay against the current workflow code, a recording
made now through the adapter has their shape (events, activities, timeouts, retry policies;
tests/helpers.py says why not their payloads' bytes), and a change that would break
cases in flight (the tool_in_workflow twin) is rejected as `non-determinism`.

Re-record after an intended change: `AGENTS_PYDANTIC_RECORD_HISTORIES=1 pytest
examples/agents_pydantic/tests/test_replay.py`, then review and commit the diff.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from examples.agents_pydantic.tests.helpers import (
    HISTORIES,
    RECORD,
    WORKFLOWS,
    scrubbed,
    shape,
)
from stormproof.chaos import ChaosRun, Planned, assert_all_completed
from stormproof.diagnosis import BugClass, expect, rejected_as
from stormproof.replay import (
    ReplaySettings,
    drift_report,
    load,
    load_workflows,
    make_replayer,
    read_committed,
    relative,
    replay_file,
    require_replayed,
    write,
)

ROOT = HISTORIES.parents[2]
TWIN = "examples.agents_pydantic.broken.tool_in_workflow:WORKFLOWS"
# What the app's workers run with: Pydantic AI's payload converter and sandbox passthroughs.
SETTINGS = ReplaySettings(plugins=("pydantic_ai.durable_exec.temporal:PydanticAIPlugin",))


def _name(item: Planned) -> str:
    return f"{item.workflow_type}/{item.kind}.json"


@pytest.mark.chaos(fault="record-histories")
@pytest.mark.local_server
@pytest.mark.worker_process
async def test_recorded_history_matches_committed(chaos: ChaosRun) -> None:
    await chaos.start_worker()
    items = await chaos.workload.start_many(["support_case"])
    await assert_all_completed(chaos, await chaos.finish(timeout=60))
    fresh: dict[str, dict[str, Any]] = {}
    for item in items:
        history = await chaos.world.client.get_workflow_handle(item.workflow_id).fetch_history()
        fresh[_name(item)] = scrubbed(history.to_json_dict(), item.marker, chaos.tag)
    if os.environ.get(RECORD):
        for name, history in fresh.items():
            write(HISTORIES / name, history)
    committed = {name: shape(read_committed(HISTORIES / name)) for name in fresh}
    report = drift_report(committed, {name: shape(h) for name, h in fresh.items()})
    expect(not report, BugClass.NON_DETERMINISM, f"{report}")


def _committed() -> list[Path]:
    return sorted(HISTORIES.rglob("*.json"))


def test_every_branch_has_a_committed_history() -> None:
    names = {str(p.relative_to(HISTORIES)) for p in _committed()}
    expected = {"SupportCaseWorkflow/support_case.json", "SupportCaseWorkflow/expired.json"}
    assert names == expected, f"record with {RECORD}=1 and commit {HISTORIES}"


@pytest.mark.parametrize("path", _committed(), ids=lambda p: str(p.relative_to(HISTORIES)))
async def test_committed_history_replays(path: Path) -> None:
    replayer = make_replayer(load_workflows(WORKFLOWS), SETTINGS)
    require_replayed([await replay_file(replayer, load(path), relative(path, [ROOT]), "committed")])


@pytest.mark.negative_control
async def test_negative_control_tool_in_workflow_is_non_deterministic() -> None:
    replayer = make_replayer(load_workflows(TWIN), SETTINGS)
    path = HISTORIES / "SupportCaseWorkflow" / "support_case.json"
    outcome = await replay_file(replayer, load(path), relative(path, [ROOT]), "committed")
    with rejected_as(BugClass.NON_DETERMINISM):
        require_replayed([outcome])

"""The routing app's replay guard, like the reference's (suites/replay): its committed
histories (examples/routing/histories/) replay against the current workflow code, a
recording made now through the adapter equals them after scrubbing, and a change that
would break runs in flight (the skips_render twin) is rejected as `non-determinism`.

Re-record after an intended change: `ROUTING_RECORD_HISTORIES=1 pytest
examples/routing/tests/test_replay.py`, then review and commit the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from examples.routing.tests.helpers import WORKFLOWS
from stormproof.chaos import ChaosRun, Planned, assert_all_completed
from stormproof.diagnosis import BugClass, expect, rejected_as
from stormproof.replay import (
    HEADLINE,
    drift_report,
    load,
    load_workflows,
    make_replayer,
    read_committed,
    relative,
    replay_file,
    scrub,
    write,
)
from stormproof.world import reply_for

HISTORIES = Path(__file__).resolve().parent.parent / "histories"
ROOT = HISTORIES.parents[2]
UNITS = ("simple", "routing", "routing_hr")
RECORD = "ROUTING_RECORD_HISTORIES"
TWIN = "examples.routing.broken.skips_render:WORKFLOWS"


def _name(item: Planned) -> str:
    return f"{item.workflow_type}/{item.kind}.json"


def _placeholders(item: Planned, tag: str) -> dict[str, str]:
    """What differs between two recordings of the same code: the run's tag (in ids and the
    queue), the question with its marker, and the fake LLM's reply to it."""
    return {item.prompt: "<question>", reply_for(item.prompt): "<reply>", tag: "<tag>"}


@pytest.mark.chaos(fault="record-histories")
@pytest.mark.local_server
@pytest.mark.worker_process
async def test_recorded_histories_match_committed(chaos: ChaosRun) -> None:
    await chaos.start_worker()
    items = await chaos.workload.start_many(list(UNITS))
    await assert_all_completed(chaos, await chaos.finish(timeout=60))
    fresh: dict[str, dict[str, Any]] = {}
    for item in items:
        history = await chaos.world.client.get_workflow_handle(item.workflow_id).fetch_history()
        scrubbed = scrub(history.to_json_dict(), _placeholders(item, chaos.tag))
        # scrub() keeps a sticky queue's normalName, which carries this run's queue name.
        fresh[_name(item)] = json.loads(json.dumps(scrubbed).replace(chaos.tag, "<tag>"))
    if os.environ.get(RECORD):
        for name, history in fresh.items():
            write(HISTORIES / name, history)
    committed = {name: read_committed(HISTORIES / name) for name in fresh}
    report = drift_report(committed, fresh)
    expect(not report, BugClass.NON_DETERMINISM, f"{report}")


def test_the_guard_sees_a_changed_timeout() -> None:
    """The comparison can fail: a committed history with one activity timeout changed."""
    name = "RoutingWorkflow/routing.json"
    history = read_committed(HISTORIES / name)
    assert history is not None, f"no committed {name}: record with {RECORD}=1"
    changed = dict(history, events=[dict(e) for e in history["events"]])
    for event in changed["events"]:
        attrs = event.get("activityTaskScheduledEventAttributes")
        if attrs:
            event["activityTaskScheduledEventAttributes"] = dict(attrs, startToCloseTimeout="45s")
            break
    report = drift_report({name: history}, {name: changed})
    assert report.startswith(HEADLINE) and "45s" in report, report


def _committed() -> list[Path]:
    return sorted(HISTORIES.rglob("*.json"))


def test_every_unit_has_a_committed_history() -> None:
    names = {str(p.relative_to(HISTORIES)) for p in _committed()}
    expected = {"SimpleWorkflow/simple.json", *(f"RoutingWorkflow/{u}.json" for u in UNITS[1:])}
    assert names == expected, f"record with {RECORD}=1 and commit {HISTORIES}"


@pytest.mark.parametrize("path", _committed(), ids=lambda p: str(p.relative_to(HISTORIES)))
async def test_committed_history_replays(path: Path) -> None:
    replayer = make_replayer(load_workflows(WORKFLOWS))
    outcome = await replay_file(replayer, load(path), relative(path, [ROOT]), "committed")
    expect(outcome.ok, BugClass.NON_DETERMINISM, outcome.message)


@pytest.mark.negative_control
async def test_negative_control_skips_render_is_non_deterministic() -> None:
    replayer = make_replayer(load_workflows(TWIN))
    path = HISTORIES / "RoutingWorkflow" / "routing.json"
    outcome = await replay_file(replayer, load(path), relative(path, [ROOT]), "committed")
    with rejected_as(BugClass.NON_DETERMINISM):
        expect(outcome.ok, BugClass.NON_DETERMINISM, outcome.message)

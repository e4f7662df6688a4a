"""Proof the replay check has teeth: deliberately non-deterministic edits are caught.

Each workflow twin (`stormproof.reference.broken:NAME`, loaded from that string) is
replayed against every committed history of the contract's report workflow (its type
named by the reference adapter, stormproof/adapter/reference.py). A twin must fail on exactly the
histories whose path runs the edited code, and the failure must name the file and what
diverged. A timer-duration change is the exception the SDK does not detect at replay;
test_guard.py shows the guard catches it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from stormproof.adapter import CONTRACT
from stormproof.diagnosis import BugClass, rejected_as
from stormproof.replay import (
    HISTORIES_DIR,
    SCENARIOS,
    ReplayOutcome,
    load,
    load_workflows,
    make_replayer,
    relative,
    replay_file,
    require_replayed,
)
from stormproof.world import PATCHED_SPEC, broken_spec

ROOT = HISTORIES_DIR.parent.parent.parent
REPORT = CONTRACT.unit("report").workflow_type
REPORTS = [s for s in SCENARIOS if s.workflow == REPORT]
COMPLETES = {
    "happy_path",
    "llm_retries",
    "notification_retry",
    "approval_approved",
    "approval_by_update",
}
APPROVAL = {"approval_approved", "approval_rejected", "approval_timed_out", "approval_by_update"}
ALL = {s.name for s in REPORTS}

# twin -> (histories it must fail on, a fragment of the SDK's reason it must quote)
EXPECTED: dict[str, tuple[set[str], str]] = {
    "activities_reordered": (
        COMPLETES,
        "Activity type of scheduled event 'store_report_metadata' does not match activity "
        "type of activity command 'send_notification'",
    ),
    "activity_removed": (COMPLETES, "Complete workflow machine does not handle this event"),
    "datetime_now": (ALL, "Cannot access datetime.datetime.now.__call__ from inside a workflow"),
    "random": (ALL, "Cannot access random.random.__call__ from inside a workflow"),
    "datetime_now_outside_sandbox": (
        APPROVAL,
        "Activity machine does not handle this event: HistoryEvent(id: 17, TimerStarted)",
    ),
}


async def _replay_outcomes(spec: str) -> dict[str, ReplayOutcome]:
    """Scenario name -> verdict for every report history, replayed against the workflow
    class `spec` (module:attr) names."""
    replayer = make_replayer(load_workflows(spec))
    outcomes = {}
    for scenario in REPORTS:
        path = scenario.path()
        outcome = await replay_file(replayer, load(path), relative(path, [ROOT]), "committed")
        outcomes[scenario.name] = outcome
    return outcomes


async def _replay_reports(spec: str) -> dict[str, str]:
    """Scenario name -> failure message ("" when it replayed) for every report history."""
    outcomes = await _replay_outcomes(spec)
    return {name: "" if o.ok else o.message for name, o in outcomes.items()}


@pytest.mark.negative_control
@pytest.mark.parametrize("variant", sorted(EXPECTED))
async def test_non_deterministic_variant_is_caught(variant: str) -> None:
    must_fail, reason = EXPECTED[variant]
    verdicts = await _replay_outcomes(broken_spec(variant))
    with rejected_as(BugClass.NON_DETERMINISM):  # what the replay suites fail it as
        require_replayed(list(verdicts.values()))
    outcomes = {name: "" if o.ok else o.message for name, o in verdicts.items()}
    failed = {name for name, message in outcomes.items() if message}
    assert failed == must_fail, (
        f"{variant}: expected replay to fail on {sorted(must_fail)}, it failed on {sorted(failed)}"
    )
    for name in must_fail:
        message = outcomes[name]
        assert f"{REPORT}/{name}.json" in message, f"failure does not name the file:\n{message}"
        assert reason in message, f"failure does not say what diverged:\n{message}"


async def test_activity_removed_names_the_missing_command() -> None:
    """The core's reason only gives an event id; the message must say what was there."""
    outcomes = await _replay_reports(broken_spec("activity_removed"))
    assert "the history has event 23: activity send_notification there" in outcomes["happy_path"]


@pytest.mark.negative_control
async def test_timer_duration_change_is_not_caught_by_replay_alone() -> None:
    """Documents the SDK's blind spot the guard exists for (see test_guard.py)."""
    outcomes = await _replay_reports(broken_spec("timer_duration_changed"))
    assert not any(outcomes.values()), outcomes


async def test_patched_change_replays_every_old_history() -> None:
    """The same reorder behind workflow.patched replays all v1 histories."""
    outcomes = await _replay_reports(PATCHED_SPEC)
    assert not any(outcomes.values()), "\n\n".join(m for m in outcomes.values() if m)


def test_twins_named_here_are_workflow_classes() -> None:
    """Every twin named here is a workflow class. That every workflow twin is named here is
    checked from the registry's side (tests/test_broken_twins.py)."""
    for name in [*EXPECTED, "timer_duration_changed"]:
        assert load_workflows(broken_spec(name)), name


def test_histories_exist_for_every_report_path() -> None:
    assert all(Path(s.path()).is_file() for s in REPORTS)

"""The guard: histories recorded by the current code equal the committed ones.

Replay proves old histories still fit the code; it cannot see changes the SDK does not
check at replay (a timer's duration, an activity's timeout or retry policy). Recording
every scenario again and comparing the scrubbed result with the committed file catches
those too, with a diff. Three worlds are recorded concurrently on their own dev servers:
the reference, the patched v2 (for a new-style history) and a changed timer.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import WorkflowHistory

from stormproof.adapter import CONTRACT
from stormproof.diagnosis import BugClass, expect, rejected_as
from stormproof.replay import (
    HEADLINE,
    HISTORIES_DIR,
    SCENARIOS,
    by_key,
    drift_report,
    history_diff,
    load_workflows,
    make_replayer,
    payload_texts,
    read_committed,
    record_scrubbed,
    relative,
    replay_history,
)
from stormproof.world import PATCHED_SPEC, broken_spec

pytestmark = pytest.mark.local_server

ROOT = HISTORIES_DIR.parent.parent.parent
REPORT = CONTRACT.unit("report").workflow_type  # named by the contract's adapter only
HAPPY = by_key(f"{REPORT}/happy_path")
TIMED_OUT = by_key(f"{REPORT}/approval_timed_out")
Recorded = dict[str, dict[str, Any]]
# The patch id the patched v2 (PATCHED_SPEC) must record; stated here, not imported, so a
# renamed patch fails this suite instead of silently moving with the code.
PATCH_ID = "notify-before-store"


@pytest.fixture(scope="session")
async def fresh(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Recorded]:
    """Every world recorded now, concurrently: the suite's slowest part stays ~10 s."""
    base = tmp_path_factory.mktemp("replay-guard")
    reference, v2, timer = await asyncio.gather(
        record_scrubbed(SCENARIOS, base / "reference"),
        record_scrubbed([HAPPY], base / "v2", PATCHED_SPEC),
        record_scrubbed([TIMED_OUT], base / "timer", broken_spec("timer_duration_changed")),
    )
    return {"reference": reference, "v2": v2, "timer": timer}


def _name(path: Path) -> str:
    return relative(path, [ROOT])


def guard(committed: dict[str, Any], now: Recorded) -> None:
    """The re-record guard: histories recorded now equal the committed ones. A change that
    replay cannot see (a timer's duration, an activity's timeout) still changes what new
    runs record and what old runs replay into: `non-determinism`, with the diff."""
    report = drift_report(committed, now)
    expect(not report, BugClass.NON_DETERMINISM, report)


def test_recorded_histories_match_committed(fresh: dict[str, Recorded]) -> None:
    committed = {_name(s.path()): read_committed(s.path()) for s in SCENARIOS}
    guard(committed, {_name(s.path()): fresh["reference"][s.key] for s in SCENARIOS})


def test_guard_catches_a_timer_duration_change(fresh: dict[str, Recorded]) -> None:
    """The change replay misses: the diff must show the timer and the headline."""
    name = _name(TIMED_OUT.path())
    with rejected_as(BugClass.NON_DETERMINISM) as caught:
        guard({name: read_committed(TIMED_OUT.path())}, {name: fresh["timer"][TIMED_OUT.key]})
    report = caught.value.evidence
    assert report.startswith(HEADLINE), report
    lines = [line.replace(" ", "") for line in report.splitlines()]
    assert '-"startToFireTimeout":"2s",' in lines, report
    assert '+"startToFireTimeout":"4s",' in lines, report


async def test_patched_v2_history_replays_and_differs_from_v1(fresh: dict[str, Recorded]) -> None:
    """A history recorded by v2 carries the patch marker, v2's order, and replays on v2."""
    v2_history = fresh["v2"][HAPPY.key]
    assert history_diff("v2", read_committed(HAPPY.path()) or {}, v2_history), "v2 changed nothing"
    history = WorkflowHistory.from_json("replay-report-v2", v2_history)
    outcome = await replay_history(
        make_replayer(load_workflows(PATCHED_SPEC)),
        f"{REPORT} v2 happy_path",
        history,
        "committed",
    )
    assert outcome.ok, outcome.message
    events = v2_history["events"]
    markers = [e for e in events if e["eventType"] == "EVENT_TYPE_MARKER_RECORDED"]
    patches = [text for m in markers for text in payload_texts(m)]
    assert any(PATCH_ID in text for text in patches), f"no {PATCH_ID!r} patch marker: {patches}"
    scheduled = [
        e["activityTaskScheduledEventAttributes"]["activityType"]["name"]
        for e in events
        if e["eventType"] == "EVENT_TYPE_ACTIVITY_TASK_SCHEDULED"
    ]
    assert scheduled == ["llm_call", "create_pdf", "send_notification", "store_report_metadata"]

"""The registry's workflow twins: ReportWorkflow edited so that it no longer replays the
histories it wrote (workflows.py), each with the replay check that must catch it. Kept
apart from registry.py only for length; registry.REGISTRY lists them with the others."""

from __future__ import annotations

from stormproof.reference.broken.twin import Twin
from stormproof.reference.broken.twin import workflow_twin as _workflow

_REPLAY = "suites/replay/test_nondeterminism.py: replay fails"

REPLAY_TWINS: tuple[Twin, ...] = (
    _workflow(
        "activities_reordered",
        "NotifiesBeforeStoring",
        "the webhook is sent before the row is stored",
        f"{_REPLAY} on completing histories: 'Activity type of scheduled event ... does not match'"
        "; suites/chaos/rolling/test_rolling_deploy.py: shipped unpatched as v2 of a rolling "
        "deploy, the runs in flight fail a workflow task on v2 as non-deterministic",
    ),
    _workflow(
        "activity_removed",
        "SkipsNotification",
        "the send_notification step is gone",
        f"{_REPLAY} on completing histories: 'Complete workflow machine does not handle this "
        "event'",
    ),
    _workflow(
        "datetime_now",
        "ReadsWallClock",
        "datetime.now() in workflow code",
        f"{_REPLAY} on every history: 'Cannot access datetime.datetime.now.__call__ from "
        "inside a workflow'",
    ),
    _workflow(
        "random",
        "RollsDice",
        "random.random() in workflow code",
        f"{_REPLAY} on every history: 'Cannot access random.random.__call__ from inside a "
        "workflow'",
    ),
    _workflow(
        "datetime_now_outside_sandbox",
        "WallClockOutsideSandbox",
        "datetime.now() smuggled past the sandbox decides whether approval is needed",
        f"{_REPLAY} on approval histories: 'Activity machine does not handle this event: "
        "HistoryEvent(id: 17, TimerStarted)'",
    ),
    _workflow(
        "timer_duration_changed",
        "LongerApprovalTimer",
        "the approval timer's duration doubled (replay alone cannot see it)",
        "suites/replay/test_guard.py: the drift report shows startToFireTimeout '2s' -> '4s'",
    ),
)

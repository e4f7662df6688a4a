"""Every workflow of a run completed, or a finding naming what each open one waits on.

A workflow still open at the end is a finding, and the evidence a reader needs is why: each
pending activity, its attempt and its last failure as Temporal reports them (a client's
read timeout, a refused connection), not only the count. When every open workflow waits on
an attempt that a worker SIGKILLed during the run was running (started before the kill,
still "started" for Temporal: no heartbeat timeout noticed the death), the work is not
lost but stalled: `stalled-after-worker-death`, the class that names the fix.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from temporalio.api.enums.v1 import PendingActivityState
from temporalio.client import Client
from temporalio.service import RPCError

from stormproof.chaos.nemesis import WorkerCrash
from stormproof.checker import CheckResult
from stormproof.diagnosis import BugClass, Finding

if TYPE_CHECKING:
    from stormproof.chaos.run import ChaosRun


async def stuck_at(client: Client, workflow_id: str) -> str:
    """Why an open workflow is not done: each pending activity, its attempt, its last failure."""
    try:
        described = await client.get_workflow_handle(workflow_id).describe()
    except RPCError as exc:
        return f"{workflow_id}: cannot describe ({exc})"
    pending = described.raw_description.pending_activities
    if not pending:
        return f"{workflow_id}: open with no pending activity"
    parts = []
    for activity in pending:
        failure = activity.last_failure if activity.HasField("last_failure") else None
        if failure is None:
            parts.append(f"{workflow_id}: {activity.activity_type.name} not failed yet")
            continue
        info = failure.application_failure_info
        kind = info.type if failure.HasField("application_failure_info") else "failure"
        parts.append(
            f"{workflow_id}: {activity.activity_type.name} attempt {activity.attempt} "
            f"last failed with {kind}: {failure.message or '(no message)'}"
        )
    return "; ".join(parts)


async def held_by_the_dead(chaos: ChaosRun, workflow_id: str) -> str | None:
    """The attempt of `workflow_id` a killed worker was running that Temporal still counts
    as started, or None (no such attempt, or no worker was killed)."""
    kills = sorted(n.at for n in chaos.nemeses if isinstance(n, WorkerCrash) and n.at)
    if not kills:
        return None
    try:
        described = await chaos.world.client.get_workflow_handle(workflow_id).describe()
    except RPCError:
        return None
    for activity in described.raw_description.pending_activities:
        if activity.state != PendingActivityState.PENDING_ACTIVITY_STATE_STARTED:
            continue
        started = activity.last_started_time.ToDatetime(tzinfo=UTC)
        after = [k for k in kills if k > started]
        if after:
            return (
                f"{workflow_id}: {activity.activity_type.name} attempt {activity.attempt} "
                f"started {started:%H:%M:%S} on {activity.last_worker_identity or 'a worker'}, "
                f"SIGKILLed at {after[0]:%H:%M:%S}; at {datetime.now(UTC):%H:%M:%S} Temporal "
                "still waits for it (declare a heartbeat timeout, or a shorter start_to_close)"
            )
    return None


async def assert_all_completed(chaos: ChaosRun, result: CheckResult) -> None:
    """Every workflow completed, or `lost-workflow` naming what each open one is stuck on
    (`stalled-after-worker-death` when all wait on a dead worker's attempt); then exactly
    once (the checker's verdict)."""
    open_ = [w.workflow_id for w in result.per_workflow if w.outcome == "open"]
    if open_:
        stalls = [await held_by_the_dead(chaos, wid) for wid in open_]
        if all(stalls):
            raise Finding(
                BugClass.STALLED_AFTER_WORKER_DEATH,
                f"{len(open_)} of {result.workflows} still wait on a dead worker's attempt: "
                + "; ".join(s for s in stalls if s),
            )
        reasons = [await stuck_at(chaos.world.client, wid) for wid in open_]
        raise Finding(
            BugClass.LOST_WORKFLOW,
            f"{len(open_)} of {result.workflows} never completed: " + "; ".join(reasons),
        )
    chaos.assert_exactly_once(result)
    if result.completed != result.workflows:
        raise Finding(BugClass.LOST_WORKFLOW, result.summary())

"""Every workflow of a run completed, or `lost-workflow` naming what each open one waits on.

A workflow still open at the end is a finding, and the evidence a reader needs is why: each
pending activity, its attempt and its last failure as Temporal reports them (a client's
read timeout, a refused connection), not only the count.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from temporalio.client import Client
from temporalio.service import RPCError

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


async def assert_all_completed(chaos: ChaosRun, result: CheckResult) -> None:
    """Every workflow completed, or `lost-workflow` naming what each open one is stuck on;
    then exactly once (the checker's verdict)."""
    open_ = [w.workflow_id for w in result.per_workflow if w.outcome == "open"]
    if open_:
        reasons = [await stuck_at(chaos.world.client, wid) for wid in open_]
        raise Finding(
            BugClass.LOST_WORKFLOW,
            f"{len(open_)} of {result.workflows} never completed: " + "; ".join(reasons),
        )
    chaos.assert_exactly_once(result)
    if result.completed != result.workflows:
        raise Finding(BugClass.LOST_WORKFLOW, result.summary())

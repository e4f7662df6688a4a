"""What the routing app's tests share: its adapter's name, its twins' commands, the agent
calls the world's recording proxies saw, and the checks the adapter's effects cannot say.

Suite-layer code: it reads the world and the judge, never the app (the app is started as
processes; its workflow classes are loaded by `module:attr`, as the replayer loads any).
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Sequence

from temporalio.client import Client
from temporalio.service import RPCError

from stormproof.chaos import ChaosRun, CheckResult
from stormproof.diagnosis import BugClass, Finding
from stormproof.world import LlmCall, ServiceRequest

ADAPTER = "examples.routing.stormproof_adapter"
WORKFLOWS = "examples.routing.workflows:WORKFLOWS"
# Seconds a retry may start before the server's retry-after hint ends: the hint's whole
# seconds are rounded by the server, and the fake LLM settles a 429 before sending it.
HINT_SLACK = 0.3


def twin_argv(name: str) -> list[str]:
    """The worker command of the broken twin `examples/routing/broken/<name>.py`."""
    return [sys.executable, "-m", f"examples.routing.broken.{name}"]


def agent_requests(chaos: ChaosRun, service: str, marker: str) -> list[ServiceRequest]:
    """Requests to the agent `service` that carried `marker` (in the message text)."""
    return [r for r in chaos.world.services[service].requests if marker in r.raw]


def agent_link(chaos: ChaosRun, service: str) -> str:
    """The Toxiproxy proxy between the worker and the agent's recording proxy."""
    return chaos.link(f"svc-{service}")


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
    """Every workflow completed, or `lost-workflow` naming what each open one is stuck on
    (the activity and its last failure: e.g. a client timeout), then exactly once."""
    open_ = [w.workflow_id for w in result.per_workflow if w.outcome == "open"]
    if open_:
        reasons = [await stuck_at(chaos.world.client, wid) for wid in open_]
        raise Finding(
            BugClass.LOST_WORKFLOW,
            f"{len(open_)} of {result.workflows} never completed: " + "; ".join(reasons),
        )
    chaos.assert_exactly_once(result)
    assert result.completed == result.workflows, result.summary()


def retry_hint_problems(calls: Sequence[LlmCall]) -> list[str]:
    """Each retry that came before the 429's retry-after hint had passed."""
    problems = []
    for before, after in itertools.pairwise(calls):
        hint = before.retry_hints.get("retry-after")
        if before.status != 429 or hint is None or before.finished_monotonic is None:
            continue
        waited = after.monotonic - before.finished_monotonic
        if waited < float(hint) - HINT_SLACK:
            problems.append(f"call #{after.seq} came {waited:.2f} s after a 429 asking {hint} s")
    return problems

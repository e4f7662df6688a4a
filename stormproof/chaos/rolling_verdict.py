"""What a rolling deploy did to each run, read from Temporal's histories, and its verdicts.

Every completed workflow task records the deployment version it ran on, and a task the
SDK failed because the code no longer fits the history is recorded as failed with cause
NON_DETERMINISTIC_ERROR (the worker logs TMPRL1100 too: stormproof/log_scan.py). From
those: no run may hit a non-determinism error (`non-determinism`), a pinned run's every
task ran on its pinned version, and no auto-upgrade run took a task on the old version
once the new one was current (`wrong-worker` both). `replay_guard` is the same change
judged before the deploy: the committed report histories replayed on the new code.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from temporalio.api.enums.v1 import WorkflowTaskFailedCause
from temporalio.client import Client

from stormproof.adapter.deployment import Deployment, Release
from stormproof.diagnosis import BugClass, fail
from stormproof.replay import (
    ReplayOutcome,
    ReplaySettings,
    ReplaySetupError,
    load,
    load_workflows,
    make_replayer,
    relative,
    replay_file,
)

if TYPE_CHECKING:
    from stormproof.chaos.rolling_deploy import RollingDeploy

NON_DETERMINISTIC = WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR
FIX = (
    "fix: ship the change behind workflow.patched(...) so a run started on the old code "
    "replays its history on the new one, or pin the workflow type (versioning behaviour "
    "pinned) so its runs finish on the version they started on; replay the committed "
    "histories against the new code before deploying (stormproof replay)"
)


@dataclass
class Tasks:
    """One run's workflow tasks: the build id each completed one ran on, in order, when
    each was started (handed to a worker), and the messages of those failed as
    non-deterministic."""

    workflow_id: str
    build_ids: list[str] = field(default_factory=list)
    started: list[datetime] = field(default_factory=list)
    nondeterminism: list[str] = field(default_factory=list)

    def moved(self, old: str, new: str) -> bool:
        """Some task ran on `old` and a later one on `new`."""
        return old in self.build_ids and new in self.build_ids[self.build_ids.index(old) :]


async def read_tasks(client: Client, workflow_ids: Iterable[str]) -> dict[str, Tasks]:
    """Each workflow's tasks, from its history (every run of it), sixteen read at a time."""
    gate = asyncio.Semaphore(16)

    async def one(wid: str) -> Tasks:
        tasks = Tasks(wid)
        handed = datetime.min.replace(tzinfo=UTC)
        async with gate:
            async for event in client.get_workflow_handle(wid).fetch_history_events():
                if event.HasField("workflow_task_started_event_attributes"):
                    handed = event.event_time.ToDatetime(tzinfo=UTC)
                elif event.HasField("workflow_task_completed_event_attributes"):
                    done = event.workflow_task_completed_event_attributes
                    tasks.build_ids.append(done.deployment_version.build_id)
                    tasks.started.append(handed)
                elif event.HasField("workflow_task_failed_event_attributes"):
                    failed = event.workflow_task_failed_event_attributes
                    if failed.cause == NON_DETERMINISTIC or "TMPRL1100" in failed.failure.message:
                        tasks.nondeterminism.append(failed.failure.message)
        return tasks

    found = await asyncio.gather(*(one(wid) for wid in dict.fromkeys(workflow_ids)))
    return {t.workflow_id: t for t in found}


def nondeterministic(tasks: dict[str, Tasks]) -> list[Tasks]:
    """The runs that failed a workflow task as non-deterministic."""
    return [t for t in tasks.values() if t.nondeterminism]


def assert_deterministic(tasks: dict[str, Tasks]) -> None:
    """Fail as `non-determinism` when a workflow task failed because the new code did not
    fit a run's history, quoting the first few runs and the SDK's words."""
    hit = nondeterministic(tasks)
    if hit:
        quoted = "\n".join(f"  {t.workflow_id}: {t.nondeterminism[0][:300]}" for t in hit[:5])
        fail(
            BugClass.NON_DETERMINISM,
            f"{len(hit)} of {len(tasks)} runs failed a workflow task as non-deterministic "
            f"during the rolling deploy:\n{quoted}\n{FIX}",
        )


def assert_pinned_stayed(deploy: RollingDeploy, tasks: dict[str, Tasks]) -> None:
    """Every pinned run's tasks ran on the version it was pinned to (`wrong-worker`)."""
    strays = [
        f"{wid} pinned to {build}, its tasks ran on {tasks[wid].build_ids}"
        for wid, build in deploy.pinned.items()
        if wid in tasks and any(b != build for b in tasks[wid].build_ids)
    ]
    if strays:
        fail(
            BugClass.WRONG_WORKER,
            f"{len(strays)} pinned run(s) left their version: " + "; ".join(strays[:5]),
        )


def assert_upgraded(
    deploy: RollingDeploy, tasks: dict[str, Tasks], old: str, new: str, slack: float = 1.0
) -> None:
    """No auto-upgrade run took a workflow task on `old` once `new` was current on every
    task queue (`slack` seconds after, for a task handed out as the routing changed)."""
    after = deploy.routed_at[new] + timedelta(seconds=slack)
    late = [
        f"{wid} at {when:%H:%M:%S.%f}"
        for wid in sorted(deploy.auto)
        if wid in tasks
        for build, when in zip(tasks[wid].build_ids, tasks[wid].started, strict=True)
        if build == old and when > after
    ]
    if late:
        fail(
            BugClass.WRONG_WORKER,
            f"{len(late)} workflow task(s) of auto-upgrade runs ran on {old} after {new} "
            f"became current at {deploy.routed_at[new]:%H:%M:%S.%f}: " + "; ".join(late[:5]),
        )


def moved(deploy: RollingDeploy, tasks: dict[str, Tasks], old: str, new: str) -> list[str]:
    """The auto-upgrade runs that ran tasks on `old`, then on `new`."""
    return sorted(w for w in deploy.auto if w in tasks and tasks[w].moved(old, new))


async def replay_guard(deployment: Deployment, release: Release) -> list[ReplayOutcome]:
    """The deployment's committed histories replayed on `release`'s workflow classes, with
    the worker's plugins and data converter: the check a deploy must pass first
    (stormproof.replay.require_replayed fails a divergence as `non-determinism`)."""
    settings = ReplaySettings(
        workflows=release.workflows,
        data_converter=deployment.replay_data_converter,
        plugins=deployment.replay_plugins,
    )
    replayer = make_replayer(load_workflows(release.workflows), settings)
    paths = sorted(deployment.histories.rglob("*.json"))
    if not paths:
        raise ReplaySetupError(
            f"deployment.histories={str(deployment.histories)!r} holds no *.json history; "
            "fix: point it at the folder of the committed histories (stormproof "
            "record-histories writes them)"
        )
    root = deployment.histories.parent
    return [await replay_file(replayer, load(p), relative(p, [root]), "committed") for p in paths]

"""Recovery bounds: how long work may sit after its worker dies, from the worker's own word.

When a worker dies mid-activity, Temporal notices only through the timeouts the workflow
declared for that activity: a missed heartbeat (the heartbeat timeout) or, without one, the
whole start_to_close. The judge reads those from the history (ActivityTaskScheduled), so
the bound is the worker's own promise, not a number the suite made up:

    bound = (heartbeat timeout, else start_to_close) + first retry interval + RESTART_SLACK

and the stall is measured from the world: the SIGKILL (the history's fault operation) to
the next request the activity makes (the fake LLM's call log). Two findings, both
`stalled-after-worker-death`, with the stall time:

- work resumed later than its bound (or not at all by then);
- a long activity (start_to_close over LONG_ACTIVITY_SECONDS) declares no heartbeat
  timeout, so any worker death parks it for its whole start_to_close. The judge waits at
  most LONG_ACTIVITY_SECONDS + RESTART_SLACK to say so, and reports the stall so far.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from stormproof.chaos.run import ChaosRun
from stormproof.chaos.workload import Planned
from stormproof.diagnosis import BugClass, Finding, expect
from stormproof.fixtures.wait import wait_for

# A new worker process starts and polls in 3-8 s on a loaded 2-core machine.
RESTART_SLACK = 10.0
LONG_ACTIVITY_SECONDS = 30.0


@dataclass(frozen=True)
class Declared:
    """An activity's timeouts, as the workflow scheduled it (seconds; None: not set)."""

    activity: str
    heartbeat: float | None
    start_to_close: float | None
    first_retry: float

    @property
    def bound(self) -> float:
        """Seconds the activity may sit after its worker died, by its own declaration."""
        noticed = self.heartbeat or self.start_to_close or float("inf")
        return noticed + self.first_retry + RESTART_SLACK

    def describe(self) -> str:
        parts = [
            f"heartbeat timeout {self.heartbeat:g}s" if self.heartbeat else "no heartbeat timeout",
            f"start_to_close {self.start_to_close:g}s" if self.start_to_close else "",
            f"first retry after {self.first_retry:g}s",
        ]
        return ", ".join(p for p in parts if p)


async def declared(client: Client, workflow_id: str, activity: str) -> Declared:
    """The timeouts of the first `activity` the workflow scheduled, from its history."""
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    for event in history.events:
        if event.event_type != EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            continue
        attrs = event.activity_task_scheduled_event_attributes
        if attrs.activity_type.name != activity:
            continue

        def seconds(field: str, holder: object = attrs) -> float | None:
            if not holder.HasField(field):  # type: ignore[attr-defined]
                return None
            value = getattr(holder, field).ToTimedelta().total_seconds()
            return value or None

        retry = seconds("initial_interval", attrs.retry_policy) or 1.0
        return Declared(
            activity, seconds("heartbeat_timeout"), seconds("start_to_close_timeout"), retry
        )
    raise LookupError(f"{workflow_id} never scheduled {activity}: nothing to judge")


def death_time(chaos: ChaosRun) -> datetime:
    """When the run's worker was SIGKILLed (the nemesis's `fault` operation)."""
    kills = [
        op
        for op in chaos.history.ops
        if op.f == "fault" and op.type == "ok" and op.value.get("fault") == "worker-sigkill"
    ]
    if not kills:
        raise LookupError("no worker was killed in this run: no recovery to judge")
    return datetime.fromtimestamp(kills[0].time, UTC)


async def stall_after_death(
    chaos: ChaosRun, victim: Planned, died: datetime, within: float
) -> float | None:
    """Seconds from the death to the victim's next LLM request, or None if none came in
    `within` seconds of the death."""

    def resumed() -> float | None:
        after = [c.wall for c in chaos.world.fake_llm.calls_for(victim.marker) if c.wall > died]
        return (after[0] - died).total_seconds() if after else None

    remaining = within - (datetime.now(UTC) - died).total_seconds()
    try:
        return await wait_for(
            resumed, what=f"{victim.workflow_id} to resume", timeout=max(remaining, 0.1)
        )
    except TimeoutError:
        return None


def check_recovery(declared: Declared, stall: float | None, waited: float) -> None:
    """The finding, if any: resumed too late for its own bound, or no heartbeat timeout
    on a long activity (reported with the stall so far)."""
    shown = f"{stall:.1f}s" if stall is not None else f"more than {waited:.1f}s (still parked)"
    long_silent = declared.heartbeat is None and (
        declared.start_to_close is None or declared.start_to_close > LONG_ACTIVITY_SECONDS
    )
    expect(
        not long_silent,
        BugClass.STALLED_AFTER_WORKER_DEATH,
        f"{declared.activity} stalled {shown} after its worker died: it declares "
        f"{declared.describe()}, so a dead worker is only noticed when the whole "
        "start_to_close runs out; declare a heartbeat timeout and heartbeat",
    )
    expect(
        stall is not None and stall <= declared.bound,
        BugClass.STALLED_AFTER_WORKER_DEATH,
        f"{declared.activity} resumed {shown} after its worker died, over the "
        f"{declared.bound:.1f}s its own timeouts allow ({declared.describe()}, "
        f"{RESTART_SLACK:g}s for a new worker to start)",
    )


async def observe_recovery(chaos: ChaosRun, victim: Planned, activity: str) -> float | None:
    """Judge the victim's recovery after the run's worker death; returns the stall."""
    promise = await declared(chaos.world.client, victim.workflow_id, activity)
    died = death_time(chaos)
    waited = min(promise.bound, LONG_ACTIVITY_SECONDS + RESTART_SLACK)
    stall = await stall_after_death(chaos, victim, died, waited)
    seen = {"activity": activity, "stall_seconds": stall, "bound_seconds": promise.bound}
    chaos.recovery[victim.workflow_id] = seen
    try:
        check_recovery(promise, stall, waited)
    except Finding as finding:
        seen["diagnosis"] = finding.bug.value
        raise
    return stall

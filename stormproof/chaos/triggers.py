"""Triggers read from the world, whatever the team named its activities.

An effect-timed fault waits for what the world sees of a unit, not for a step the suite
knows by name: its LLM request in flight at the fake LLM, an activity of its workflow
running (Temporal's pending activities: state STARTED, with its type and attempt), its
delivery received by the sink (attributed by the effect's `owner_field`, else by the
workflow id or marker in the body). Victims are planned among the units that declare the
effect the fault needs (`plan_owing`), and "the fault hit an attempt" is read from the
history for any activity (`retried_any`), so the same test judges the reference's
`llm_call` and a team's `create_response`.

`Triggers` is a part of ChaosRun (stormproof/chaos/run.py): `chaos.plan_owing(LlmCalls)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from temporalio.api.enums.v1 import PendingActivityState
from temporalio.service import RPCError

from stormproof.adapter import HttpDeliveries, Unit
from stormproof.chaos.applies import EffectType, units_owing
from stormproof.chaos.workload import Planned
from stormproof.diagnosis import BugClass, expect
from stormproof.fixtures.sink import Delivery, mentions
from stormproof.fixtures.wait import wait_for

if TYPE_CHECKING:
    from stormproof.chaos.run import ChaosRun


@dataclass(frozen=True)
class Running:
    """An activity of a workflow that Temporal reports running (pending, STARTED)."""

    workflow_id: str
    activity: str
    attempt: int


class Triggers:
    """The generic triggers and checks of a chaos run (mixed into ChaosRun)."""

    def units_owing(self: ChaosRun, kind: EffectType) -> list[Unit]:
        """The adapter's units that declare an effect of `kind` (LlmCalls, HttpDeliveries...)."""
        return units_owing(self.world.adapter, kind)

    def plan_owing(self: ChaosRun, kind: EffectType) -> Planned:
        """Plan a unit that owes an effect of `kind`, taking the owing units in turn (those
        the client must drive, by a signal, last): the first victim is a plain unit."""
        units = sorted(self.units_owing(kind), key=lambda u: u.drive is not None)
        assert units, f"no unit of {self.world.adapter.name!r} declares {kind.__name__}"
        turn = self.owing_turns.get(kind, 0)
        self.owing_turns[kind] = turn + 1
        return self.workload.plan(units[turn % len(units)].name)

    async def running(self: ChaosRun, workflow_id: str) -> list[Running]:
        """The workflow's activities Temporal reports started and not yet closed."""
        handle = self.world.client.get_workflow_handle(workflow_id)
        described = await handle.describe(rpc_timeout=timedelta(seconds=5))
        started = PendingActivityState.PENDING_ACTIVITY_STATE_STARTED
        return [
            Running(workflow_id, p.activity_type.name, p.attempt)
            for p in described.raw_description.pending_activities
            if p.state == started
        ]

    async def wait_activity_running(
        self: ChaosRun, workflow_id: str, timeout: float = 30
    ) -> Running:
        """Wait until some activity of `workflow_id` is running, read from Temporal."""

        async def first() -> Running | None:
            found = await self.running(workflow_id)
            return found[0] if found else None

        return await wait_for(
            first,
            what=f"an activity of {workflow_id} running (Temporal's pending activities)",
            timeout=timeout,
            interval=0.05,
            retry_on=(RPCError,),
            logs=self.logs(),
        )

    async def noticed_after(self: ChaosRun, workflow_id: str, activity: str) -> float:
        """Seconds after which Temporal notices a silent attempt of `activity` in this
        workflow, by its own declaration: its heartbeat timeout, else its start_to_close
        (read from the history; stormproof/chaos/recovery.py)."""
        from stormproof.chaos.recovery import declared  # it imports ChaosRun

        promise = await declared(self.world.client, workflow_id, activity)
        return promise.heartbeat or promise.start_to_close or float("inf")

    def deliveries_of(self: ChaosRun, item: Planned) -> list[Delivery]:
        """The sink's deliveries (any outcome) owed by `item`: by its HttpDeliveries'
        `owner_field`, else its workflow id or marker in the body."""
        fields = {e.owner_field for e in item.unit.effects if isinstance(e, HttpDeliveries)}
        out = []
        for d in self.world.sink.deliveries:
            owned = any(f and (d.body or {}).get(f) == item.workflow_id for f in fields)
            if owned or d.owned_by(item.workflow_id) or mentions(d.raw, item.marker):
                out.append(d)
        return out

    async def wait_delivery(self: ChaosRun, item: Planned, timeout: float = 60) -> Delivery:
        """Wait until the sink has received a delivery of `item` (accepted or not)."""

        def first() -> Delivery | None:
            found = self.deliveries_of(item)
            return found[0] if found else None

        return await wait_for(
            first,
            what=f"a delivery of {item.workflow_id} to reach the sink",
            timeout=timeout,
            interval=0.01,
            logs=self.logs(),
        )

    def retried_any(self: ChaosRun, workflow_id: str) -> list[str]:
        """The activity types Temporal ran some one execution of more than once in this
        workflow (after check()): the proof a fault hit an attempt, whatever its name."""
        assert self.snapshot is not None, "check() first"
        found = self.activities.get(workflow_id, {})
        return sorted(name for name, attempts in found.items() if attempts.retried)

    def expect_fired(self: ChaosRun, workflow_id: str, activity: str | None = None) -> None:
        """The proof the fault met work in flight (after check()): Temporal ran `activity`
        of `workflow_id` (None: any of its activities) more than once; else the test fails
        as `fault-missed`, since a fault that met nothing proves nothing."""
        retried = self.retried_any(workflow_id)
        hit = activity in retried if activity else bool(retried)
        expect(
            hit,
            BugClass.FAULT_MISSED,
            f"{self.fault} met no attempt of {activity or 'any activity'} in {workflow_id} "
            f"(Temporal retried {retried or 'nothing'})",
        )

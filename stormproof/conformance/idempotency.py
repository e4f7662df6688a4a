"""Idempotency keys for any adapter: the same key across attempts and across processes.

An effect with an idempotency header (an HttpDeliveries to the sink, or a ServiceCalls to
one of the adapter's services) must carry one key per unit, whatever retried it: the
receiver de-duplicates by that key, so a fresh key per attempt, or per worker process,
turns one retry into two effects. The check makes the first delivery fail (the sink
answers 503 while down; a service's process is killed, so its recording proxy answers 502),
then lets it through, and reads every request the unit made from the receiver's log:
one key on all of them, and one accepted effect. Across processes, the worker is SIGKILLed
once Temporal has recorded the failed attempt, and a new worker on the same task queue
finishes the unit.

Only the sink's `Idempotency-Key` header is logged, so a delivery under another header
name cannot be judged here (`judgeable` says why).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from stormproof.adapter import HttpDeliveries, ServiceCalls, Unit
from stormproof.conformance.properties import UnitRun, missing
from stormproof.diagnosis import BugClass, expect
from stormproof.fixtures.wait import wait_for
from stormproof.replay.team import TeamWorld

SINK_HEADER = "Idempotency-Key"
FAILED_DELIVERY_DEADLINE = 60.0


def keyed_effect(unit: Unit) -> HttpDeliveries | ServiceCalls | None:
    """The unit's first effect with an idempotency header, if any."""
    for effect in unit.effects:
        if isinstance(effect, HttpDeliveries | ServiceCalls) and effect.idempotency_header:
            return effect
    return None


def judgeable(unit: Unit) -> str | None:
    """None when the idempotency properties can judge `unit`; else the skip reason."""
    effect = keyed_effect(unit)
    if effect is None:
        return missing(
            unit,
            "HttpDeliveries or ServiceCalls effect with an idempotency_header",
            "the idempotency-key properties",
        )
    if isinstance(effect, HttpDeliveries) and effect.idempotency_header != SINK_HEADER:
        return (
            f"unit {unit.name!r}: the sink logs only the {SINK_HEADER} header, not "
            f"{effect.idempotency_header!r}"
        )
    return None


@dataclass(frozen=True)
class Sent:
    """One request of the unit's effect, as its receiver saw it."""

    key: str | None
    accepted: bool
    status: int | None


def _owned(run: UnitRun, body: dict | None, raw: str, owner_field: str | None) -> bool:
    wid = run.ctx.workflow_id
    if owner_field and isinstance(body, dict) and isinstance(body.get(owner_field), str):
        return body[owner_field] == wid
    return wid in raw or run.ctx.marker in raw


def sent(run: UnitRun) -> list[Sent]:
    """Every request of the unit's keyed effect, accepted or not, in arrival order."""
    effect = keyed_effect(run.unit)
    if isinstance(effect, HttpDeliveries):
        return [
            Sent(d.idempotency_key, d.accepted, d.status)
            for d in run.team.sink.deliveries
            if (not effect.path or d.path.split("?")[0] == effect.path)
            and _owned(run, d.body, d.raw, effect.owner_field)
        ]
    assert isinstance(effect, ServiceCalls)
    proxy = run.team.services[effect.service]
    return [
        Sent(r.header(effect.idempotency_header or ""), r.ok, r.status)
        for r in proxy.requests
        if (not effect.path or r.path.split("?")[0] == effect.path)
        and _owned(run, None, r.raw + " " + r.path, None)
    ]


@dataclass
class Outage:
    """The unit's receiver refuses until healed: the sink is down, or the service killed."""

    team: TeamWorld
    effect: HttpDeliveries | ServiceCalls

    def inject(self) -> None:
        if isinstance(self.effect, HttpDeliveries):
            self.team.sink.set_down(True)
        else:
            self.team.world[f"service-{self.effect.service}"].process.kill()

    async def heal(self) -> None:
        if isinstance(self.effect, HttpDeliveries):
            self.team.sink.set_down(False)
        else:
            service = self.team.world[f"service-{self.effect.service}"]
            service.start()
            await asyncio.to_thread(service.wait_ready)


async def attempt_failed(run: UnitRun) -> None:
    """Wait until Temporal recorded a failed attempt of one of the unit's activities (a
    pending activity on its second attempt or later)."""

    async def retrying() -> bool:
        described = await run.handle.describe()
        return any(p.attempt > 1 for p in described.raw_description.pending_activities)

    await wait_for(
        retrying,
        timeout=FAILED_DELIVERY_DEADLINE,
        what=f"{run.ctx.workflow_id}: Temporal to record the failed attempt",
    )


async def check_one_key(
    team: TeamWorld,
    unit: Unit,
    start: Callable[[], Awaitable[UnitRun]],
    between: Callable[[UnitRun], Awaitable[None]] | None = None,
) -> UnitRun:
    """Start `unit` with its receiver down; once a request failed, run `between` (the
    worker's death), heal, and judge: one key on every request, one accepted effect."""
    effect = keyed_effect(unit)
    assert effect is not None, judgeable(unit)
    outage = Outage(team, effect)
    outage.inject()
    try:
        run = await start()
        await wait_for(
            lambda: any(not s.accepted for s in sent(run)),
            timeout=FAILED_DELIVERY_DEADLINE,
            what=f"{run.ctx.workflow_id}: a first request of its keyed effect",
        )
        if between is not None:
            await between(run)
    finally:
        await outage.heal()
    await run.completed("its receiver came back", BugClass.LOST_EFFECT)
    requests = sent(run)
    keys = sorted({s.key or "(none)" for s in requests})
    shown = f"{run.ctx.workflow_id}: requests {[(s.status, s.key) for s in requests]}"
    expect(
        len(keys) == 1 and keys != ["(none)"],
        BugClass.DUPLICATE_EFFECT,
        f"{shown}: a retried effect must carry the same idempotency key, found {keys}",
    )
    accepted = [s for s in requests if s.accepted]
    expect(len(accepted) >= 1, BugClass.LOST_EFFECT, f"{shown}: none accepted")
    return run

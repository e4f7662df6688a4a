"""Sessions of Updates under a fault: the schedules of fault 13 (suites/chaos/test_f13_updates.py).

The victims and the load are units that declare Updates (`Unit.updates`; the reference's
chat). `temporal_kill_sessions`: Temporal SIGKILLed while turns are in flight (the victims'
first LLM answers held 1-3 s). `handler_death`: a victim's Update handler awaits its LLM
call; the reply lands, the worker is cut off from Temporal (its completion can never
arrive) and SIGKILLed, the link healed and a new worker started: the retry runs inside the
same Update. What they leave is judged by stormproof/chaos/update_verdict.py.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

import pytest

from stormproof.adapter import CONTRACT
from stormproof.chaos.generator import LoadSpec
from stormproof.chaos.nemesis import LinkDown, TemporalCrash, WorkerCrash
from stormproof.chaos.run import ChaosRun
from stormproof.chaos.scenarios.effect_then_death import LEDGER, LEDGER_GRACE
from stormproof.chaos.workload import Planned
from stormproof.effects.rows import query_rows
from stormproof.fixtures.errors import WaitTimeout
from stormproof.fixtures.fake_llm import Delay
from stormproof.fixtures.wait import wait_for

HOLD_SECONDS = 2.0  # the handler death's victim: its LLM answer held this long
KILL_VICTIMS = 4  # the Temporal kill's victims, their first answers held 1-3 s


@dataclass(frozen=True)
class HandlerDeath:
    """The victim whose Update handler the worker died in, and the activity it cut off."""

    victim: Planned
    activity: str


def session_units(chaos: ChaosRun) -> list[str]:
    """The adapter's units that declare Updates; the test is skipped when none does."""
    units = [u.name for u in chaos.world.adapter.units if u.updates]
    if not units:
        pytest.skip(f"no unit of {chaos.world.adapter.name!r} declares updates (Unit.updates)")
    return units


def sessions_load(units: list[str]) -> LoadSpec:
    """The continuous load, of session units only (STORMPROOF_CHAOS_WORKFLOWS, default 100)."""
    return LoadSpec.from_env(mix=dict.fromkeys(units, 1.0))


async def temporal_kill_sessions(chaos: ChaosRun, argv: list[str] | None = None) -> None:
    """Sessions under load; Temporal SIGKILLed for 3 s while the victims' turns are in flight."""
    await chaos.start_worker(argv)
    units = session_units(chaos)
    async with chaos.load(sessions_load(units)):
        victims = [chaos.workload.plan(units[i % len(units)]) for i in range(KILL_VICTIMS)]
        for victim in victims:
            held = Delay(seconds=chaos.rng.uniform(1.0, 3.0))
            chaos.world.fake_llm.script(victim.marker, [held])
        await asyncio.gather(*(chaos.workload.start(v) for v in victims))
        await chaos.wait_llm_in_flight(victims[0].marker)
        async with chaos.faulted(TemporalCrash(chaos.world.temporal)):
            await chaos.hold(3.0)


async def _ledger_written(chaos: ChaosRun, victim: Planned) -> None:
    """The reference keeps the reply in its ledger right after it (docs/CONTRACT.md, 5);
    a twin that keeps none is judged by what its retry asks again, not waited for."""
    if chaos.world.adapter.name != CONTRACT.name:
        return
    row = lambda: query_rows(chaos.database_url, LEDGER, {"tag": victim.workflow_id})  # noqa: E731
    with contextlib.suppress(WaitTimeout):
        await wait_for(row, what="the ledger row", timeout=LEDGER_GRACE, interval=0.05)


async def handler_death(chaos: ChaosRun, argv: list[str] | None = None) -> HandlerDeath:
    """Sessions under load; the worker SIGKILLed inside a victim's Update handler after its
    LLM call was answered and before Temporal heard of it; a new worker takes over."""
    await chaos.start_worker(argv)
    units = session_units(chaos)
    llm = chaos.world.fake_llm
    async with chaos.load(sessions_load(units)):
        victim = chaos.workload.plan(units[0])
        llm.script(victim.marker, [Delay(seconds=HOLD_SECONDS)])  # its first turn's call
        await chaos.workload.start(victim)
        await chaos.wait_llm_in_flight(victim.marker)
        cut = LinkDown(chaos.toxiproxy, chaos.link("temporal"), "link-cut:update-handler")
        await chaos.inject(cut)  # the reply's completion can never reach Temporal
        activity = (await chaos.wait_activity_running(victim.workflow_id)).activity
        await wait_for(
            lambda: any(c.status == 200 for c in llm.calls_for(victim.marker)),
            what=f"the LLM's reply to {victim.workflow_id}'s turn",
            timeout=30,
            logs=chaos.logs(),
        )
        await _ledger_written(chaos, victim)
        crash = WorkerCrash(chaos.worker.process, lambda: chaos.start_worker(argv))
        await chaos.inject(crash)
        await chaos.heal(cut)  # the link first, so the new worker connects
        await chaos.heal(crash)
    return HandlerDeath(victim, activity)

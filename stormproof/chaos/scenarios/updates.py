"""Sessions of Updates under a fault: the schedules of fault 13 (suites/chaos/test_f13_updates.py).

The victims and the load are units that declare Updates (`Unit.updates`; the reference's
chat). `temporal_kill_sessions`: Temporal SIGKILLed while turns are in flight (the victims'
first LLM answers held 1-3 s). `link_cut_sessions`: the client's own link black-holed
while turns are answered, so their outcomes are unknown to it. `handler_death`: a victim's
Update handler awaits its LLM call; the reply lands, the worker is cut off from Temporal
(its completion can never arrive) and SIGKILLed, the link healed and a new worker started:
the retry runs inside the same Update. What they leave is judged by
stormproof/chaos/update_verdict.py.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

import pytest
from temporalio.client import Client

from stormproof.adapter import CONTRACT, update_id
from stormproof.adapter.updates import sendings
from stormproof.chaos.generator import LoadSpec
from stormproof.chaos.nemesis import LinkDown, LinkToxic, TemporalCrash, WorkerCrash
from stormproof.chaos.run import ChaosRun
from stormproof.chaos.scenarios.effect_then_death import LEDGER, LEDGER_GRACE
from stormproof.chaos.sessions import admitted_in, read_reply
from stormproof.chaos.workload import Planned
from stormproof.effects.rows import query_rows
from stormproof.fixtures.errors import WaitTimeout
from stormproof.fixtures.fake_llm import Delay
from stormproof.fixtures.wait import wait_for

HOLD_SECONDS = 2.0  # the handler death's victim: its LLM answer held this long
KILL_VICTIMS = 4  # the Temporal kill's (and the link cut's) victims
CUT_HOLD_SECONDS = 4.0  # the link cut's victims: their second turn's LLM answer held


@dataclass(frozen=True)
class HandlerDeath:
    """The victim whose Update handler the worker died in, and the activity it cut off."""

    victim: Planned
    activity: str


def session_units(chaos: ChaosRun) -> list[str]:
    """The adapter's units that declare Updates; the test is skipped when none does."""
    units = [u.name for u in chaos.world.adapter.sessions]
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


async def link_cut_sessions(chaos: ChaosRun, *, blind: bool = False) -> None:
    """Sessions under load; the client's link black-holed until Updates it sent are answered
    by the workflow and unknown to the client.

    Every Update after the first goes through the judge's own proxy, whose answers are
    black-holed while the victims' second turns (the last of a chat's first run) wait on
    held LLM answers; healed once each of those turns is complete in Temporal (read by the
    direct client) and the client has recorded one as unknown: answered, its reply lost.
    `blind`: the client re-sends an unknown Update without reading it first (the control)."""
    await chaos.start_worker()
    units = session_units(chaos)
    workload, llm = chaos.workload, chaos.world.fake_llm
    namespace = chaos.world.client.namespace
    workload.update_client = await Client.connect(
        chaos.proxies["judge"].address, namespace=namespace
    )
    workload.blind_resend = blind
    async with chaos.load(sessions_load(units)):
        victims = [workload.plan(units[i % len(units)]) for i in range(KILL_VICTIMS)]
        for victim in victims:  # the first turn at once, the second held
            llm.script(victim.marker, [Delay(seconds=0), Delay(seconds=CUT_HOLD_SECONDS)])
        await asyncio.gather(*(workload.start(v) for v in victims))
        await wait_for(
            lambda: all(len(llm.calls_for(v.marker)) >= 2 for v in victims),
            what="every victim's second turn at the LLM",
            timeout=60,
            logs=chaos.logs(),
        )
        blackhole = LinkToxic(
            chaos.toxiproxy, chaos.link("judge"), "timeout", label="update-reply-lost", timeout=0
        )
        async with chaos.faulted(blackhole):
            await asyncio.gather(*(_completed(chaos, v, 2) for v in victims))
            # ... and until the client gave up hearing of one (its attempt's timeout): the
            # SDK's own retries hide a reply lost for less, since the run answers them
            await wait_for(
                lambda: _unknown_to_the_client(chaos, victims),
                what="a victim's turn whose outcome the client records as unknown",
                timeout=60,
                logs=chaos.logs(),
            )


def _unknown_to_the_client(chaos: ChaosRun, victims: list[Planned]) -> bool:
    ids = {v.workflow_id for v in victims}
    return any(
        op.f == "update" and op.type == "info" and op.workflow_id in ids for op in chaos.history.ops
    )


async def _completed(chaos: ChaosRun, item: Planned, k: int) -> None:
    """Wait until `item`'s k-th sending is complete in whichever run admitted it."""
    call, n = sendings(item.unit.updates)[k - 1]
    uid, client = update_id(item.workflow_id, call.name, n), chaos.world.client

    async def admitted() -> tuple[str] | None:  # ('',): the current run ('' is falsy)
        run_id = await admitted_in(client, item.workflow_id, uid)
        return None if run_id is None else (run_id,)

    what = f"a run of {item.workflow_id} to admit {uid}"
    (run_id,) = await wait_for(admitted, what=what, timeout=60, interval=0.5, logs=chaos.logs())
    await asyncio.wait_for(read_reply(client, item.workflow_id, run_id, uid), timeout=60)


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

"""Play a `Scenario` (stormproof/chaos/scenario.py) on a chaos run and judge it.

The order is the default table's: start the worker (and the continuous load, if asked),
script the victims' replies, start them, wait for the trigger in the world, inject the
fault, hold it, heal it, let every workflow finish, then judge. A scenario passes only if
every workflow completed exactly once (`lost-workflow`, `duplicate-effect`, ...) and its
fault is seen to have met work in flight; one that missed fails as `fault-missed`, since
a fault that hit nothing proves nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from temporalio.client import WorkflowExecutionStatus
from temporalio.service import RPCError

from stormproof.chaos.completion import assert_all_completed
from stormproof.chaos.nemesis import (
    LinkDown,
    Nemesis,
    PostgresCrash,
    SinkDown,
    TemporalCrash,
    WorkerCrash,
    WorkerPause,
)
from stormproof.chaos.run import ChaosRun
from stormproof.chaos.scenario import (
    ActivityRunning,
    AtStart,
    CutLink,
    DeliveryArrived,
    Fault,
    KillPostgres,
    KillTemporal,
    KillWorker,
    LlmInFlight,
    PauseWorker,
    Scenario,
    ServiceCallInFlight,
    StopSink,
    Trigger,
)
from stormproof.chaos.workload import Planned
from stormproof.checker import CheckResult
from stormproof.diagnosis import BugClass, expect
from stormproof.fixtures.wait import wait_for

TRIGGER_TIMEOUT = 60.0


@dataclass(frozen=True)
class Played:
    """What a scenario ran and what the checker said of it."""

    scenario: Scenario
    victims: list[Planned]
    result: CheckResult


async def run_scenario(
    chaos: ChaosRun, scenario: Scenario, argv: list[str] | None = None
) -> Played:
    """Play `scenario` on `chaos` with the adapter's worker (or `argv`, a twin's command)
    and judge it; raises a Finding with its bug class when the run is not exactly once or
    the fault met nothing in flight."""
    chaos.fault = scenario.name
    await chaos.start_worker(argv)
    if scenario.load:
        await chaos.load().begin()
    victims = [chaos.workload.plan(unit) for unit in scenario.units]
    for victim in victims:
        if scenario.llm:
            chaos.world.fake_llm.script(victim.marker, list(scenario.llm))
        if scenario.sink:
            chaos.world.sink.script(victim.workflow_id, list(scenario.sink))
    await asyncio.gather(*(chaos.workload.start(v) for v in victims))
    if scenario.fault is not None:
        await _wait_trigger(chaos, scenario.trigger, victims[0])
        open_at_fault = await _open(chaos, victims[0]) if scenario.proof == "trigger" else True
        nemesis = _nemesis(chaos, scenario.fault, argv)
        await chaos.inject(nemesis)
        await chaos.hold(scenario.seconds)
        if scenario.heal:
            await chaos.heal(nemesis)
        if scenario.proof == "trigger":
            expect(
                open_at_fault,
                BugClass.FAULT_MISSED,
                f"{scenario.name}: {victims[0].workflow_id} had closed before the fault",
            )
    if chaos.generator is not None:
        await chaos.generator.stop()
    result = await chaos.finish(timeout=scenario.timeout)
    await assert_all_completed(chaos, result)
    if scenario.proof == "retried":
        for victim in victims:  # the one proof every row uses (stormproof/chaos/triggers.py)
            chaos.expect_fired(victim.workflow_id)
    return Played(scenario, victims, result)


def _nemesis(chaos: ChaosRun, fault: Fault, argv: list[str] | None) -> Nemesis:
    def restart() -> Awaitable[object]:
        return chaos.start_worker(argv)

    if isinstance(fault, KillTemporal):
        return TemporalCrash(chaos.world.temporal)
    if isinstance(fault, KillWorker):
        return WorkerCrash(chaos.worker.process, restart)
    if isinstance(fault, PauseWorker):
        return WorkerPause(chaos.worker.process)
    if isinstance(fault, CutLink):
        if fault.link not in chaos.proxies:
            raise ValueError(
                f"CutLink(link={fault.link!r}): no such link in this run; the links are "
                f"{sorted(chaos.proxies)} (a team's service S is 'svc-S')"
            )
        return LinkDown(chaos.toxiproxy, chaos.link(fault.link), label=f"{fault.link}-cut")
    if isinstance(fault, KillPostgres):
        return PostgresCrash(chaos.world.postgres)
    if isinstance(fault, StopSink):
        return SinkDown(chaos.world.sink)
    raise TypeError(f"no nemesis for {fault!r}")  # the Fault union is closed


def _seen(chaos: ChaosRun, trigger: Trigger, victim: Planned) -> Callable[[], object]:
    """The condition that says `trigger` has happened to `victim`, read from the world."""
    if isinstance(trigger, LlmInFlight):
        return lambda: any(c.status is None for c in chaos.world.fake_llm.calls_for(victim.marker))
    if isinstance(trigger, DeliveryArrived):
        return lambda: bool(chaos.deliveries_of(victim))
    if isinstance(trigger, ServiceCallInFlight):
        if trigger.service not in chaos.world.services:
            raise ValueError(
                f"ServiceCallInFlight(service={trigger.service!r}): the adapter declares no "
                f"such service; it declares {sorted(chaos.world.services)}"
            )
        recorder = chaos.world.services[trigger.service]
        return lambda: any(
            r.status is None and (victim.marker in r.raw or victim.workflow_id in r.raw)
            for r in recorder.requests
        )
    if isinstance(trigger, ActivityRunning):

        async def running() -> bool:
            found = await chaos.running(victim.workflow_id)
            return any(trigger.activity in (None, r.activity) for r in found)

        return running
    assert isinstance(trigger, AtStart)
    return lambda: True


async def _wait_trigger(chaos: ChaosRun, trigger: Trigger, victim: Planned) -> None:
    await wait_for(
        _seen(chaos, trigger, victim),
        what=f"the trigger {trigger.kind} on {victim.workflow_id}",
        timeout=TRIGGER_TIMEOUT,
        interval=0.02,
        retry_on=(RPCError,),
        logs=chaos.logs(),
    )


async def _open(chaos: ChaosRun, victim: Planned) -> bool:
    """The victim's workflow is still running (read from Temporal)."""
    handle = chaos.world.client.get_workflow_handle(victim.workflow_id)
    try:
        described = await handle.describe()
    except RPCError:
        return False
    return described.status == WorkflowExecutionStatus.RUNNING

"""Fleet schedules: one replica SIGKILLed, one frozen, every replica restarted in turn.

Each runs on a fleet of replicas (`chaos.start_fleet()`, stormproof/chaos/fleet.py) under
the continuous load, and aims its fault at the replica Temporal says runs a victim's
activity (its pending activity's worker identity), whatever the adapter calls it:

- `replica_sigkill`: the victim's LLM request is held at the fake LLM; its replica is
  SIGKILLed and the others keep serving: the attempt must resume on one of them within the
  bound the activity's own timeouts give (recovery.py), before any replacement starts;
- `replica_pause`: the victim's effect is held mid-way (mid_effect.py); its replica is
  frozen past the activity's declared timeout, then thawed: its late completion must not
  count twice;
- `rolling_restart`: for each replica in turn, a victim's LLM request is held on it, the
  replica gets SIGTERM and must drain and exit 0 within DRAIN_DEADLINE (else
  `unresponsive`, or `worker-exited` for another code), then its replacement starts and
  polls before the next replica goes; a PollerWatch proves the queue never lost its last
  poller. After the check, `expect_drained` requires each victim's held attempt to have
  finished on the replica that got SIGTERM (`no-drain`: Temporal ran it again), and the
  signal to have met that request in flight (`fault-missed` otherwise).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from stormproof.adapter import LlmCalls
from stormproof.chaos.fleet import PollerWatch, describe_replica
from stormproof.chaos.generator import LoadSpec
from stormproof.chaos.nemesis import WorkerCrash, WorkerPause, WorkerTerminate
from stormproof.chaos.recovery import observe_recovery
from stormproof.chaos.run import ChaosRun
from stormproof.chaos.scenarios.mid_effect import mid_effect, pause_past_timeouts
from stormproof.chaos.triggers import Running
from stormproof.chaos.workload import Planned
from stormproof.diagnosis import BugClass, Finding, expect, fail
from stormproof.fixtures.errors import WaitTimeout
from stormproof.fixtures.fake_llm import Delay
from stormproof.fixtures.wait import wait_for
from stormproof.fixtures.worker import WorkerProcess

# A victim's LLM request held on the replica about to get SIGTERM: within every drain grace
# seen (the reference's 10 s, hello_world's 5 s) and the chaos world's 4 s LLM timeout.
HOLD_SECONDS = 2.5
SIGNAL_MARGIN = 1.0  # the held request still has this long to go when the signal is sent
DRAIN_DEADLINE = 30.0  # SIGTERM to exit: a worker's graceful shutdown and its process's end
BATCH = 3  # victims started at once while looking for one on a replica still to restart
ROUNDS = 8  # batches before the restart gives up (fault-missed): (2/3)**24 for one of three
ROLLING_CEILING = 4.0  # the load keeps starting, up to this multiple, until the last restart


@dataclass(frozen=True)
class Drained:
    """A replica that got SIGTERM while its victim's LLM request was held on it."""

    victim: Planned
    hit: Running
    replica: WorkerProcess
    signalled: float  # time.monotonic() of the SIGTERM


async def _held(chaos: ChaosRun, hold: float) -> tuple[Planned, Running, WorkerProcess]:
    """A victim whose LLM request is held `hold` s at the fake LLM, and its replica."""
    victim = chaos.plan_owing(LlmCalls)
    chaos.world.fake_llm.script(victim.marker, [Delay(seconds=hold)])
    await chaos.workload.start(victim)
    await chaos.wait_llm_in_flight(victim.marker)
    hit, replica = await chaos.replica_running(victim.workflow_id)
    return victim, hit, replica


def _still_held(chaos: ChaosRun, victim: Planned) -> bool:
    """Its first LLM request is unanswered with more than SIGNAL_MARGIN of its hold left."""
    calls = chaos.world.fake_llm.calls_for(victim.marker)
    if not calls or calls[0].finished_monotonic is not None:
        return False
    return time.monotonic() - calls[0].monotonic < HOLD_SECONDS - SIGNAL_MARGIN


async def held_on(
    chaos: ChaosRun, candidates: list[WorkerProcess]
) -> tuple[Planned, Running, WorkerProcess]:
    """A victim whose LLM request is held on one of `candidates` (BATCH victims at a time:
    Temporal, not the suite, picks the replica that runs an activity)."""
    for _ in range(ROUNDS):
        found = await asyncio.gather(*(_held(chaos, HOLD_SECONDS) for _ in range(BATCH)))
        for victim, hit, replica in found:
            if replica in candidates and _still_held(chaos, victim):
                return victim, hit, replica
    fail(
        BugClass.FAULT_MISSED,
        f"no victim's activity ran on {[describe_replica(r) for r in candidates]} in "
        f"{ROUNDS * BATCH} tries: the restart met no work in flight on them",
    )


async def replica_sigkill(
    chaos: ChaosRun, argv: list[str] | None = None, kind: str | None = None
) -> tuple[Running, WorkerProcess]:
    """SIGKILL the replica running a victim's held LLM request (a unit of `kind`, else
    one owing LlmCalls); the victim must resume on another replica within its own bound
    (observe_recovery) before a replacement starts."""
    await chaos.start_fleet(argv=argv)
    async with chaos.load():
        victim = chaos.workload.plan(kind) if kind else chaos.plan_owing(LlmCalls)
        chaos.world.fake_llm.script(victim.marker, [Delay(seconds=60)])  # answered after death
        await chaos.workload.start(victim)
        await chaos.wait_llm_in_flight(victim.marker)
        hit, replica = await chaos.replica_running(victim.workflow_id)
        async with chaos.faulted(WorkerCrash(replica.process, lambda: chaos.start_replica(argv))):
            await observe_recovery(chaos, victim, hit.activity)  # on the survivors
    return hit, replica


async def replica_pause(
    chaos: ChaosRun, argv: list[str] | None = None
) -> tuple[Running, WorkerProcess]:
    """Freeze the replica running a victim's held effect past the activity's declared
    timeout (the others take the attempt over), then thaw it."""
    await chaos.start_fleet(argv=argv)
    async with chaos.load():
        victim, _ = await mid_effect(chaos)
        hit, replica = await chaos.replica_running(victim.workflow_id)
        async with chaos.faulted(WorkerPause(replica.process)):
            frozen_at = time.monotonic()  # the pause counts from the freeze
            pause = await pause_past_timeouts(chaos, hit)
            await chaos.hold(pause - (time.monotonic() - frozen_at))
    return hit, replica


async def drained_exit(replica: WorkerProcess) -> None:
    """After SIGTERM: the replica exits within DRAIN_DEADLINE, with code 0."""
    name = describe_replica(replica)
    try:
        await wait_for(
            lambda: not replica.process.running(),
            what=f"{name} to drain and exit after SIGTERM",
            timeout=DRAIN_DEADLINE,
            logs={replica.process.name: replica.process.log_path},
        )
    except WaitTimeout as exc:
        raise Finding(BugClass.UNRESPONSIVE, f"{name} ignored SIGTERM: {exc}") from None
    code = replica.process.returncode()
    expect(
        code == 0,
        BugClass.WORKER_EXITED,
        f"{name} exited {code} after SIGTERM; a drained worker exits 0:\n{replica.log()}",
    )
    replica.stop(grace=1)  # reap what is left of its process group


async def rolling_restart(chaos: ChaosRun, argv: list[str] | None = None) -> list[Drained]:
    """SIGTERM each replica in turn while a victim's request is held on it, wait for its
    exit, start its replacement and wait until it polls; the queue never without a poller."""
    fleet = await chaos.start_fleet(argv=argv)
    retired: list[WorkerProcess] = []
    drained: list[Drained] = []

    def serving() -> list[WorkerProcess]:
        return [w for w in chaos.workers if w.process.running() and w not in retired]

    spec = LoadSpec.from_env(ceiling=ROLLING_CEILING)
    async with chaos.load(spec), PollerWatch(chaos, serving) as watch:
        waiting = list(fleet)
        while waiting:
            victim, hit, old = await held_on(chaos, waiting)
            waiting.remove(old)
            retired.append(old)
            stop = WorkerTerminate(old.process, lambda: chaos.start_replica(argv))
            async with chaos.faulted(stop):
                await drained_exit(old)
            assert stop.at is not None
            drained.append(Drained(victim, hit, old, stop.at))
    watch.expect_never_empty()
    return drained


def expect_drained(chaos: ChaosRun, drained: list[Drained]) -> None:
    """After check(): each SIGTERM met its victim's request in flight (else fault-missed),
    and that attempt finished on the replica that got it (else no-drain)."""
    for d in drained:
        name, wid, activity = describe_replica(d.replica), d.victim.workflow_id, d.hit.activity
        calls = chaos.world.fake_llm.calls_for(d.victim.marker)
        first = calls[0]
        met = first.monotonic < d.signalled and (
            first.finished_monotonic is None or first.finished_monotonic > d.signalled
        )
        expect(met, BugClass.FAULT_MISSED, f"the SIGTERM of {name} met no request of {wid}")
        retried = activity in chaos.retried_any(wid)
        expect(
            first.status == 200 and not retried,
            BugClass.NO_DRAIN,
            f"{name} got SIGTERM while {activity} of {wid} waited on its LLM request "
            f"(held {HOLD_SECONDS:g} s) and ended without finishing it: the request was "
            f"{'answered ' + str(first.status) if first.status else 'dropped'}, Temporal "
            f"ran {activity} again ({len(calls)} LLM calls). A worker must drain in-flight "
            "activities on SIGTERM (the SDK's graceful shutdown), then exit 0",
        )

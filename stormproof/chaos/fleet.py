"""A fleet of worker replicas on one chaos run's task queue, and which replica runs what.

Seed 001 deploys two worker replicas; one of them dying, frozen, or the whole fleet
restarted one replica at a time under load are such a deployment's everyday faults.
`chaos.start_fleet()` starts n workers (STORMPROOF_FLEET_SIZE, default 3) on the run's one
task queue and returns once each of them polls it for workflows and for activities;
`chaos.start_replica()` adds one more (a replacement) the same way. Readiness is per
replica: a PingWorkflow proves only that some replica polls, not which.

Which replica runs an activity is read from Temporal: a pending activity's
`last_worker_identity`, a poller's `identity` (DescribeTaskQueue, every partition of the
queue: fixtures/pollers.py). The SDK's default
identity is `<pid>@<host>`; neither the reference worker nor the examples set another, and
an adapter's WorkerEnv names no identity variable, so a replica is the one whose process,
or whose process group (a wrapper script's child), has that pid. A worker that sets an
identity of its own cannot be told apart: `replica_running` says so, naming the identity.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import time
from collections.abc import Callable, Iterable
from datetime import timedelta
from types import TracebackType
from typing import TYPE_CHECKING

from temporalio.api.enums.v1 import PendingActivityState
from temporalio.service import RPCError

from stormproof.chaos.triggers import Running
from stormproof.diagnosis import BugClass, expect
from stormproof.fixtures.pollers import KINDS, pollers_in_every_partition
from stormproof.fixtures.readiness import Probe, wait_ready
from stormproof.fixtures.wait import wait_for
from stormproof.fixtures.worker import WorkerProcess

if TYPE_CHECKING:
    from stormproof.chaos.run import ChaosRun

FLEET_SIZE_VARIABLE = "STORMPROOF_FLEET_SIZE"
DEFAULT_FLEET_SIZE = 3
# A replica started on a loaded 2-core machine polls within 3-8 s; two tests start three each.
REPLICA_READY_SECONDS = 60.0
SAMPLE_SECONDS = 0.5  # how often PollerWatch asks the server for the queue's pollers
_PID = re.compile(r"^(\d+)@")


def fleet_size() -> int:
    """Replicas per fleet: STORMPROOF_FLEET_SIZE, else 3 (a fleet is 2 or more)."""
    raw = os.environ.get(FLEET_SIZE_VARIABLE, "").strip()
    if not raw:
        return DEFAULT_FLEET_SIZE
    if not raw.isdigit() or int(raw) < 2:
        raise ValueError(
            f"{FLEET_SIZE_VARIABLE}={raw!r}: a fleet is 2 replicas or more "
            f"(fix: a whole number >= 2, or unset it for {DEFAULT_FLEET_SIZE})"
        )
    return int(raw)


def identity_pid(identity: str) -> int | None:
    """The pid in an SDK default identity (`<pid>@<host>`), else None."""
    found = _PID.match(identity)
    return int(found.group(1)) if found else None


def replica_with(replicas: Iterable[WorkerProcess], identity: str) -> WorkerProcess | None:
    """The replica whose process (or process group) has the identity's pid, else None."""
    pid = identity_pid(identity)
    started = [r for r in replicas if r.process.proc is not None]
    if pid is None:
        return None
    for replica in started:
        if replica.process.pid == pid:
            return replica
    try:
        group = os.getpgid(pid)  # a wrapper's child: its group is the replica's
    except (ProcessLookupError, PermissionError):
        return None
    return next((r for r in started if r.process.pid == group), None)


def describe_replica(replica: WorkerProcess) -> str:
    """`worker2 (pid 1234)`: how a finding names a replica."""
    return f"{replica.process.name} (pid {replica.process.pid})"


class Fleet:
    """The fleet part of a chaos run (mixed into ChaosRun): replicas, and who runs what."""

    async def start_fleet(
        self: ChaosRun, n: int | None = None, argv: list[str] | None = None
    ) -> list[WorkerProcess]:
        """Start `n` replicas (STORMPROOF_FLEET_SIZE, default 3) at once on the run's task
        queue; return once every one of them polls it for workflows and activities."""
        replicas = []
        for _ in range(n or fleet_size()):  # each named (and logged) by the run's count
            replicas.append(self.worker_process(argv).start())
            self.workers.append(replicas[-1])
        await asyncio.gather(*(self.wait_replica_polling(r) for r in replicas))
        await self.metrics.start(self.fault, self.metric_urls())
        return replicas

    async def start_replica(self: ChaosRun, argv: list[str] | None = None) -> WorkerProcess:
        """One more replica (a replacement), returned once it polls for both kinds."""
        replica = self.worker_process(argv)
        self.workers.append(replica.start())
        await self.wait_replica_polling(replica)
        return replica

    async def polling(
        self: ChaosRun, replicas: Iterable[WorkerProcess]
    ) -> dict[str, set[WorkerProcess]]:
        """Per poller kind (workflow, activity), which of `replicas` the server lists."""
        found = await pollers_in_every_partition(self.world.client, self.task_queue)
        chosen = list(replicas)
        out: dict[str, set[WorkerProcess]] = {}
        for kind in KINDS:
            listed = (replica_with(chosen, identity) for identity in found.get(kind, ()))
            out[kind] = {r for r in listed if r is not None}
        return out

    async def wait_replica_polling(
        self: ChaosRun, replica: WorkerProcess, timeout: float = REPLICA_READY_SECONDS
    ) -> None:
        """Wait until the server lists this replica (its pid) as a workflow and an activity
        poller of the run's queue; a replica that exits meanwhile fails at once, with its log."""

        async def listed() -> bool:
            try:
                found = await self.polling([replica])
            except RPCError:
                return False
            return all(replica in found[kind] for kind in KINDS)

        queue = self.task_queue
        await wait_ready(
            replica.process,
            Probe(f"{describe_replica(replica)} polling {queue!r} for both kinds", listed),
            timeout=timeout,
            interval=0.2,
            fix=f"the worker must poll {queue!r} for workflows and activities with the SDK's "
            "default identity (<pid>@<host>), so the suite can tell its replicas apart",
            logs={replica.process.name: replica.process.log_path},
            tail_lines=60,
        )

    async def replica_running(
        self: ChaosRun, workflow_id: str, timeout: float = 30
    ) -> tuple[Running, WorkerProcess]:
        """Wait until an activity of `workflow_id` runs on one of the run's replicas, read
        from Temporal (its pending activity's last_worker_identity); return both."""
        seen: list[str] = []

        async def found() -> tuple[Running, WorkerProcess] | None:
            handle = self.world.client.get_workflow_handle(workflow_id)
            described = await handle.describe(rpc_timeout=timedelta(seconds=5))
            started = PendingActivityState.PENDING_ACTIVITY_STATE_STARTED
            for p in described.raw_description.pending_activities:
                if p.state != started:
                    continue
                replica = replica_with(self.workers, p.last_worker_identity)
                if replica is not None:
                    return Running(workflow_id, p.activity_type.name, p.attempt), replica
                seen.append(p.last_worker_identity)
            return None

        try:
            return await wait_for(
                found,
                what=f"an activity of {workflow_id} running on a replica",
                timeout=timeout,
                interval=0.05,
                retry_on=(RPCError,),
                logs=self.logs(),
            )
        except TimeoutError as exc:
            if seen:  # running, but on no replica the suite can name
                raise LookupError(
                    f"{workflow_id} runs on worker identity {seen[-1]!r}, which names none of "
                    f"the replicas' pids {[r.process.pid for r in self.workers]}: the fleet "
                    "rows need the SDK's default identity (<pid>@<host>)"
                ) from exc
            raise


class PollerWatch:
    """While open, samples every SAMPLE_SECONDS how many serving replicas the server lists
    as workflow and activity pollers of the run's queue; `expect_never_empty` fails as
    `no-poller` when a sample found none of a kind (a fleet that stopped serving)."""

    def __init__(self, chaos: ChaosRun, serving: Callable[[], list[WorkerProcess]]):
        self.chaos, self.serving = chaos, serving
        self.samples: list[tuple[float, int, int]] = []  # (seconds in, workflow, activity)
        self._began = time.monotonic()
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> PollerWatch:
        self._began = time.monotonic()
        self._task = asyncio.create_task(self._sample())
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _sample(self) -> None:
        while True:
            serving = self.serving()
            with contextlib.suppress(RPCError):
                found = await self.chaos.polling(serving)
                at = time.monotonic() - self._began
                self.samples.append((at, len(found["workflow"]), len(found["activity"])))
            await asyncio.sleep(SAMPLE_SECONDS)  # wait-ok: the sampling period

    @property
    def fewest(self) -> int:
        """The fewest serving replicas listed for either kind in any sample."""
        return min((min(w, a) for _, w, a in self.samples), default=0)

    def expect_never_empty(self) -> None:
        empty = [
            f"{at:.1f}s ({w} workflow, {a} activity)" for at, w, a in self.samples if not w or not a
        ]
        expect(
            self.samples and not empty,
            BugClass.NO_POLLER,
            f"the fleet on {self.chaos.task_queue!r} had no serving replica polling at "
            f"{', '.join(empty[:5]) or 'every sample (none taken)'} into the restart: a rolling "
            "restart stops the next replica only once its replacement polls",
        )

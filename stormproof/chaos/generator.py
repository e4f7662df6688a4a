"""The continuous workload: an open-loop, seeded generator that runs through every fault.

A fault that meets six workflows proves little; a retry storm after a heal or a duplicate
one time in two hundred only shows under sustained load. So every chaos test wraps its
scenario in `async with chaos.load():`, and this generator starts workflows at a target
rate (seeded Poisson arrivals, a seeded mix of the workload's kinds) whatever happens to
them: open loop, as Jepsen's generators and omes's scenarios are, so a slow or faulted
world gets a backlog rather than a politely slower client. A concurrency cap (open
workflows) bounds the backlog on 2 cores: above it the generator waits, and says so.

The phases are operations of the history (`phase` ops the checker ignores): warm-up from
the first start, the fault and heal the nemesis records itself, `drain` when the generator
stops starting (once at least `workflows` have started) and `drained` when every accepted
workflow has closed. Completion is awaited with the SDK's long poll (one idle RPC per open
workflow, not a describe() every 250 ms); then Workload.await_result records the `result`
operation the checker judges (a unit that needs a signal, like an approval, is driven by
await_result itself, which then polls).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from temporalio.client import Client
from temporalio.service import RPCError

from stormproof.chaos.workload import Planned, Workload
from stormproof.fixtures.pollers import KINDS, pollers_in_every_partition
from stormproof.fixtures.processes import ManagedProcess
from stormproof.fixtures.readiness import Probe, wait_ready
from stormproof.operations import OperationLog

DEFAULT_KINDS = ("story", "report")


class LoadSpec(BaseModel):
    """How much load a chaos test runs under; the defaults fit 2 cores running 2 tests."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rate: float = Field(8.0, gt=0, description="target starts per second (open loop)")
    concurrency: int = Field(150, gt=0, description="most workflows open at once")
    workflows: int = Field(
        100, ge=0, description="least workflows judged (the scenario's own count) at the stop"
    )
    ceiling: float = Field(
        1.0,
        ge=1.0,
        description="most started, as a multiple of `workflows`: a long scenario "
        "must not flood the machine the other test shares",
    )
    warmup: float = Field(2.0, ge=0, description="seconds of load before the fault")
    mix: dict[str, float] | None = Field(
        None, description="kind -> weight; None: the adapter's mix, else every kind evenly"
    )
    give_up: float = Field(240.0, gt=0, description="seconds a workflow may take to close")

    @classmethod
    def from_env(cls, **overrides: Any) -> LoadSpec:
        """The defaults, with STORMPROOF_CHAOS_RATE, STORMPROOF_CHAOS_WORKFLOWS and
        STORMPROOF_CHAOS_MIX (`story=1,report=2`) applied, then a test's own overrides."""
        values: dict[str, Any] = {}
        if rate := os.environ.get("STORMPROOF_CHAOS_RATE"):
            values["rate"] = float(rate)
        if workflows := os.environ.get("STORMPROOF_CHAOS_WORKFLOWS"):
            values["workflows"] = int(workflows)
        if mix := os.environ.get("STORMPROOF_CHAOS_MIX"):
            pairs = (part.partition("=") for part in mix.split(",") if part.strip())
            values["mix"] = {k.strip(): float(w or 1) for k, _, w in pairs}
        return cls(**{**values, **overrides})


class Generator:
    """Starts workflows of `workload` until stopped; tracks each until it closes."""

    def __init__(
        self,
        workload: Workload,
        history: OperationLog,
        rng: random.Random,
        spec: LoadSpec | None = None,
        prepare: Callable[[Planned], None] | None = None,
        progress: Callable[[Generator], None] | None = None,
    ):
        self.workload, self.history, self.rng = workload, history, rng
        self.spec = spec or LoadSpec()
        self.prepare, self.progress = prepare, progress
        self.phase = "idle"  # the last `_phase`, for `progress` (stormproof/report/ticker.py)
        kinds = tuple(getattr(workload, "kinds", DEFAULT_KINDS))
        adapter = getattr(workload, "adapter", None)
        if adapter is not None:  # a session is started only by the rows that send its Updates
            kinds = tuple(u.name for u in adapter.plain_units)
        mix = self.spec.mix or getattr(adapter, "mix", None) or dict.fromkeys(kinds, 1.0)
        self.kinds, self.weights = list(mix), list(mix.values())
        self.started = self.closed = self.refused = self.capped = 0
        self._open = asyncio.Semaphore(self.spec.concurrency)
        self._stop = asyncio.Event()
        self._enough = asyncio.Event()  # set once `workflows` have started
        self._loop: asyncio.Task[None] | None = None
        self._tracks: set[asyncio.Task[None]] = set()
        # (workflow id, error) of a client's own crash: the judge's bug, raised at stop()
        self.crashed: list[tuple[str, BaseException]] = []
        # workflow ids whose `result` op the generator already recorded (finish skips them)
        self.resolved: set[str] = set()
        self._give_up = 0.0

    def describe(self) -> dict[str, Any]:
        """What the report shows of the load: the spec and what the generator did."""
        return {
            **self.spec.model_dump(),
            "started": self.started,
            "closed": self.closed,
            "refused": self.refused,
            "waited_at_cap": self.capped,
        }

    def _judged(self) -> int:
        """Workflows the checker will judge: the generator's and the scenario's own."""
        return len(self.workload.planned)

    @property
    def open(self) -> int:
        return self.started - self.closed - self.refused

    def _phase(self, name: str) -> None:
        self.phase = name
        self.history.phase(name, started=self.started, closed=self.closed)
        self._progress()

    def _progress(self) -> None:
        """Tell `progress` of a phase, a start or a close (it throttles its own writes)."""
        if self.progress:
            self.progress(self)

    async def __aenter__(self) -> Generator:
        return await self.begin()

    async def begin(self) -> Generator:
        """Start the load and run the warm-up phase (for scenarios that cannot nest a
        `with`; ChaosRun.close() cancels a generator left running)."""
        self._give_up = time.monotonic() + self.spec.give_up
        self._phase("warm-up")
        self._loop = asyncio.create_task(self._run())
        await asyncio.sleep(self.spec.warmup)  # wait-ok: the warm-up phase is a duration
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None:  # the scenario failed: stop at once, leave nothing running
            await self.cancel()
            return
        await self.stop()

    async def stop(self, drain_timeout: float | None = None) -> None:
        """End the load once `workflows` have started, then wait until every one closed."""
        if self._loop is not None:
            enough = asyncio.create_task(self._enough.wait())
            await asyncio.wait({enough, self._loop}, return_when=asyncio.FIRST_COMPLETED)
            enough.cancel()
        self._stop.set()
        if self._loop:
            await self._loop
        self._phase("drain")
        pending = list(self._tracks)
        remaining = max(self._give_up - time.monotonic(), 1.0)
        if pending:
            await asyncio.wait(pending, timeout=drain_timeout or remaining)
        self._phase("drained")
        await self.cancel()
        if self.crashed:
            wid, exc = self.crashed[0]
            raise RuntimeError(
                f"the load's client crashed on {len(self.crashed)} workflow(s), first "
                f"{wid}: {type(exc).__name__}: {exc} (a bug of Stormproof's client, not "
                "of the worker: nothing was judged)"
            ) from exc

    async def cancel(self) -> None:
        self._stop.set()
        tasks = [t for t in (self._loop, *self._tracks) if t is not None and not t.done()]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _run(self) -> None:
        """Seeded Poisson arrivals at `rate`, waiting at the concurrency cap."""
        next_at = time.monotonic()
        most = max(self.spec.workflows, int(self.spec.workflows * self.spec.ceiling))
        while not self._stop.is_set() and self._judged() < most:
            next_at += self.rng.expovariate(self.spec.rate)
            delay = next_at - time.monotonic()
            if delay > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), timeout=delay)
                if self._stop.is_set():
                    return
            if self._open.locked():
                self.capped += 1
                await self._open.acquire()
                next_at = time.monotonic()  # no burst to catch up after the cap lifts
            else:
                await self._open.acquire()
            kind = self.rng.choices(self.kinds, self.weights)[0]
            item = self.workload.plan(kind)  # type: ignore[arg-type]
            if self.prepare:
                self.prepare(item)
            self.started += 1
            self._progress()
            if self._judged() >= self.spec.workflows:
                self._enough.set()
            task = asyncio.create_task(self._track(item))
            self._tracks.add(task)
            task.add_done_callback(self._tracks.discard)

    async def _track(self, item: Planned) -> None:
        try:
            if not await self.workload.start(item):
                self.refused += 1
                return
            if getattr(getattr(item, "unit", None), "drive", None) is None:
                await self._closed(item)  # one idle long poll, not a describe() per 500 ms
            await_result = getattr(self.workload, "await_result", None)
            if await_result is not None:  # drives the unit (a signal) and records its result
                await await_result(item, self._give_up, poll=0.5)
                self.resolved.add(item.workflow_id)
            self.closed += 1
            self._progress()
        except Exception as exc:  # never a silent loss: stop() raises it
            self.crashed.append((item.workflow_id, exc))
        finally:
            self._open.release()

    async def _closed(self, item: Planned) -> None:
        """Wait until `item` closes, by the SDK's long poll of its history."""
        handle = self.workload.client.get_workflow_handle(item.workflow_id)
        while time.monotonic() < self._give_up:
            try:
                await handle.result()
                return
            except RPCError:  # the server restarts under a fault: ask again
                await asyncio.sleep(0.5)  # wait-ok: retry interval of a bounded loop
            except Exception:  # failed, terminated, timed out: closed all the same
                return


async def wait_new_pollers(
    client: Client,
    task_queue: str,
    before: dict[str, list[str]],
    process: ManagedProcess,
    timeout: float = 60.0,
) -> None:
    """A worker started under load is ready once it polls for workflows and activities.

    The contract's PingWorkflow would queue behind the backlog (a hundred workflow tasks
    ahead of it after an outage), so readiness is a poller identity the server did not
    list before the start, for both kinds, read in every partition of the queue (its root
    alone can miss a new worker's polls for up to a minute); a process that exits ends the
    wait at once."""

    async def polling() -> bool:
        try:
            found = await pollers_in_every_partition(client, task_queue)
        except RPCError:
            return False
        return all(set(found.get(kind, ())) - set(before.get(kind, ())) for kind in KINDS)

    await wait_ready(
        process,
        Probe(f"new workflow and activity pollers on task queue {task_queue!r}", polling),
        timeout=timeout,
        interval=0.2,
        fix=f"the worker must poll {task_queue!r} for workflows and activities",
        logs={"worker": process.log_path},
        tail_lines=60,
    )

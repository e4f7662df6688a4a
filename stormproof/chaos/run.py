"""One chaos test's world: its proxies, workers, history, workload and the final check.

The worker reaches Temporal, the LLM, PostgreSQL and the sink only through Toxiproxy
proxies of this run; the judge talks to Temporal directly (or, for the unknown-outcome
start, through a proxy of its own). Everything the run creates is undone in close():
toxics removed, proxies deleted, workers stopped, storms cleared, the sink back up.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from stormproof.adapter import for_adapter
from stormproof.chaos import verdict
from stormproof.chaos.fleet import Fleet
from stormproof.chaos.generator import Generator, LoadSpec, wait_new_pollers
from stormproof.chaos.live import LiveRun
from stormproof.chaos.metrics_watch import MetricsWatch, metric_urls
from stormproof.chaos.nemesis import Nemesis
from stormproof.chaos.triggers import Triggers
from stormproof.chaos.workload import Planned, Workload
from stormproof.chaos.world import ChaosWorld
from stormproof.checker import CheckResult, Snapshot
from stormproof.effects import ActivityAttempts
from stormproof.fixtures.cluster import TemporalCluster
from stormproof.fixtures.endpoints import WorldEndpoints, build_endpoints
from stormproof.fixtures.pollers import pollers_in_every_partition, wait_polling
from stormproof.fixtures.toxiproxy import Proxy
from stormproof.fixtures.wait import LogSource, wait_for
from stormproof.fixtures.worker import WorkerProcess
from stormproof.operations import OperationLog
from stormproof.report import stats as chaos_stats
from stormproof.report.model import ChaosRecord

LLM_TIMEOUT_SECONDS = 4.0


class ChaosRun(Triggers, Fleet):
    """One chaos test's run on the shared world: its queue, tag, proxies, workers, load,
    faults and history, judged at the end; its triggers read from the world (Triggers),
    its replicas told apart by Temporal's worker identity (Fleet)."""

    def __init__(self, world: ChaosWorld, tmp: Path, tag: str, fault: str, test_id: str):
        self.world, self.tmp, self.tag, self.fault = world, tmp, tag, fault
        self.rng = random.Random(f"{world.seed}:{test_id}")
        self.history = OperationLog(tmp / "history.jsonl")
        self.task_queue = f"{tag}-q"
        self.live = LiveRun(test_id, lambda: self.fault)  # the terminal's live counts
        self.proxies: dict[str, Proxy] = {}
        self.workers: list[WorkerProcess] = []
        self.nemeses: list[Nemesis] = []
        self.result: CheckResult | None = None
        self.snapshot: Snapshot | None = None
        # workflow id -> activity type -> attempts, as observed by check()
        self.activities: dict[str, dict[str, ActivityAttempts]] = {}
        self.run_ids: dict[str, list[str]] = {}  # workflow id -> its runs, as check() read them
        self.workload = Workload(
            world.client,
            self.task_queue,
            self.history,
            tag,
            adapter=world.adapter,
            artifact_dir=tmp / "artifacts",
            fake_llm=world.fake_llm,
        )
        # workflow id -> what stormproof/chaos/recovery.py measured after a worker death
        self.recovery: dict[str, dict[str, Any]] = {}
        self.artifact_dir = tmp / "artifacts"
        self.generator: Generator | None = None
        # worker and server /metrics before each fault and after the drain (metric_deltas)
        self.metrics = MetricsWatch()
        # before-fault scrapes still running: awaited at check(), never inside a fault window
        self.scrapes: list[asyncio.Task[None]] = []
        self.owing_turns: dict[type, int] = {}  # effect kind -> units planned (plan_owing)

    @property
    def toxiproxy(self):  # -> ToxiproxyClient
        return self.world.toxiproxy.client

    def link(self, name: str) -> str:
        """The Toxiproxy name of this run's proxy for `name` (temporal, llm, judge, ...)."""
        return self.proxies[name].name

    def open_links(self) -> None:
        upstreams = {
            "temporal": self.world.temporal.address,
            "llm": f"127.0.0.1:{self.world.fake_llm.port}",
            "postgres": f"127.0.0.1:{self.world.postgres.port}",
            "sink": f"127.0.0.1:{self.world.sink.port}",
            "judge": self.world.temporal.address,
        }
        for service, recorder in self.world.services.items():  # the team's own services
            upstreams[f"svc-{service}"] = recorder.address_str
        for name, upstream in upstreams.items():
            self.proxies[name] = self.toxiproxy.create(f"{self.tag}-{name}", upstream)
        # A database of the run's own: rows of different tests (and of a broken variant's
        # schema) never meet, and the observer reads exactly this run's rows.
        self.world.postgres.execute(f'CREATE DATABASE "{self.tag}"')

    @property
    def database_url(self) -> str:
        """This run's database, direct (the observer's view, not through the proxy)."""
        base = self.world.postgres.url
        return base[: base.rindex("/") + 1] + self.tag

    def endpoints(self) -> WorldEndpoints:
        """Every link of the worker goes through this run's proxies; files in the run's tmp."""
        p = self.proxies
        base = build_endpoints(
            self.tmp,
            temporal_address=p["temporal"].address,
            llm_base_url=f"http://{p['llm'].address}/v1",
            notify_url=self.world.sink.url.replace(
                f"127.0.0.1:{self.world.sink.port}", p["sink"].address
            ),
            database_url=self.database_url.replace(
                f":{self.world.postgres.port}/", f":{p['postgres'].port}/"
            ),
            # Short enough that an LLM timeout fault costs seconds, not the default 10.
            llm_timeout_seconds=LLM_TIMEOUT_SECONDS,
            metrics=True,  # a free port for the worker's /metrics (the report's deltas)
        )
        services = {name: f"http://{p[f'svc-{name}'].address}" for name in self.world.services}
        return for_adapter(base, self.world.adapter, services)

    def worker_process(self, argv: list[str] | None = None) -> WorkerProcess:
        """A worker on this run's queue, not started: its command, endpoints and log."""
        return WorkerProcess(
            argv or self.world.worker_argv,
            self.endpoints(),
            task_queue=self.task_queue,
            log_dir=self.tmp,
            name=f"worker{len(self.workers) + 1}",
        )

    async def start_worker(self, argv: list[str] | None = None) -> WorkerProcess:
        """A worker on this run's queue, ready once the adapter's readiness workflow
        round-trips through it (the contract's PingWorkflow) or, for a team's worker,
        once it polls the queue (fixtures/pollers.py)."""
        worker = self.worker_process(argv)
        loaded = self.generator is not None and self.generator.open > 0
        before = (
            await pollers_in_every_partition(self.world.client, self.task_queue) if loaded else {}
        )
        self.workers.append(worker.start())
        if loaded:  # a PingWorkflow would wait behind the backlog: a new poller is the proof
            await wait_new_pollers(self.world.client, self.task_queue, before, worker.process)
        elif self.world.adapter.ready_workflow:
            await worker.wait_ready(self.world.client, timeout=60)
        else:
            logs = {"worker": worker.process.log_path}
            await wait_polling(
                self.world.client, self.task_queue, timeout=60, process=worker.process, logs=logs
            )
        await self.metrics.start(self.fault, self.metric_urls())
        return worker

    @property
    def worker(self) -> WorkerProcess:
        return self.workers[-1]

    def logs(self) -> dict[str, LogSource]:
        logs: dict[str, LogSource] = {"temporal": self.world.temporal.process.log_path}
        if isinstance(self.world.temporal, TemporalCluster):  # every service explains a fault
            logs.update(self.world.temporal.logs())
        logs.update({w.process.name: w.process.log_path for w in self.workers})
        logs["history"] = lambda: self.history.tail(30)
        return logs

    def load(
        self, spec: LoadSpec | None = None, prepare: Callable[[Planned], None] | None = None
    ) -> Generator:
        """The continuous workload this test's fault runs under (stormproof/chaos/generator.py):
        `async with chaos.load():` around the warm-up, the fault and the heal."""
        spec, live = spec or LoadSpec.from_env(), self.live.load  # live: the terminal's counts
        self.generator = Generator(self.workload, self.history, self.rng, spec, prepare, live)
        return self.generator

    # --- faults -----------------------------------------------------------------------

    async def inject(self, nemesis: Nemesis) -> None:
        self.nemeses.append(nemesis)
        self.history.fault("invoke", **nemesis.describe())
        # The fault first, the scrape in the background: scraping the server's metrics takes
        # seconds under load, and a fault aimed at a moment (an effect held open) or kept short
        # (LLM resets within llm_call's retry budget) may not wait for it; counters move slower.
        scraping = asyncio.create_task(self.metrics.before_fault(nemesis.name, self.metric_urls()))
        self.scrapes.append(scraping)
        await nemesis.inject()
        self.history.fault("ok", **nemesis.describe())
        self.live.phase("fault")

    async def heal(self, nemesis: Nemesis) -> None:
        self.history.heal("invoke", nemesis.name)
        await nemesis.heal()
        self.history.heal("ok", nemesis.name)
        self.live.phase("heal")

    @contextlib.asynccontextmanager
    async def faulted(self, nemesis: Nemesis) -> AsyncIterator[Nemesis]:
        await self.inject(nemesis)
        try:
            yield nemesis
        finally:
            await self.heal(nemesis)

    async def hold(self, seconds: float) -> None:
        """Keep a fault in place for its stated duration (nothing more when it is spent)."""
        await asyncio.sleep(max(seconds, 0.0))  # wait-ok: fault duration

    async def wait_llm_in_flight(self, marker: str, timeout: float = 30) -> None:
        """Wait until the fake LLM holds an unanswered request for `marker`."""
        await wait_for(
            lambda: any(c.status is None for c in self.world.fake_llm.calls_for(marker)),
            what=f"an LLM request in flight for {marker}",
            timeout=timeout,
            logs=self.logs(),
        )

    # --- the end ------------------------------------------------------------------------

    async def finish(self, timeout: float) -> CheckResult:
        """Await the workload, observe the world, check; the result goes to the report."""
        await_result = getattr(self.workload, "await_result", None)
        if self.generator is not None and await_result is not None:
            give_up = time.monotonic() + timeout  # the generator recorded what it tracked
            pending = [
                i for i in self.workload.accepted if i.workflow_id not in self.generator.resolved
            ]
            await asyncio.gather(*(await_result(i, give_up) for i in pending))
        else:
            await self.workload.finish(timeout=timeout)
        return await self.check()

    def metric_urls(self) -> dict[str, str]:
        return metric_urls(self.world.temporal, self.workers)

    async def check(self) -> CheckResult:
        """Observe the world and judge it (stormproof/chaos/verdict.py)."""
        return await verdict.observe_and_check(self)  # it sets self.result and self.snapshot

    def retried(self, workflow_id: str, activity: str) -> bool:
        """Temporal ran some one execution of `activity` in this workflow more than once:
        the proof a fault hit that step (after check(); see stormproof.effects.attempts)."""
        assert self.snapshot is not None, "check() first"
        found = self.activities.get(workflow_id, {}).get(activity)
        return found is not None and found.retried

    def assert_exactly_once(self, result: CheckResult | None = None) -> CheckResult:
        """Fail with the first bug class the verdict found (stormproof/chaos/verdict.py)."""
        return verdict.assert_exactly_once(self, result or self.result)

    async def close(self) -> None:
        if self.generator is not None:
            await self.generator.cancel()
        for scraping in self.scrapes:
            scraping.cancel()
        for nemesis in reversed(self.nemeses):
            with contextlib.suppress(Exception):
                await nemesis.heal()
        for worker in self.workers:
            worker.stop(grace=5)
        for proxy in self.proxies.values():
            with contextlib.suppress(Exception):
                self.toxiproxy.delete(proxy.name)
        self.world.fake_llm.clear()
        self.world.sink.set_down(False)
        self.history.close()

    def record(self, failure: str | None = None) -> ChaosRecord:
        """What the chaos report keeps of this run; `failure` is the failed test's class."""
        found = self.result.diagnoses if self.result else []
        return ChaosRecord(
            fault=self.fault,
            tag=self.tag,
            seed=self.world.seed,
            history=str(self.history.path),
            result=self.result,
            diagnoses=sorted({*found, *([failure] if failure else [])}),
            recovery_after_death=self.recovery,
            diagnosis=failure,
            recorded_at=time.time(),
            # latency, throughput, outcome rates, drain (stormproof/report/stats.py)
            stats=chaos_stats.compute(self.history.ops),
            load=self.generator.describe() if self.generator else None,
            # fault name -> worker/server metric increases (stormproof/metrics.py)
            metric_deltas=self.metrics.deltas,
        )

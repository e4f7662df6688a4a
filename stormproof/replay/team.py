"""Record a team's own scenarios through its adapter: the re-record guard, for any worker.

Replay proves old histories fit new code; it cannot see a changed timer, timeout or retry
policy. The reference guards against that by recording its scenarios again and diffing
them with the committed files (test_guard.py); this module gives a team the same guard:
one scenario per unit of its adapter (`<workflow type>/<unit>.json`), run on a throwaway
world (dev server, fake LLM, sink, the adapter's services behind recording proxies) with
the team's worker as a process, pointed at the world with the team's variable names.
Workflow ids and markers are fixed per unit, so a recording made twice is the same after
scrubbing, and `--check` fails with a diff when the code changed a history.

The same world (`team_world`, on the time-skipping server when asked) carries the
contract's properties for any adapter (stormproof/conformance/properties.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter

from stormproof.adapter import Adapter, Unit, UnitContext, for_adapter
from stormproof.adapter.services import add_services
from stormproof.fixtures.composed import World
from stormproof.fixtures.endpoints import WorldEndpoints, build_endpoints
from stormproof.fixtures.fake_llm import FakeLlm, tag
from stormproof.fixtures.pollers import wait_polling
from stormproof.fixtures.recording_proxy import RecordingProxy
from stormproof.fixtures.service import TimeSkippingServer
from stormproof.fixtures.sink import NotificationSink
from stormproof.fixtures.temporal import DevServer
from stormproof.fixtures.wait import wait_for
from stormproof.fixtures.worker import WorkerProcess
from stormproof.replay.histories import scrub

TASK_QUEUE = "stormproof-replay-team"
RUN_DEADLINE_SECONDS = 90.0
TOPIC = "Summarise the quarterly incident review."
PROBE_TYPE = "StormproofReadinessProbe"


class TeamScenario(BaseModel):
    """One unit of the adapter, run once on its happy path with fixed ids."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    unit: Unit

    @property
    def key(self) -> str:
        return f"{self.unit.workflow_type}/{self.unit.name}"

    @property
    def marker(self) -> str:
        return "sp-" + hashlib.sha256(self.key.encode()).hexdigest()[:12]

    def context(self, workdir: Path) -> UnitContext:
        return UnitContext(
            workflow_id=f"replay-{self.unit.name.replace('_', '-')}",
            marker=self.marker,
            text=tag(self.marker, TOPIC),
            task_queue=TASK_QUEUE,
            artifact_dir=workdir / "artifacts",
            tag="replay",
        )

    def path(self, root: Path) -> Path:
        return root / self.unit.workflow_type / f"{self.unit.name}.json"


def scenarios_of(adapter: Adapter) -> list[TeamScenario]:
    return [TeamScenario(unit=unit) for unit in adapter.plain_units]


@dataclass
class TeamWorld:
    """A running world judging `adapter`: Temporal, fake LLM, sink, the adapter's services
    behind recording proxies, and its worker (`worker`); `start_worker` adds another."""

    adapter: Adapter
    world: World
    client: Client
    fake_llm: FakeLlm
    sink: NotificationSink
    services: dict[str, RecordingProxy]
    base: WorldEndpoints
    workdir: Path
    time_skipping: bool = False
    worker: WorkerProcess | None = None

    async def start_worker(self, argv: Sequence[str], task_queue: str) -> WorkerProcess:
        """A worker process of `argv` on `task_queue`, pointed at this world with the
        adapter's variable names, once ready (stopped with the world)."""
        urls = {name: f"http://{proxy.address_str}" for name, proxy in self.services.items()}
        name = f"worker-{len([n for n in self.world.names if n.startswith('worker')])}"
        worker = WorkerProcess(
            list(argv),
            for_adapter(self.base, self.adapter, urls),
            task_queue=task_queue,
            log_dir=self.workdir,
            name=name,
        )

        async def ready() -> None:
            if self.adapter.ready_workflow:
                await worker.wait_ready(self.client, timeout=RUN_DEADLINE_SECONDS)
            elif self.time_skipping:
                await _probe_picked_up(self.client, task_queue, worker)
            else:
                await wait_polling(self.client, task_queue, timeout=60, process=worker.process)

        self.world.add(name, worker, after=self.world.names, ready=ready)
        await self.world.start(name)
        return worker


async def _probe_picked_up(client: Client, task_queue: str, worker: WorkerProcess) -> None:
    """Readiness where the server cannot list pollers (the time-skipping test server): a
    probe of an unregistered workflow type is picked up by the worker's workflow poller
    (its history gains a WorkflowTaskStarted), then terminated."""
    probe = await client.start_workflow(
        PROBE_TYPE, id=f"{PROBE_TYPE}-{task_queue}", task_queue=task_queue
    )

    async def picked_up() -> bool:
        async for event in probe.fetch_history_events():
            if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED:
                return True
        return False

    try:
        await wait_for(
            picked_up,
            what=f"the worker to take a task on {task_queue}",
            timeout=60,
            logs={"worker": worker.process.log_path},
        )
    finally:
        await probe.terminate(reason="readiness probe")


@contextlib.asynccontextmanager
async def team_world(
    adapter: Adapter,
    workdir: Path,
    worker_argv: Sequence[str],
    *,
    time_skipping: bool = False,
    task_queue: str = TASK_QUEUE,
) -> AsyncIterator[TeamWorld]:
    """Temporal (a dev server, or the time-skipping test server), fake LLM, sink, services
    and the team's worker on `task_queue`, ready; torn down after."""
    world = World()
    fake_llm = world.add("fake-llm", FakeLlm())
    sink = world.add("sink", NotificationSink())
    async with world:
        # The services are told the fake LLM's address, known once it listens.
        services = add_services(world, adapter, fake_llm.base_url, workdir)
        if time_skipping:
            skipping = world.add("temporal", TimeSkippingServer())
            await world.start()
            assert skipping.env is not None and skipping.endpoint is not None
            # The environment's client unlocks time skipping while a result is awaited.
            config = {**skipping.env.client.config(), "data_converter": pydantic_data_converter}
            client, address = Client(**config), skipping.endpoint
        else:
            server = world.add("temporal", DevServer(workdir / "temporal"))
            await world.start()
            client = await Client.connect(
                server.address, namespace="default", data_converter=pydantic_data_converter
            )
            address = server.address
        base = build_endpoints(
            workdir, temporal_address=address, llm_base_url=fake_llm.base_url, notify_url=sink.url
        )
        team = TeamWorld(
            adapter, world, client, fake_llm, sink, services, base, workdir, time_skipping
        )
        team.worker = await team.start_worker(worker_argv, task_queue)
        yield team


async def _run(
    client: Client, fake_llm: FakeLlm, scenario: TeamScenario, workdir: Path
) -> WorkflowHistory:
    unit, ctx = scenario.unit, scenario.context(workdir)
    if unit.llm_answers is not None:
        fake_llm.answer(ctx.marker, unit.llm_answers(ctx))
    handle = await client.start_workflow(
        unit.workflow_type, args=unit.build_input(ctx), id=ctx.workflow_id, task_queue=TASK_QUEUE
    )
    if unit.drive is not None:
        await unit.drive(ctx, handle)
    try:
        result = await asyncio.wait_for(handle.result(), timeout=RUN_DEADLINE_SECONDS)
    except TimeoutError:
        raise RuntimeError(
            f"{scenario.key} did not finish within {RUN_DEADLINE_SECONDS:.0f}s"
        ) from None
    problem = unit.check_result(ctx, result) if unit.check_result else None
    if problem:
        raise RuntimeError(f"{scenario.key}: the adapter's check_result says: {problem}")
    return await handle.fetch_history()


async def record_team(
    adapter: Adapter,
    worker_argv: Sequence[str],
    workdir: Path,
    scenarios: Sequence[TeamScenario] | None = None,
) -> dict[str, dict[str, Any]]:
    """Each scenario's history, recorded now and scrubbed, keyed `<type>/<unit>`."""
    chosen = list(scenarios or scenarios_of(adapter))
    async with team_world(adapter, workdir, worker_argv) as team:
        runs = (_run(team.client, team.fake_llm, s, workdir) for s in chosen)
        histories = await asyncio.gather(*runs)
    replacements = {str(f): "$WORKDIR" for f in (workdir, workdir.resolve())}
    return {
        s.key: scrub(h.to_json_dict(), replacements) for s, h in zip(chosen, histories, strict=True)
    }

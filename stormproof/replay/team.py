"""Record a team's own scenarios through its adapter: the re-record guard, for any worker.

Replay proves old histories fit new code; it cannot see a changed timer, timeout or retry
policy. The reference guards against that by recording its scenarios again and diffing
them with the committed files (test_guard.py); this module gives a team the same guard:
one scenario per unit of its adapter (`<workflow type>/<unit>.json`), run on a throwaway
world (dev server, fake LLM, sink, the adapter's services behind recording proxies) with
the team's worker as a process, pointed at the world with the team's variable names.
Workflow ids and markers are fixed per unit, so a recording made twice is the same after
scrubbing, and `--check` fails with a diff when the code changed a history.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict
from temporalio.client import Client, WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter

from stormproof.adapter import Adapter, Unit, UnitContext, for_adapter
from stormproof.adapter.services import add_services
from stormproof.fixtures.composed import World
from stormproof.fixtures.endpoints import build_endpoints
from stormproof.fixtures.fake_llm import FakeLlm, tag
from stormproof.fixtures.pollers import wait_polling
from stormproof.fixtures.sink import NotificationSink
from stormproof.fixtures.temporal import DevServer
from stormproof.fixtures.worker import WorkerProcess
from stormproof.replay.histories import scrub

TASK_QUEUE = "stormproof-replay-team"
RUN_DEADLINE_SECONDS = 90.0
TOPIC = "Summarise the quarterly incident review."


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
    return [TeamScenario(unit=unit) for unit in adapter.units]


@contextlib.asynccontextmanager
async def team_world(
    adapter: Adapter, workdir: Path, worker_argv: Sequence[str]
) -> AsyncIterator[tuple[Client, FakeLlm]]:
    """Dev server, fake LLM, sink, services and the team's worker, ready; torn down after."""
    world = World()
    fake_llm = world.add("fake-llm", FakeLlm())
    sink = world.add("sink", NotificationSink())
    async with world:
        # The services are told the fake LLM's address, known once it listens.
        services = add_services(world, adapter, fake_llm.base_url, workdir)
        server = world.add("temporal", DevServer(workdir / "temporal"))
        await world.start()
        client = await Client.connect(
            server.address, namespace="default", data_converter=pydantic_data_converter
        )
        base = build_endpoints(
            workdir,
            temporal_address=server.address,
            llm_base_url=fake_llm.base_url,
            notify_url=sink.url,
        )
        urls = {name: f"http://{proxy.address_str}" for name, proxy in services.items()}
        worker = WorkerProcess(
            list(worker_argv),
            for_adapter(base, adapter, urls),
            task_queue=TASK_QUEUE,
            log_dir=workdir,
            name="recorder-worker",
        )

        async def ready() -> None:
            if adapter.ready_workflow:
                await worker.wait_ready(client, timeout=RUN_DEADLINE_SECONDS)
            else:
                await wait_polling(client, TASK_QUEUE, timeout=60, process=worker.process)

        world.add("worker", worker, after=world.names, ready=ready)
        await world.start("worker")
        yield client, fake_llm


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
    async with team_world(adapter, workdir, worker_argv) as (client, fake_llm):
        histories = await asyncio.gather(*(_run(client, fake_llm, s, workdir) for s in chosen))
    replacements = {str(f): "$WORKDIR" for f in (workdir, workdir.resolve())}
    return {
        s.key: scrub(h.to_json_dict(), replacements) for s, h in zip(chosen, histories, strict=True)
    }

"""A throwaway world for recording histories: dev server, fake LLM, sink, worker process.

The worker is started by its command, like every worker the suite judges, so the judge
never imports the defendant: the reference worker by default, with `--workflows SPEC` when
another version of the workflow code is recorded (the workflow.patched v2, a broken twin).
Everything listens on loopback only and is torn down when the context exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import (
    Client,
    WithStartWorkflowOperation,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowHistory,
)
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.contrib.pydantic import pydantic_data_converter

from stormproof.fixtures.composed import World
from stormproof.fixtures.config import SuiteConfig
from stormproof.fixtures.endpoints import build_endpoints
from stormproof.fixtures.fake_llm import FakeLlm
from stormproof.fixtures.sink import NotificationSink
from stormproof.fixtures.temporal import DevServer
from stormproof.fixtures.wait import wait_for
from stormproof.fixtures.worker import WorkerProcess
from stormproof.replay.scenarios import Scenario

TASK_QUEUE = "stormproof-replay"
IDENTITY = "stormproof-recorder"
# The slowest scenario waits out one 1 s retry or the 2 s approval timer; a minute means
# something is wrong, and the error then says which scenario and what it was waiting for.
RUN_DEADLINE_SECONDS = 60.0
REVIEWER = {"reviewer": "replay-reviewer", "comment": None}
# A workflow task that timed out or failed (a slow first task on a loaded machine) is
# noise, not the code's behaviour: that run is recorded again rather than committed.
NOISE_EVENTS = ("EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT", "EVENT_TYPE_WORKFLOW_TASK_FAILED")
ATTEMPTS = 3
_NOISE_TYPES = {EventType.Value(name) for name in NOISE_EVENTS}
log = logging.getLogger("stormproof.record")


class RecordingWorld:
    """Owns the servers and the worker; `run(scenario)` returns that run's raw history."""

    def __init__(
        self,
        workdir: Path,
        workflows: str | None = None,
        worker_argv: Sequence[str] | None = None,
    ) -> None:
        self.workdir = workdir
        self.worker_argv = list(worker_argv or SuiteConfig().worker_argv)
        if workflows:
            self.worker_argv += ["--workflows", workflows]
        self.world = World()
        self.fake_llm = self.world.add("fake-llm", FakeLlm())
        self.sink = self.world.add("sink", NotificationSink())
        self.server = self.world.add("temporal", DevServer(workdir / "temporal"))
        self._client: Client | None = None

    @property
    def client(self) -> Client:
        assert self._client is not None, "use RecordingWorld as `async with`"
        return self._client

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[RecordingWorld]:
        async with self.world:
            client = await Client.connect(
                self.server.address,
                namespace="default",
                data_converter=pydantic_data_converter,
                identity=IDENTITY,
            )
            self._client = client
            worker = self._worker()
            self.world.add(
                "worker",
                worker,
                after=self.world.names,
                ready=lambda: worker.wait_ready(client, timeout=RUN_DEADLINE_SECONDS),
            )
            await self.world.start("worker")
            yield self

    def _worker(self) -> WorkerProcess:
        endpoints = build_endpoints(
            self.workdir,
            temporal_address=self.server.address,
            llm_base_url=self.fake_llm.base_url,
            notify_url=self.sink.url,
        )
        return WorkerProcess(
            self.worker_argv,
            endpoints,
            task_queue=TASK_QUEUE,
            log_dir=self.workdir,
            name="recorder-worker",
        )

    async def start(self, scenario: Scenario) -> WorkflowHandle[Any, Any]:
        """Script the world's faults, then start the run (faults first so none is missed)."""
        if scenario.llm_faults:
            self.fake_llm.script(scenario.marker, scenario.llm_faults)
        if scenario.sink_faults:
            self.sink.script(scenario.workflow_id, scenario.sink_faults)
        args: list[Any] = [] if scenario.workflow == "PingWorkflow" else [scenario.workflow_input()]
        if scenario.turns:  # a session: its first turn goes with the start
            start = WithStartWorkflowOperation(
                scenario.workflow,
                args=args,
                id=scenario.workflow_id,
                task_queue=TASK_QUEUE,
                id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            )
            await self.client.execute_update_with_start_workflow(
                "turn",
                {"message": scenario.turn_message(1)},
                start_workflow_operation=start,
                id=f"{scenario.workflow_id}/turn/1",
            )
            started = await start.workflow_handle()  # run_id None: the latest run's
            return self.client.get_workflow_handle(
                scenario.workflow_id, run_id=started.result_run_id
            )
        return await self.client.start_workflow(
            scenario.workflow, args=args, id=scenario.workflow_id, task_queue=TASK_QUEUE
        )

    async def run(self, scenario: Scenario) -> WorkflowHistory:
        """`scenario`'s history, re-run if a workflow task timed out or failed on the way."""
        noise: list[str] = []
        for _ in range(ATTEMPTS):
            history = await self.run_once(scenario)
            noise = [e.event_type for e in history.events if e.event_type in _NOISE_TYPES]
            if not noise:
                return history
            log.warning("%s: history has %s; recording it again", scenario.key, noise)
        raise RuntimeError(
            f"{scenario.key}: every one of {ATTEMPTS} recordings had workflow task "
            f"timeouts or failures ({noise}); the machine may be overloaded"
        )

    async def run_once(self, scenario: Scenario) -> WorkflowHistory:
        """Run `scenario` to completion and return its history as the server holds it."""
        handle = await self.start(scenario)
        if scenario.turns:
            return await self._session(handle, scenario)
        if scenario.decision is not None:
            await self._await_step(handle, "awaiting_approval", scenario)
            if scenario.by_update:  # validated, then applied: its reply is the decision
                decision = {**REVIEWER, "approved": scenario.decision == "approve"}
                await handle.execute_update("decide", decision, id=f"{scenario.workflow_id}/decide")
            else:
                await handle.signal(scenario.decision, REVIEWER)
        try:
            await asyncio.wait_for(handle.result(), timeout=RUN_DEADLINE_SECONDS)
        except TimeoutError:
            raise RuntimeError(
                f"scenario {scenario.key} did not finish within {RUN_DEADLINE_SECONDS:.0f}s; "
                f"dev server log:\n{self.server.log()}"
            ) from None
        return await handle.fetch_history()

    async def _session(self, handle: WorkflowHandle[Any, Any], s: Scenario) -> WorkflowHistory:
        """The session's later turns, one after another, in its first run (the handle's);
        once the last is answered that run continues as new: its history is the one kept,
        and the new run is closed, so nothing is left running."""
        for n in range(2, len(s.turns) + 1):
            message = {"message": s.turn_message(n)}
            await handle.execute_update("turn", message, id=f"{s.workflow_id}/turn/{n}")

        async def continued() -> bool:
            return (await handle.describe()).status == WorkflowExecutionStatus.CONTINUED_AS_NEW

        await wait_for(
            continued,
            what=f"{s.key}'s first run to continue as new",
            timeout=RUN_DEADLINE_SECONDS,
            logs={"dev server": self.server.log},
        )
        latest = self.client.get_workflow_handle(s.workflow_id)
        await latest.execute_update("close", id=f"{s.workflow_id}/close")
        return await handle.fetch_history()

    async def _await_step(self, handle: WorkflowHandle[Any, Any], step: str, s: Scenario) -> None:
        """Signal only once the timer is started, so the signal's place in history is fixed."""

        async def reached() -> bool:
            progress = await handle.query("progress")
            return dict(progress).get("step") == step

        await wait_for(
            reached,
            what=f"{s.key} to reach step {step!r}",
            timeout=RUN_DEADLINE_SECONDS,
            interval=0.05,
            logs={"dev server": self.server.log},
        )


async def record(
    scenarios: Sequence[Scenario], workdir: Path, workflows: str | None = None
) -> dict[str, WorkflowHistory]:
    """Every scenario's raw history, keyed `Workflow/name`, all recorded concurrently."""
    world = RecordingWorld(workdir, workflows)
    async with world.running():
        histories = await asyncio.gather(*(world.run(s) for s in scenarios))
    return {s.key: h for s, h in zip(scenarios, histories, strict=True)}

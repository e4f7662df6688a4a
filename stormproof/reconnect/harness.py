"""The reconnection world: a dev server the test starts late, kills and brings back, plus the
API and the worker as processes pointed at its (reserved) address from the start.

The API is judged only over HTTP and the worker only through Temporal, so a broken twin
of either (`python -m stormproof.reference.broken NAME`) is judged the same way. All of it
is one World (fixtures/composed.py) with Temporal first: each part starts on the test's cue,
in whatever order the test needs, and all stop in the reverse order they were added.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
from temporalio.client import Client

from stormproof.fixtures.composed import World
from stormproof.fixtures.endpoints import build_endpoints
from stormproof.fixtures.fake_llm import FakeLlm
from stormproof.fixtures.ports import LOOPBACK, free_port
from stormproof.fixtures.processes import ManagedProcess
from stormproof.fixtures.readiness import http_probe, wait_ready
from stormproof.fixtures.service import Served
from stormproof.fixtures.sink import NotificationSink
from stormproof.fixtures.temporal import DevServer
from stormproof.fixtures.twins import broken_argv
from stormproof.fixtures.wait import LogSource, wait_for
from stormproof.fixtures.worker import WorkerProcess, new_task_queue

API_ARGV = [sys.executable, "-m", "stormproof.reference.cli", "api"]
CONNECT_ONCE_ARGV = broken_argv("connect_once")
SUPERVISOR_ARGV = [sys.executable, "-m", "stormproof.reference.supervisor"]
# The API bounds a start at 3 s (STORMPROOF_API_START_TIMEOUT_SECONDS); an answer later than
# this means a submission hung inside the SDK's retries instead of being refused.
ANSWER_DEADLINE = 6.0
REPO = Path(__file__).resolve().parents[2]


class ApiProcess:
    """`stormproof-reference api` (or a variant) on a free loopback port, talked to over HTTP."""

    def __init__(self, argv: Sequence[str], env: dict[str, str], log_dir: Path, name: str):
        self.port = free_port()
        self.base_url = f"http://{LOOPBACK}:{self.port}"
        self.process = ManagedProcess(
            name,
            [*argv, "--port", str(self.port)],
            log_path=log_dir / f"{name}.log",
            env=env,
            cwd=REPO,
        )
        self.http = httpx.AsyncClient(base_url=self.base_url, timeout=ANSWER_DEADLINE)

    def start(self) -> ApiProcess:
        self.process.start()
        return self

    async def wait_serving(self, timeout: float = 30.0) -> None:
        """Serving means /health answers 200; an API that exits instead fails at once."""
        await wait_ready(
            self.process,
            http_probe(
                "/health", client=self.http, what=f"the API at {self.base_url} to answer /health"
            ),
            timeout=timeout,
            fix="read the API's log above: it must serve /health even while Temporal is down",
            tail_lines=60,
        )

    async def wait_ready(self, timeout: float) -> dict[str, Any]:
        async def ready() -> dict[str, Any] | None:
            response = await self.http.get("/ready")
            return response.json() if response.status_code == 200 else None

        return await wait_for(
            ready,
            what=f"the API at {self.base_url} to report ready",
            timeout=timeout,
            interval=0.1,
            logs={"api": self.process.log_path},
            retry_on=(httpx.TransportError,),
        )

    async def submit(
        self, prompt: str, *, key: str | None = None, kind: str = "stories"
    ) -> httpx.Response:
        headers = {"Idempotency-Key": key} if key else {}
        return await self.http.post(f"/api/{kind}", json={"prompt": prompt}, headers=headers)

    def log(self, lines: int = 60) -> str:
        return self.process.log(lines)

    async def close(self) -> None:
        await self.http.aclose()
        self.process.stop()


class ReconnectWorld:
    """One test's Temporal (not started), fake LLM, and the processes pointed at it."""

    def __init__(
        self, base: Path, fake_llm: FakeLlm, sink: NotificationSink, worker_argv: list[str]
    ):
        self.base = base
        self.fake_llm = fake_llm
        self.world = World()
        self.server = self.world.add("temporal", DevServer(base / "temporal"))
        self.task_queue = new_task_queue("reconnect")
        self.worker_argv = worker_argv
        self.endpoints = build_endpoints(
            base,
            temporal_address=self.server.address,
            llm_base_url=fake_llm.base_url,
            notify_url=sink.url,
            # Longer than a cancel takes to reach a held LLM call (test_lifecycle.py), so
            # the cancel, not the request timeout, is what ends it.
            llm_timeout_seconds=45.0,
        )
        self.apis: list[ApiProcess] = []
        self.workers: list[WorkerProcess] = []
        self.processes: list[ManagedProcess] = []
        self._client: Client | None = None

    def env(self) -> dict[str, str]:
        return self.endpoints.environment(self.task_queue)

    def _start(self, name: str, target: object) -> None:
        """Add `target` to the world under `name` (numbered if taken) and start it now."""
        unique, number = name, 1
        while unique in self.world:
            number += 1
            unique = f"{name}-{number}"
        self.world.add(unique, target)
        self.world.start_sync(unique)

    def start_api(self, argv: Sequence[str] = API_ARGV, name: str = "api") -> ApiProcess:
        api = ApiProcess(argv, self.env(), self.base, name)
        self.apis.append(api)
        # Not a Service by itself: its wait_ready() waits for /ready, and close() is async.
        logs = {api.process.name: api.process.log_path}
        served = Served(api, api.start, api.close, lambda: None, lambda: api.base_url, lambda: logs)
        self._start(name, served)
        return api

    def start_worker(
        self, argv: Sequence[str] | None = None, name: str = "worker"
    ) -> WorkerProcess:
        worker = WorkerProcess(
            list(argv or self.worker_argv),
            self.endpoints,
            task_queue=self.task_queue,
            log_dir=self.base,
            name=name,
        )
        self.workers.append(worker)
        self._start(name, worker)
        return worker

    def start_process(self, name: str, argv: Sequence[str]) -> ManagedProcess:
        process = ManagedProcess(
            name, argv, log_path=self.base / f"{name}.log", env=self.env(), cwd=REPO
        )
        self.processes.append(process)
        self._start(name, process)
        return process

    async def client(self) -> Client:
        """The judge's own client; the SDK reconnects it after a server restart."""
        if self._client is None:
            self._client = await Client.connect(self.server.address, namespace="default")
        return self._client

    async def start_temporal(self) -> None:
        await self.world.start("temporal")

    async def running_worker(
        self, argv: Sequence[str] | None = None, name: str = "worker"
    ) -> tuple[Client, WorkerProcess]:
        """The common starting point: Temporal up, a worker polling, the judge's client."""
        await self.start_temporal()
        client = await self.client()
        worker = self.start_worker(argv, name=name)
        await worker.wait_ready(client)
        return client, worker

    async def running_api(self, argv: Sequence[str] = API_ARGV) -> ApiProcess:
        """An API process that reports ready."""
        api = self.start_api(argv)
        await api.wait_ready(timeout=30)
        return api

    async def restart_temporal(self) -> None:
        """Bring a killed server back on the same port and database file."""
        self.server.process.start()
        await self.server.wait_ready()

    def logs(self) -> dict[str, LogSource]:
        return self.world.logs()

    async def close(self) -> None:
        await self.world.stop()

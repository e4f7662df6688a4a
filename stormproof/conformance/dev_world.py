"""A conformance world on a dev server of its own, for what the time-skipping server does
not implement (a reset, Update-with-Start): its client, a worker factory and a judge."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from stormproof.conformance.judge import Judge
from stormproof.fixtures.config import SuiteConfig
from stormproof.fixtures.fake_llm import FakeLlm
from stormproof.fixtures.sink import NotificationSink
from stormproof.fixtures.temporal import DevServer
from stormproof.fixtures.world import WorkerFactory

__all__ = ["DevWorld", "open_dev_world"]


@dataclass
class DevWorld:
    """A dev server's client, the workers started on it, and a judge reading the world."""

    client: Client
    factory: WorkerFactory
    judge: Judge


@asynccontextmanager
async def open_dev_world(
    server: DevServer,
    fake_llm: FakeLlm,
    sink: NotificationSink,
    config: SuiteConfig,
    folder: Path,
) -> AsyncIterator[DevWorld]:
    """Workers started on `server` (their files under `folder`), stopped on the way out."""
    client = await Client.connect(server.address)
    factory = WorkerFactory(WorkflowEnvironment.from_client(client), fake_llm, sink, config, folder)
    try:
        yield DevWorld(client, factory, Judge(client, fake_llm, sink))
    finally:
        factory.stop_all()

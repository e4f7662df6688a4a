"""Fixtures of the deployment suite: the dev server behind real nginx ingresses."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from stormproof.deployment import (
    Deployment,
    launch_worker,
    start_deployment,
    start_reference_worker,
)
from stormproof.world import (
    FakeLlm,
    NotificationSink,
    TestPki,
    WorkerProcess,
    broken_argv,
    make_pki,
    wait_polling,
)

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test here starts the reference's own processes: marked `contract`, so a team's
    --adapter skips them with the reason rather than judging the reference in its place."""
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.contract)


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="session")
async def deployment(
    pki: TestPki, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Deployment]:
    async for world in start_deployment(pki, tmp_path_factory.mktemp("deployment")):
        yield world


@pytest.fixture(scope="session")
async def deployed_worker(
    deployment: Deployment,
    fake_llm: FakeLlm,
    sink: NotificationSink,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[WorkerProcess]:
    """A healthy reference worker reaching Temporal through the TLS ingress."""
    worker = await start_reference_worker(
        deployment,
        tmp_path_factory.mktemp("deployed-worker"),
        llm_base_url=fake_llm.base_url,
        llm_api_key="sk-stormproof-fake",
        notify_url=sink.url,
        name="deployed-worker",
    )
    try:
        yield worker
    finally:
        worker.stop(grace=5)


@pytest.fixture
async def keyless_worker(
    deployment: Deployment, fake_llm: FakeLlm, sink: NotificationSink, tmp_path: Path
) -> AsyncIterator[WorkerProcess]:
    """The same worker deployed without OPENAI_API_KEY: the LLM check must name it."""
    worker = await start_reference_worker(
        deployment,
        tmp_path,
        llm_base_url=fake_llm.base_url,
        llm_api_key=None,
        notify_url=sink.url,
        name="keyless-worker",
    )
    try:
        yield worker
    finally:
        worker.stop(grace=5)


@pytest.fixture
async def foreign_worker(
    deployment: Deployment, fake_llm: FakeLlm, sink: NotificationSink, tmp_path: Path
) -> AsyncIterator[WorkerProcess]:
    """Another team's service polling the worker's task queue via the TLS ingress: the
    broken twin `foreign_worker`, started by its command once it polls."""
    worker = launch_worker(
        deployment,
        tmp_path,
        broken_argv("foreign_worker"),
        llm_base_url=fake_llm.base_url,
        llm_api_key=None,
        notify_url=sink.url,
        name="foreign-worker",
    )
    try:
        client = await deployment.client()
        logs = {worker.process.name: worker.process.log_path}
        await wait_polling(client, worker.task_queue, timeout=30, process=worker.process, logs=logs)
        yield worker
    finally:
        worker.stop(grace=5)

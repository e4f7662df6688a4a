"""Chaos fixtures, as a pytest plugin (the `stormproof-chaos` entry point in pyproject.toml).

`chaos_world` is per pytest process: a Temporal dev server with a persisted db file (so a
SIGKILL and restart keep every accepted workflow), a Toxiproxy server, a PostgreSQL
cluster, the adapter's services behind their recording proxies, plus the session's fake
LLM and sink. `chaos` is per test: its own proxies, task queue, tag, history and workers,
torn down whatever happens, and its record (with the failed check's bug class) handed to
the report plugin (stormproof/report/plugin.py) through typed keys on the test item
(stormproof/report/keys.py), as are its history and its logs for the log scan.

A plugin rather than suites/chaos/conftest.py so that tests outside suites/ (a team's,
beside its adapter: examples/routing/tests) get the same fixtures; such a folder's
conftest overrides `adapter` and `chaos_world` (`adapter_world_fixtures`) to judge its own
adapter in a world of its own, as suites/chaos/cluster overrides the world's Temporal.
The judge's plugin (stormproof/plugin.py) cannot register it: it may not name a suite.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import Client

from stormproof.adapter import Adapter, load_adapter
from stormproof.adapter.services import add_services
from stormproof.chaos.applies import pytest_collection_modifyitems, pytest_configure  # noqa: F401
from stormproof.chaos.run import ChaosRun
from stormproof.chaos.world import ChaosWorld
from stormproof.fixtures.composed import World
from stormproof.fixtures.config import SuiteConfig
from stormproof.fixtures.fake_llm import FakeLlm
from stormproof.fixtures.postgres import PostgresCluster
from stormproof.fixtures.sink import NotificationSink
from stormproof.fixtures.temporal import DevServer
from stormproof.fixtures.toxiproxy import ToxiproxyServer
from stormproof.report.keys import (
    DIAGNOSIS_KEY,
    HISTORY_KEY,
    LOGS_KEY,
    PROGRESS_KEY,
    RECORD_KEY,
)

# pytest_configure and pytest_collection_modifyitems above are the `needs` marker's hooks
# (stormproof/chaos/applies.py), registered with this plugin.


def worker_argv_for(suite_config: SuiteConfig, adapter: Adapter) -> list[str]:
    """The worker's command: the adapter's own, unless --worker-cmd names one."""
    if adapter.worker_cmd and not suite_config.worker_cmd_given:
        return list(adapter.worker_cmd)
    return suite_config.worker_argv


@contextlib.asynccontextmanager
async def open_chaos_world(
    suite_config: SuiteConfig,
    folder: Path,
    fake_llm: FakeLlm,
    sink: NotificationSink,
    adapter: Adapter,
    *,
    dev_server_args: tuple[str, ...] = (),
) -> AsyncIterator[ChaosWorld]:
    """The world's servers for judging `adapter`, their files and logs in `folder` (a second
    world in the same pytest process, for another adapter, needs a folder of its own);
    `dev_server_args` are more flags for its dev server (the rolling deploy's versioning)."""
    folder.mkdir(parents=True, exist_ok=True)
    world = World()
    services = add_services(world, adapter, fake_llm.base_url, folder)
    toxiproxy = world.add(
        "toxiproxy", ToxiproxyServer(folder / "toxiproxy", suite_config.toxiproxy_url)
    )
    postgres = world.add("postgres", PostgresCluster(log_dir=folder, name="chaos-postgres"))
    temporal = world.add(
        "temporal", DevServer(folder / "chaos-temporal", extra_args=dev_server_args)
    )
    async with world:
        client = await Client.connect(temporal.address, namespace="default")
        argv = worker_argv_for(suite_config, adapter)
        yield ChaosWorld(
            temporal=temporal,
            toxiproxy=toxiproxy,
            postgres=postgres,
            fake_llm=fake_llm,
            sink=sink,
            client=client,
            worker_argv=argv,
            seed=suite_config.chaos_seed,
            adapter=adapter,
            services=services,
        )


def _chaos_world_fixture(subfolder: str) -> Any:
    @pytest.fixture(scope="session", name="chaos_world")
    async def chaos_world(
        suite_config: SuiteConfig,
        session_dir: Path,
        fake_llm: FakeLlm,
        sink: NotificationSink,
        adapter: Adapter,
    ) -> AsyncIterator[ChaosWorld]:
        folder = session_dir / subfolder
        async with open_chaos_world(suite_config, folder, fake_llm, sink, adapter) as world:
            yield world

    return chaos_world


chaos_world = _chaos_world_fixture("")


def adapter_world_fixtures(spec: str, subfolder: str) -> tuple[Any, Any]:
    """The `adapter` and `chaos_world` fixtures of a folder of tests that judges adapter
    `spec` in a chaos world of its own (its files under the session's `subfolder`), while
    the rest of the session judges --adapter's: `adapter, chaos_world =
    adapter_world_fixtures("myteam.stormproof_adapter", "myteam")` in its conftest.py."""

    @pytest.fixture(scope="session", name="adapter")
    def adapter() -> Adapter:
        return load_adapter(spec)

    return adapter, _chaos_world_fixture(subfolder)


@pytest.fixture
async def chaos(
    chaos_world: ChaosWorld, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[ChaosRun]:
    """A run with its proxies open; the test starts workers, workload and faults."""
    marker = request.node.get_closest_marker("chaos")
    fault = (marker.kwargs.get("fault") if marker else None) or request.node.name
    tag = f"ch{uuid.uuid4().hex[:8]}"
    run = ChaosRun(chaos_world, tmp_path, tag, fault, request.node.nodeid)
    item = request.node  # what the report plugin reads and leaves: stormproof/report/keys.py
    item.stash[HISTORY_KEY] = run.history.path
    item.stash[LOGS_KEY] = run.logs  # scanned for alarms once the test has passed
    run.live.attach(item.stash.get(PROGRESS_KEY, None))  # the terminal's live counts
    run.open_links()
    try:
        yield run
    finally:
        run.live.remove()
        await run.close()
        item.stash[RECORD_KEY] = run.record(item.stash.get(DIAGNOSIS_KEY, None))

"""Chaos fixtures, in the chaos suite's own conftest so that no plugin module names a suite.

`chaos_world` is per pytest process: a Temporal dev server with a persisted db file (so a
SIGKILL and restart keep every accepted workflow), a Toxiproxy server, a PostgreSQL
cluster, plus the session's fake LLM and sink. `chaos` is per test: its own proxies, task
queue, tag, history and workers, torn down whatever happens, and its record handed to
the chaos report (stormproof/chaos_report.py) through the test item's user_properties,
which pytest-xdist carries from its workers to the controller, with the failed check's bug
class (stormproof/diagnosis_report.py). Tests marked process_death are deselected unless
`-m process_death` asks for them.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from temporalio.client import Client

from stormproof.adapter import Adapter
from stormproof.adapter.services import running_services
from stormproof.chaos_report import HISTORY_KEY, chaos_property
from stormproof.diagnosis_report import DIAGNOSIS_KEY
from stormproof.fixtures.config import SuiteConfig
from stormproof.fixtures.fake_llm import FakeLlm
from stormproof.fixtures.postgres import PostgresCluster
from stormproof.fixtures.sink import NotificationSink
from stormproof.fixtures.temporal import DevServer
from stormproof.fixtures.toxiproxy import ToxiproxyServer
from stormproof.suites.chaos.run import ChaosRun, ChaosWorld

PROCESS_DEATH = "process_death"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{PROCESS_DEATH}: a worker death after each effect kind, ~30 s each "
        f"(deselected unless -m {PROCESS_DEATH})",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep the long process-death tests out of the default run, as the soak is."""
    if PROCESS_DEATH in (config.getoption("markexpr") or ""):
        return
    deselected = [item for item in items if item.get_closest_marker(PROCESS_DEATH)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if item not in deselected]


@pytest.fixture(scope="session")
async def chaos_world(
    suite_config: SuiteConfig,
    session_dir: Path,
    fake_llm: FakeLlm,
    sink: NotificationSink,
    adapter: Adapter,
) -> AsyncIterator[ChaosWorld]:
    toxiproxy = ToxiproxyServer(session_dir / "toxiproxy", suite_config.toxiproxy_url).start()
    postgres = PostgresCluster(log_dir=session_dir, name="chaos-postgres")
    temporal = DevServer(session_dir / "chaos-temporal")
    stack = contextlib.ExitStack()
    try:
        services = stack.enter_context(running_services(adapter, fake_llm.base_url, session_dir))
        postgres.start()
        await temporal.start()
        client = await Client.connect(temporal.address, namespace="default")
        # The adapter's own worker command applies unless --worker-cmd names one.
        argv = suite_config.worker_argv
        if adapter.worker_cmd and not suite_config.worker_cmd_given:
            argv = list(adapter.worker_cmd)
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
    finally:
        stack.close()
        temporal.stop()
        postgres.close()
        toxiproxy.stop()


@pytest.fixture
async def chaos(
    chaos_world: ChaosWorld, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[ChaosRun]:
    """A run with its proxies open; the test starts workers, workload and faults."""
    marker = request.node.get_closest_marker("chaos")
    fault = (marker.kwargs.get("fault") if marker else None) or request.node.name
    tag = f"ch{uuid.uuid4().hex[:8]}"
    run = ChaosRun(chaos_world, tmp_path, tag, fault, request.node.nodeid)
    request.node.stash[HISTORY_KEY] = run.history.path
    run.open_links()
    try:
        yield run
    finally:
        await run.close()
        failure = request.node.stash.get(DIAGNOSIS_KEY, None)
        request.node.user_properties.append(chaos_property(run.record(failure)))

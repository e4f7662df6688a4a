"""The cluster world: the chaos suite's `chaos_world`, with the four-service Temporal.

It overrides the parent folder's `chaos_world` and nothing else, so the same `chaos`
fixture, workload, checker and report judge the production topology. Temporal keeps its
own PostgreSQL (restarted under it by one fault), apart from the worker's database, and
history reaches it through a Toxiproxy proxy of its own (cut by another fault). Its
dynamic config switches on what Worker Deployment Versioning needs (VERSIONING_CONFIG, as
the dev server of suites/chaos/rolling gets it), for the rolling deploy run here too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from temporalio.client import Client

from stormproof.adapter import Adapter, add_services
from stormproof.chaos import ChaosWorld, worker_argv_for
from stormproof.chaos.nemesis import HISTORY_DB_PROXY
from stormproof.chaos.rolling_deploy import VERSIONING_CONFIG
from stormproof.world import (
    FakeLlm,
    NotificationSink,
    PostgresCluster,
    SuiteConfig,
    TemporalCluster,
    ToxiproxyServer,
    World,
)


@pytest.fixture(scope="session")
async def chaos_world(
    suite_config: SuiteConfig,
    session_dir: Path,
    fake_llm: FakeLlm,
    sink: NotificationSink,
    adapter: Adapter,
) -> AsyncIterator[ChaosWorld]:
    world = World()
    services = add_services(world, adapter, fake_llm.base_url, session_dir)
    toxiproxy = world.add(
        "toxiproxy", ToxiproxyServer(session_dir / "toxiproxy", suite_config.toxiproxy_url)
    )
    postgres = world.add("postgres", PostgresCluster(log_dir=session_dir, name="worker-postgres"))
    temporal_db = world.add(
        "temporal-postgres", PostgresCluster(log_dir=session_dir, name="temporal-postgres")
    )
    async with world:
        # History reaches its database through a proxy of its own, on the port known now.
        proxy = toxiproxy.client.create(HISTORY_DB_PROXY, f"127.0.0.1:{temporal_db.port}")
        cluster = TemporalCluster(
            session_dir / "cluster",
            temporal_db,
            history_db=proxy.address,
            dynamic_config=VERSIONING_CONFIG,
        )
        world.add("temporal", cluster, after=["toxiproxy", "temporal-postgres"])
        await world.start("temporal")
        client = await Client.connect(cluster.address, namespace="default")
        yield ChaosWorld(
            temporal=cluster,
            toxiproxy=toxiproxy,
            postgres=postgres,
            fake_llm=fake_llm,
            sink=sink,
            client=client,
            worker_argv=worker_argv_for(suite_config, adapter),
            seed=suite_config.chaos_seed,
            temporal_db=temporal_db,
            adapter=adapter,  # the team's, under --adapter: never the reference in its place
            services=services,
        )

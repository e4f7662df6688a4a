"""The rolling-deploy world: the chaos suite's `chaos_world`, on a dev server with Worker
Deployment Versioning switched on (stormproof/chaos/rolling_deploy.py's VERSIONING_FLAGS).

It overrides the parent folder's `chaos_world` and nothing else, so the same `chaos`
fixture, workload, checker and report judge the deploy. Its tests are marked
`rolling_deploy`, deselected unless `-m rolling_deploy` names them (`make rolling`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from stormproof.adapter import Adapter
from stormproof.chaos import ChaosWorld, open_chaos_world
from stormproof.chaos.rolling_deploy import VERSIONING_FLAGS
from stormproof.world import FakeLlm, NotificationSink, SuiteConfig


@pytest.fixture(scope="session")
async def chaos_world(
    suite_config: SuiteConfig,
    session_dir: Path,
    fake_llm: FakeLlm,
    sink: NotificationSink,
    adapter: Adapter,
) -> AsyncIterator[ChaosWorld]:
    folder = session_dir / "rolling"
    async with open_chaos_world(
        suite_config, folder, fake_llm, sink, adapter, dev_server_args=VERSIONING_FLAGS
    ) as world:
        yield world

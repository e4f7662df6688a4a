"""Judge the hello-world app: its adapter instead of --adapter's, in a chaos world of its own.

`make test` runs suites/, tests/ and every example in one pytest session, so the session's
`adapter` and `chaos_world` are overridden here rather than chosen on the command line;
the world's files and logs go to their own folder of the session's.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from examples.hello_world.tests.helpers import ADAPTER
from stormproof.adapter import Adapter, load_adapter
from stormproof.chaos import ChaosWorld, open_chaos_world
from stormproof.world import FakeLlm, NotificationSink, SuiteConfig


@pytest.fixture(scope="session")
def adapter() -> Adapter:
    return load_adapter(ADAPTER)


@pytest.fixture(scope="session")
async def chaos_world(
    suite_config: SuiteConfig,
    session_dir: Path,
    fake_llm: FakeLlm,
    sink: NotificationSink,
    adapter: Adapter,
) -> AsyncIterator[ChaosWorld]:
    folder = session_dir / "hello_world"
    async with open_chaos_world(suite_config, folder, fake_llm, sink, adapter) as world:
        yield world

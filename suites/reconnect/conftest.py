"""A fresh reconnection world per test: its own dev server, API and worker processes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from stormproof.reconnect import ReconnectWorld
from stormproof.world import FakeLlm, NotificationSink, SuiteConfig

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test here starts the reference's own processes: marked `contract`, so a team's
    --adapter skips them with the reason rather than judging the reference in its place."""
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.contract)


@pytest.fixture
async def reconnect_world(
    tmp_path: Path, fake_llm: FakeLlm, sink: NotificationSink, suite_config: SuiteConfig
) -> AsyncIterator[ReconnectWorld]:
    world = ReconnectWorld(tmp_path, fake_llm, sink, suite_config.worker_argv)
    try:
        yield world
    finally:
        await world.close()

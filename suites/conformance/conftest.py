"""The conformance suite is the contract's own: every test drives the reference's workflows.

So each is marked `contract`, and under a team's --adapter the judge's plugin skips it
with the reason (stormproof/plugin.py): the reference is never judged in a team's place.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from stormproof.conformance.dev_world import DevWorld, open_dev_world
from stormproof.world import DevServer, FakeLlm, NotificationSink, SuiteConfig

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.contract)


@pytest.fixture
async def dev_world(
    dev_server: DevServer,
    fake_llm: FakeLlm,
    sink: NotificationSink,
    suite_config: SuiteConfig,
    tmp_path: Path,
) -> AsyncIterator[DevWorld]:
    """A dev server of the test's own with a judge: resets and Update-with-Start."""
    async with open_dev_world(dev_server, fake_llm, sink, suite_config, tmp_path) as world:
        yield world

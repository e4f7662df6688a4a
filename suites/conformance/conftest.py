"""The conformance suite is the contract's own: every test drives the reference's workflows.

So each is marked `contract`, and under a team's --adapter the judge's plugin skips it
with the reason (stormproof/plugin.py): the reference is never judged in a team's place.
The failure-mode cells and controls marked `failure_modes` run only when -m names them
(`pytest suites/conformance -m failure_modes`): seconds each, beyond make test's budget.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from stormproof.conformance.dev_world import DevWorld, open_dev_world
from stormproof.world import DevServer, FakeLlm, NotificationSink, SuiteConfig

HERE = Path(__file__).parent
OPT_IN = "failure_modes"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test here `contract`; keep the failure-mode cells that cost seconds of
    their own (`failure_modes`) out of a run whose -m does not name them."""
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.contract)
    if OPT_IN in (config.getoption("markexpr") or ""):
        return
    held_back = [i for i in items if i.path.is_relative_to(HERE) and i.get_closest_marker(OPT_IN)]
    if held_back:
        config.hook.pytest_deselected(items=held_back)
        items[:] = [item for item in items if item not in held_back]


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

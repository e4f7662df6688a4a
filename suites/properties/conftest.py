"""The contract's properties for any adapter: one world per kind of Temporal, per process.

`team` runs the adapter's worker (its worker_cmd, or --worker-cmd, or the suite's worker
for the reference) with its services on a dev server; `skipping_team` does the same on the
time-skipping test server, for properties judged in virtual time (retry hints). Both are
session-wide: each test starts units of its own, with markers of their own. Tests taking
a `unit` run once per unit of the adapter. Negative controls start the reference's broken
twins on the same world (`twin`); they are the contract's, skipped under a team's adapter.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from stormproof.adapter import Adapter, load_adapter
from stormproof.conformance import TeamWorld, team_world, worker_argv_for
from stormproof.world import SuiteConfig, broken_argv, new_task_queue, suite_config_of

HERE = Path(__file__).parent

StartTwin = Callable[[TeamWorld, str], Awaitable[str]]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "unit" in metafunc.fixturenames:
        adapter = load_adapter(suite_config_of(metafunc.config).adapter)
        units = adapter.plain_units  # a session's Updates are the chaos rows' own
        metafunc.parametrize("unit", units, ids=[u.name for u in units])


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A negative control runs a broken twin of the reference: it is the contract's own
    (`contract`), so under a team's --adapter the judge's plugin skips it, saying why."""
    for item in items:
        if item.path.is_relative_to(HERE) and item.get_closest_marker("negative_control"):
            item.add_marker(pytest.mark.contract)


async def _world(
    adapter: Adapter, suite_config: SuiteConfig, folder: Path, time_skipping: bool
) -> AsyncIterator[TeamWorld]:
    argv = worker_argv_for(adapter, suite_config)
    queue = new_task_queue("properties")
    async with team_world(
        adapter, folder, argv, time_skipping=time_skipping, task_queue=queue
    ) as world:
        yield world


@pytest.fixture(scope="session")
async def team(
    adapter: Adapter, suite_config: SuiteConfig, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[TeamWorld]:
    """The adapter's worker and services on a dev server (real time)."""
    async for world in _world(adapter, suite_config, tmp_path_factory.mktemp("team"), False):
        yield world


@pytest.fixture(scope="session")
async def skipping_team(
    adapter: Adapter, suite_config: SuiteConfig, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[TeamWorld]:
    """The adapter's worker and services on the time-skipping server (virtual time)."""
    folder = tmp_path_factory.mktemp("skipping-team")
    async for world in _world(adapter, suite_config, folder, True):
        yield world


@pytest.fixture(scope="session")
def twin() -> StartTwin:
    """Start the reference's broken twin `name` on a world (once); returns its task queue."""
    started: dict[tuple[int, str], str] = {}

    async def start(world: TeamWorld, name: str) -> str:
        key = (id(world), name)
        if key not in started:
            queue = new_task_queue(name.replace("_", "-"))
            await world.start_worker(broken_argv(name), queue)
            started[key] = queue
        return started[key]

    return start

"""The chaos suite's own world for a benchmark, outside pytest.

The same builder the `chaos_world` fixture uses (stormproof/chaos/fixtures.py's
open_chaos_world), with the default suite settings and the reference's adapter, so a
benchmark measures exactly the world the suite judges in; its files go to a fresh
temporary folder, and every process it started is gone when the block ends.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

from stormproof.adapter import load_adapter
from stormproof.chaos.fixtures import open_chaos_world
from stormproof.chaos.world import ChaosWorld
from stormproof.fixtures.composed import World
from stormproof.fixtures.config import SuiteConfig
from stormproof.fixtures.fake_llm import FakeLlm
from stormproof.fixtures.processes import stop_all
from stormproof.fixtures.sink import NotificationSink


@contextlib.asynccontextmanager
async def bench_world() -> AsyncIterator[tuple[ChaosWorld, Path]]:
    """The world, and the folder each run of the benchmark puts its own files under."""
    base = Path(tempfile.mkdtemp(prefix="stormproof-bench-"))
    world = World()  # the session's part of the world, as the fixtures start it
    fake_llm = world.add("fake-llm", FakeLlm())
    sink = world.add("sink", NotificationSink())
    with world:
        try:
            async with open_chaos_world(
                SuiteConfig(), base, fake_llm, sink, load_adapter()
            ) as world:
                yield world, base
        finally:
            stop_all()

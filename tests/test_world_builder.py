"""The world builder (fixtures/composed.py): dependency order in, reverse order out, a failed
start still stopped, and each service's endpoint and logs by name.

Fake services record what happened to them, so the order is proven without starting a
server; the in-process fakes and a tiny `python -c` child show the adapters of the world's
own servers (fixtures/service.py) at work."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

from stormproof.fixtures.composed import World
from stormproof.fixtures.fake_llm import FakeLlm
from stormproof.fixtures.processes import ManagedProcess
from stormproof.fixtures.service import Served, Service, as_service
from stormproof.fixtures.sink import NotificationSink
from stormproof.fixtures.wait import LogSource


class Fake:
    """A service that writes each call to a shared journal; sync or async, may fail."""

    def __init__(
        self, name: str, journal: list[str], *, fail: str | None = None, asynchronous=False
    ):
        self.name, self.journal, self.fail, self.asynchronous = name, journal, fail, asynchronous

    def _call(self, step: str) -> object:
        def act() -> None:
            self.journal.append(f"{step} {self.name}")
            if self.fail == step:
                raise RuntimeError(f"{self.name} failed to {step}")

        if not self.asynchronous:
            act()
            return None

        async def later() -> None:
            act()

        return later()

    def start(self) -> object:
        return self._call("start")

    def wait_ready(self) -> object:
        return self._call("ready")

    @property
    def endpoint(self) -> str | None:
        return f"fake://{self.name}"

    def logs(self) -> Mapping[str, LogSource]:
        return {self.name: lambda: f"the log of {self.name}"}

    def stop(self) -> object:
        return self._call("stop")


def three(journal: list[str], **faults: str) -> World:
    world = World()
    world.add("db", Fake("db", journal, fail=faults.get("db")))
    world.add("temporal", Fake("temporal", journal, fail=faults.get("temporal"), asynchronous=True))
    world.add(
        "worker", Fake("worker", journal, fail=faults.get("worker")), after=["db", "temporal"]
    )
    return world


async def test_starts_in_dependency_order_each_ready_first_and_stops_in_reverse() -> None:
    journal: list[str] = []
    async with three(journal):
        assert journal == [
            *("start db", "ready db"),
            *("start temporal", "ready temporal"),
            *("start worker", "ready worker"),
        ]
        journal.clear()
    assert journal == ["stop worker", "stop temporal", "stop db"]


async def test_a_failed_start_stops_what_started_and_the_one_that_failed() -> None:
    journal: list[str] = []
    with pytest.raises(RuntimeError, match="temporal failed to ready"):
        async with three(journal, temporal="ready"):
            pytest.fail("the body must not run")
    assert "start worker" not in journal
    assert journal[-2:] == ["stop temporal", "stop db"]


async def test_a_failed_stop_does_not_keep_the_rest_up() -> None:
    journal: list[str] = []
    world = three(journal, worker="stop")
    await world.start()
    with pytest.raises(RuntimeError, match="worker failed to stop"):
        await world.stop()
    assert journal[-3:] == ["stop worker", "stop temporal", "stop db"]
    await world.stop()  # nothing is left started: a second stop does nothing
    assert journal[-1] == "stop db"


async def test_start_by_name_brings_what_it_needs_and_stop_order_is_dependency_order() -> None:
    """Started late and out of order (as the reconnect harness does), stopped in reverse
    of the order they were added."""
    journal: list[str] = []
    world = three(journal)
    await world.start("db")
    assert world.started("db") and not world.started("temporal")
    await world.start("worker")  # needs temporal too
    assert journal == [
        *("start db", "ready db"),
        *("start temporal", "ready temporal"),
        *("start worker", "ready worker"),
    ]
    journal.clear()
    await world.stop()
    assert journal == ["stop worker", "stop temporal", "stop db"]


async def test_a_world_grows_and_ready_overrides_the_services_own_wait() -> None:
    journal: list[str] = []
    world = World()
    world.add("db", Fake("db", journal))
    async with world:
        world.add("worker", Fake("worker", journal), after=["db"], ready=lambda: None)
        await world.start()
    assert journal == ["start db", "ready db", "start worker", "stop worker", "stop db"]


def test_a_sync_world_is_a_with_block_and_refuses_an_async_service() -> None:
    journal: list[str] = []
    world = World()
    world.add("db", Fake("db", journal))
    with world:
        assert journal == ["start db", "ready db"]
    assert journal[-1] == "stop db"
    journal.clear()
    with pytest.raises(TypeError, match="starting temporal is async") as raised, three(journal):
        pass
    assert journal == ["start db", "ready db", "stop db"]  # the async calls never ran
    assert "stopping temporal is async" in str(raised.value.__notes__)


def test_endpoints_logs_and_the_objects_by_name() -> None:
    journal: list[str] = []
    world = three(journal)
    assert world.names == ["db", "temporal", "worker"]
    assert world.endpoint("temporal") == "fake://temporal"
    assert world.endpoints() == {n: f"fake://{n}" for n in world.names}
    logs = world.logs("db", "worker")
    assert list(logs) == ["db", "worker"]
    assert callable(logs["db"]) and logs["db"]() == "the log of db"
    assert isinstance(world["db"], Fake) and "db" in world and "nope" not in world
    with pytest.raises(KeyError, match="no service 'nope'"):
        world.service("nope")


def test_what_a_world_refuses_to_compose() -> None:
    world = World()
    world.add("db", Fake("db", []))
    with pytest.raises(ValueError, match="already has a service named 'db'"):
        world.add("db", Fake("db", []))
    with pytest.raises(ValueError, match="comes after \\['temporal'\\]"):
        world.add("worker", Fake("worker", []), after=["temporal"])
    with pytest.raises(TypeError, match="not a Service"):
        world.add("thing", object())


def test_the_worlds_own_servers_are_adapted(tmp_path: Path) -> None:
    """The fakes and a process through their adapters: the objects themselves come back,
    with endpoints and logs, and they are stopped on leaving."""
    world = World()
    llm = world.add("fake-llm", FakeLlm())
    sink = world.add("sink", NotificationSink())
    child = ManagedProcess(
        "sleeper",
        [sys.executable, "-c", "import time; time.sleep(600)"],
        log_path=tmp_path / "sleeper.log",
    )
    world.add("sleeper", child, after=["fake-llm"])
    assert world.endpoint("fake-llm") is None  # not started: no port yet
    with world:
        assert world["fake-llm"] is llm and world["sleeper"] is child
        assert world.endpoint("fake-llm") == llm.base_url
        assert world.endpoint("sink") == sink.url
        assert child.running()
        logs = world.logs()
        assert logs["sleeper"] == tmp_path / "sleeper.log"
        assert callable(logs["fake-llm"]) and callable(logs["sink"])
    assert not llm.running and not sink.running and not child.running()


def test_served_wraps_anything_as_a_service() -> None:
    journal: list[str] = []
    served = Served(
        "thing", lambda: journal.append("up"), lambda: journal.append("down"), endpoint_of=str
    )
    assert isinstance(served, Service) and as_service(served, "thing") is served
    world = World()
    assert world.add("thing", served) is served
    with world:
        assert world.endpoint("thing") == ""
    assert journal == ["up", "down"]

"""The nemesis role: one small class per fault, each with inject() and heal().

A nemesis only breaks and mends the world; it records nothing itself. ChaosRun.inject and
ChaosRun.heal wrap every call in `fault`/`heal` operations, so the history says exactly
when the world was broken and when it was whole again (recovery is measured from there).
heal() must be safe to call twice and after a failed inject: teardown calls it again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from stormproof.fixtures.postgres import PostgresCluster
from stormproof.fixtures.processes import ManagedProcess
from stormproof.fixtures.sink import NotificationSink
from stormproof.fixtures.temporal import DevServer
from stormproof.fixtures.toxiproxy import Stream, ToxicType, ToxiproxyClient


class Nemesis:
    name = "nemesis"

    async def inject(self) -> None:
        raise NotImplementedError

    async def heal(self) -> None:
        raise NotImplementedError

    def describe(self) -> dict[str, Any]:
        return {"fault": self.name}


class TemporalCrash(Nemesis):
    """SIGKILL the Temporal dev server; heal restarts it on the same port and db file."""

    name = "temporal-sigkill"

    def __init__(self, server: DevServer):
        self.server = server

    async def inject(self) -> None:
        self.server.kill()

    async def heal(self) -> None:
        if not self.server.process.running():
            self.server.process.start()
        await self.server.wait_ready(timeout=60)


class LinkDown(Nemesis):
    """Disable a proxy: open connections are closed, new ones refused."""

    def __init__(self, toxiproxy: ToxiproxyClient, proxy: str, label: str = "link-down"):
        self.toxiproxy, self.proxy, self.name = toxiproxy, proxy, label

    async def inject(self) -> None:
        self.toxiproxy.set_enabled(self.proxy, False)

    async def heal(self) -> None:
        self.toxiproxy.heal(self.proxy)

    def describe(self) -> dict[str, Any]:
        return {"fault": self.name, "proxy": self.proxy}


class LinkToxic(Nemesis):
    """One toxic on a proxy, on each stream given (latency, reset_peer, timeout, slicer...)."""

    def __init__(
        self,
        toxiproxy: ToxiproxyClient,
        proxy: str,
        type: ToxicType,
        *,
        label: str,
        streams: tuple[Stream, ...] = ("downstream",),
        **attributes: Any,
    ):
        self.toxiproxy, self.proxy, self.type, self.streams = toxiproxy, proxy, type, streams
        self.attributes, self.name = attributes, label

    async def inject(self) -> None:
        for stream in self.streams:
            self.toxiproxy.add_toxic(self.proxy, self.type, stream=stream, **self.attributes)

    async def heal(self) -> None:
        self.toxiproxy.heal(self.proxy)

    def describe(self) -> dict[str, Any]:
        return {
            "fault": self.name,
            "proxy": self.proxy,
            "toxic": self.type,
            "streams": list(self.streams),
            **self.attributes,
        }


class WorkerCrash(Nemesis):
    """SIGKILL the worker's process group; heal starts a fresh worker on the same queue."""

    name = "worker-sigkill"

    def __init__(self, process: ManagedProcess, restart: Callable[[], Awaitable[Any]]):
        self.process, self.restart = process, restart
        self.restarted = False

    async def inject(self) -> None:
        self.process.kill()

    async def heal(self) -> None:
        if not self.restarted:
            self.restarted = True
            await self.restart()


class WorkerPause(Nemesis):
    """SIGSTOP the worker's group (a GC pause, a frozen VM); heal is SIGCONT."""

    name = "worker-sigstop"

    def __init__(self, process: ManagedProcess):
        self.process = process

    async def inject(self) -> None:
        self.process.pause()

    async def heal(self) -> None:
        self.process.resume()


class PostgresCrash(Nemesis):
    """SIGKILL PostgreSQL and every backend; heal restarts it (crash recovery included)."""

    name = "postgres-restart"

    def __init__(self, cluster: PostgresCluster):
        self.cluster = cluster

    async def inject(self) -> None:
        self.cluster.kill()

    async def heal(self) -> None:
        self.cluster.start()


class SinkDown(Nemesis):
    """The notification receiver answers 503 to everything until healed."""

    name = "sink-down"

    def __init__(self, sink: NotificationSink):
        self.sink = sink

    async def inject(self) -> None:
        self.sink.set_down(True)

    async def heal(self) -> None:
        self.sink.set_down(False)

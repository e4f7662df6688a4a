"""Faults of a network link, through its Toxiproxy proxy: cut, or a toxic on its streams."""

from __future__ import annotations

from typing import Any

from stormproof.chaos.nemesis.base import Nemesis
from stormproof.fixtures.toxiproxy import Stream, ToxicType, ToxiproxyClient


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

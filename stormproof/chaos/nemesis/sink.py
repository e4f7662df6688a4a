"""Faults of the webhook receiver: the notification sink answers 503 until healed."""

from __future__ import annotations

from stormproof.chaos.nemesis.base import Nemesis
from stormproof.fixtures.sink import NotificationSink


class SinkDown(Nemesis):
    """The notification receiver answers 503 to everything until healed."""

    name = "sink-down"

    def __init__(self, sink: NotificationSink):
        self.sink = sink

    async def inject(self) -> None:
        self.sink.set_down(True)

    async def heal(self) -> None:
        self.sink.set_down(False)

"""Faults of the Temporal server itself: the dev server SIGKILLed and restarted."""

from __future__ import annotations

from stormproof.chaos.nemesis.base import Nemesis
from stormproof.fixtures.temporal import DevServer


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

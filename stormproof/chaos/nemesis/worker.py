"""Faults of the worker process: SIGKILL (and a fresh worker), SIGSTOP and SIGCONT, or
SIGTERM (a deploy stopping it: it drains and exits) and a replacement."""

from __future__ import annotations

import signal
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from stormproof.chaos.nemesis.base import Nemesis
from stormproof.fixtures.processes import ManagedProcess


class WorkerCrash(Nemesis):
    """SIGKILL the worker's process group; heal starts a fresh worker on the same queue."""

    name = "worker-sigkill"

    def __init__(self, process: ManagedProcess, restart: Callable[[], Awaitable[Any]]):
        self.process, self.restart = process, restart
        self.restarted = False
        self.at: datetime | None = None  # when the SIGKILL was sent (UTC)

    async def inject(self) -> None:
        self.at = datetime.now(UTC)
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


class WorkerTerminate(Nemesis):
    """SIGTERM the worker's group, as a deploy stops a replica; heal starts its replacement.
    The worker must drain and exit: waiting for that, and judging it, is the scenario's."""

    name = "worker-sigterm"

    def __init__(self, process: ManagedProcess, replace: Callable[[], Awaitable[Any]]):
        self.process, self.replace = process, replace
        self.replaced = False
        self.at: float | None = None  # time.monotonic() when the SIGTERM was sent

    async def inject(self) -> None:
        self.at = time.monotonic()
        self.process.signal_group(signal.SIGTERM)

    async def heal(self) -> None:
        if not self.replaced:
            self.replaced = True
            await self.replace()

"""Faults of the worker's database: PostgreSQL SIGKILLed with its backends, then restarted."""

from __future__ import annotations

from stormproof.chaos.nemesis.base import Nemesis
from stormproof.fixtures.postgres import PostgresCluster


class PostgresCrash(Nemesis):
    """SIGKILL PostgreSQL and every backend; heal restarts it (crash recovery included)."""

    name = "postgres-restart"

    def __init__(self, cluster: PostgresCluster):
        self.cluster = cluster

    async def inject(self) -> None:
        self.cluster.kill()

    async def heal(self) -> None:
        self.cluster.start()

"""Faults of the production topology: one Temporal service crashed, all four restarted one
by one (a rolling upgrade), the database under Temporal restarted, history's link to it cut.

Each heals the way operations would: a crashed service is started again on its own ports
and config, and the suite then judges whether every workflow still completes exactly once.
"""

from __future__ import annotations

from typing import Any

from stormproof.chaos.nemesis.base import Nemesis
from stormproof.fixtures.cluster import SERVICES, Service, TemporalCluster

# The one proxy the cluster world opens for the session (not per run): history's route to
# its database, which test_database_faults cuts.
HISTORY_DB_PROXY = "cluster-history-db"


class ServiceCrash(Nemesis):
    """SIGKILL one service; heal starts it again (its peers find it through the database)."""

    def __init__(self, cluster: TemporalCluster, service: Service):
        self.cluster, self.service = cluster, service
        self.name = f"{service}-sigkill"

    async def inject(self) -> None:
        self.cluster.kill(self.service)

    async def heal(self) -> None:
        if not self.cluster.processes[self.service].running():
            await self.cluster.start_service(self.service)

    def describe(self) -> dict[str, Any]:
        return {"fault": self.name, "service": self.service}


class RollingRestart(Nemesis):
    """Restart every service in turn, gracefully, as an upgrade rolls through a cluster.

    The whole roll is the fault: it is done in inject, and heal has nothing left to undo.
    """

    name = "rolling-restart"

    def __init__(self, cluster: TemporalCluster, order: tuple[Service, ...] = SERVICES):
        self.cluster, self.order = cluster, order

    async def inject(self) -> None:
        for service in self.order:
            await self.cluster.restart(service)

    async def heal(self) -> None:
        for service in self.order:
            if not self.cluster.processes[service].running():
                await self.cluster.start_service(service)

    def describe(self) -> dict[str, Any]:
        return {"fault": self.name, "order": list(self.order)}

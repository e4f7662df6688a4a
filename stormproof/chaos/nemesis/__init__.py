"""Nemeses, one fault family per module: each breaks one part of the world and heals it.

A nemesis records nothing itself; `ChaosRun.inject` and `ChaosRun.heal` write the `fault`
and `heal` operations around it. Families: the Temporal server (`temporal`), network links
through Toxiproxy (`link`), the worker process (`worker`), the workflows themselves
(`workflow`: an operator's reset), the worker's database (`database`), the webhook
receiver (`sink`), and the four-service cluster (`cluster`).
"""

from stormproof.chaos.nemesis.base import Nemesis
from stormproof.chaos.nemesis.cluster import HISTORY_DB_PROXY, RollingRestart, ServiceCrash
from stormproof.chaos.nemesis.database import PostgresCrash
from stormproof.chaos.nemesis.link import LinkDown, LinkToxic
from stormproof.chaos.nemesis.sink import SinkDown
from stormproof.chaos.nemesis.temporal import TemporalCrash
from stormproof.chaos.nemesis.worker import WorkerCrash, WorkerPause, WorkerTerminate
from stormproof.chaos.nemesis.workflow import WorkflowReset

__all__ = [
    "HISTORY_DB_PROXY",
    "LinkDown",
    "LinkToxic",
    "Nemesis",
    "PostgresCrash",
    "RollingRestart",
    "ServiceCrash",
    "SinkDown",
    "TemporalCrash",
    "WorkerCrash",
    "WorkerPause",
    "WorkerTerminate",
    "WorkflowReset",
]

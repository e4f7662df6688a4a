"""The servers every chaos test of one pytest process shares, and what is judged on them.

Each test uses its own task queue, tag, proxies and database on these (stormproof/chaos/run.py);
the fixtures that start and stop them are in stormproof/chaos/fixtures.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from temporalio.client import Client

from stormproof.adapter import Adapter, load_adapter
from stormproof.fixtures.cluster import TemporalCluster
from stormproof.fixtures.fake_llm import FakeLlm
from stormproof.fixtures.postgres import PostgresCluster
from stormproof.fixtures.recording_proxy import RecordingProxy
from stormproof.fixtures.sink import NotificationSink
from stormproof.fixtures.temporal import DevServer
from stormproof.fixtures.toxiproxy import ToxiproxyServer


@dataclass
class ChaosWorld:
    """The per-process servers every chaos test shares (each test uses its own queue/tag)."""

    temporal: DevServer | TemporalCluster
    toxiproxy: ToxiproxyServer
    postgres: PostgresCluster
    fake_llm: FakeLlm
    sink: NotificationSink
    client: Client
    worker_argv: list[str]
    seed: int
    # The cluster's own database (suites/chaos/cluster); a dev server keeps a SQLite file.
    temporal_db: PostgresCluster | None = None
    # What is judged: the reference's contract, or a team's adapter (--adapter).
    adapter: Adapter = field(default_factory=load_adapter)
    # service name -> the recording proxy in front of the adapter's service of that name
    services: dict[str, RecordingProxy] = field(default_factory=dict)

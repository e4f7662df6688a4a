"""The four-service cluster's start time and memory (the README's production-topology figures).

Each round starts a throwaway PostgreSQL and the cluster on it, and measures:
- ready: start() returning, the namespace served by the frontend;
- first workflow: a reference worker polling and a PingWorkflow round trip through it;
- memory: resident set of the four services and every PostgreSQL process, after the ping.
Needs `make cluster-deps`. Run: `.venv/bin/python -m bench cluster`.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from temporalio.client import Client

from bench._results import record, row
from stormproof.fixtures.cluster import TemporalCluster
from stormproof.fixtures.composed import World
from stormproof.fixtures.config import SuiteConfig
from stormproof.fixtures.endpoints import build_endpoints
from stormproof.fixtures.fake_llm import FakeLlm
from stormproof.fixtures.postgres import PostgresCluster
from stormproof.fixtures.reaper import descendants
from stormproof.fixtures.sink import NotificationSink
from stormproof.fixtures.worker import WorkerProcess

ROUNDS = 3


def rss_mib(pids: list[int]) -> float:
    total_kib = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total_kib += int(line.split()[1])
    return total_kib / 1024


async def one_round(base: Path, llm: FakeLlm, sink: NotificationSink) -> tuple[float, float, float]:
    world = World()
    postgres = world.add("postgres", PostgresCluster(log_dir=base, name="bench-postgres"))
    cluster = world.add("temporal", TemporalCluster(base / "cluster", postgres), after=["postgres"])
    try:
        await world.start("postgres")
        started = time.perf_counter()  # the cluster's own start, its database already up
        await world.start("temporal")
        ready = time.perf_counter() - started
        client = await Client.connect(cluster.address)
        endpoints = build_endpoints(
            base / "worker",
            temporal_address=cluster.address,
            llm_base_url=llm.base_url,
            notify_url=sink.url,
        )
        worker = WorkerProcess(SuiteConfig().worker_argv, endpoints, log_dir=base)
        world.add(
            "worker",
            worker,
            after=["temporal"],
            ready=lambda: worker.wait_ready(client, timeout=120),
        )
        await world.start("worker")
        first = time.perf_counter() - started
        pids = [p.pid for p in cluster.processes.values()]
        assert postgres._process is not None
        pids += [postgres._process.pid, *descendants(postgres._process.pid)]
        return ready, first, rss_mib(pids)
    finally:
        await world.stop()


def main() -> int:
    rounds: list[tuple[float, float, float]] = []
    session = World()
    llm = session.add("fake-llm", FakeLlm())
    sink = session.add("sink", NotificationSink())
    with session:
        for index in range(ROUNDS):
            with tempfile.TemporaryDirectory(prefix="stormproof-bench-cluster-") as tmp:
                rounds.append(asyncio.run(one_round(Path(tmp) / str(index), llm, sink)))
    ready, first, memory = (list(column) for column in zip(*rounds, strict=True))
    print(f"cluster (4 services + PostgreSQL), {ROUNDS} cold starts")
    print(f"{'':<28}{'median':>10}{'max':>10}")
    print(f"{'ready (namespace served) s':<28}{statistics.median(ready):>10.2f}{max(ready):>10.2f}")
    print(f"{'first workflow done s':<28}{statistics.median(first):>10.2f}{max(first):>10.2f}")
    print(f"{'resident memory MiB':<28}{statistics.median(memory):>10.0f}{max(memory):>10.0f}")
    what = "four-service cluster"
    record(
        "cluster",
        [
            row(f"{what} ready (namespace served), from a fresh database", _figure(ready, "s")),
            row(
                f"{what}, first workflow done (a worker polling, one PingWorkflow)",
                _figure(first, "s"),
            ),
            row(f"{what}, resident memory (four services + PostgreSQL)", _figure(memory, "MiB")),
        ],
        {"rounds": ROUNDS, "ready_s": ready, "first_workflow_s": first, "memory_mib": memory},
        f"{ROUNDS} cold starts of a throwaway PostgreSQL and the four services on it",
    )
    return 0


def _figure(samples: list[float], unit: str) -> str:
    digits = 0 if unit == "MiB" else 2
    return (
        f"{statistics.median(samples):.{digits}f} {unit} median, "
        f"{max(samples):.{digits}f} {unit} max"
    )


if __name__ == "__main__":
    sys.exit(main())

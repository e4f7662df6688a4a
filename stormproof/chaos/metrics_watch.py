"""What each fault cost, in the worker's and the server's own metrics.

A chaos verdict says whether the effects came out exactly once; a team tuning timeouts
also wants to see the price: how many activity attempts failed and were retried, how
often the worker's polls failed, how long tasks waited in the queue. ChaosRun scrapes the
worker's /metrics (the reference serves it on STORMPROOF_METRICS_ADDRESS; a worker that
serves none simply has no worker-side deltas) and the server's right before each fault is
injected, and again once the workload has drained (at check time), and keeps
`fault_deltas` of the two per fault for the report: `record()["metric_deltas"]`.

Also here, because it is the other thing read from the run's logs and processes after the
workload: the prompt-in-logs scan (stormproof/log_privacy.py) over every worker's log.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from stormproof.log_privacy import assert_no_prompts_in_logs
from stormproof.metrics import FAULT_FAMILIES, MetricsSnapshot, fault_deltas, scrape

# A scrape that takes longer than this would distort the fault's timing more than it tells.
SCRAPE_TIMEOUT = 1.0


def metric_urls(temporal: Any, workers: Iterable[Any]) -> dict[str, str]:
    """source -> URL: the newest worker that serves metrics, and the server (a dev server's
    one endpoint; a cluster's history service, which counts activity failures/timeouts)."""
    urls: dict[str, str] = {}
    for worker in workers:
        url = getattr(worker, "metrics_url", None)
        if url:
            urls["worker"] = url  # the last one wins: the worker now serving
    server = getattr(temporal, "metrics_url", None)
    if callable(server):  # TemporalCluster.metrics_url(service)
        try:
            server = server("history")
        except KeyError:
            server = None
    if isinstance(server, str):
        urls["server"] = server
    return urls


class MetricsWatch:
    """Snapshots per fault, before it and after the drain; deltas per fault name."""

    def __init__(self) -> None:
        self.before: dict[str, dict[str, MetricsSnapshot | None]] = {}
        self.deltas: dict[str, dict[str, float]] = {}
        # Taken once the first worker is ready: a fault that is scripted rather than
        # injected as a nemesis (the LLM storm) is measured from here, under the run's name.
        self.baseline: tuple[str, dict[str, MetricsSnapshot | None]] | None = None

    async def start(self, fault: str, urls: Mapping[str, str]) -> None:
        if self.baseline is None:
            self.baseline = (fault, await self._scrape_all(urls))

    @staticmethod
    async def _scrape_all(urls: Mapping[str, str]) -> dict[str, MetricsSnapshot | None]:
        names = list(urls)
        found = await asyncio.gather(
            *(scrape(urls[n], timeout=SCRAPE_TIMEOUT, families=FAULT_FAMILIES) for n in names)
        )
        return dict(zip(names, found, strict=True))

    async def before_fault(self, fault: str, urls: Mapping[str, str]) -> None:
        key, n = fault, 1
        while key in self.before:  # the same fault injected again: keep both
            n += 1
            key = f"{fault}#{n}"
        self.before[key] = await self._scrape_all(urls)

    async def after_drain(self, urls: Mapping[str, str]) -> dict[str, dict[str, float]]:
        """Deltas for every fault not measured yet (check() may run more than once)."""
        if not self.before and self.baseline is not None:
            self.before[self.baseline[0]] = self.baseline[1]
        pending = [f for f in self.before if f not in self.deltas]
        if not pending:
            return self.deltas
        after = await self._scrape_all(urls)
        for fault in pending:
            merged: dict[str, float] = {}
            for source in ("worker", "server"):
                before = self.before[fault].get(source)
                merged.update(fault_deltas(before, after.get(source)))
            self.deltas[fault] = merged
        return self.deltas


def check_log_privacy(workers: Iterable[Any], calls: Iterable[Any]) -> None:
    """prompt-in-logs over every worker log this run started (killed workers' included)."""
    logs: dict[str, Path] = {}
    for worker in workers:
        process = getattr(worker, "process", None)
        if process is not None:
            logs[process.name] = process.log_path
    assert_no_prompts_in_logs(logs, calls)

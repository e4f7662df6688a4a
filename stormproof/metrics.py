"""Prometheus scrapes for the judge: a snapshot before a fault, one after, and the deltas
that say what the fault did to the worker and the server.

A verdict says whether the contract held; the deltas say what it cost (how many activity
attempts failed and were retried, how often the worker's polls failed, how long tasks sat
in the queue). The parser is prometheus-client's own, so any exporter's text format
(the SDK's Rust exporter, the Go server's, our own counters) reads the same way.

Names are the real ones the exporters emit (read from a running worker and dev server):
the SDK prefixes its metrics `temporal_`; the server does not (`activity_task_fail`,
`service_error_with_type`, ...), apart from its own internal Go SDK client, which is why
a snapshot that looks like a server's gets only server-side deltas.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import defaultdict
from collections.abc import Collection

import httpx
from prometheus_client.parser import text_string_to_metric_families
from pydantic import BaseModel

Labels = dict[str, str]


class MetricsSnapshot(BaseModel):
    """One scrape: `samples` keys are `name{label="v",...}` with labels sorted."""

    source: str
    taken_at: float
    samples: dict[str, float]


def sample_key(name: str, labels: Labels) -> str:
    if not labels:
        return name
    inner = ",".join(f'{k}="{_escape(v)}"' for k, v in sorted(labels.items()))
    return f"{name}{{{inner}}}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def only_families(text: str, families: Collection[str]) -> str:
    """The lines of `families` (with their HELP and TYPE lines), the rest dropped.

    A server's exposition is ~1.5 MB of per-operation histograms; a chaos run scrapes it
    three times per test and uses a dozen families, and prometheus-client's parser costs
    seconds of CPU per scrape under load: CPU the workload under judgement needs. Cutting
    by name first is a string scan. A sample line `name{...} v` or `name v` belongs to a
    family when its name is the family's or the family's with a suffix the text format
    adds (`_total`, `_bucket`, `_count`, `_sum`, `_created`)."""
    # A counter's TYPE line names it without the `_total` its samples carry.
    wanted = {*families, *(f.removesuffix("_total") for f in families)}

    def family_of(name: str) -> str:
        base, _, suffix = name.rpartition("_")
        return base if base and suffix in _SUFFIXES and base in wanted else name

    kept = []
    for line in text.splitlines():
        if line.startswith("#"):
            parts = line.split(None, 3)
            name = parts[2] if len(parts) > 2 else ""
        else:
            name = line.split("{", 1)[0].split(" ", 1)[0]
        if family_of(name) in wanted:
            kept.append(line)
    return "\n".join(kept) + "\n"


_SUFFIXES = frozenset({"total", "bucket", "count", "sum", "created"})


def parse(
    text: str,
    source: str,
    taken_at: float | None = None,
    families: Collection[str] | None = None,
) -> MetricsSnapshot:
    """Parse Prometheus text exposition into a snapshot (the last duplicate wins); with
    `families`, only those (only_families)."""
    samples: dict[str, float] = {}
    if families is not None:
        text = only_families(text, families)
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[sample_key(sample.name, dict(sample.labels))] = float(sample.value)
    return MetricsSnapshot(
        source=source, taken_at=time.time() if taken_at is None else taken_at, samples=samples
    )


async def scrape(
    url: str, *, timeout: float = 2.0, families: Collection[str] | None = None
) -> MetricsSnapshot | None:
    """GET `url` and parse it (only `families`, when given); None when nothing answers (a
    killed worker, a healed proxy not yet back): a missing scrape is a fact to report, not
    a failure of the judge."""
    try:
        async with httpx.AsyncClient(timeout=timeout) as client:
            response = await client.get(url)
        if response.status_code != 200:
            return None
        # A server's exposition is ~1.5 MB (0.5 s to parse idle, seconds under load): in a
        # thread, so a chaos run's workload keeps its timing while a snapshot is taken.
        return await asyncio.to_thread(parse, response.text, url, time.time(), families)
    except (httpx.HTTPError, OSError, ValueError):
        return None


def _split(key: str) -> tuple[str, Labels]:
    """Inverse of sample_key for the label sets we produce (values never contain '",')."""
    name, brace, rest = key.partition("{")
    if not brace:
        return name, {}
    labels: Labels = {}
    for part in rest.rstrip("}").split('",'):
        if not part:
            continue
        k, _, v = part.partition('="')
        labels[k] = v.rstrip('"')
    return name, labels


def _total(snapshot: MetricsSnapshot | None, name: str, **match: str) -> float | None:
    """Sum of every sample called `name` whose labels include `match`; None if absent."""
    if snapshot is None:
        return None
    found = None
    for key, value in snapshot.samples.items():
        sample_name, labels = _split(key)
        # prometheus-client's parser names a counter's sample `<family>_total` even when
        # the exporter wrote the bare name (the SDK does), so either spelling matches.
        if sample_name in (name, f"{name}_total") and all(
            labels.get(k) == v for k, v in match.items()
        ):
            found = (found or 0.0) + value
    return found


def _increase(before: float | None, after: float | None) -> float | None:
    """Counter increase with Prometheus's reset rule: a counter that went down started
    again from zero (a restarted worker), so its whole value is the increase."""
    if after is None:
        return None
    if before is None or after < before:
        return after
    return after - before


def _counter_delta(before, after, name: str, **match: str) -> float | None:
    return _increase(_total(before, name, **match), _total(after, name, **match))


def _buckets(snapshot: MetricsSnapshot | None, name: str) -> dict[float, float]:
    out: dict[float, float] = defaultdict(float)
    if snapshot is None:
        return out
    for key, value in snapshot.samples.items():
        sample_name, labels = _split(key)
        if sample_name == f"{name}_bucket" and "le" in labels:
            out[float(labels["le"])] += value
    return out


def histogram_deltas(
    before: MetricsSnapshot | None, after: MetricsSnapshot | None, name: str
) -> dict[str, float]:
    """Mean and p95 (the upper bound of the bucket holding it) of what was observed
    between the two snapshots, in the histogram's unit (the SDK's latencies are ms)."""
    count = _counter_delta(before, after, f"{name}_count")
    total = _counter_delta(before, after, f"{name}_sum")
    if not count or total is None:
        return {}
    old, new = _buckets(before, name), _buckets(after, name)
    reset = any(new.get(le, 0.0) < v for le, v in old.items())
    deltas = {le: new[le] - (0.0 if reset else old.get(le, 0.0)) for le in sorted(new)}
    p95 = _quantile_bound(deltas, count, 0.95)
    result = {"mean": total / count}
    if p95 is not None:
        result["p95"] = p95
    return result


def _quantile_bound(cumulative: dict[float, float], count: float, q: float) -> float | None:
    finite = [le for le in cumulative if not math.isinf(le)]
    for le in sorted(cumulative):
        if cumulative[le] >= q * count:
            # Above the last finite bound the histogram knows only "more than that".
            return le if not math.isinf(le) else (max(finite) if finite else None)
    return None


def _is_server(snapshot: MetricsSnapshot | None) -> bool:
    return snapshot is not None and any(k.startswith("service_requests") for k in snapshot.samples)


# Worker-side (SDK) counters: short name -> metric name.
WORKER_COUNTERS = {
    "activity_attempts": "temporal_activity_task_received",
    "activity_failures": "temporal_activity_execution_failed",
    "activity_successes": "temporal_activity_succeed_endtoend_latency_count",
    "poll_errors": "temporal_long_request_failure",
    "rpc_errors": "temporal_request_failure",
    "workflow_task_failures": "temporal_workflow_task_execution_failed",
    "workflows_completed": "temporal_workflow_completed",
    # The reference worker's own counters (reference/observability.py).
    "llm_calls": "stormproof_llm_calls_total",
    "notify_deliveries": "stormproof_notify_deliveries_total",
    "rows_written": "stormproof_rows_written_total",
}
# Server-side counters: short name -> metric name (the dev server's and a cluster's).
SERVER_COUNTERS = {
    "server_activity_task_failures": "activity_task_fail",
    "server_service_errors": "service_error_with_type",
    "server_persistence_errors": "persistence_error_with_type",
    "server_start_to_close_timeouts": "start_to_close_timeout",
    "server_schedule_to_start_timeouts": "schedule_to_start_timeout",
    "server_heartbeat_timeouts": "heartbeat_timeout",
    "server_poll_timeouts": "poll_timeouts",
}
WORKER_HISTOGRAMS = {
    "schedule_to_start": ("temporal_activity_schedule_to_start_latency", 1.0),
    "workflow_task_schedule_to_start": ("temporal_workflow_task_schedule_to_start_latency", 1.0),
}
# The server's histograms are in seconds, the SDK's in milliseconds: short -> (name, to ms).
SERVER_HISTOGRAMS = {"server_task_schedule_to_start": ("task_schedule_to_start_latency", 1000.0)}
# Every family fault_deltas reads (and `service_requests`, by which it tells a server from
# a worker): what a chaos scrape keeps (only_families).
FAULT_FAMILIES = frozenset(
    {
        "service_requests",
        *WORKER_COUNTERS.values(),
        *SERVER_COUNTERS.values(),
        *(name for name, _ in (*WORKER_HISTOGRAMS.values(), *SERVER_HISTOGRAMS.values())),
    }
)


def fault_deltas(before: MetricsSnapshot | None, after: MetricsSnapshot | None) -> dict[str, float]:
    """The increases that matter for one fault, under stable short names.

    Worker: activity_attempts, activity_failures, activity_successes, activity_retries
    (attempts that did not succeed: failed, timed out or lost with a worker, so Temporal
    ran them again), poll_errors, rpc_errors, workflow_task_failures, workflows_completed,
    llm_calls, llm_errors, notify_deliveries, notify_failures, rows_written,
    schedule_to_start_mean_ms / _p95_ms. Server: server_* counters and latencies.
    A metric absent from both snapshots is simply absent from the result; snapshots of
    different sources (a replaced worker) count the later one from zero.
    """
    if before is not None and after is not None and before.source != after.source:
        # Another process answered (the worker was replaced): its counters started at
        # zero, and comparing them with the old process's would undercount.
        before = None
    reference = after if after is not None else before
    server = _is_server(reference)
    out: dict[str, float] = {}
    for short, name in (SERVER_COUNTERS if server else WORKER_COUNTERS).items():
        value = _counter_delta(before, after, name)
        if value is not None:
            out[short] = value
    if not server:
        _derived(before, after, out)
    for short, (name, to_ms) in (SERVER_HISTOGRAMS if server else WORKER_HISTOGRAMS).items():
        for stat, value in histogram_deltas(before, after, name).items():
            out[f"{short}_{stat}_ms"] = value * to_ms
    return out


def _derived(before, after, out: dict[str, float]) -> None:
    if "activity_attempts" in out:
        out["activity_retries"] = max(
            0.0, out["activity_attempts"] - out.get("activity_successes", 0.0)
        )
    for short, total_short, name in (
        ("llm_errors", "llm_calls", "stormproof_llm_calls_total"),
        ("notify_failures", "notify_deliveries", "stormproof_notify_deliveries_total"),
    ):
        if total_short in out:
            ok = _counter_delta(before, after, name, status="ok") or 0.0
            out[short] = max(0.0, out[total_short] - ok)

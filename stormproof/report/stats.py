"""What a chaos run looked like over time: latency, throughput, outcome rates and drain.

The checker answers "was anything lost or duplicated"; this answers "what did the fault do
to the service": Jepsen's ok/fail/info rates per operation, omes's latency percentiles and
throughput, and how long the backlog took to drain after the heal. It is a separate model
attached to the chaos run's record (`stats`), computed from the same history in one pass,
so the checker's verdict stays a pure exactly-once judgement.

Definitions (docs/CHAOS.md quotes them):
- latency: from a workflow's first `start` invoke (the client asked) to its completion
  as Temporal recorded it (the observer's `step` op of kind `workflow`, server time);
- throughput: starts (first invoke) and completions per one-second bucket from the first op;
- drain: seconds from the last heal until the last workflow started before that heal
  completed (0 when the backlog was gone before the heal); None without a heal;
- fault windows: each `fault` ok to the next `heal` ok of the same fault (open: to the end);
- in flight at the fault: workflows started before the first fault took effect and not
  completed by then (the work the fault could meet); None without a fault.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

from pydantic import BaseModel, Field

from stormproof.checker import Op


class FaultWindow(BaseModel):
    fault: str
    start: float = Field(description="seconds from the run's first operation")
    end: float | None = Field(None, description="the heal; None: never healed")


class Latency(BaseModel):
    count: int = 0
    p50: float | None = None
    p95: float | None = None
    p99: float | None = None
    max: float | None = None


class ChaosStats(BaseModel):
    """Latency percentiles, throughput, outcome counts and drain time of one chaos test."""

    t0: float = Field(0.0, description="wall time of the first operation (epoch seconds)")
    duration: float = Field(0.0, description="seconds from the first to the last operation")
    workflows: int = 0
    outcomes: dict[str, dict[str, int]] = Field(
        default_factory=dict, description="f (start, result) -> ok/fail/info counts"
    )
    latency: Latency = Field(default_factory=Latency)
    latency_points: list[tuple[float, float]] = Field(
        default_factory=list, description="(completion, latency) per workflow, seconds"
    )
    starts_per_s: list[int] = Field(default_factory=list)
    completions_per_s: list[int] = Field(default_factory=list)
    faults: list[FaultWindow] = Field(default_factory=list)
    phases: dict[str, float] = Field(default_factory=dict, description="generator phase -> s")
    drain_seconds: float | None = None
    in_flight_at_fault: int | None = None


def percentile(ordered: list[float], q: float) -> float | None:
    """Nearest-rank percentile of an ascending list (None when empty)."""
    if not ordered:
        return None
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def _per_second(times: Iterable[float], length: int) -> list[int]:
    buckets = [0] * length
    for t in times:
        buckets[min(max(int(t), 0), length - 1)] += 1
    return buckets


def compute(ops: list[Op]) -> ChaosStats:
    """The stats of one history (any order of ops; one pass plus sorting)."""
    if not ops:
        return ChaosStats()
    t0 = min(op.time for op in ops)
    first_start: dict[str, float] = {}
    completed: dict[str, float] = {}
    outcomes: dict[str, Counter[str]] = {"start": Counter(), "result": Counter()}
    windows: list[FaultWindow] = []
    open_faults: dict[str, FaultWindow] = {}
    heals: list[float] = []
    phases: dict[str, float] = {}
    end = t0
    for op in ops:
        at = op.time - t0
        end = max(end, op.time)
        wid = op.workflow_id
        if op.f in outcomes and op.type != "invoke":
            outcomes[op.f][op.type] += 1
        if op.f == "start" and op.type == "invoke" and wid is not None:
            if wid not in first_start or op.time < first_start[wid]:
                first_start[wid] = op.time
        elif op.f == "step" and op.value.get("kind") == "workflow" and wid is not None:
            completed[wid] = op.time
        elif op.f == "fault" and op.type == "ok":
            name = str(op.value.get("fault", "fault"))
            window = FaultWindow(fault=name, start=round(at, 3))
            windows.append(window)
            open_faults[name] = window
        elif op.f == "heal" and op.type == "ok":
            heals.append(op.time)
            window = open_faults.pop(str(op.value.get("fault", "fault")), None)
            if window is not None:
                window.end = round(at, 3)
        elif op.f == "phase" and op.type == "ok":
            phases.setdefault(str(op.value.get("phase")), round(at, 3))
    length = int(end - t0) + 1
    points = sorted(
        (round(done - t0, 3), round(done - first_start[wid], 3))
        for wid, done in completed.items()
        if wid in first_start
    )
    latencies = sorted(latency for _, latency in points)
    return ChaosStats(
        t0=t0,
        duration=round(end - t0, 3),
        workflows=len(first_start),
        outcomes={f: {k: c.get(k, 0) for k in ("ok", "fail", "info")} for f, c in outcomes.items()},
        latency=Latency(
            count=len(latencies),
            p50=percentile(latencies, 50),
            p95=percentile(latencies, 95),
            p99=percentile(latencies, 99),
            max=latencies[-1] if latencies else None,
        ),
        latency_points=points,
        starts_per_s=_per_second((t - t0 for t in first_start.values()), length),
        completions_per_s=_per_second((t - t0 for t in completed.values()), length),
        faults=windows,
        phases=phases,
        drain_seconds=_drain(heals, first_start, completed),
        in_flight_at_fault=_in_flight(windows, t0, first_start, completed),
    )


def _in_flight(
    windows: list[FaultWindow], t0: float, starts: dict[str, float], completed: dict[str, float]
) -> int | None:
    """Workflows open when the first fault took effect."""
    if not windows:
        return None
    at = t0 + min(w.start for w in windows)
    return sum(1 for wid, began in starts.items() if began <= at < completed.get(wid, math.inf))


def _drain(
    heals: list[float], starts: dict[str, float], completed: dict[str, float]
) -> float | None:
    """Seconds from the last heal until the backlog started before it had completed."""
    if not heals:
        return None
    heal = max(heals)
    backlog = [completed.get(wid) for wid, at in starts.items() if at <= heal]
    done = [t for t in backlog if t is not None]
    if not done:
        return 0.0
    return round(max(max(done) - heal, 0.0), 3)

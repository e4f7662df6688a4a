"""Fault 2: the worker's link to Temporal, broken every way Toxiproxy can break it.

Outages of 2 s, 15 s and 70 s (longer than a long poll, so the SDK's poll retries and the
server-side activity timeouts both come into play), connection resets, a black hole that
only keepalive detects, jittery latency, a slicer that fragments every gRPC frame, and a
trickle of bandwidth. Catches a worker that exits or idles after poll errors (lost) and
an activity whose completion, lost with the link, is replayed with a second effect
(duplicated). Each variant is seeded and heals before the workload must complete.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import pytest

from stormproof.chaos import ChaosRun, assert_all_completed, needs
from stormproof.chaos.nemesis import LinkDown, LinkToxic, Nemesis
from stormproof.world import Delay

pytestmark = [
    needs(),  # nothing beyond units to start: any adapter
    pytest.mark.chaos(fault="worker-temporal-link"),
    pytest.mark.local_server,
    pytest.mark.worker_process,
    pytest.mark.toxiproxy,
]


@dataclass(frozen=True)
class LinkFault:
    label: str
    hold: float
    toxic: str | None = None  # None: the proxy is disabled
    attributes: dict[str, Any] = field(default_factory=dict)
    finish: float = 120.0


FAULTS = [
    # The long pole first, so xdist starts it early; 70 s outlives a 60 s long poll.
    LinkFault("down-70s", 70.0, finish=180.0),
    LinkFault("down-2s", 2.0),
    LinkFault("down-15s", 15.0),
    LinkFault("reset-peer", 6.0, "reset_peer", {"timeout": 0}),
    LinkFault("blackhole", 20.0, "timeout", {"timeout": 0}, finish=150.0),
    LinkFault("latency-jitter", 8.0, "latency", {"latency": 300, "jitter": 250}),
    LinkFault("slicer", 8.0, "slicer", {"average_size": 48, "size_variation": 32, "delay": 200}),
    LinkFault("low-bandwidth", 8.0, "bandwidth", {"rate": 8}),
]


def nemesis_for(chaos: ChaosRun, fault: LinkFault) -> Nemesis:
    label = f"link-{fault.label}"
    if fault.toxic is None:
        return LinkDown(chaos.toxiproxy, chaos.link("temporal"), label)
    return LinkToxic(
        chaos.toxiproxy,
        chaos.link("temporal"),
        fault.toxic,  # type: ignore[arg-type]
        label=label,
        streams=("upstream", "downstream"),
        **fault.attributes,
    )


def by_length() -> list[object]:
    """Each fault's expected seconds, its hold and ~15 s of load and drain: the longest
    run first (stormproof/report/plugin.py)."""
    return [
        pytest.param(f, id=f.label, marks=pytest.mark.chaos_long(seconds=f.hold + 15))
        for f in FAULTS
    ]


@pytest.mark.parametrize("fault", by_length())
async def test_worker_temporal_link(chaos: ChaosRun, fault: LinkFault) -> None:
    chaos.fault = f"worker-temporal-link:{fault.label}"
    await chaos.start_worker()
    async with chaos.load():  # the continuous workload runs through warm-up, fault, heal
        items = [chaos.workload.plan(k) for k in ("report", "story") * 2]
        for item in items:  # slow answers keep activities in flight when the link breaks
            chaos.world.fake_llm.script(item.marker, [Delay(seconds=chaos.rng.uniform(0.5, 2.5))])
        await asyncio.gather(*(chaos.workload.start(item) for item in items))
        await chaos.wait_llm_in_flight(items[0].marker)

        async with chaos.faulted(nemesis_for(chaos, fault)):
            await chaos.hold(fault.hold)

    result = await chaos.finish(timeout=fault.finish)
    await assert_all_completed(chaos, result)

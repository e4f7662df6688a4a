"""Soak: many workflows (1,000 by default) under a seeded mix of faults, behind `-m soak`.

Not part of the default run (the plugin deselects `soak` unless -m names it). The
continuous generator (stormproof/chaos/generator.py) starts workflows at its rate the whole
time; meanwhile the seeded nemesis picks one fault from the menu, holds it for a few
seconds, heals, waits 6 to 12 s, and picks again, until the generator has started
STORMPROOF_SOAK_WORKFLOWS (1,000 by default). STORMPROOF_CHAOS_RATE sets the rate.
"""

from __future__ import annotations

import os

import pytest

from stormproof.chaos import ChaosRun, LoadSpec, Planned, assert_all_completed, needs
from stormproof.chaos.nemesis import LinkDown, LinkToxic, Nemesis, TemporalCrash, WorkerCrash
from stormproof.world import RateLimit, ServerError

pytestmark = [
    needs(),  # nothing beyond units to start: any adapter
    pytest.mark.soak,
    pytest.mark.chaos(fault="soak-mixed"),
    pytest.mark.local_server,
    pytest.mark.worker_process,
    pytest.mark.toxiproxy,
    pytest.mark.timeout(3600),
]


def menu(chaos: ChaosRun) -> list[Nemesis]:
    link = chaos.link("temporal")
    return [
        LinkDown(chaos.toxiproxy, link, "link-down"),
        LinkToxic(chaos.toxiproxy, link, "latency", label="latency", latency=200, jitter=150),
        LinkToxic(chaos.toxiproxy, chaos.link("llm"), "reset_peer", label="llm-reset", timeout=0),
        TemporalCrash(chaos.world.temporal),
        WorkerCrash(chaos.worker.process, chaos.start_worker),
    ]


async def test_soak_mixed_faults(chaos: ChaosRun) -> None:
    total = int(os.environ.get("STORMPROOF_SOAK_WORKFLOWS", "1000"))
    await chaos.start_worker()

    def http_fault(item: Planned) -> None:
        """At most one HTTP fault each, for one in ten: an LLM reset or a worker death may
        cost another of llm_call's three attempts, and the third is the contract's last."""
        if chaos.rng.random() < 0.1:
            fault = chaos.rng.choice([RateLimit(retry_after=1.0), ServerError()])
            chaos.world.fake_llm.script(item.marker, [fault])

    spec = LoadSpec.from_env(workflows=total, concurrency=200, give_up=1800.0)
    async with chaos.load(spec, prepare=http_fault):
        while len(chaos.workload.planned) < total:  # faults come and go while the load runs
            nemesis = chaos.rng.choice(menu(chaos))
            async with chaos.faulted(nemesis):
                await chaos.hold(chaos.rng.uniform(0.5, 1.2 if "llm" in nemesis.name else 4.0))
            # Long enough that a workflow (p50 ~20 s under this load) rarely meets three
            # faults that each cost an LLM attempt: a test of the worker, not of the dice.
            await chaos.hold(chaos.rng.uniform(6.0, 12.0))
    result = await chaos.finish(timeout=1800)
    chaos.assert_exactly_once(result)
    assert result.workflows >= total
    await assert_all_completed(chaos, result)

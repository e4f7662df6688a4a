"""Soak: many workflows (1,000 by default) under a seeded mix of faults, behind `-m soak`.

Not part of the default run (the plugin deselects `soak` unless -m names it). Workflows
are started in waves; between waves the seeded nemesis picks one fault from the menu and
holds it for a few seconds. Set STORMPROOF_SOAK_WORKFLOWS to size it.
"""

from __future__ import annotations

import asyncio
import os

import pytest

from stormproof.fixtures.fake_llm import RateLimit, ServerError
from stormproof.suites.chaos.nemesis import LinkDown, LinkToxic, Nemesis, TemporalCrash, WorkerCrash
from stormproof.suites.chaos.run import ChaosRun

pytestmark = [
    pytest.mark.soak,
    pytest.mark.chaos(fault="soak-mixed"),
    pytest.mark.local_server,
    pytest.mark.worker_process,
    pytest.mark.toxiproxy,
    pytest.mark.timeout(3600),
]
WAVE = 50


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
    started = 0
    while started < total:
        kinds = [
            ("story", "report")[chaos.rng.randrange(2)] for _ in range(min(WAVE, total - started))
        ]
        items = [chaos.workload.plan(k) for k in kinds]
        for item in items:  # at most one HTTP fault each: llm-reset may cost another attempt
            if chaos.rng.random() < 0.2:
                fault = chaos.rng.choice([RateLimit(retry_after=1.0), ServerError()])
                chaos.world.fake_llm.script(item.marker, [fault])
        wave = asyncio.gather(*(chaos.workload.start(item) for item in items))
        nemesis = chaos.rng.choice(menu(chaos))
        async with chaos.faulted(nemesis):
            await chaos.hold(chaos.rng.uniform(0.5, 1.2 if "llm" in nemesis.name else 4.0))
        await wave
        started += len(items)
    result = await chaos.finish(timeout=1800)
    chaos.assert_exactly_once(result)
    assert result.completed == total

"""Fault 6: the LLM misbehaves: 429 storms with retry-after, 500s, timeouts, slow answers,
and connection resets through Toxiproxy.

Any unit that declares LlmCalls meets them, under any adapter: the faults are scripted on
the unit's marker at the fake LLM, and the resets cut the worker's link to it, whatever
the activity that calls it is named. The HTTP storm is a seeded schedule of scripted
faults per workflow, at most two each, because the contract caps llm_call at three
attempts: a schedule that could exhaust them would test the dice, not the worker. Every
LLM request must be one Temporal attempt, so the wasted-call count catches SDK retries
stacked on Temporal's, and every workflow must complete once the storm is over.
"""

from __future__ import annotations

import asyncio

import pytest

from stormproof.adapter import LlmCalls
from stormproof.chaos import LLM_TIMEOUT_SECONDS, ChaosRun, Planned, assert_all_completed, needs
from stormproof.chaos.nemesis import LinkToxic
from stormproof.diagnosis import BugClass, expect
from stormproof.world import Delay, DropConnection, RateLimit, ServerError

pytestmark = [
    pytest.mark.chaos_long(seconds=17),
    pytest.mark.chaos,
    pytest.mark.local_server,
    pytest.mark.worker_process,
    needs(LlmCalls),
]
TIMEOUT = Delay(seconds=LLM_TIMEOUT_SECONDS + 1.5)  # the worker's request times out
MENU = [
    RateLimit(retry_after=1.0),
    RateLimit(retry_after=None, retry_after_ms=700),
    ServerError(status=500),
    ServerError(status=503),
    TIMEOUT,
    DropConnection(),
]


def menu(item: Planned) -> list[object]:
    """The faults `item` may meet. A unit with scripted answers (the adapter's llm_answers:
    a classifier told to say "HR") meets no timeout: the fake LLM answers the abandoned
    request after it, which spends the scripted answer, and the retry would get the
    default reply, failing the unit's check for a reason that is the fake's, not the app's."""
    return [f for f in MENU if f is not TIMEOUT or item.unit.llm_answers is None]


@pytest.mark.chaos(fault="llm-http-storm")
async def test_llm_http_storm(chaos: ChaosRun) -> None:
    await chaos.start_worker()
    stormed: list[Planned] = []

    def storm(item: Planned) -> None:
        """A seeded share of the generator's workflows that call the LLM meets it too."""
        owes = any(isinstance(e, LlmCalls) for e in item.unit.effects)
        if owes and chaos.rng.random() < 0.25:
            chaos.world.fake_llm.script(item.marker, chaos.rng.sample(menu(item), k=1))
            stormed.append(item)

    async with chaos.load(prepare=storm):
        items = [chaos.plan_owing(LlmCalls) for _ in range(8)]
        injected = 0
        for item in items:
            faults = chaos.rng.sample(menu(item), k=chaos.rng.choice([1, 2, 2]))
            faults.append(Delay(seconds=chaos.rng.uniform(0.2, 1.5)))  # then a slow success
            chaos.world.fake_llm.script(item.marker, faults)
            injected += len(faults) - 1
        chaos.history.fault("ok", "llm-http-storm", scripted=injected)
        for item in items:
            await chaos.workload.start(item)

    result = await chaos.finish(timeout=120)
    await assert_all_completed(chaos, result)
    for item in items + stormed:  # every scripted fault was served: the storm really happened
        left = chaos.world.fake_llm.plan.pending(item.marker)
        expect(
            left == 0,
            BugClass.FAULT_MISSED,
            f"{item.workflow_id}: {left} scripted faults never served",
        )


@pytest.mark.chaos(fault="llm-connection-reset")
@pytest.mark.toxiproxy
async def test_llm_connection_resets(chaos: ChaosRun) -> None:
    await chaos.start_worker()
    resets = LinkToxic(
        chaos.toxiproxy, chaos.link("llm"), "reset_peer", label="llm-reset-peer", timeout=0
    )
    async with chaos.load():
        items = [chaos.plan_owing(LlmCalls) for _ in range(6)]
        async with chaos.faulted(resets):
            # Started, not awaited, in the window: under load six starts take seconds, and
            # the window must stay shorter than the 1 s + 2 s backoff of llm_call's three
            # attempts, or a workflow could meet the resets three times and fail.
            starting = [asyncio.create_task(chaos.workload.start(item)) for item in items]
            await chaos.hold(1.5)
        expect(all(await asyncio.gather(*starting)), BugClass.UNRESPONSIVE, "a start was refused")

    result = await chaos.finish(timeout=120)
    await assert_all_completed(chaos, result)
    retried = [i for i in items if chaos.retried_any(i.workflow_id)]
    expect(retried, BugClass.FAULT_MISSED, "no LLM attempt met a reset: the fault never landed")

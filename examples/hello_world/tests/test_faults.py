"""Real faults around the hello-world app, each run on the app (it must stay exactly once)
and on the broken twin the fault exposes (it must be rejected with its bug class):

- the webhook's reply lost after the POST landed (the receiver's answer held past the
  client's timeout): Temporal retries the POST; key_per_attempt is `duplicate-effect`.
- an LLM 429/5xx storm: Temporal retries the call; sdk_retries, whose client retries too,
  is `wasted-llm-call`.
- the worker SIGKILLed after the POST landed, before its completion reached Temporal: a new
  worker retries it; memory_dedup, whose "already sent" died with the process, is
  `duplicate-effect`.
"""

from __future__ import annotations

import contextlib

import pytest

from examples.hello_world.tests.helpers import assert_all_once, landed, worker_argv
from stormproof.chaos import ChaosRun, Planned
from stormproof.chaos.nemesis import LinkToxic, WorkerCrash
from stormproof.diagnosis import BugClass, rejected_as
from stormproof.world import RateLimit, ServerError, wait_for

pytestmark = [pytest.mark.chaos, pytest.mark.local_server, pytest.mark.worker_process]
# The webhook client gives up after 5 s (TEAM_WEBHOOK_TIMEOUT's default): a reply held
# 7 s is lost to the sender after the receiver accepted; one held 3 s keeps the attempt
# running long enough to kill the worker in it.
LOST_REPLY_MS = 7000
HELD_REPLY_MS = 3000
STORM = [RateLimit(retry_after=1), ServerError(), ServerError(status=503)]


def twins(fault: str, twin: str, must: str) -> list[object]:
    """The app under `fault`, and the twin as a negative control in a report row of its own."""
    control = pytest.mark.chaos(fault=f"negative-control:{twin} (must {must})")
    return [
        pytest.param(None, marks=pytest.mark.chaos(fault=fault)),
        pytest.param(twin, marks=[pytest.mark.negative_control, control]),
    ]


def verdict(twin: str | None, bug: BugClass) -> contextlib.AbstractContextManager[object]:
    """The app must pass; its twin must fail with `bug`."""
    return contextlib.nullcontext() if twin is None else rejected_as(bug)


def held_replies(chaos: ChaosRun, ms: int, label: str) -> LinkToxic:
    """The receiver's answers crawl back to the worker (the POST itself lands at once)."""
    return LinkToxic(chaos.toxiproxy, chaos.link("sink"), "latency", label=label, latency=ms)


async def wait_landed(chaos: ChaosRun, item: Planned, count: int) -> None:
    await wait_for(
        lambda: landed(chaos, item, count),
        what=f"{count} accepted webhook POST(s) of {item.workflow_id}",
        timeout=45,
        interval=0.01,
        logs=chaos.logs(),
    )


@pytest.mark.toxiproxy
@pytest.mark.parametrize(
    "twin", twins("webhook-reply-lost-after-landing", "key_per_attempt", "duplicate")
)
async def test_webhook_reply_lost_after_landing(chaos: ChaosRun, twin: str | None) -> None:
    await chaos.start_worker(worker_argv(twin))
    async with chaos.faulted(held_replies(chaos, LOST_REPLY_MS, "webhook-reply-lost")):
        [item] = await chaos.workload.start_many(["haiku"])
        await wait_landed(chaos, item, 2)  # the first POST landed, then Temporal's retry
    result = await chaos.finish(timeout=60)
    assert chaos.retried(item.workflow_id, "notify_team"), "the lost reply missed the POST"
    with verdict(twin, BugClass.DUPLICATE_EFFECT):
        assert_all_once(chaos, result)


@pytest.mark.parametrize("twin", twins("llm-429-5xx-storm", "sdk_retries", "waste calls"))
async def test_llm_storm(chaos: ChaosRun, twin: str | None) -> None:
    await chaos.start_worker(worker_argv(twin))
    item = chaos.workload.plan("haiku")
    chaos.world.fake_llm.script(item.marker, STORM)
    await chaos.workload.start(item)
    result = await chaos.finish(timeout=60)
    assert len(chaos.world.fake_llm.calls_for(item.marker)) == len(STORM) + 1
    with verdict(twin, BugClass.WASTED_LLM_CALL):
        assert_all_once(chaos, result)


@pytest.mark.toxiproxy
@pytest.mark.parametrize(
    "twin", twins("worker-sigkill-after-webhook-landed", "memory_dedup", "duplicate")
)
async def test_worker_sigkill_after_webhook_landed(chaos: ChaosRun, twin: str | None) -> None:
    argv = worker_argv(twin)
    first = await chaos.start_worker(argv)
    async with chaos.faulted(held_replies(chaos, HELD_REPLY_MS, "webhook-reply-held")):
        [item] = await chaos.workload.start_many(["haiku"])
        await wait_landed(chaos, item, 1)
        async with chaos.faulted(WorkerCrash(first.process, lambda: chaos.start_worker(argv))):
            pass
    result = await chaos.finish(timeout=60)
    assert chaos.retried(item.workflow_id, "notify_team"), "the kill missed the POST"
    with verdict(twin, BugClass.DUPLICATE_EFFECT):
        assert_all_once(chaos, result)

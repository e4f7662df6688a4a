"""Negative controls: the checker must fail workers that are broken on purpose, naming the
bug's class.

A chaos suite that always passes proves nothing. The same scenarios the reference worker
survives are run against broken twins (`python -m stormproof.reference.broken` lists them)
with one classic bug each, and the verdict has to name the bug: a second notification key
or metadata row (fault 3), LLM calls that Temporal never counted as attempts, and
deduplication kept in process memory, which only a worker death exposes (fault 10).
"""

from __future__ import annotations

import contextlib
import shlex

import pytest

from stormproof.chaos import ChaosRun
from stormproof.chaos.scenarios import (
    Effect,
    check_one_effect,
    deaths,
    declared,
    effect_then_outage,
)
from stormproof.diagnosis import BugClass, Finding, rejected_as
from stormproof.world import ServerError, broken_argv

pytestmark = [
    pytest.mark.negative_control,
    pytest.mark.chaos(fault="negative-control"),
    pytest.mark.local_server,
    pytest.mark.worker_process,
    pytest.mark.toxiproxy,
]


@pytest.mark.parametrize(
    ("name", "effect", "kind"),
    [
        pytest.param(*p, marks=pytest.mark.chaos_long(seconds=30))
        for p in (
            ("non_idempotent_notify", "notification", "deliveries"),
            ("non_idempotent_insert", "row", "rows"),
        )
    ],
)
async def test_checker_rejects_non_idempotent_effect(
    chaos: ChaosRun, name: str, effect: Effect, kind: str
) -> None:
    chaos.fault = f"negative-control:{name} (must be invalid)"
    victim = await effect_then_outage(chaos, effect, broken_argv(name))
    result = await chaos.finish(timeout=120)
    with rejected_as(BugClass.DUPLICATE_EFFECT):
        chaos.assert_exactly_once(result)
    assert result.duplicated[kind] >= 1, (
        f"{shlex.join(broken_argv(name))} duplicated its {effect} but the checker did not see it:"
        f" {result.summary()}"
    )
    assert any(a.workflow_id == victim.workflow_id for a in result.anomalies), result.summary()


async def test_checker_rejects_sdk_retries(chaos: ChaosRun) -> None:
    """SDK retries inside one Temporal attempt: LLM calls Temporal never counted."""
    chaos.fault = "negative-control:sdk_retries (must be invalid)"
    await chaos.start_worker(broken_argv("sdk_retries"))
    item = chaos.workload.plan("story")
    chaos.world.fake_llm.script(item.marker, [ServerError(times=2)])
    await chaos.workload.start(item)
    result = await chaos.finish(timeout=60)
    with rejected_as(BugClass.WASTED_LLM_CALL):
        chaos.assert_exactly_once(result)


@pytest.mark.chaos_long(seconds=45)
async def test_checker_rejects_memory_dedup(chaos: ChaosRun) -> None:
    """memory_dedup passes every test that keeps one process alive; a death between an
    effect and its completion makes the new process repeat the effect. Every kind's victim
    must be named in the verdict: the checker's count, or the contract's own (the LLM
    ledger, the story's copies), which `check_one_effect` adds to it."""
    chaos.fault = "negative-control:memory_dedup (must be invalid)"
    kinds, _ = declared(chaos)
    staged = await deaths(chaos, kinds, broken_argv("memory_dedup"))
    result = await chaos.finish(timeout=90)
    for death in staged:
        chaos.expect_fired(death.victim.workflow_id, death.activity)  # the kill met it
        with contextlib.suppress(Finding):
            check_one_effect(chaos, death)
    with rejected_as(BugClass.DUPLICATE_EFFECT):
        chaos.assert_exactly_once(result)
    named = {a.workflow_id for a in result.anomalies if a.bug is BugClass.DUPLICATE_EFFECT}
    missed = [d.kind for d in staged if d.victim.workflow_id not in named]
    assert not missed, f"memory_dedup repeated its {missed} effect unseen: {result.summary()}"

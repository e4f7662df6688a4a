"""Negative controls: the checker must fail workers that are broken on purpose.

A chaos suite that always passes proves nothing. The same fault-3 scenario that the
reference worker survives is run against broken twins (`python -m
stormproof.reference.broken` lists them) with one classic bug each, and the checker has to
name the bug: a second notification key, a second metadata row, or LLM calls that
Temporal never counted as attempts.
"""

from __future__ import annotations

import shlex

import pytest

from stormproof.fixtures.fake_llm import ServerError
from stormproof.fixtures.twins import broken_argv
from stormproof.suites.chaos.run import ChaosRun
from stormproof.suites.chaos.scenarios import Effect, effect_then_outage

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
        ("non_idempotent_notify", "notification", "deliveries"),
        ("non_idempotent_insert", "row", "rows"),
    ],
)
async def test_checker_rejects_non_idempotent_effect(
    chaos: ChaosRun, name: str, effect: Effect, kind: str
) -> None:
    chaos.fault = f"negative-control:{name} (must be invalid)"
    victim = await effect_then_outage(chaos, effect, broken_argv(name))
    result = await chaos.finish(timeout=120)
    assert result.duplicated[kind] >= 1, (
        f"{shlex.join(broken_argv(name))} duplicated its {effect} but the checker did not see it:"
        f" {result.summary()}"
    )
    assert result.verdict == "invalid"
    assert any(victim.workflow_id in a for a in result.anomalies)


async def test_checker_rejects_sdk_retries(chaos: ChaosRun) -> None:
    """SDK retries inside one Temporal attempt: LLM calls Temporal never counted."""
    chaos.fault = "negative-control:sdk_retries (must be invalid)"
    await chaos.start_worker(broken_argv("sdk_retries"))
    item = chaos.workload.plan("story")
    chaos.world.fake_llm.script(item.marker, [ServerError(times=2)])
    await chaos.workload.start(item)
    result = await chaos.finish(timeout=60)
    assert result.wasted_llm_calls >= 1, result.summary()
    assert result.verdict == "invalid"

"""Fault 3: an outage exactly between an activity's side effect and its completion report.

The effect (a notification, a metadata row) is already in the world when the worker's
link to Temporal is cut for longer than the activity's start-to-close timeout, so Temporal
runs the activity again. Catches every non-idempotent effect: a fresh Idempotency-Key per
attempt, or a plain INSERT (the negative controls prove exactly that).
"""

from __future__ import annotations

import pytest

from stormproof.chaos import ChaosRun
from stormproof.chaos.scenarios import Effect, effect_then_outage

pytestmark = [
    pytest.mark.chaos_long(seconds=35),
    pytest.mark.chaos(fault="effect-then-outage"),
    pytest.mark.local_server,
    pytest.mark.worker_process,
    pytest.mark.toxiproxy,
]


@pytest.mark.parametrize("effect", ["notification", "row"])
async def test_outage_between_effect_and_completion(chaos: ChaosRun, effect: Effect) -> None:
    chaos.fault = f"effect-then-outage:{effect}"
    victim = await effect_then_outage(chaos, effect, load=True)
    await chaos.generator.stop()  # type: ignore[union-attr]
    result = await chaos.finish(timeout=120)
    chaos.assert_exactly_once(result)
    assert result.completed == result.workflows
    activity = "send_notification" if effect == "notification" else "store_report_metadata"
    assert chaos.retried(victim.workflow_id, activity), "the activity never ran again"
    if effect == "notification":
        assert len(chaos.world.sink.deliveries_for(victim.workflow_id)) >= 2

"""Fault 3: an outage exactly between an activity's side effect and its completion report.

The effect (a notification, a metadata row) is already in the world when the worker's
link to Temporal is cut for longer than the activity's start-to-close timeout, so Temporal
runs the activity again. Catches every non-idempotent effect: a fresh Idempotency-Key per
attempt, or a plain INSERT (the negative controls prove exactly that). The notification
runs under any adapter whose units declare HttpDeliveries, whatever the activity that
delivers is named; the row names the contract's table and step (`[contract]`).
"""

from __future__ import annotations

import pytest

from stormproof.adapter import HttpDeliveries
from stormproof.chaos import ChaosRun, assert_all_completed, needs
from stormproof.chaos.scenarios import Effect, effect_then_outage
from stormproof.diagnosis import BugClass, expect

pytestmark = [
    pytest.mark.chaos_long(seconds=35),
    pytest.mark.chaos(fault="effect-then-outage"),
    pytest.mark.local_server,
    pytest.mark.worker_process,
    pytest.mark.toxiproxy,
]


@pytest.mark.parametrize(
    "effect",
    [
        pytest.param("notification", marks=needs(HttpDeliveries)),
        pytest.param("row", marks=pytest.mark.contract),
    ],
)
async def test_outage_between_effect_and_completion(chaos: ChaosRun, effect: Effect) -> None:
    chaos.fault = f"effect-then-outage:{effect}"
    victim = await effect_then_outage(chaos, effect, load=True)
    await chaos.generator.stop()  # type: ignore[union-attr]
    result = await chaos.finish(timeout=120)
    await assert_all_completed(chaos, result)
    if effect == "notification":  # whatever the delivering activity is named
        chaos.expect_fired(victim.workflow_id)
        delivered = len(chaos.deliveries_of(victim))
        expect(
            delivered >= 2,
            BugClass.FAULT_MISSED,
            f"{victim.workflow_id}: {delivered} delivery, none retried",
        )
    else:
        chaos.expect_fired(victim.workflow_id, "store_report_metadata")

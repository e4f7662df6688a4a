"""Fault 10: the worker is SIGKILLed after a side effect and before Temporal hears of it, and
a new process takes over; every effect kind must still happen exactly once.

One death per effect kind the adapter declares (LlmCalls, HttpDeliveries, ServiceCalls,
Rows, Files), staged one after another under the continuous load, each on a victim that
owes it: an LLM reply asked for again, a notification sent under a new key, a service
called again, a row inserted again, a file written twice. Catches deduplication that lives
only in the worker's memory (the memory_dedup twin in test_negative_control.py, and the
hello-world example's). The kinds nobody declares are named in the row's fault label.
"""

from __future__ import annotations

import pytest

from stormproof.chaos import ChaosRun, needs
from stormproof.chaos.scenarios import check_one_effect, deaths, declared

pytestmark = [
    pytest.mark.chaos_long(seconds=45),
    pytest.mark.chaos(fault="effect-then-death"),
    pytest.mark.local_server,
    pytest.mark.worker_process,
    pytest.mark.toxiproxy,
]


@needs()
async def test_effect_then_worker_death(chaos: ChaosRun) -> None:
    kinds, lacking = declared(chaos)
    if not kinds:
        pytest.skip("no effect kind declared: " + "; ".join(lacking))
    chaos.fault = "effect-then-death:" + "+".join(kinds)
    staged = await deaths(chaos, kinds, load=True)
    await chaos.generator.stop()  # type: ignore[union-attr]
    result = await chaos.finish(timeout=120)
    chaos.assert_exactly_once(result)
    for death in staged:
        check_one_effect(chaos, death)

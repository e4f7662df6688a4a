"""Fault 10: the worker is SIGKILLed after a side effect and before Temporal hears of it, and
a new process takes over; every effect kind must still happen exactly once.

Catches deduplication that lives only in the worker's memory (the memory_dedup twin in
test_negative_control.py, and the hello-world example's): an LLM reply asked for again, a
row inserted again, a notification sent under a new key, a story written twice, an agent
asked again without its key. The LLM, notification and service kinds run by default, under
any adapter whose units declare LlmCalls, HttpDeliveries or ServiceCalls (the reference
calls no service: its run skips that kind, naming the declaration); the row and the
artifact drive the contract's steps (`[contract]`) and take as long each (an attempt
timeout, ~30 s), so they run with `-m process_death`.
"""

from __future__ import annotations

import pytest

from stormproof.adapter import HttpDeliveries, LlmCalls, ServiceCalls
from stormproof.chaos import ChaosRun, needs
from stormproof.chaos.scenarios import KINDS, EffectKind, check_one_effect, effect_then_death

DEFAULT = {"llm": LlmCalls, "notification": HttpDeliveries, "service": ServiceCalls}

pytestmark = [
    pytest.mark.chaos_long(seconds=35),
    pytest.mark.chaos(fault="effect-then-death"),
    pytest.mark.local_server,
    pytest.mark.worker_process,
    pytest.mark.toxiproxy,
]


def by_kind() -> list[object]:
    """The generic kinds in the default run, the contract's behind -m process_death."""
    return [
        pytest.param(
            kind,
            marks=needs(DEFAULT[kind])
            if kind in DEFAULT
            else [pytest.mark.process_death, pytest.mark.contract],
        )
        for kind in KINDS
    ]


@pytest.mark.parametrize("kind", by_kind())
async def test_effect_then_worker_death(chaos: ChaosRun, kind: EffectKind) -> None:
    chaos.fault = f"effect-then-death:{kind}"
    victim = await effect_then_death(chaos, kind, load=True)
    await chaos.generator.stop()  # type: ignore[union-attr]
    result = await chaos.finish(timeout=90)
    chaos.assert_exactly_once(result)
    check_one_effect(chaos, kind, victim)

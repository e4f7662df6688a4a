"""Process deaths around the routing app, as scenarios (stormproof.chaos.Scenario): the
Temporal server SIGKILLed while the first answers are held, and the worker SIGKILLed while
the HR agent is answering. The app survives both exactly once: the retried agent call
carries the same idempotency key, so the agent answers it once. Its twin without the key
(examples/routing/broken/no_idempotency.py) is `duplicate-effect`.
"""

from __future__ import annotations

import pytest

from examples.routing.tests.helpers import agent_requests, twin_argv
from stormproof.chaos import (
    ChaosRun,
    KillTemporal,
    KillWorker,
    LlmInFlight,
    Scenario,
    ServiceCallInFlight,
    run_scenario,
)
from stormproof.diagnosis import BugClass, expect, rejected_as
from stormproof.world import Delay

pytestmark = [pytest.mark.chaos, pytest.mark.local_server, pytest.mark.worker_process]

# A slow first answer keeps every unit's activity in flight when the server dies; the
# kill costs no retry (the server keeps its state), so the trigger is the proof.
TEMPORAL_SIGKILL = Scenario(
    name="temporal-sigkill",
    units=["simple", "routing", "routing_hr"],
    llm=[Delay(seconds=1.5)],
    trigger=LlmInFlight(),
    fault=KillTemporal(),
    seconds=2.0,
    proof="trigger",
)
# The 8 s HR agent holds the call; a fresh worker (same command) retries it after the
# heartbeat timeout.
WORKER_SIGKILL = Scenario(
    name="worker-sigkill-mid-agent-call",
    units=["routing_hr"],
    trigger=ServiceCallInFlight(service="hr"),
    fault=KillWorker(),
    timeout=60,
)


@pytest.mark.chaos(fault=TEMPORAL_SIGKILL.name)
async def test_temporal_sigkill_mid_run(chaos: ChaosRun) -> None:
    await run_scenario(chaos, TEMPORAL_SIGKILL)


@pytest.mark.chaos(fault=WORKER_SIGKILL.name)
async def test_worker_sigkill_mid_agent_call(chaos: ChaosRun) -> None:
    played = await run_scenario(chaos, WORKER_SIGKILL)
    [item] = played.victims
    missed = not chaos.retried(item.workflow_id, "call_agent")
    expect(not missed, BugClass.FAULT_MISSED, "the kill missed the agent call")
    keys = {c.header("Idempotency-Key") for c in agent_requests(chaos, "hr", item.marker)}
    expect(len(keys) == 1, BugClass.DUPLICATE_EFFECT, f"the HR agent was sent keys {keys}")


@pytest.mark.negative_control
@pytest.mark.chaos(fault="negative-control:no_idempotency (must duplicate)")
async def test_negative_control_no_idempotency_key(chaos: ChaosRun) -> None:
    control = WORKER_SIGKILL.model_copy(update={"name": chaos.fault})
    with rejected_as(BugClass.DUPLICATE_EFFECT):
        await run_scenario(chaos, control, twin_argv("no_idempotency"))

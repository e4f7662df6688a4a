"""A victim caught mid-effect: its effect held in the world while its activity runs.

A fault that freezes or stops a worker must meet an attempt whose effect is on its way,
seen from the world: the victim's delivery has reached the sink (a unit that declares
HttpDeliveries; the sink holds its answer HELD_SECONDS), else its LLM request is in flight
at the fake LLM (a unit that declares LlmCalls), and Temporal reports one of its
activities running, whatever its name. A freeze then lasts `pause_past_timeouts`: past
that activity's own declared timeout (heartbeat, else start_to_close; PAUSE_SECONDS at
least), so Temporal gives the attempt to another worker. Fault 5 (the worker frozen) and
the fleet's frozen replica (scenarios/fleet.py) start their victims this way.
"""

from __future__ import annotations

from stormproof.adapter import HttpDeliveries, LlmCalls
from stormproof.chaos.run import ChaosRun
from stormproof.chaos.triggers import Running
from stormproof.chaos.workload import Planned
from stormproof.fixtures.fake_llm import Delay
from stormproof.fixtures.sink import SinkDelay

HELD_SECONDS = 2.0  # the effect's answer is held this long: the fault meets it in flight
PAUSE_SECONDS = 20.0  # longer than send_notification's 15 s start-to-close
# A team's activity may declare a longer timeout: the pause outlasts it by this much.
PAUSE_SLACK = 5.0


async def mid_effect(chaos: ChaosRun) -> tuple[Planned, Running]:
    """Start a victim and return once its effect is in the world and its activity runs:
    a delivery at the sink if the adapter declares one, else an LLM request."""
    if chaos.units_owing(HttpDeliveries):
        victim = chaos.plan_owing(HttpDeliveries)
        chaos.world.sink.script(victim.workflow_id, [SinkDelay(seconds=HELD_SECONDS)])
        await chaos.workload.start(victim)
        await chaos.wait_delivery(victim)
    else:
        victim = chaos.plan_owing(LlmCalls)
        chaos.world.fake_llm.script(victim.marker, [Delay(seconds=HELD_SECONDS)])
        await chaos.workload.start(victim)
        await chaos.wait_llm_in_flight(victim.marker)
    return victim, await chaos.wait_activity_running(victim.workflow_id)


async def pause_past_timeouts(chaos: ChaosRun, hit: Running) -> float:
    """Seconds a freeze must last to outlast `hit`'s own declared timeout (its heartbeat
    timeout, else start_to_close, read from the history), PAUSE_SECONDS at least."""
    noticed = await chaos.noticed_after(hit.workflow_id, hit.activity)
    return max(PAUSE_SECONDS, noticed + PAUSE_SLACK)
